"""A name announced by the words around it (cues in data/ja/person_cues.yaml and data/ja/kinship_cues.txt).

  relation      母の和子, 息子のケンタが, 夫隆、, 同僚の森が: a kinship or relation word, の optional
  naming        名前は佐々木蒼です, 氏名: ヤマダ タロウ: everything up to the name's end is the name
  introduction  私は高橋美咲です, ぼくはそうた、: a word that reads as a name must follow
  after         佐藤と申します, 四十物といいます, ゆいです！: the name is the run right before (before a plain です,
                at a clause start, and a hiragana word only if it holds a noun: not そうです); a surname and a space
                before it make a full name (白石 空です)
  sign-off      美穂より (at the start of a line)
  greeting      こんにちは、あゆみです: a greeting, then any word but a role word before です
  role          訪問診療の原です, 産業医の本田です: a job or team word (its ending in person_cues.yaml), then a
                word the dictionary reads as a name (or does not know) before です; 看護師宮崎です: a job written
                straight before a surname of two or more characters the dictionary knows (glued_roles)
A bracket between a name and its cue holds the name's other writing (ソン・ミンジュ(宋敏珠)と申します): both count.

How sure each is comes from the cue and from how the name reads (person_words, names.Strength): a relation
word followed by an ordinary word is no name (母の血圧, 娘のアトピー).
"""

from __future__ import annotations

from typing import Any

import regex

from compliance.phi.entities import PERSON
from compliance.phi.ja.lexicon import alternation, kept_places, name_forms, table, words
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer, compile_ja, token_index_at
from compliance.phi.recognizers.ja.names import Strength, strength
from compliance.phi.recognizers.ja.person_words import HIRAGANA_RUN, name_after, name_before

NAMING_END = regex.compile(r"(?:です|と申します|ともうします|といいます|と言います|[、。,!?！？()（）:\n]|\s{2}|\s*\Z)")
# Before a plain です a name stands at the start of the message or of a sentence or clause (佐藤です。).
CLAUSE_START = regex.compile(r"(?:\A|[、。,.!?！？\n]|ます|です|した)\s*\Z")
MAX_NAMED = 20
KANJI_NAME = regex.compile(r"[\p{Han}々〆ヶ]+")
LEADING_WORDS = regex.compile(r"\A(?:私|わたし|僕|ぼく|俺|おれ|あたし|自分)")
# The writer's name in an introduction: a kanji word, a katakana or hiragana name, a Latin name.
WRITER = (
    r"(?P<name>[\p{Han}々]{1,4}|[\p{Katakana}ー][\p{Katakana}ー・ ]{1,13}?|[\p{Hiragana}ー]{2,6}"
    r"|[A-Za-z][A-Za-z.'\-]*(?: [A-Za-z][A-Za-z.'\-]*){0,2})"
)
WRITER_END = r"\s*(?=です|デス|と申します|ともうします|でございます|といいます|と言います)"
KANA_ONLY = regex.compile(r"[\p{Hiragana}\p{Katakana}ー・ ]{2,}")
# A surname and a space before a given name (大島 清です): the given name alone may read as a word (空, 渚).
SURNAME_SPACE_BEFORE = regex.compile(r"([\p{Han}々]{1,3})[ \u3000]\Z")
BRACKET_BEFORE = regex.compile(r"\((?P<inner>[^()]{1,12})\)\s*\Z")


class JaPersonCueRecognizer(JaTokenRecognizer):
    ENTITY = PERSON

    def __init__(self) -> None:
        super().__init__()
        cues: dict[str, Any] = table("person_cues")
        kin = alternation(words("kinship_cues"))
        # むすめ の ちえこ が: an elderly writer's spaced kana reads as the same cue
        self._relation = compile_ja(rf"{kin}(?P<joined> ?の ?|、|:| |\()?")
        self._naming = compile_ja(rf"{alternation(cues['naming'])}\s*")
        self._introduction = compile_ja(rf"{alternation(cues['introduction'])}\s*")
        self._after = compile_ja(alternation(cues["after"]))
        self._sign_off = compile_ja(rf"^\s*([^\s、。]{{1,8}}?){alternation(cues['sign_off'])}[:：\s]")
        self._greeting = compile_ja(rf"{alternation(cues['greeting'])}[、。,!！\s〜~ー♪]+\s*{WRITER}{WRITER_END}")
        self._role = compile_ja(rf"{alternation(cues['role_endings'])}(?:の|、|\s)\s*{WRITER}{WRITER_END}")
        self._glued_role = compile_ja(rf"{alternation(cues['glued_roles'])}(?P<name>[\p{{Han}}々]{{2,4}}){WRITER_END}")
        self._not_writer = frozenset(cues["not_a_writer"])
        self._honorifics = words("honorifics")

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        out += self._relations(text, tokens, engine)
        out += self._namings(text, tokens, engine)
        out += self._introductions(text, tokens, engine)
        out += self._afters(text, tokens, engine)
        out += self._writers(text, tokens, engine)
        for match in self._sign_off.finditer(text):
            if strength(engine, match.group(1)) >= Strength.UNKNOWN:
                out.append((match.start(1), match.end(1), 0.8))
        return out

    def _relations(
        self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
    ) -> list[tuple[int, int, float]]:
        out = []
        for match in self._relation.finditer(text):
            if token_index_at(tokens, match.start()) is None:  # 母子手帳: the cue is part of a longer word
                continue
            found = name_after(text, match.end(), tokens, engine)
            if found is None:
                continue
            end, found_strength = found
            if not match.group("joined") and not KANJI_NAME.fullmatch(text[match.end() : end]):
                continue  # with nothing between, only a kanji name (夫隆, 妻恵子): not 患者ID, not 息子です
            if found_strength >= Strength.UNKNOWN:
                out.append((match.end(), end, 0.8))
            elif found_strength == Strength.WORD and regex.fullmatch(r"[\p{Hiragana}ー]+", text[match.end() : end]):
                out.append((match.end(), end, 0.5))  # 娘のひなたが: a hiragana name that is also a word
        return out

    def _namings(
        self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
    ) -> list[tuple[int, int, float]]:
        out = []
        for match in self._naming.finditer(text):
            end = NAMING_END.search(text, match.end(), match.end() + MAX_NAMED + 2)
            if end is None:
                continue
            value = _without_trailing_particles(text[match.end() : end.start()].rstrip(), match.end(), tokens)
            bounded = _without_honorific(value, self._honorifics)  # 患者氏名:比嘉 カマド 様: the name ends there
            first, _, rest = bounded.partition(" ")
            if bounded != value:
                value = bounded
            elif rest and (" " in rest or strength(engine, rest) < Strength.UNKNOWN):
                value = first  # 佐々木蒼 カルテ番号: the name ends at the space
            if value and not any(ch.isdigit() for ch in value) and len(value) <= MAX_NAMED:
                out.append((match.end(), match.end() + len(value), 0.9))
        return out

    def _introductions(
        self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
    ) -> list[tuple[int, int, float]]:
        out = []
        for match in self._introduction.finditer(text):
            found = name_after(text, match.end(), tokens, engine)
            if found is None:
                continue
            end, found_strength = found
            if found_strength >= Strength.UNKNOWN and NAMING_END.match(text, end):
                out.append((match.end(), end, 0.8))
        return out

    def _writers(
        self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
    ) -> list[tuple[int, int, float]]:
        out = []
        for pattern, needed in (
            (self._greeting, Strength.WORD),
            (self._role, Strength.UNKNOWN),
            (self._glued_role, Strength.NAME),
        ):
            for match in pattern.finditer(text):
                name = match.group("name").strip()
                if name.endswith(self._honorifics):
                    continue  # 小児科の高橋先生です: someone else, named by the honorific recognizer
                if name in self._not_writer or strength(engine, name) < needed:
                    continue
                index = token_index_at(tokens, match.start("name"))
                word = tokens[index] if index is not None else None
                if (
                    pattern is self._role
                    and word is not None
                    and word.surface == name
                    and len(name) > 1
                    and word.is_common_noun
                    and not word.oov
                    and not (HIRAGANA_RUN.fullmatch(name) and strength(engine, name) == Strength.NAME)
                ):
                    continue  # 検査科の結果です: the tokenizer reads an ordinary word here (訪問看護のあやです: a name)
                out.append((match.start("name"), match.start("name") + len(name), 0.8))
        return out

    def _afters(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out = []
        for match in self._after.finditer(text):
            position = len(text[: match.start()].rstrip())
            bracket = BRACKET_BEFORE.search(text, max(0, position - 16), position)
            if bracket is not None:  # ソン・ミンジュ(宋敏珠)と申します: the other writing of the name
                inner = bracket.group("inner").strip()
                first = engine.tokens(inner)[:1]
                named = strength(engine, inner) == Strength.NAME or bool(first and first[0].is_person_name)
                if named or KANA_ONLY.fullmatch(inner):
                    out.append((bracket.start("inner"), bracket.start("inner") + len(inner), 0.8))
                position = len(text[: bracket.start()].rstrip())
            found = name_before(text, position, tokens, engine)
            if found is None:
                continue
            start, found_strength = found
            value = text[start:position]
            lead = LEADING_WORDS.match(value)
            if lead is not None and len(value) > lead.end():
                start += lead.end()
                found_strength = max(found_strength, strength(engine, text[start:position]))
            plain = match.group().startswith(("です", "デス"))
            surname = SURNAME_SPACE_BEFORE.search(text, max(0, start - 5), start) if plain else None
            if (
                surname is not None
                and position - start <= 3
                and found_strength > Strength.NEVER
                and CLAUSE_START.search(text[max(0, surname.start() - 8) : surname.start()])
                and _full_name(engine, surname.group(1), text[start:position])
            ):
                out.append((surname.start(), position, 0.8))  # 大島 清です, 白石 空です: a full name, then です
                continue
            if plain and not CLAUSE_START.search(text[max(0, start - 8) : start]):
                continue
            if plain and HIRAGANA_RUN.fullmatch(text[start:position]) and not _may_name(engine, text[start:position]):
                continue  # そうです, そうなんです, つらいんです: an adverb or an explanation, not a name
            needed = Strength.UNKNOWN if plain else Strength.WORD
            if found_strength >= needed and start < position:
                out.append((start, position, 0.75 if plain else 0.85))
        return out


def _full_name(engine: SudachiNlpEngine, surname: str, given: str) -> bool:
    """大島 清, 白石 空: a surname the dictionary holds as one, or as a place smaller than a prefecture (most
    surnames are places too), and a given name that is a noun (not 大変, 暑い)."""
    if surname in kept_places():
        return False
    if not any(
        pos[1] == "固有名詞" and (pos[2:4] == ("人名", "姓") or pos[2] == "地名")
        for form in name_forms(surname)
        for pos in engine.readings(form)
    ):
        return False
    return all(token.pos[0] == "名詞" and token.pos[1] != "数詞" for token in engine.tokens(given))


def _may_name(engine: SudachiNlpEngine, value: str) -> bool:
    """A hiragana word before a plain です that could be a name: it holds a noun and ends in neither ん nor の."""
    if value.endswith(("ん", "の")):
        return False
    return any(token.pos[0] in ("名詞", "接頭辞", "接尾辞") or token.oov for token in engine.tokens(value))


def _without_honorific(value: str, honorifics: tuple[str, ...]) -> str:
    """比嘉 カマド 様: a form's name field ends before the honorific written after a space."""
    head, space, last = value.rpartition(" ")
    return head.rstrip() if space and head and last in honorifics else value


def _without_trailing_particles(value: str, start: int, tokens: tuple[JaToken, ...]) -> str:
    """名前は木村正男で、: the name ends before the particle."""
    end = start + len(value)
    for token in reversed(tokens):
        if token.end > end or token.start < start:
            continue
        if token.end == end and token.pos[0] in ("助詞", "助動詞") and token.start > start:
            end = token.start
            continue
        break
    return value[: end - start]
