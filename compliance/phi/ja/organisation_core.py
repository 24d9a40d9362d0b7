"""An organisation's own name without what says what kind it is: ファーマシーしらゆき 帯広西店 -> しらゆき,
はなみずき歯科 -> はなみずき, 学童クラブ どんぐり -> どんぐり (the finder looks for it again in the same message).

    organisation_core("認定こども園 ゆきのした")   -> "ゆきのした"
    organisation_core("中央病院")                  -> None   (no kana: an ordinary word elsewhere)
"""

from __future__ import annotations

from functools import cache

import regex

from compliance.phi.ja.lexicon import table, word_set, words

KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
BRANCH = regex.compile(r"\s+[\p{Han}\p{Katakana}\p{Hiragana}ー0-9]{1,8}?(?:本店|支店|店|分院|本院|院|校|館|営業所)\Z")
MIN_CORE = 3


@cache
def _affixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    cues = table("facility_cues")
    kinds = sorted({*cues["kinds"], *cues["department_kinds"], *words("company_forms")}, key=len, reverse=True)
    heads = sorted(
        {*words("facility_heads"), *words("facility_short_heads"), *words("company_suffixes")}, key=len, reverse=True
    )
    return tuple(kinds), tuple(heads)


def organisation_core(name: str) -> str | None:
    """The name's own part, or None when what is left is too short, has no kana, or is an ordinary word."""
    kinds, heads = _affixes()
    core = BRANCH.sub("", name.strip())
    for kind in kinds:
        if core.startswith(kind) and len(core) > len(kind):
            core = core[len(kind) :].lstrip(" 　")
            break
    for head in heads:
        if core.endswith(head) and len(core) > len(head):
            core = core[: -len(head)].rstrip(" 　")
            break
    if len(core) < MIN_CORE or " " in core or not KANA.search(core) or core == name.strip():
        return None
    if core in word_set("not_names") or core in word_set("role_nouns"):
        return None
    return core
