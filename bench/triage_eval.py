"""Evaluate the deterministic triage engine on the labelled case set.

    python -m bench.triage_eval [--data bench/data/triage_cases.jsonl] [--fresh PATH | --no-fresh] [--misses]
    python -m bench.triage_eval --ja [--misses] [--write-results]     # the Japanese sets (issue 19)

Prints accuracy, emergency sensitivity, under- and over-triage rates and the
confusion matrices for the five levels and the three urgencies. Exits 1 when a
target is missed: emergency sensitivity 100%, under-triage <= 2%, accuracy >= 90%
(the gates use the three-level urgency, as in the published anchors; the
five-level figures are printed alongside).

The fresh set (``triage_cases_fresh.jsonl``, cases written in batches of 40 before
the engine was run on them) is reported separately and never gated: its
*first-pass* figures (each batch scored by the engine as it was before that
batch was looked at, kept in ``triage_cases_fresh_firstpass.jsonl``) are the
honest estimate of generalisation; the current figures show what was fixed since.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from agents.triage import Level, Urgency, assess
from compliance.language import detect

DATA = Path(__file__).parent / "data" / "triage_cases.jsonl"
FRESH = Path(__file__).parent / "data" / "triage_cases_fresh.jsonl"
FIRST_PASS = Path(__file__).parent / "data" / "triage_cases_fresh_firstpass.jsonl"
LEVELS = [level.value for level in Level]
URGENCIES = [urgency.value for urgency in Urgency]
TARGETS = {"emergency_sensitivity": 1.0, "under_triage_max": 0.02, "accuracy": 0.90}


@dataclass
class Report:
    n: int = 0
    exact5: int = 0
    exact3: int = 0
    under3: int = 0
    over3: int = 0
    under5: int = 0
    over5: int = 0
    em_total: int = 0
    em_caught: int = 0
    cm5: dict[tuple[str, str], int] = field(default_factory=dict)
    cm3: dict[tuple[str, str], int] = field(default_factory=dict)
    misses: list[dict[str, object]] = field(default_factory=list)
    by_style: dict[str, list[int]] = field(default_factory=dict)

    def rate(self, count: int, total: int | None = None) -> float:
        total = self.n if total is None else total
        return count / total if total else 0.0

    @property
    def accuracy3(self) -> float:
        return self.rate(self.exact3)

    @property
    def accuracy5(self) -> float:
        return self.rate(self.exact5)

    @property
    def sensitivity(self) -> float:
        return self.rate(self.em_caught, self.em_total)

    @property
    def under_triage(self) -> float:
        return self.rate(self.under3)

    @property
    def over_triage(self) -> float:
        return self.rate(self.over3)

    def failures(self) -> list[str]:
        failed = []
        if self.em_total and self.sensitivity < TARGETS["emergency_sensitivity"]:
            failed.append(f"emergency sensitivity {self.sensitivity:.1%} < 100%")
        if self.under_triage > TARGETS["under_triage_max"]:
            failed.append(f"under-triage {self.under_triage:.1%} > 2%")
        if self.accuracy3 < TARGETS["accuracy"]:
            failed.append(f"accuracy {self.accuracy3:.1%} < 90%")
        return failed


def load_cases(path: Path = DATA) -> list[dict[str, object]]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                cases.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: not valid JSON ({exc})") from exc
    return cases


def evaluate(cases: Iterable[dict[str, object]], lang: str = "en") -> Report:
    """Score the engine on labelled cases. ``lang="auto"`` reads each message in the language the service would
    detect (compliance/language.py, with the case's own ``lang`` as the hint); otherwise every case in ``lang``."""
    report = Report()
    rank5 = {level: i for i, level in enumerate(LEVELS)}
    rank3 = {urgency: i for i, urgency in enumerate(URGENCIES)}
    for case in cases:
        result = assess(
            str(case["text"]),
            age=case.get("age"),  # type: ignore[arg-type]
            sex=case.get("sex"),  # type: ignore[arg-type]
            history=tuple(case.get("history", ())),  # type: ignore[arg-type]
            lang=detect(str(case["text"]), case.get("lang")) if lang == "auto" else lang,  # type: ignore[arg-type]
        )
        want5, got5 = str(case["level"]), result.level.value
        want3, got3 = Level(want5).urgency.value, result.urgency.value
        report.n += 1
        report.cm5[(want5, got5)] = report.cm5.get((want5, got5), 0) + 1
        report.cm3[(want3, got3)] = report.cm3.get((want3, got3), 0) + 1
        report.exact5 += want5 == got5
        report.exact3 += want3 == got3
        report.under5 += rank5[got5] > rank5[want5]
        report.over5 += rank5[got5] < rank5[want5]
        report.under3 += rank3[got3] > rank3[want3]
        report.over3 += rank3[got3] < rank3[want3]
        style = report.by_style.setdefault(str(case.get("style", "?")), [0, 0])
        style[0] += 1
        style[1] += want3 == got3
        if want3 == "em":
            report.em_total += 1
            report.em_caught += got3 == "em"
        if want5 != got5:
            report.misses.append(
                {
                    "id": case.get("id"),
                    "want": want5,
                    "got": got5,
                    "rules": list(result.matched_rules[:4]),
                    "text": case["text"],
                }
            )
    return report


def matrix(cm: dict[tuple[str, str], int], labels: list[str], short: dict[str, str]) -> list[str]:
    head = "| expected \\ got | " + " | ".join(short[x] for x in labels) + " |"
    rows = [head, "|" + "---|" * (len(labels) + 1)]
    for want in labels:
        rows.append(f"| {short[want]} | " + " | ".join(str(cm.get((want, got), 0)) for got in labels) + " |")
    return rows


SHORT5 = {
    "emergency_ambulance": "ambulance",
    "emergency": "emergency",
    "consultation_24": "doctor 24h",
    "consultation": "routine",
    "self_care": "self-care",
}
SHORT3 = {"em": "em", "ne": "ne", "sc": "sc"}


def summary_lines(report: Report) -> list[str]:
    lines = [
        "| metric | 3 levels (urgency) | 5 levels | target |",
        "|---|---|---|---|",
        f"| cases | {report.n} | {report.n} | >= 200 |",
        f"| accuracy | {report.accuracy3:.1%} | {report.accuracy5:.1%} | >= 90% (3 levels) |",
        f"| emergency sensitivity | {f'{report.sensitivity:.1%}' if report.em_total else 'n/a'} ({report.em_caught}/{report.em_total}) | - | 100% |",
        f"| under-triage rate | {report.under_triage:.1%} ({report.under3}) | {report.rate(report.under5):.1%} ({report.under5}) | <= 2% (3 levels) |",
        f"| over-triage rate | {report.over_triage:.1%} ({report.over3}) | {report.rate(report.over5):.1%} ({report.over5}) | - |",
    ]
    for style, (total, right) in sorted(report.by_style.items()):
        lines.append(f"| accuracy, {style} | {right / total:.1%} ({right}/{total}) | - | - |")
    return lines


def fresh_lines(path: Path, first_pass_path: Path = FIRST_PASS) -> list[str]:
    """Per-batch table for the fresh set: first-pass (recorded) and current (recomputed) 3-level figures."""
    cases = load_cases(path)
    first = {str(row["batch"]): row for row in load_cases(first_pass_path)} if first_pass_path.exists() else {}
    batches = sorted({str(c.get("batch", "?")) for c in cases})
    lines = [
        "| batch | cases | first-pass accuracy | first-pass em sensitivity | first-pass under-triage | now accuracy | now em sensitivity | now under-triage | now over-triage |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def fmt(row: dict[str, object] | None, key: str) -> str:
        return "-" if row is None or key not in row else f"{float(row[key]):.1%}"  # type: ignore[arg-type]

    totals = {"n": 0, "acc": 0.0, "sens_caught": 0.0, "sens_total": 0.0, "under": 0.0}
    for batch in [*batches, "all"]:
        subset = cases if batch == "all" else [c for c in cases if str(c.get("batch", "?")) == batch]
        report = evaluate(subset)
        if batch == "all":
            row = None
            if totals["n"]:
                row = {
                    "accuracy": totals["acc"] / totals["n"],
                    "under_triage": totals["under"] / totals["n"],
                    "sensitivity": totals["sens_caught"] / totals["sens_total"] if totals["sens_total"] else 0.0,
                }
        else:
            row = first.get(batch)
            if row is not None:
                n = int(row["n"])  # type: ignore[arg-type]
                totals["n"] += n
                totals["acc"] += float(row["accuracy"]) * n  # type: ignore[arg-type]
                totals["under"] += float(row["under_triage"]) * n  # type: ignore[arg-type]
                totals["sens_caught"] += float(row["em_caught"])  # type: ignore[arg-type]
                totals["sens_total"] += float(row["em_total"])  # type: ignore[arg-type]
        lines.append(
            f"| {batch} | {report.n} | {fmt(row, 'accuracy')} | {fmt(row, 'sensitivity')} | {fmt(row, 'under_triage')} "
            f"| {report.accuracy3:.1%} | {report.sensitivity:.1%} ({report.em_caught}/{report.em_total}) "
            f"| {report.under_triage:.1%} ({report.under3}) | {report.over_triage:.1%} ({report.over3}) |"
        )
    return lines


RESULTS = Path(__file__).parent / "results" / "triage.md"
_FRESH_HEADING = "## Fresh set (generalisation)"


def write_fresh_section(page: Path = RESULTS, fresh: Path = FRESH) -> None:
    """Add (or replace) the fresh-set section of the results page that ``bench.triage_bench`` writes."""
    report = evaluate(load_cases(fresh))
    section = [
        _FRESH_HEADING,
        "",
        f"`{fresh.relative_to(Path(__file__).parent.parent)}`: {report.n} cases written in batches of 40 *before* the engine",
        "was run on them, then used to correct it. First-pass figures (recorded in",
        "`bench/data/triage_cases_fresh_firstpass.jsonl` when each batch was first scored) are the honest estimate for",
        "independent text; the current figures only show that the fixes hold. Not gated.",
        "",
        *fresh_lines(fresh),
        "",
        "Current figures, all fresh batches:",
        "",
        *summary_lines(report),
        "",
    ]
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    if _FRESH_HEADING in text:
        head, _, rest = text.partition(_FRESH_HEADING)
        tail = rest.split("\n## ", 1)
        text = head.rstrip() + "\n\n" + "\n".join(section) + ("\n## " + tail[1] if len(tail) > 1 else "")
    else:
        text = text.rstrip() + "\n\n" + "\n".join(section)
    page.write_text(text.rstrip() + "\n", encoding="utf-8")


JA_SETS = {
    "own": Path(__file__).parent / "data" / "triage_ja_own.jsonl",
    "blind": Path(__file__).parent / "data" / "triage_ja_blind.jsonl",
    "blind2": Path(__file__).parent / "data" / "triage_ja_blind2.jsonl",
    "train": Path(__file__).parent / "data" / "triage_ja_train.jsonl",
    "calibration": Path(__file__).parent / "data" / "triage_ja_calibration.jsonl",
    "short": Path(__file__).parent / "data" / "triage_ja_short.jsonl",
    "blind3": Path(__file__).parent / "data" / "triage_ja_blind3.jsonl",
    "blind4": Path(__file__).parent / "data" / "triage_ja_blind4.jsonl",
    "blind_short": Path(__file__).parent / "data" / "triage_ja_blind_short.jsonl",
    "blind5": Path(__file__).parent / "data" / "triage_ja_blind5.jsonl",
    "blind6": Path(__file__).parent / "data" / "triage_ja_blind6.jsonl",
    "blind7": Path(__file__).parent / "data" / "triage_ja_blind7.jsonl",
    "blind8": Path(__file__).parent / "data" / "triage_ja_blind8.jsonl",
    "blind9": Path(__file__).parent / "data" / "triage_ja_blind9.jsonl",
    "clinician_dev": Path(__file__).parent / "data" / "triage_ja_clinician_dev.jsonl",
    "clinician_train": Path(__file__).parent / "data" / "triage_ja_clinician_train.jsonl",
    "train18": Path(__file__).parent / "data" / "triage_ja_train18.jsonl",
    "blind10": Path(__file__).parent / "data" / "triage_ja_blind10.jsonl",
    "blind11": Path(__file__).parent / "data" / "triage_ja_blind11.jsonl",
    "blind12": Path(__file__).parent / "data" / "triage_ja_blind12.jsonl",
    "dev15": Path(__file__).parent / "data" / "triage_ja_dev15.jsonl",
    "blind13": Path(__file__).parent / "data" / "triage_ja_blind13.jsonl",
    "blind14": Path(__file__).parent / "data" / "triage_ja_blind14.jsonl",
    "blind15": Path(__file__).parent / "data" / "triage_ja_blind15.jsonl",
    "blind16": Path(__file__).parent / "data" / "triage_ja_blind16.jsonl",
}
JA_RESULTS = Path(__file__).parent / "results" / "triage_ja.md"
JA_FIRST_PASS = Path(__file__).parent / "data" / "triage_ja_own_firstpass.jsonl"
_JA_NOTES = {
    "own": "written by the author of the Japanese vocabulary and used to correct it: coverage, not generalisation",
    "blind": "written by someone who did not see the code; its first pass (session 4) is the honest estimate of"
    " that release; read since for general fixes (a development set now)",
    "blind2": "written by another helper who did not see the code (session 5), never read case by case: the honest"
    " estimate",
    "train": "rounds 8-10: five blind writers (JC, JD, JI, JT, JU: 1,000), each labelled by another; read and"
    " trained on",
    "clinician_train": "round 14: two blind writers (KE, KF) of clinicians' notes only, written for training, each"
    " labelled by another; readable; the layer retrained with them was not released (one fewer calibration"
    " emergency), so the shipped weights have not seen them",
    "train18": "round 18: ten blind writers (KL-KU: 1,500) of training cases, each labelled by another; readable; the"
    " layer retrained with them was not released (notes/issue-19.md, session 25), so the shipped weights have not"
    " seen them",
    "calibration": "rounds 8 and 9: two blind writers (JE; JH, first-person chat), each labelled by another; sets"
    " the Japanese learned layer's thresholds only, never read case by case",
    "short": "round 9: a blind writer (JS) of short first messages, labelled by another; sets the short messages'"
    " raise threshold only, never read case by case",
    "blind3": "round 8: a blind writer (JF), labelled by another; locked, never read case by case: the honest estimate",
    "blind4": "round 9: a blind writer (JG) of first-person patient and carer chat, a third self care, labelled by"
    " another; locked, never read case by case: the honest estimate",
    "blind_short": "round 9: a blind writer (JV) of short first messages of the commonest complaints, labelled by"
    " another; locked, never read case by case: the honest estimate for short Japanese messages",
    "blind5": "round 9, last: a blind writer (JW) of first-person chat of every length, labelled by another; locked,"
    " first scored by engine 2.7.2: the honest estimate of that release",
    "blind6": "round 10: a blind writer (JX) of an evening and holiday consultation chat (patients and carers, a third"
    " short), labelled by another; locked, first scored by engine 2.7.3 (Japanese as 2.7.2): the honest estimate",
    "blind7": "round 11: a blind writer (JY) of a regional insurer's 24-hour LINE consultation (patients and carers, a"
    " third short, kana-heavy, voice input and dialect), labelled by another; locked, first scored by engine 2.7.4:"
    " the honest estimate",
    "blind8": "round 12: a blind writer (JZ) of a city's #7119 line and a children's night line on winter weekends"
    " (clinician notes, patients and carers, a third of the chat short), labelled by another; locked, first scored by"
    " engine 2.7.5: the honest estimate",
    "blind9": "round 13: a blind writer (KA) of a health-insurance society's nurse chat and a pharmacy chain's LINE"
    " consultation across a year (clinician notes, patients and carers, a third of the chat short; asked for"
    " harmless messages with worrying-sounding words, counters and compounds holding body-part characters), labelled"
    " by another; locked, first scored by engine 2.7.5 (tag triage-ja-11-firstpass) before 2.7.6",
    "clinician_dev": "round 14: a blind writer (KB) of clinicians' notes only (an emergency department's triage"
    " records, ambulance handovers, a telephone nurse's notes, referral letters), labelled by another; read and"
    " tuned against, never trained on; first scored by engine 2.8.7 (tag triage-ja-14-firstpass)",
    "blind10": "round 14: a blind writer (KC) of clinicians' notes only (general-medicine pre-consultation notes,"
    " visiting nurses' reports, paediatric, obstetric and school nurses' notes; abbreviations, SOAP), labelled by"
    " another; locked, first scored by engine 2.8.7 (tag triage-ja-14-firstpass): the honest estimate for Japanese"
    " clinicians' notes",
    "blind11": "round 14, later: a blind writer (KD) of clinicians' notes only (night-shift handovers, care-home nurses'"
    " calls, orthopaedic, ENT and dermatology clinics' notes), labelled by another; locked, written after engine"
    " 2.8.8's reading and first scored by 2.8.7 and by the release after it (notes/issue-19.md, session 17)",
    "blind12": "round 15: a blind writer (KG) of clinicians' notes only (a general hospital's case conferences, a"
    " community pharmacy's notes to prescribers, an occupational-health nurse's records, an island clinic's"
    " telephone consultations), labelled by another; locked, first scored by engine 2.8.15 (tag"
    " triage-ja-15-firstpass, notes/issue-19.md, session 19)",
    "dev15": "round 15: a blind writer (KH) of emergencies that are easy to miss and their look-alikes (half"
    " emergencies; clinicians, patients and carers), labelled by another; read and tuned against, never trained on;"
    " first scored by engine 2.8.15 (tag triage-ja-15b-import, notes/issue-19.md, session 19)",
    "blind13": "round 16: a blind writer (KI) of patients' and carers' chat only (a clinic-finder app's consultation"
    " chat and a city health line's LINE account in Osaka, Fukuoka and Sendai, late spring and early summer),"
    " labelled by another; locked, first scored by engine 2.8.18 (tag triage-ja-16-firstpass, notes/issue-19.md,"
    " session 20)",
    "blind14": "round 16, later: a blind writer (KJ) of messages that each mention a relative's illness, half a family"
    " history beside the patient's own complaint and half a relative who is the patient now (clinicians, patients,"
    " carers), labelled by another; locked, first scored by engine 2.8.22 (tag triage-ja-16b-firstpass,"
    " notes/issue-19.md, session 20)",
    "blind15": "round 17: a blind writer (KK) of clinical vignettes in the style of the national licensing exam's case"
    " stems, residents' case presentations and case-report abstracts (100) and patients' online pre-consultation"
    " forms (50), Tokyo, Nagoya and Hokkaido in autumn and early winter, labelled by another; locked, first scored by"
    " engine 2.8.23 (tag triage-ja-17-firstpass, notes/issue-19.md, session 21)",
    "blind16": "round 19: a blind writer (KV) of a remote island clinic's and visiting nurses' notes (75) and patients'"
    " and families' LINE messages (75) in Okinawa, Kagoshima and Kyushu in the summer and typhoon season, labelled by"
    " another; locked, first scored by engine 2.8.34 (tag triage-ja-19-firstpass, notes/issue-19.md, session 27)",
}
#: Sets nobody tuning the engine reads case by case: `--misses` lists nothing from them.
JA_LOCKED = (
    "blind2",
    "calibration",
    "short",
    "blind3",
    "blind4",
    "blind_short",
    "blind5",
    "blind6",
    "blind7",
    "blind8",
    "blind9",
    "blind10",
    "blind11",
    "blind12",
    "blind13",
    "blind14",
    "blind15",
    "blind16",
)


def speed_lines(japanese: list[dict[str, object]], rounds: int = 5) -> list[str]:
    """Per-message latency of Japanese against English messages, each read cold (issue 19's target: <= 1.5x)."""
    import statistics
    import time

    from agents.triage.engine import forget_messages

    english = [str(c["text"]) for c in load_cases(DATA)]
    texts = [str(c["text"]) for c in japanese]

    def per_message(items: list[str], language: str) -> list[float]:
        for text in items:  # warm-up: data files, regex caches
            assess(text, lang=language)
        samples = []
        for _ in range(rounds):
            forget_messages()
            for text in items:
                start = time.perf_counter()
                assess(text, lang=language)
                samples.append((time.perf_counter() - start) * 1000)
        return sorted(samples)

    en, ja = per_message(english, "en"), per_message(texts, "ja")
    ratio = statistics.median(ja) / statistics.median(en)
    return [
        "| messages | count | p50 ms | p99 ms |",
        "|---|---|---|---|",
        f"| English (`{DATA.name}`) | {len(english)} | {statistics.median(en):.3f} | {en[int(0.99 * (len(en) - 1))]:.3f} |",
        f"| Japanese | {len(texts)} | {statistics.median(ja):.3f} | {ja[int(0.99 * (len(ja) - 1))]:.3f} |",
        "",
        f"Japanese p50 / English p50: {ratio:.2f} (target <= 1.5).",
    ]


def ja_batch_lines(cases: list[dict[str, object]]) -> list[str]:
    first = {str(row["batch"]): row for row in load_cases(JA_FIRST_PASS)}
    lines = [
        "| batch | cases | first pass: accuracy / 5 levels / emergencies / under-triage | now: accuracy / emergencies / under-triage |",
        "|---|---:|---|---|",
    ]
    for batch, row in first.items():
        subset = [c for c in cases if str(c.get("batch", "base")) == batch]
        now = evaluate(subset, lang="auto")
        lines.append(
            f"| {batch} | {row['n']} | {float(row['accuracy']):.1%} / {float(row['accuracy5']):.1%} / "  # type: ignore[arg-type]
            f"{row['em_caught']}/{row['em_total']} / {float(row['under_triage']):.1%} | "  # type: ignore[arg-type]
            f"{now.accuracy3:.1%} / {now.em_caught}/{now.em_total} / {now.under_triage:.1%} |"
        )
    return lines


def japanese_report(misses: bool) -> tuple[list[str], list[str]]:
    """The Japanese sets that exist: figures, matrices, speed; and the targets each missed."""
    lines: list[str] = []
    failed: list[str] = []
    read: list[dict[str, object]] = []
    for name, path in JA_SETS.items():
        if not path.exists():
            lines += [f"## Japanese set `{path.name}`: not present", ""]
            continue
        cases = load_cases(path)
        read += cases
        report = evaluate(cases, lang="auto")
        failed += [f"{name}: {failure}" for failure in report.failures()]
        lines += [
            f"## Japanese set `{path.name}` ({_JA_NOTES[name]})",
            "",
            *summary_lines(report),
            "",
            "Five levels (rows expected, columns assessed):",
            "",
            *matrix(report.cm5, LEVELS, SHORT5),
            "",
            "Three urgencies:",
            "",
            *matrix(report.cm3, URGENCIES, SHORT3),
            "",
        ]
        if name == "own" and JA_FIRST_PASS.exists():
            lines += [
                "First pass of each batch of the own set (scored once, before the fixes it prompted: the honest",
                "estimate for text the vocabulary has not seen), then each batch now:",
                "",
                *ja_batch_lines(cases),
                "",
            ]
        if misses and name not in JA_LOCKED:
            lines += ["Disagreements (five levels):", ""]
            lines += [f"- {m['id']}: want {m['want']}, got {m['got']} :: {m['text']}" for m in report.misses]
            lines.append("")
    if read:
        lines += ["## Speed (engine only, one thread)", "", *speed_lines(read), ""]
    return lines, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--fresh", type=Path, default=FRESH, help="fresh cases, reported per batch and not gated")
    parser.add_argument("--no-fresh", action="store_true", help="skip the fresh-set report")
    parser.add_argument("--misses", action="store_true", help="list every case whose five-level answer differs")
    parser.add_argument(
        "--ja",
        action="store_true",
        help="the Japanese sets (bench/data/triage_ja_*.jsonl), each message in the language detected",
    )
    parser.add_argument(
        "--write-results",
        action="store_true",
        help=f"add the fresh-set section to {RESULTS.name} (run after bench.triage_bench, which rewrites the page)",
    )
    args = parser.parse_args(argv)
    if args.ja:
        lines, failed = japanese_report(args.misses)
        print("\n".join(lines))
        if args.write_results:
            head = [
                "# Japanese triage: evaluation",
                "",
                "`python -m bench.triage_eval --ja --write-results` writes this page. Each message is read in the language the",
                "service detects (compliance/language.py); targets (issue 19), on the three urgencies: every emergency caught,",
                "under-triage <= 2%, accuracy >= 90%; a Japanese message within 1.5x of an English one's latency.",
                "",
            ]
            JA_RESULTS.write_text("\n".join(head + lines).rstrip() + "\n", encoding="utf-8")
        print("\nTARGETS MISSED: " + "; ".join(failed) if failed else "\nAll targets met.")
        return 1 if failed else 0
    if args.write_results and args.fresh.exists():
        write_fresh_section(fresh=args.fresh)
    report = evaluate(load_cases(args.data))
    print("\n".join(summary_lines(report)))
    print("\nConfusion matrix, five levels (rows expected, columns assessed)")
    print("\n".join(matrix(report.cm5, LEVELS, SHORT5)))
    print("\nConfusion matrix, three urgencies")
    print("\n".join(matrix(report.cm3, URGENCIES, SHORT3)))
    if args.misses:
        print("\nDisagreements (five levels)")
        for miss in report.misses:
            print(f"- {miss['id']}: want {miss['want']}, got {miss['got']} {miss['rules']} :: {miss['text']}")
    if not args.no_fresh and args.fresh.exists():
        fresh = evaluate(load_cases(args.fresh))
        print("\nFresh set (not gated; first-pass = the engine before that batch was looked at)")
        print("\n".join(fresh_lines(args.fresh)))
        print("\nFresh set now, all batches")
        print("\n".join(summary_lines(fresh)))
        if args.misses:
            print("\nFresh-set disagreements (five levels)")
            for miss in fresh.misses:
                print(f"- {miss['id']}: want {miss['want']}, got {miss['got']} {miss['rules']} :: {miss['text']}")
    failed = report.failures()
    if failed:
        print("\nTARGETS MISSED: " + "; ".join(failed))
        return 1
    print("\nAll targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
