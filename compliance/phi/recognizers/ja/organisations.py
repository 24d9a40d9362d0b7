"""The words that make an organisation's name before its head word (山田 + クリニック, トヨタ + 自動車).

Walking left from the head over Sudachi's morphemes: nouns, prefixes and suffixes belong to the name, so do
a middle dot or a hyphen, and a kana adverb right before the head (にこにこ歯科); particles, verbs, punctuation,
time words (昨日) and pronouns end it. A head that starts inside a morpheme (中央病院) brings that morpheme's
first part along.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from compliance.phi.ja.lexicon import kept_places
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine

KANA_ONLY = regex.compile(r"[\p{Hiragana}\p{Katakana}ー]+")
HIRAGANA_WORD = regex.compile(r"[\p{Hiragana}ー]{2,}")
KATAKANA_WORD = regex.compile(r"[\p{Katakana}ー]{2,}")
LATIN = regex.compile(r"[A-Za-z][A-Za-z0-9&.'\-]*")
JOINERS = frozenset({"・", "-", "&", "ー"})
MAX_NAME_CHARS = 24
# A branch or site written after an organisation's name: 駅前店, 浜松工場, 川口営業所, 厚木センター, 西館.
BRANCH = regex.compile(
    r" ?[\p{Han}\p{Katakana}ー]{0,6}?"
    r"(?:本店|支店|店|分院|本院|館|営業所|出張所|工場|支社|本社|事業所|物流センター|配送センター|センター|倉庫|研究所)"
    r"(?=[、。,.()「」\s]|の|で|に|は|が|へ|から|\Z)"
)
# Place-name elements that take が or ヶ before them inside a name (みどりが丘, 星ヶ丘, 自由が丘).
GA_PLACE_ELEMENTS = "丘岡谷崎浦原台森坂関島浜峰"
# Opening and closing of a bracketed name (NFKC: round brackets are ASCII).
OPEN_CLOSE = {"(": ")", "「": "」", "『": "』", "[": "]"}
# ひだまりの家, やすらぎの郷: a name that goes on with の and a word for a home or a place
NO_TAIL = regex.compile(r"の(?:家|里|郷|森|杜|園|苑|丘|泉|舎|館)(?![\p{Han}])")
# A name ends at a particle (a chat's って, や and も too), です, punctuation or a bracket of either width, or a space
# or line break before the next field of a form or a letterhead (特別養護老人ホーム 楓の郷 看護師 沢田, グループホーム
# 陽だまり 御中, 【キッズデンタル ぱんだ】, キッズクリニック いろはって).
VALUE_END = regex.compile(
    r"\s*(?:です|でした|でございます|って|に|で|の|から|へ|を|は|が|と|や|も|[、。,.!?！？()（）「」『』【】〔〕［］]|\Z)|[ \n]"
    # a chat drops the particle before a verb of going (接骨院 こまち行って, 歯科 みどり通ってます)
    r"|(?:行(?=[っきくかけこ])|来(?=[てたる])|通(?=[っいうわ])|寄(?=[っりる]))"
)
#: A kana name after a kind word may run on over the kana morphemes the dictionary splits it into (耳鼻科みやた:
#: みや + た; キッズ薬局 ぐりぐら: ぐり + ぐら), at most this many characters more, up to where a name ends.
KANA_RUN_ON = 3
HIRAGANA = regex.compile(r"[\p{Hiragana}ー]+")


@dataclass(frozen=True)
class Part:
    start: int
    end: int
    surface: str
    token: JaToken


def parts_before(text: str, tokens: tuple[JaToken, ...], position: int) -> list[Part]:
    """The name's parts, left to right, ending at `position`."""
    index = _last_token_before(tokens, position)
    parts: list[Part] = []
    while index >= 0:
        token = tokens[index]
        end = min(token.end, position)
        if (
            token.surface in ("が", "ヶ", "ケ")
            and parts
            and parts[-1].surface[:1] in GA_PLACE_ELEMENTS
            and index > 0
            and tokens[index - 1].pos[0] == "名詞"
        ):
            parts.append(Part(token.start, token.end, token.surface, token))  # みどりが丘クリニック
            index -= 1
            continue
        if token.surface == "の" and parts and index > 0 and _opens_name_with_no(tokens[index - 1]):
            # こころの森クリニック, ひだまりの家: a kana word, の, then the rest of the name
            parts.append(Part(token.start, token.end, token.surface, token))
            index -= 1
            continue
        if not _is_name_part(token, first=not parts) or position - token.start > MAX_NAME_CHARS:
            break
        parts.append(Part(token.start, end, text[token.start : end], token))
        index -= 1
    while parts and parts[-1].surface in JOINERS:
        parts.pop()
    parts.reverse()
    return parts


def parts_after(text: str, tokens: tuple[JaToken, ...], position: int, *, kana_first: bool = False) -> list[Part]:
    """The name's parts, left to right, starting at `position` (after a cue such as 勤務先は); `kana_first`: the
    first may be a kana adverb or verb stem, as before a head word (right after a kind word: デイサービスいこい)."""
    parts: list[Part] = []
    for token in tokens:
        if token.end <= position:
            continue
        first = kana_first and not parts
        if token.start < position or not _is_name_part(token, first=first) or token.end - position > MAX_NAME_CHARS:
            break
        parts.append(Part(token.start, token.end, token.surface, token))
    while parts and parts[-1].surface in JOINERS:
        parts.pop()
    return parts


def is_proper(part: Part, engine: SudachiNlpEngine) -> bool:
    """A part that names something: a proper noun (not a prefecture or a country), an unknown word, Latin."""
    if part.surface in kept_places() or part.token.is_country:
        return False
    if LATIN.fullmatch(part.surface) or part.token.oov:
        return True
    if part.surface == part.token.surface and part.token.is_proper:
        return True
    # 楽天 is a word and a company; ビル is a word and a given name (Bill), which names no company
    return any(pos[1] == "固有名詞" and pos[2] != "人名" and pos[3] != "国" for pos in engine.readings(part.surface))


def branch_end(text: str, position: int) -> int:
    """Where an organisation's name ends once the branch written after it (浜松工場, 西口店) is included."""
    branch = BRANCH.match(text, position)
    return branch.end() if branch is not None else position


def named_value(
    text: str, tokens: tuple[JaToken, ...], position: int, *, kana_first: bool = False
) -> tuple[int, int] | None:
    """The organisation name that starts at `position` after a cue: a bracketed one (「ひだまりの家」,
    (ロイヤルベイ舞浜)) up to its closing bracket, else the name's words up to a particle, です or punctuation.
    `kana_first`: the name may open with a kana adverb or verb stem (ケアプランセンターなごみ、: なごみ reads as a verb)."""
    while position < len(text) and text[position] == " ":
        position += 1
    if position >= len(text):
        return None
    closing = OPEN_CLOSE.get(text[position])
    if closing is not None:
        end = text.find(closing, position + 1, position + 2 + MAX_NAME_CHARS)
        if end < 0 or "。" in text[position:end] or "、" in text[position:end]:
            return None
        inner = text[position + 1 : end].strip()
        start = position + 1 + text[position + 1 : end].index(inner) if inner else end
        return (start, start + len(inner)) if len(inner) >= 2 else None
    parts = parts_after(text, tokens, position, kana_first=kana_first)
    if not parts:
        return None
    end = parts[-1].end
    tail = NO_TAIL.match(text, end)
    end = branch_end(text, tail.end() if tail is not None else end)
    if not VALUE_END.match(text, end):
        end = _kana_run_on(text, tokens, parts) if kana_first else -1
        if end < 0:
            return None
    return position, end


def _kana_run_on(text: str, tokens: tuple[JaToken, ...], parts: list[Part]) -> int:
    """Where a hiragana name the dictionary split ends (みや + た, ぐり + ぐら, みや + たで): over the hiragana after it,
    no particle among its morphemes, at most ``KANA_RUN_ON`` characters, up to the first place a name ends (which may
    be inside a morpheme: たで is た + で); -1 when it does not end so."""
    if not HIRAGANA.fullmatch(parts[-1].surface) or any(part.token.pos[0] == "動詞" for part in parts):
        return -1
    name_end = parts[-1].end
    limit = name_end
    for token in tokens:
        if token.start < name_end:
            continue
        if token.start > limit or token.pos[0] == "助詞" or not HIRAGANA.fullmatch(token.surface):
            break
        limit = token.end
    for end in range(name_end + 1, min(limit, name_end + KANA_RUN_ON) + 1):
        if VALUE_END.match(text, end):
            return end
    return -1


def is_named(text: str, tokens: tuple[JaToken, ...], start: int, end: int, engine: SudachiNlpEngine) -> bool:
    """Does text[start:end] name one organisation? A proper noun, an unknown word, a Latin word, a katakana
    word beside other words, or a hiragana word after a katakana or kanji one (マタニティハウスこもれび); and
    no verb, adjective or auxiliary."""
    inside = [token for token in tokens if start <= token.start and token.end <= end and token.pos[0] != "空白"]
    if not inside or any(token.pos[0] in ("動詞", "形容詞", "助動詞") for token in inside):
        return False
    if len(inside) <= 2 and inside[-1].pos[0] == "接尾辞":
        return False  # IT系, 外資系: a kind of company, not one
    parts = [Part(token.start, token.end, token.surface, token) for token in inside]
    if any(is_proper(part, engine) for part in parts):
        return True
    if len(parts) > 1 and any(KATAKANA_WORD.fullmatch(part.surface) for part in parts):
        return True
    return any(
        HIRAGANA_WORD.fullmatch(part.surface) and index > 0 and not HIRAGANA_WORD.fullmatch(parts[index - 1].surface)
        for index, part in enumerate(parts)
    )


def _opens_name_with_no(token: JaToken) -> bool:
    return len(token.surface) >= 2 and token.pos[0] == "名詞" and HIRAGANA_WORD.fullmatch(token.surface) is not None


def _last_token_before(tokens: tuple[JaToken, ...], position: int) -> int:
    low, high = 0, len(tokens)
    while low < high:
        middle = (low + high) // 2
        if tokens[middle].start < position:
            low = middle + 1
        else:
            high = middle
    return low - 1


def _is_name_part(token: JaToken, first: bool) -> bool:
    if token.surface in JOINERS or KATAKANA_WORD.fullmatch(token.surface):
        return True  # グローバル in グローバルテック・ジャパン: a katakana word belongs to a name whatever it reads as
    if token.is_time_noun or token.pos[0] == "代名詞":
        return False
    if token.pos[0] in ("名詞", "接頭辞", "接尾辞") or LATIN.fullmatch(token.surface):
        return True
    if not first or KANA_ONLY.fullmatch(token.surface) is None:
        return False
    # にこにこ歯科, ほほえみ内科: a kana word right before the head, an adverb or a verb stem
    return token.pos[0] in ("副詞", "形状詞") or (len(token.surface) >= 3 and token.pos[0] == "動詞")
