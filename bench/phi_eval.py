"""Evaluate PHI redaction on bench/data/phi_messages.jsonl: this redactor vs out-of-the-box Presidio.

    python -m bench.phi_eval [--data FILE] [--fresh FILE ...] [--out bench/results/phi.md]

Two sets, reported separately with the same metrics: the main set (generated from templates the
redactor was developed against) and the fresh set (`bench/data/phi_fresh.jsonl`, written by hand in
other voices, and `bench/data/phi_fresh2.jsonl`, a later blind check; `--fresh` with no file skips them).
Targets are checked on each set.

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

from compliance.phi import DEFAULT_MODEL, Redactor, StreamingRedactor
from compliance.phi.names import vocabulary

HERE = Path(__file__).resolve().parent
TARGETS = {"recall": 0.99, "person_recall": 0.98, "precision": 0.95, "preserved": 0.99, "speedup": 4.0}
CATCH = 0.8
# Hand-written sets, reported separately from the main set (see notes/issue-3.md for their history).
FRESH_SETS = {
    HERE / "data" / "phi_fresh.jsonl": "Fresh set (hand-written; scored first, then general fixes were made against its misses)",
    HERE / "data" / "phi_fresh2.jsonl": "Blind check (hand-written after those fixes; scored once before the last small fixes)",
}
WARMUP = 20

Finder = Callable[[str], list[tuple[int, int]]]


def ootb_finder(model: str) -> Finder:
    provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    engine = AnalyzerEngine(nlp_engine=provider.create_engine())
    return lambda text: [(r.start, r.end) for r in engine.analyze(text=text, language="en")]


def ours_finder(redactor: Redactor) -> Finder:
    return lambda text: [(s.start, s.end) for s in redactor.find(text)]


# Typical model output for the streaming guard: plain advice sentences, as a chat model writes them.
MODEL_OUTPUT = (
    "Based on what you describe, this sounds like a viral infection. Drink plenty of fluids and rest. "
    "If the fever rises above 39.5 C or lasts more than three days, please contact your doctor. "
    "Paracetamol 1 g every six hours can help with the pain, but do not take more than 4 g in a day. "
    "Seek urgent care if you notice shortness of breath, chest pain, confusion or a rash that does not fade under a glass. "
    "Children under two with a fever should be seen the same day. Keep a note of the temperature and when each dose was given. "
    "Most people feel better within a week. Rest, keep warm and avoid strenuous exercise until the cough settles. "
    "It is normal to feel tired for a few days afterwards; return if symptoms come back or get worse."
)


def model_tokens(text: str) -> list[str]:
    """Split like a sub-word tokenizer: words with their leading space, long words in 4-6 character pieces."""
    import re

    tokens: list[str] = []
    for piece in re.findall(r"\s*\S+", text):
        while len(piece) > 7:
            tokens.append(piece[:5])
            piece = piece[5:]
        tokens.append(piece)
    return tokens


def streaming_cost(redactor: Redactor, repeats: int = 5) -> dict[str, float]:
    """Milliseconds per StreamingRedactor.feed() call on typical model output (p50, p99), and per message."""
    tokens = model_tokens(MODEL_OUTPUT)
    per_token: list[float] = []
    for _ in range(repeats + 1):
        guard = StreamingRedactor(redactor)
        costs = []
        for token in tokens:
            started = time.perf_counter()
            guard.feed(token)
            costs.append((time.perf_counter() - started) * 1000)
        guard.flush()
        per_token += costs if _ else []  # first pass warms caches
    return {"tokens": len(tokens), "p50": statistics.median(per_token), "p99": percentile(per_token, 0.99), "sum": sum(per_token) / repeats}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def out_of_lists(value: str) -> bool:
    vocab = vocabulary()
    return any(not vocab.is_listed(word) for word in value.split())


def score(messages: list[dict], predictions: list[list[tuple[int, int]]]) -> dict:
    caught: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    kept: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    redacted_chars = correct_chars = 0
    misses: list[str] = []
    clobbered: list[str] = []
    for message, spans in zip(messages, predictions, strict=True):
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


def render_set(title: str, path: str, results: dict[str, dict], times: dict[str, list[float]], messages: list[dict], ner_share: float) -> tuple[list[str], dict[str, bool]]:
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
        f"## {title}",
        "",
        f"Set: `{path}`, {len(messages)} messages, {ours['counts']['ALL']} PHI spans, "
        f"{ours['keep_counts']['ALL']} clinical spans.",
        "",
        "### Span recall by type (caught when >= 80% of its characters are redacted)",
        "",
        "| type | spans | this redactor | Presidio OOTB |",
        "| --- | ---: | ---: | ---: |",
    ]
    keys = [*sorted(k for k in ours["recall"] if k != "ALL"), "ALL"]
    for key in keys:
        label = "**overall**" if key == "ALL" else key
        lines.append(f"| {label} | {ours['counts'][key]} | {ours['recall'][key]:.1%} | {ootb['recall'][key]:.1%} |")
    lines += [
        "",
        "### Character precision and clinical preservation",
        "",
        "| measure | this redactor | Presidio OOTB |",
        "| --- | ---: | ---: |",
        f"| character precision | {ours['precision']:.1%} | {ootb['precision']:.1%} |",
    ]
    for key in [*sorted(k for k in ours["preserved"] if k != "ALL"), "ALL"]:
        label = "**clinical spans kept, overall**" if key == "ALL" else f"kept: {key} ({ours['keep_counts'][key]})"
        lines.append(f"| {label} | {ours['preserved'][key]:.1%} | {ootb['preserved'][key]:.1%} |")
    lines += [
        "",
        "### Speed (ms per message, same run, interleaved)",
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
        "### Targets",
        "",
    ]
    lines += [f"- [{'x' if ok else ' '}] {name}" for name, ok in checks.items()]
    return [*lines, ""], checks


def render(sections: list[list[str]]) -> str:
    lines = [
        "# PHI redaction: this redactor vs out-of-the-box Presidio",
        "",
        f"spaCy model `{DEFAULT_MODEL}` for both systems. Regenerate with `python -m bench.phi_eval`. "
        "Span recall: a gold span is caught when >= 80% of its non-space characters are redacted; character "
        "precision: redacted non-space characters inside gold PHI over all redacted; a clinical span is kept when "
        "none of its characters is redacted.",
        "",
    ]
    for section in sections:
        lines += section
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data" / "phi_messages.jsonl")
    parser.add_argument("--fresh", nargs="*", default=[str(path) for path in FRESH_SETS], help="hand-written sets (none: skip)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "phi.md")
    parser.add_argument("--show-misses", type=int, default=15)
    args = parser.parse_args(argv)
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # Presidio's URL recognizer tries the network
    sets = [("Main set (templates, developed against)", args.data)]
    for fresh in args.fresh or []:
        path = Path(fresh)
        if path.exists():
            sets.append((FRESH_SETS.get(path.resolve(), f"Fresh set {path.name}"), path))
    redactor = Redactor(DEFAULT_MODEL)
    finders = {"this redactor": ours_finder(redactor), "Presidio out of the box": ootb_finder(DEFAULT_MODEL)}
    ner = redactor.ner
    sections: list[list[str]] = []
    all_ok = True
    problems: list[tuple[str, list[str]]] = []
    for title, path in sets:
        messages = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        runs_before = ner.runs
        predictions, times = timed_run(messages, finders)
        ner_share = (ner.runs - runs_before) / (len(messages) + WARMUP)
        results = {name: score(messages, predictions[name]) for name in finders}
        shown = path.relative_to(HERE.parent) if path.is_absolute() and path.is_relative_to(HERE.parent) else path
        section, checks = render_set(title, str(shown), results, times, messages, ner_share)
        sections.append(section)
        all_ok = all_ok and all(checks.values())
        ours = results["this redactor"]
        problems += [(f"{title}: missed PHI", ours["misses"]), (f"{title}: clobbered clinical spans", ours["clobbered"])]
    stream = streaming_cost(redactor)
    sections.append([
        "## Streaming output guard",
        "",
        f"`StreamingRedactor.feed()` on typical model output (plain advice sentences, {stream['tokens']} sub-word tokens, "
        "5 passes): per-token cost p50 **{:.3f} ms**, p99 {:.2f} ms; {:.0f} ms for the whole reply.".format(stream["p50"], stream["p99"], stream["sum"]),
        "",
    ])
    report = render(sections)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    for title, items in problems:
        if items:
            print(f"{title} ({len(items)}), first {args.show_misses}:")
            for item in items[: args.show_misses]:
                print("  ", item)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
