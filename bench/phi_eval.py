"""Evaluate PHI redaction on bench/data/phi_messages.jsonl: this redactor vs out-of-the-box Presidio.

    python -m bench.phi_eval [--data FILE] [--out bench/results/phi.md]

Span recall: a gold PHI span is caught when >= 80% of its non-space characters are redacted
(whatever type the system gave it). Character precision: redacted non-space characters that lie
inside gold PHI spans over all redacted non-space characters. Clinical preservation: a keep span
survives when none of its characters is redacted. Timing: ms per message, both systems on the same
messages in the same run, interleaved, after a warm-up. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

from compliance.phi import DEFAULT_MODEL, Redactor
from compliance.phi.names import vocabulary

HERE = Path(__file__).resolve().parent
TARGETS = {"recall": 0.99, "person_recall": 0.98, "precision": 0.95, "preserved": 0.99, "speedup": 4.0}
CATCH = 0.8
WARMUP = 20

Finder = Callable[[str], list[tuple[int, int]]]


def ootb_finder(model: str) -> Finder:
    provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    engine = AnalyzerEngine(nlp_engine=provider.create_engine())
    return lambda text: [(r.start, r.end) for r in engine.analyze(text=text, language="en")]


def ours_finder(redactor: Redactor) -> Finder:
    return lambda text: [(s.start, s.end) for s in redactor.find(text)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def out_of_lists(value: str) -> bool:
    vocab = vocabulary()
    return any(not vocab.is_listed(word) for word in value.split())


def score(messages: list[dict], predictions: list[list[tuple[int, int]]]) -> dict:
    caught: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    kept: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    redacted_chars = correct_chars = 0
    misses: list[str] = []
    clobbered: list[str] = []
    for message, spans in zip(messages, predictions):
        text = message["text"]
        mask = [False] * len(text)
        for start, end in spans:
            for i in range(start, end):
                mask[i] = True
        gold = [False] * len(text)
        for span in message["phi"]:
            for i in range(span["start"], span["end"]):
                gold[i] = True
        for i, ch in enumerate(text):
            if mask[i] and not ch.isspace():
                redacted_chars += 1
                correct_chars += gold[i]
        for span in message["phi"]:
            chars = [i for i in range(span["start"], span["end"]) if not text[i].isspace()]
            hit = sum(mask[i] for i in chars) >= CATCH * len(chars)
            keys = [span["type"], "ALL"]
            if span["type"] == "PERSON" and out_of_lists(span["value"]):
                keys.append("PERSON not in name lists")
            for key in keys:
                caught[key][0] += hit
                caught[key][1] += 1
            if not hit:
                misses.append(f"{span['type']}: {span['value']!r} in {text!r}")
        for span in message["keep"]:
            ok = not any(mask[span["start"] : span["end"]])
            for key in (span["kind"], "ALL"):
                kept[key][0] += ok
                kept[key][1] += 1
            if not ok:
                clobbered.append(f"{span['kind']}: {span['value']!r} in {text!r}")
    return {
        "recall": {k: v[0] / v[1] for k, v in caught.items()},
        "counts": {k: v[1] for k, v in caught.items()},
        "precision": correct_chars / redacted_chars if redacted_chars else 1.0,
        "preserved": {k: v[0] / v[1] for k, v in kept.items()},
        "keep_counts": {k: v[1] for k, v in kept.items()},
        "misses": misses,
        "clobbered": clobbered,
    }


def timed_run(messages: list[dict], finders: dict[str, Finder]) -> tuple[dict[str, list], dict[str, list[float]]]:
    for message in messages[:WARMUP]:
        for finder in finders.values():
            finder(message["text"])
    predictions: dict[str, list] = {name: [] for name in finders}
    times: dict[str, list[float]] = {name: [] for name in finders}
    for message in messages:
        for name, finder in finders.items():
            started = time.perf_counter()
            predictions[name].append(finder(message["text"]))
            times[name].append((time.perf_counter() - started) * 1000)
    return predictions, times


def render(results: dict[str, dict], times: dict[str, list[float]], messages: list[dict], ner_share: float) -> tuple[str, dict[str, bool]]:
    ours, ootb = results["this redactor"], results["Presidio out of the box"]
    p50 = {name: statistics.median(values) for name, values in times.items()}
    p99 = {name: percentile(values, 0.99) for name, values in times.items()}
    speedup = p50["Presidio out of the box"] / p50["this redactor"]
    checks = {
        f"span recall >= {TARGETS['recall']:.0%}": ours["recall"]["ALL"] >= TARGETS["recall"],
        f"name recall >= {TARGETS['person_recall']:.0%}": ours["recall"].get("PERSON", 1.0) >= TARGETS["person_recall"],
        f"char precision >= {TARGETS['precision']:.0%}": ours["precision"] >= TARGETS["precision"],
        f"clinical spans kept >= {TARGETS['preserved']:.0%}": ours["preserved"]["ALL"] >= TARGETS["preserved"],
        f"p50 speed-up >= {TARGETS['speedup']:.0f}x": speedup >= TARGETS["speedup"],
    }
    lines = [
        "# PHI redaction: this redactor vs out-of-the-box Presidio",
        "",
        f"Set: `bench/data/phi_messages.jsonl`, {len(messages)} messages, {ours['counts']['ALL']} PHI spans, "
        f"{ours['keep_counts']['ALL']} clinical spans. spaCy model `{DEFAULT_MODEL}` for both. "
        "Regenerate with `python -m bench.phi_eval`.",
        "",
        "## Span recall by type (caught when >= 80% of its characters are redacted)",
        "",
        "| type | spans | this redactor | Presidio OOTB |",
        "| --- | ---: | ---: | ---: |",
    ]
    keys = sorted(k for k in ours["recall"] if k != "ALL") + ["ALL"]
    for key in keys:
        label = "**overall**" if key == "ALL" else key
        lines.append(f"| {label} | {ours['counts'][key]} | {ours['recall'][key]:.1%} | {ootb['recall'][key]:.1%} |")
    lines += [
        "",
        "## Character precision and clinical preservation",
        "",
        "| measure | this redactor | Presidio OOTB |",
        "| --- | ---: | ---: |",
        f"| character precision | {ours['precision']:.1%} | {ootb['precision']:.1%} |",
    ]
    for key in sorted(k for k in ours["preserved"] if k != "ALL") + ["ALL"]:
        label = "**clinical spans kept, overall**" if key == "ALL" else f"kept: {key} ({ours['keep_counts'][key]})"
        lines.append(f"| {label} | {ours['preserved'][key]:.1%} | {ootb['preserved'][key]:.1%} |")
    lines += [
        "",
        "## Speed (ms per message, same run, interleaved)",
        "",
        "| system | p50 | p99 |",
        "| --- | ---: | ---: |",
    ]
    for name in times:
        lines.append(f"| {name} | {p50[name]:.2f} | {p99[name]:.2f} |")
    lines += [
        "",
        f"p50 speed-up: **{speedup:.1f}x**. spaCy NER ran on {ner_share:.0%} of messages (only when a capitalised word is unexplained by the word lists).",
        "",
        "## Targets",
        "",
    ]
    lines += [f"- [{'x' if ok else ' '}] {name}" for name, ok in checks.items()]
    return "\n".join(lines) + "\n", checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data" / "phi_messages.jsonl")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "phi.md")
    parser.add_argument("--show-misses", type=int, default=15)
    args = parser.parse_args(argv)
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # Presidio's URL recognizer tries the network
    messages = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    redactor = Redactor(DEFAULT_MODEL)
    finders = {"this redactor": ours_finder(redactor), "Presidio out of the box": ootb_finder(DEFAULT_MODEL)}
    ner = redactor.ner
    predictions, times = timed_run(messages, finders)
    ner_share = ner.runs / (len(messages) + WARMUP)
    results = {name: score(messages, predictions[name]) for name in finders}
    report, checks = render(results, times, messages, ner_share)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    ours = results["this redactor"]
    for title, items in (("missed PHI", ours["misses"]), ("clobbered clinical spans", ours["clobbered"])):
        if items:
            print(f"{title} ({len(items)}), first {args.show_misses}:")
            for item in items[: args.show_misses]:
                print("  ", item)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
