"""Numbers in Japanese text, read by the shared extractor (agents/triage/facts.py).

    facts("体温３８度５分、脈拍１２０、SpO2 ９２％、血圧８０／５０")
    # Facts(temp_c=38.5, hr=120.0, spo2=92.0, sbp=80.0, dbp=50.0, ...)

NFKC makes full-width digits and signs ASCII; kanji numerals become digits (三十八度五分 -> 38度5分 -> 38.5度);
each label of ``knowledge/ja/facts.yaml`` becomes the English word the extractor reads (体温 -> temperature,
脈拍 -> pulse), so the physiology layer (NEWS2, qSOFA, age-specific limits) reads Japanese numbers with the same
code. Ages (3歳, 生後3ヶ月, 80代), weeks of pregnancy (妊娠32週), the Japan Coma Scale and the patient's sex are
read here, from Japanese words.
"""

from __future__ import annotations

import re

from agents.triage.facts import Facts, extract
from agents.triage.japanese.text import nfkc
from agents.triage.knowledge.japanese import JaFacts

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千]+")
_MONTHS = r"(?:ヶ|か|カ|ケ|ヵ|箇|ケ)?月"
_REWRITES = (
    (re.compile(r"(\d+)\s*度\s*(\d)\s*分"), r"\1.\2度"),  # 38度5分 -> 38.5度
    (re.compile(r"生後\s*(\d+)\s*" + _MONTHS), r" \1 months old "),
    (re.compile(r"生後\s*(\d+)\s*(?:週|週間)"), r" \1 weeks old "),
    (re.compile(r"生後\s*(\d+)\s*日"), r" \1 days old "),
    (
        re.compile(r"(\d+)\s*" + _MONTHS + r"\s*の?(?=赤ちゃん|赤ん坊|乳児|子|男の子|女の子|娘|息子|男児|女児|児)"),
        r" \1 months old ",
    ),
    (re.compile(r"妊娠\s*(\d+)\s*週"), r" \1 weeks pregnant "),
    (re.compile(r"妊娠\s*(\d+)\s*" + _MONTHS), r" \1 months pregnant "),
    (re.compile(r"(\d{2,3}(?:\.\d)?)\s*(?:度|°c|°)(?!目)"), r" \1°c "),
    (re.compile(r"上が\s*(\d{2,3})[^\d。、]{0,6}?下が\s*(\d{2,3})"), r" bp \1/\2 "),
    (re.compile(r"(\d+)\s*回\s*/\s*分"), r" \1 /min "),
    # a pulse counted by a carer: 脈を数えたら1分に40くらい, 脈は1分間に130回
    (
        re.compile(
            r"(?:脈拍|脈|心拍)[^\d。、]{0,8}?1\s*分\s*間?\s*(?:に|で|あたり|当たり)?\s*(?:約|だいたい|およそ)?\s*(\d{2,3})"
        ),
        r" pulse \1 ",
    ),
    # durations: 3日前から, 3日間, 2週間, 5時間, 3ヶ月前から -> "for 3 days" (the extractor's words)
    (re.compile(r"(\d+)\s*日\s*(?:間|前|以上|ほど|くらい|ぐらい|も|続|目)"), r" for \1 days "),
    (re.compile(r"(\d+)\s*週間"), r" for \1 weeks "),
    (re.compile(r"(\d+)\s*時間"), r" for \1 hours "),
    (re.compile(r"(\d+)\s*" + _MONTHS + r"\s*(?:間|前|以上|ほど|くらい|ぐらい|も|続)"), r" for \1 months "),
    (re.compile(r"(?:昨日|昨夜|昨晩|きのう)\s*から"), " since yesterday "),
    (re.compile(r"(?:今朝|今日|けさ)\s*から"), " since this morning "),
)
_YEARS_MONTHS = re.compile(r"(\d{1,3})\s*(?:歳|才)\s*(\d{1,2})\s*" + _MONTHS)
_YEARS = re.compile(r"(\d{1,3})\s*(?:歳|才)")
_DECADE = re.compile(r"(?<!\d)([1-9]0)\s*代\s*(前半|後半)?")
_WEEKS = re.compile(r"(\d{1,2})\s*週(?!間)")
_PREGNANT = ("妊娠", "妊婦")
_JCS = re.compile(r"jcs\s*[:=]?\s*(?:[iv]+\s*-\s*)?(\d{1,3})")
_DIGIT_EDGE = re.compile(r"(?<=\d)(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=\d)")


def kanji_numbers(text: str) -> str:
    """Kanji numerals as digits (三十八 -> 38, 百二十 -> 120); words that hold one (一緒) read as a digit harmlessly."""
    return _KANJI_NUMBER.sub(lambda m: str(_kanji_value(m.group())), text)


def _kanji_value(numeral: str) -> int:
    if all(ch in _DIGITS for ch in numeral):  # 三八 -> 38 (digit by digit)
        return int("".join(str(_DIGITS[ch]) for ch in numeral))
    total, current = 0, 0
    for ch in numeral:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            total += (current or 1) * _UNITS[ch]
            current = 0
    return total + current


_COMPILED: dict[int, tuple[JaFacts, tuple[tuple[re.Pattern[str], str], ...]]] = {}


def _labels(data: JaFacts) -> tuple[tuple[re.Pattern[str], str], ...]:
    held = _COMPILED.get(id(data))
    if held is not None and held[0] is data:
        return held[1]
    out = []
    for english, words in data.labels.items():
        for word in sorted(words, key=len, reverse=True):
            word = word.lower()
            edge = r"(?<![a-z])" if word.isascii() else ""
            out.append(
                (
                    re.compile(edge + re.escape(word) + r"(?:[はがもの]|値|数|:|=|約|およそ|だいたい|\s)*(?=\d)"),
                    f" {english} ",
                )
            )
    out.sort(key=lambda item: -len(item[0].pattern))
    _COMPILED[id(data)] = (data, tuple(out))
    return _COMPILED[id(data)][1]


def english_form(text: str, data: JaFacts) -> str:
    """The text (NFKC, lower case) with Japanese numbers, units and labels in the words the extractor reads."""
    text = kanji_numbers(text)
    text = _YEARS_MONTHS.sub(lambda m: f" {int(m.group(1)) + int(m.group(2)) / 12:.2f} years old ", text)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    if any(word in text for word in _PREGNANT):
        text = _WEEKS.sub(r" \1 weeks pregnant ", text)
    text = _YEARS.sub(r" \1 years old ", text)
    text = _DECADE.sub(lambda m: f" aged {int(m.group(1)) + {'前半': 2, '後半': 7}.get(m.group(2) or '', 5)} ", text)
    for pattern, english in _labels(data):
        text = pattern.sub(english, text)
    return _DIGIT_EDGE.sub(" ", text)


def facts(text: str, data: JaFacts) -> Facts:
    """Every fact of one Japanese message (raw or NFKC text)."""
    plain = nfkc(text)
    found = extract(english_form(plain, data))
    jcs = _JCS.search(plain)
    if jcs and found.gcs is None and data.jcs_to_gcs:
        level = int(jcs.group(1))
        found.gcs = float(
            data.jcs_to_gcs.get(level, min(data.jcs_to_gcs.items(), key=lambda kv: abs(kv[0] - level))[1])
        )
    if found.sex is None:
        counts = {sex: sum(plain.count(word) for word in words) for sex, words in data.sex.items()}
        female, male = counts.get("female", 0), counts.get("male", 0)
        found.sex = "female" if female > male else "male" if male > female else None
    if found.age is None:
        found.age = next((age for word, age in data.age_words.items() if word in plain), None)
    return found
