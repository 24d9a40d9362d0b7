"""Reading a name out of the characters next to a cue: which characters belong to it, and how sure that is.

Japanese writes no spaces, so a name's edges are found from its script (a kanji run, a katakana run with
middle dots, a Latin run, a hiragana run) and from Sudachi's morphemes inside that run. Shared by the
honorific and cue recognizers.
"""

from __future__ import annotations

import regex

from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import token_index_at
from compliance.phi.recognizers.ja.names import Strength, strength

MAX_NAME = 12
NOUN_LIKE = ("名詞", "接頭辞", "接尾辞", "代名詞")
CASE_PARTICLES = "のがはをにともでへ"
NOUN_END = regex.compile(r"[\p{Han}\p{Katakana}A-Za-z0-9々ー]")
KANJI_RUN = regex.compile(r"[\p{Han}々〆ヶ]+")
KATAKANA_NAME = regex.compile(r"[\p{Katakana}ー]+(?:[・= ][\p{Katakana}ー]+){0,3}")
# A kanji right after a katakana word makes one compound noun (アルコール依存症), unless it opens a title (マリア様, ジョン先生).
COMPOUND_KANJI = regex.compile(r"(?![様氏君殿先宛])\p{Han}")
LATIN_NAME = regex.compile(r"[A-Za-z][A-Za-z.'\-]*(?: [A-Z][A-Za-z.'\-]*){0,2}")
HIRAGANA_RUN = regex.compile(r"[\p{Hiragana}ー]+")
# A reading in brackets right after a kanji word: 空(そら), 誠(マコト) (NFKC: the brackets are ASCII).
BRACKETED_READING = regex.compile(r" ?\( ?[\p{Hiragana}\p{Katakana}ー]{2,10} ?\)")
MAX_READ_KANJI = 4
KANJI_RUN_BEFORE = regex.compile(r"[\p{Han}々〆ヶ]{1,8}\Z")
KATAKANA_NAME_BEFORE = regex.compile(r"[\p{Katakana}ー]+(?:[・= ][\p{Katakana}ー]+){0,3}\Z")
LATIN_NAME_BEFORE = regex.compile(r"[A-Za-z][A-Za-z.'\-]*(?: [A-Za-z][A-Za-z.'\-]*){0,2} ?\Z")
HIRAGANA_RUN_BEFORE = regex.compile(r"[\p{Hiragana}ー]{1,10}\Z")
# What may follow a name: strong ends cannot end a name written in hiragana; weak ones can (ゆうと, はるか).
STRONG_END = regex.compile(
    r"(?:さん|ちゃん|くん|君|様|さま|先生|氏|が|は|を|に|の|です|から|まで|より|って|[、。,.!?！？:;()（）「」\s]|\Z)"
)
WEAK_END = regex.compile(r"(?:と|も|で|へ|や)")


def name_after(
    text: str, position: int, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
) -> tuple[int, Strength] | None:
    """The end of a name that starts at `position`, and its strength; None when no name starts there."""
    if position >= len(text):
        return None
    for pattern in (LATIN_NAME, KATAKANA_NAME):
        match = pattern.match(text, position)
        if match is not None:
            end = match.end()
            if pattern is KATAKANA_NAME and COMPOUND_KANJI.match(text, end):
                return None  # 夫のアルコール依存症: a katakana word glued to a kanji noun is one word, not a name
            return end, strength(engine, text[position:end])
    if KANJI_RUN.match(text, position):
        return _kanji_after(text, position, tokens, engine)
    run = HIRAGANA_RUN.match(text, position)
    if run is not None:
        return _hiragana_after(text, position, run.end(), engine)
    return None


def _kanji_after(
    text: str, position: int, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
) -> tuple[int, Strength] | None:
    run = KANJI_RUN.match(text, position)
    if (
        run is not None
        and run.end() - position <= MAX_READ_KANJI
        and BRACKETED_READING.match(text, run.end())
        and strength(engine, run.group()) > Strength.NEVER
    ):
        return run.end(), Strength.NAME  # 息子の空(そら): a word given its reading is a name being introduced
    index = token_index_at(tokens, position)
    if index is None:
        return None
    first = tokens[index]
    if first.pos[0] not in NOUN_LIKE and KANJI_RUN.fullmatch(first.surface) and STRONG_END.match(text, first.end):
        return first.end, Strength.UNKNOWN  # 孫の颯が: after の a noun must stand, so a kanji "adverb" is a name
    end = position
    best = Strength.NAME
    while index < len(tokens) and KANJI_RUN.fullmatch(tokens[index].surface) and end - position < MAX_NAME:
        found = strength(engine, tokens[index].surface)
        if found < Strength.UNKNOWN:
            break
        best = min(best, found)
        end = tokens[index].end
        index += 1
    if end == position:
        return None
    return end, best


def _hiragana_after(text: str, position: int, run_end: int, engine: SudachiNlpEngine) -> tuple[int, Strength] | None:
    """The hiragana name at `position` ends at the first particle or punctuation that can end a name written in
    hiragana (が, は, の, です, 、 ...); only when none follows within six characters, at the first weak one (と,
    も: ゆうと and ともみ hold them). A run that starts with such a word (です) holds no name."""
    opening = STRONG_END.match(text, position)
    if opening is not None and (opening.end() - position > 1 or text[position] not in CASE_PARTICLES):
        return None
    for ends in (STRONG_END, WEAK_END):
        for end in range(position + 2, min(run_end, position + 6) + 1):
            if ends.match(text, end):
                found = strength(engine, text[position:end])
                if opening is not None and (
                    end - position < 3 or found < Strength.UNKNOWN or text[end - 1] in "でにもへや"
                ):
                    return None  # 母のは…: a particle, unless an unknown word of three letters starts with it (はると)
                return (end, found) if found >= Strength.WORD else None
    return None


def name_before(
    text: str, position: int, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
) -> tuple[int, Strength] | None:
    """The start of a name that ends at `position` (before an honorific or a cue such as と申します)."""
    head = text[max(0, position - 40) : position]
    for pattern in (LATIN_NAME_BEFORE, KATAKANA_NAME_BEFORE):
        match = pattern.search(head)
        if match is not None:
            start = position - len(head) + match.start()
            value = text[start:position].rstrip()
            return start, strength(engine, value)
    match = KANJI_RUN_BEFORE.search(head)
    if match is not None:
        return _kanji_before(text, position - len(head) + match.start(), position, tokens, engine)
    match = HIRAGANA_RUN_BEFORE.search(head)
    if match is not None:
        return _hiragana_before(text, position - len(head) + match.start(), position, engine)
    return None


def _kanji_before(
    text: str, run_start: int, position: int, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
) -> tuple[int, Strength] | None:
    """Walk back over the run's morphemes while they read as names; a lone ordinary word is a weak name
    (四十物さん), a role word none (看護師さん)."""
    index = token_index_at(tokens, position)
    last = (index - 1) if index is not None else (len(tokens) - 1 if tokens and tokens[-1].end == position else None)
    if last is None or last < 0:
        value = text[run_start:position]
        return run_start, strength(engine, value)
    start = position
    best = Strength.NAME
    while last >= 0 and tokens[last].start >= run_start:
        found = strength(engine, tokens[last].surface)
        if found < Strength.UNKNOWN:
            if start == position:  # the word right before the honorific is an ordinary one
                split = _split_name(text, tokens, last, run_start, position, engine)
                if split is not None:
                    return split, Strength.NAME
                return (tokens[last].start, found) if found > Strength.NEVER else None
            break
        best = min(best, found)
        start = tokens[last].start
        last -= 1
    return (start, best) if start < position else None


def _split_name(
    text: str, tokens: tuple[JaToken, ...], last: int, run_start: int, position: int, engine: SudachiNlpEngine
) -> int | None:
    """九条先生: a surname the tokenizer split in this sentence (九 + 条) that the dictionary reads as a name whole."""
    if last < 1 or tokens[last - 1].start < run_start:
        return None
    start = tokens[last - 1].start
    if position - start > 4 or strength(engine, text[start:position]) < Strength.NAME:
        return None
    return start


def _hiragana_before(text: str, run_start: int, position: int, engine: SudachiNlpEngine) -> tuple[int, Strength] | None:
    """The name is what follows the run's last particle (うちのおばあ: おばあ), or the whole run."""
    if (
        text[run_start] in CASE_PARTICLES
        and run_start > 0
        and NOUN_END.match(text[run_start - 1])
        and position - run_start > 2
    ):
        run_start += 1  # 孫のれんくん: の after a noun is a particle, though Sudachi reads のれん as one word
    run = text[run_start:position]
    if run.endswith("の"):
        return None  # あおいの看護師: the title is someone else's, named before の
    pieces = [token for token in engine.tokens(run) if token.pos[0] == "助詞" and len(run) - token.end >= 2]
    start = run_start + (pieces[-1].end if pieces else 0)
    if position - start < 2 or position - start > 6:
        return None
    found = strength(engine, text[start:position])
    return (start, found) if found > Strength.NEVER else None
