"""Names that the shape of a message gives away where no cue word stands before them:

  age after      湊（5歳）が, 陸（2019年7月7日生）の: a word right before a bracketed age or birth date
  parent's name  ゆうとママです: a child's name before ママ or パパ
  sign-off       …止まりません。胡桃, …飲める？ りお 080-…: the message's last word, alone after its last
                 sentence (a phone number may follow it)
  parent of     陸の父です, はるとのママです: a name before の and a relation word, then です (the writer is that
                person's relative)
  relation      娘あおいが, 母トメの, ママ（あゆみ）が: a kana name written straight after a relation word, or
                bracketed after it
  newborn       生後3週のこはる、: a name after a baby's age
  sign-off      薬剤師 朴より: a name after a job word and before より
  own reading   希望（のぞみ）です, 空(そら)の母です: a kanji word with its reading in kana, then です, an honorific or
                の and a relation word
  role          ヘルパーの小松です, ひだまり荘介護村上です: a proper noun after a role or a department, then です
  relation name お父さん茂、: a word the dictionary knows as a person's name, straight after a relation word
  age sign-off  …使えますか？ あかり(24): a name with a bare age in brackets, ending the message
  Latin pair     Yuki Hamada（浜田 由紀）, Emily Tanakaです: two or three capitalised Latin words before です,
                 さん, 様, と申します or a bracket
  Hangul         이지연: Korean written in a Japanese message is a name
  two children   ふたごのりんとれんが, きょうめいとれんふたりとも: two kana words joined by と after a siblings word,
                 or before ふたり / 両方
  handle         @natsu.dance0815やってるなつです, kurumi.h@icloud.com … 胡桃: a short word whose reading, in
                 romaji, is a part of a handle, an e-mail address or a URL in the same message (people put
                 their names there)

A word that names a relation or a role (息子（5歳）, 患者（80歳）, data/ja/kinship_cues.txt, role_nouns.txt,
person_nouns.txt) is no name, nor is a sign-off that the dictionary reads as a closing or a function word
(以上, よろしく, です).
"""

from __future__ import annotations

import jaconv
import regex

from compliance.phi.entities import PERSON
from compliance.phi.ja.lexicon import alternation, word_set, words
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer, compile_ja, token_index_at, token_index_ending

NAME = r"(?P<name>[\p{Han}々]{1,4}|[\p{Hiragana}ー]{2,5}|[\p{Katakana}ー]{2,8})"
AGE_AFTER = compile_ja(
    rf"(?:\A|(?<=[、。,!?！？\s()（）]|の)){NAME}\s*[(（]\s*(?:\d{{1,3}}\s*(?:歳|才|さい|か月|ヶ月|カ月)(?!\s*(?:で|に|間|前|後|ほど|くらい|以上|以内))|[^()（）\n]{{0,12}}\d[^()（）\n]{{0,6}}?生(?:まれ)?(?=\s*[)）、,]))"
)
PARENT = compile_ja(
    rf"(?:\A|(?<=[、。,!?！？\s]|の)){NAME}(?:ママ|パパ|まま|ぱぱ)(?=です|だよ|より|[、。,!?！？\s]|\Z)"
)
NEWBORN = compile_ja(rf"生後\s*\d{{1,2}}\s*(?:日|週|か月|ヶ月|カ月)(?:目)?の{NAME}(?=[、。がはのを(（]|ちゃん|くん)")
OWN_READING = r"(?:\A|(?<=[、。,!?！？\s]|の))(?P<name>[\p{Han}々]{1,4})[(（][\p{Hiragana}\p{Katakana}ー]{2,8}[)）]"
AGE_SIGN_OFF = compile_ja(
    r"(?:\A|(?<=[、。,!?！？\s]))(?P<name>[\p{Han}々]{1,4}|[\p{Hiragana}ー]{2,5})\s*[(（]\d{1,2}[)）]\s*\Z"
)
#: Parents as their children's messages name them (はるとのママ).
PARENTS = ("ママ", "パパ", "まま", "ぱぱ", "母親", "父親")
SIGN_OFF = compile_ja(rf"(?:[。!?！？]|\s)\s*{NAME}\s*(?:[+\d][\d\s\-()]{{8,}}\d)?\s*\Z")
LATIN_PAIR = compile_ja(
    r"(?<![A-Za-z@./_\-])(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+){1,2})"
    r"(?=\s*(?:です|さん|様|と申します|といいます|[(（]))"
)
HANGUL = compile_ja(r"(?P<name>\p{Hangul}{2,5})")
# Two children named together: ふたごのりんとれんが, きょうめいとれんふたりとも (hiragana names the tokenizer cuts apart)
_KANA_NAME = r"[\p{Hiragana}ー]{2,4}?"
PAIR_OF_SIBLINGS = compile_ja(
    rf"(?:ふたご|双子|きょうだい|兄弟|姉妹)の?(?P<a>{_KANA_NAME})と(?P<b>{_KANA_NAME})(?=が|は|の|も|、|ふたり|二人|2人)"
)
PAIR_OF_BOTH = compile_ja(
    rf"(?:\A|(?<=[、。,!?！？\s]|きょう|今日|昨日|きのう|さっき|今朝|けさ))(?P<a>{_KANA_NAME})と(?P<b>{_KANA_NAME})"
    r"(?=(?:が|は|も)?(?:ふたり|二人|2人|両方))"
)
HANDLE = compile_ja(r"@[A-Za-z0-9_.]+|[A-Za-z0-9_.+\-]+@[A-Za-z0-9.\-]+|https?://[^\s、。]+")
HANDLE_PART = regex.compile(r"[a-z]{3,}")
# Parts of handles and addresses that are no one's name.
NOT_A_NAME_PART = frozenset(
    "com net org www http https html gmail icloud yahoo outlook hotmail docomo ezweb softbank ameblo instagram youtube"
    " twitter tiktok line note blog diary cafe mama papa kids baby".split()
)
KANA_WORD = regex.compile(r"[\p{Hiragana}\p{Katakana}ー]{2,5}")
KANJI_WORD = regex.compile(r"[\p{Han}々]{1,3}")
# Parts of speech a sign-off name never is: closings and function words (以上, よろしく, です, ね).
NOT_A_SIGN_OFF = frozenset(("助詞", "助動詞", "感動詞", "接続詞", "副詞", "形容詞", "補助記号", "記号"))


class JaPersonContextRecognizer(JaTokenRecognizer):
    ENTITY = PERSON

    def __init__(self) -> None:
        super().__init__()
        kin = alternation((*words("kinship_cues"), *PARENTS))
        self._parent_cue = compile_ja(rf"の{kin}(?:です|と申します|ともうします|より)")
        self._parent_of = compile_ja(rf"(?:\A|(?<=[、。,!?！？\s])){NAME}の{kin}(?:です|と申します|ともうします|より)")
        self._relation = compile_ja(
            rf"{kin}(?![のにがはをともへでや])(?P<name>[\p{{Hiragana}}ー]{{2,4}}?|[\p{{Katakana}}ー]{{2,5}}?)"
            r"(?=[がはをのと、(（]|ちゃん|くん)"
        )
        self._bracketed = compile_ja(rf"{kin}\s*[(（]{NAME}[)）、]")
        self._own_reading = compile_ja(rf"{OWN_READING}(?=です|と申します|さん|様|ちゃん|くん|の{kin}(?:です|より))")
        staff = alternation((*words("role_nouns"), *words("staff_departments")))
        self._staff_name = compile_ja(rf"(?:{staff})の?(?P<name>[\p{{Han}}々]{{1,4}})(?=です|と申します|でした|より)")
        calls = alternation((*words("kinship_cues"), *PARENTS, *words("family_calls")))
        self._relation_kanji = compile_ja(
            rf"{calls}(?P<name>[\p{{Han}}々]{{1,3}})(?=[、がはをのと(（]|さん|ちゃん|くん)"
        )
        roles = alternation(("薬剤師", "看護師", "医師", "保健師", "助産師", "相談員", "主任", "担当"))
        self._signed = compile_ja(rf"{roles}\s*{NAME}\s*より")
        self._not_names = (
            word_set("kinship_cues") | word_set("role_nouns") | word_set("person_nouns") | word_set("honorifics")
        )
        self._leading = tuple(sorted(word_set("kinship_cues"), key=len, reverse=True))
        self._trailing = tuple(sorted(self._not_names - word_set("kinship_cues"), key=len, reverse=True))

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out = []
        for pattern, score in (
            (AGE_AFTER, 0.75),
            (PARENT, 0.75),
            (NEWBORN, 0.8),
            (self._own_reading, 0.75),
            (AGE_SIGN_OFF, 0.75),
            (self._parent_of, 0.8),
            (self._relation, 0.7),
            (self._bracketed, 0.8),
            (self._signed, 0.8),
        ):
            for m in pattern.finditer(text):
                if self._word(m, tokens):
                    out.append((self._after_relation(m), self._before_title(m), score))
        out += self._parents_of(text, tokens, engine)
        for pattern in (self._staff_name, self._relation_kanji):
            for m in pattern.finditer(text):
                if self._word(m, tokens) and _dictionary_name(m, tokens, engine):
                    out.append((m.start("name"), m.end("name"), 0.8))
        found = SIGN_OFF.search(text)
        if found is not None and self._word(found, tokens) and self._signs(found, tokens):
            out.append((found.start("name"), self._before_title(found), 0.7))
        out += [(m.start("name"), m.end("name"), 0.75) for m in LATIN_PAIR.finditer(text)]
        out += [(m.start("name"), m.end("name"), 0.8) for m in HANGUL.finditer(text)]
        for pattern in (PAIR_OF_SIBLINGS, PAIR_OF_BOTH):
            for m in pattern.finditer(text):
                if m.group("a") not in self._not_names and m.group("b") not in self._not_names:
                    out += [(m.start("a"), m.end("a"), 0.7), (m.start("b"), m.end("b"), 0.7)]
        return out + self._in_handles(text, tokens, engine)

    def _in_handles(
        self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
    ) -> list[tuple[int, int, float]]:
        parts = {p for m in HANDLE.finditer(text) for p in HANDLE_PART.findall(m.group().lower())}
        parts -= NOT_A_NAME_PART
        if not parts:
            return []
        out = []
        for token in tokens:
            surface = token.surface
            if surface in self._not_names:
                continue
            if KANA_WORD.fullmatch(surface):
                sounds = {surface}
            elif KANJI_WORD.fullmatch(surface):
                sounds = set(engine.name_readings(surface))
            else:
                continue
            if any(_romaji(sound) in parts for sound in sounds):
                out.append((token.start, token.end, 0.75))
        return out

    def _word(self, match: regex.Match[str], tokens: tuple[JaToken, ...]) -> bool:
        """The candidate is whole words (it starts and ends where tokens do) and not a relation or role word."""
        start, end = match.start("name"), match.end("name")
        return (
            match.group("name") not in self._not_names
            and token_index_at(tokens, start) is not None
            and (end == len(match.string) or token_index_at(tokens, end) is not None)
            and token_index_ending(tokens, end) is not None
        )

    def _parents_of(
        self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
    ) -> list[tuple[int, int, float]]:
        """陸の父です, つむぎのママです: the word right before の names the writer's child or parent when it can be a
        name (a proper noun, a word the dictionary does not know or reads as a name, a kana word), not 生まれの祖父."""
        out = []
        for match in self._parent_cue.finditer(text):
            index = token_index_ending(tokens, match.start())
            if index is None:
                continue
            token = tokens[index]
            kana = regex.fullmatch(r"[\p{Hiragana}\p{Katakana}ー]{2,6}", token.surface) is not None
            if token.surface in self._not_names or token.pos[0] in NOT_A_SIGN_OFF:
                continue
            if token.is_proper or token.oov or kana or engine.name_readings(token.surface):
                out.append((token.start, token.end, 0.8))
        return out

    def _after_relation(self, match: regex.Match[str]) -> int:
        """Where the name starts: after a relation word written before it with no の (父橋本正（82歳）)."""
        name = match.group("name")
        lead = next((w for w in self._leading if name.startswith(w) and len(w) < len(name)), "")
        return match.start("name") + len(lead)

    def _before_title(self, match: regex.Match[str]) -> int:
        """Where the name ends: before an honorific or a title written after it (ゆうとくん, 加藤様, 吉田医師)."""
        name = match.group("name")
        title = next((w for w in self._trailing if name.endswith(w) and len(w) < len(name)), "")
        return match.end("name") - len(title)

    @staticmethod
    def _signs(match: regex.Match[str], tokens: tuple[JaToken, ...]) -> bool:
        """A sign-off is a noun or a word the dictionary does not know, not a closing (以上, よろしく) or a verb
        that ends a sentence (written in kanji: 分かる; a hiragana one may be a name: ひかる, みのる)."""
        first = token_index_at(tokens, match.start("name"))
        last = token_index_ending(tokens, match.end("name"))
        if first is None or last is None:
            return False
        words = tokens[first : last + 1]
        if any(t.pos[0] in NOT_A_SIGN_OFF for t in words):
            return False
        name = match.group("name")
        return (
            all(t.pos[0] == "名詞" or t.oov for t in words) or regex.fullmatch(r"[\p{Hiragana}ー]+", name) is not None
        )


def _dictionary_name(match: regex.Match[str], tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> bool:
    """The candidate is a word the dictionary tags as a person's name, or words it can read as one (小松 is tagged
    a common noun and read コマツ as a surname; 村上 is cut into 村 and 上)."""
    first, last = token_index_at(tokens, match.start("name")), token_index_ending(tokens, match.end("name"))
    if first is None or last is None:
        return False
    return (first == last and tokens[first].pos[2] == "人名") or bool(engine.name_readings(match.group("name")))


def _romaji(kana: str) -> str:
    """Kana as a handle spells them (ゆうと -> yuto, しょう -> sho: long vowels as one letter, as most do)."""
    spelled = jaconv.kana2alphabet(jaconv.kata2hira(kana)).replace("ー", "")
    return regex.sub(r"ou|oo|uu", lambda m: m.group()[0], spelled)
