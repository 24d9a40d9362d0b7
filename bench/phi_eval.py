"""Evaluate PHI redaction on bench/data/phi_messages.jsonl: this redactor vs out-of-the-box Presidio.

    python -m bench.phi_eval [--data FILE] [--fresh FILE ...] [--ja FILE ...] [--no-english] [--out bench/results/phi.md]

Two sets, reported separately with the same metrics: the main set (generated from templates the
redactor was developed against) and the fresh set (`bench/data/phi_fresh.jsonl`, written by hand in
other voices, and `bench/data/phi_fresh2.jsonl`, a later blind check; `--fresh` with no file skips them).
Targets are checked on each set.

Span recall: a gold PHI span is caught when >= 80% of its non-space characters are redacted
(whatever type the system gave it). Character precision: redacted non-space characters that lie
inside gold PHI spans over all redacted non-space characters. Clinical preservation: a keep span
survives when none of its characters is redacted. Timing: ms per message, both systems on the same
messages in the same run, interleaved, after a warm-up. Exit status 1 when a target is missed.

Japanese sets (`--ja`; by default bench/data/phi_ja_own.jsonl, phi_ja_fresh.jsonl and, when it exists,
phi_ja_blind.jsonl, a set written by someone else that nothing was tuned on) are scored the same way against
out-of-the-box Presidio with GiNZA (`ja_ginza`, a dev dependency) as its NLP engine, when it is installed. The
redactor gets no language hint: it detects the language of each message itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngineProvider

from compliance.phi import DEFAULT_MODEL, Redactor, StreamingRedactor
from compliance.phi.names import vocabulary

HERE = Path(__file__).resolve().parent
TARGETS = {"recall": 0.99, "person_recall": 0.98, "precision": 0.95, "preserved": 0.99, "speedup": 4.0}
CATCH = 0.8
# Hand-written sets, reported separately from the main set (see notes/issue-3.md for their history).
FRESH_SETS = {
    HERE
    / "data"
    / "phi_fresh.jsonl": "Fresh set (hand-written; scored first, then general fixes were made against its misses)",
    HERE
    / "data"
    / "phi_fresh2.jsonl": "Blind check (hand-written after those fixes; scored once before the last small fixes)",
}
WARMUP = 20
JA_OWN = "Japanese: own set (written by the engineer who built the recognizers, developed against)"
JA_FRESH = "Japanese: second own set (written after the recognizers; scored once before the fixes it prompted)"
JA_BLIND = "Japanese: first blind set (written by someone else; first pass in session 4, read since for general fixes)"
JA_BLIND2 = (
    "Japanese: second blind set (written by another helper in session 5; first pass in round 3, "
    "read since for general fixes)"
)
JA_BLIND3 = (
    "Japanese: third blind set (written by a third helper in session 5; first pass in session 5, read since session 12"
    " for general fixes)"
)
JA_BLIND4 = (
    "Japanese: fourth blind set (two helpers in session 12, who never saw the code: a city hospital's and a pharmacy"
    " chain's chat; home care, schools, occupational health; locked until session 13's fifth set, read since)"
)
JA_BLIND5 = (
    "Japanese: fifth blind set (two helpers in session 13, who never saw the code: a clinic group's LINE and a"
    " visiting-nurse station; a hospital's support desk, occupational health and a pharmacy chain; nothing tuned on it)"
)
JA_DEV5 = (
    "Japanese: development set 5 (two helpers in session 12, who never saw the code; names dense: chat, forms,"
    " handovers, care homes; first pass on round 4, read since)"
)
JA_DEV6 = (
    "Japanese: development set 6 (a helper in session 14 who never saw the code: a home-care clinic, a dental chain,"
    " a pharmacy and a municipal health centre; care managers, visiting nurses, reception staff; first pass on round"
    " 8: 91.6%, read since)"
)
JA_DEV7 = (
    "Japanese: development set 7 (a helper in session 15 who never saw the code: a home-visit nursing station and a"
    " dermatology/ophthalmology clinic in a regional city's rainy season; LINE messages, referrals, staff signatures;"
    " first pass on round 9, read since)"
)
JA_DEV8 = (
    "Japanese: development set 8 (a helper in session 22 who never saw the code: a psychiatric clinic's LINE, a dialysis"
    " centre, a factory's occupational health and a nursing home in Kansai, with dialect and nicknames; first pass on"
    " round 10: 85.4%, read since)"
)
JA_DEV9 = (
    "Japanese: development set 9 (a helper in session 22 who never saw the code: organisations dense, a children's"
    " hospital, nurseries, a maternity clinic, a sports-orthopaedic clinic, dentists and pharmacies in Hokkaido and"
    " Tohoku; first pass on round 11, read since)"
)
JA_BLIND6 = (
    "Japanese: sixth blind set (a helper in session 22 who never saw the code: a paediatric clinic and a nursery, an"
    " obstetric clinic, an orthopaedic clinic and a university hospital's support centre in Kyushu; nothing tuned on it)"
)
JA_BLIND7 = (
    "Japanese: seventh blind set (a helper in session 22 who never saw the code: a general hospital's desks, home-visit"
    " dentistry, pharmacies, elderly day care, public health nurses, school nurses and employers with foreign"
    " trainees in Shikoku and Chugoku; nothing tuned on it)"
)
JA_SETS = {
    HERE / "data" / "phi_ja_own.jsonl": JA_OWN,
    HERE / "data" / "phi_ja_fresh.jsonl": JA_FRESH,
    HERE / "data" / "phi_ja_blind.jsonl": JA_BLIND,
    HERE / "data" / "phi_ja_blind2.jsonl": JA_BLIND2,
    HERE / "data" / "phi_ja_blind3.jsonl": JA_BLIND3,
    HERE / "data" / "phi_ja_blind4.jsonl": JA_BLIND4,
    HERE / "data" / "phi_ja_dev5.jsonl": JA_DEV5,
    HERE / "data" / "phi_ja_blind5.jsonl": JA_BLIND5,
    HERE / "data" / "phi_ja_dev6.jsonl": JA_DEV6,
    HERE / "data" / "phi_ja_dev7.jsonl": JA_DEV7,
    HERE / "data" / "phi_ja_dev8.jsonl": JA_DEV8,
    HERE / "data" / "phi_ja_blind6.jsonl": JA_BLIND6,
    HERE / "data" / "phi_ja_dev9.jsonl": JA_DEV9,
    HERE / "data" / "phi_ja_blind7.jsonl": JA_BLIND7,
}
#: Sets whose misses are never printed (the figures in the report are aggregates).
LOCKED_SETS = frozenset({"phi_ja_blind5.jsonl", "phi_ja_blind6.jsonl", "phi_ja_blind7.jsonl"})
JA_OOTB_MODEL = "ja_ginza"
# GiNZA's entity labels (Extended Named Entity, title case) mapped to the entity names Presidio's recognizers
# use: Presidio's default mapping knows only OntoNotes-style labels (PERSON, GPE ...) and would find no name at
# all. Every label that names a kind of identifier is mapped, so the comparison is generous to GiNZA.
GINZA_PLACES = "City Province County Country GPE_Other Location_Other Postal_Address Station Domestic_Region"
GINZA_ORGANISATIONS = "Company Company_Group Corporation_Other Organization_Other Public_Institution Research_Institute"
GINZA_TO_PRESIDIO = {
    "Person": "PERSON",
    **dict.fromkeys([*GINZA_PLACES.split(), "Region_Other", "Facility_Other"], "LOCATION"),
    **dict.fromkeys([*GINZA_ORGANISATIONS.split(), "School"], "ORGANIZATION"),
    **dict.fromkeys(("Date", "Time", "Day_Of_Week", "Era"), "DATE_TIME"),
    "Phone_Number": "PHONE_NUMBER",
    "Email": "EMAIL_ADDRESS",
    "URL": "URL",
    "ID_Number": "ID",
    "Age": "AGE",
}

Finder = Callable[[str], list[tuple[int, int]]]


def ootb_finder(model: str) -> Finder:
    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine())
    return lambda text: [(r.start, r.end) for r in engine.analyze(text=text, language="en")]


def ginza_finder(model: str = JA_OOTB_MODEL) -> Finder | None:
    """Presidio's predefined recognizers registered for "ja" and a spaCy NLP engine running GiNZA (the whole
    pipeline, as Presidio runs it); None when the model is not installed."""
    if importlib.util.find_spec(model) is None:
        return None
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "ja", "model_name": model}],
            "ner_model_configuration": {"model_to_presidio_entity_mapping": GINZA_TO_PRESIDIO},
        }
    )
    nlp_engine = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=["ja"])
    registry.load_predefined_recognizers(languages=["ja"], nlp_engine=nlp_engine)
    engine = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["ja"])
    return lambda text: [(r.start, r.end) for r in engine.analyze(text=text, language="ja")]


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


# The same kind of answer in Japanese; a model's tokenizer cuts Japanese into one to three characters a token.
JA_MODEL_OUTPUT = (
    "お話を伺うと、ウイルス性の感染症のように思われます。水分をしっかりとって、休んでください。"
    "熱が39.5度を超える場合や、3日以上続く場合は、かかりつけの医師に相談してください。"
    "アセトアミノフェンは1回500mgまで、6時間以上あけて使えます。1日4gを超えないようにしてください。"
    "息苦しさ、胸の痛み、意識がぼんやりする、押しても消えない発疹があるときは、すぐに受診してください。"
    "2歳未満のお子さんの発熱は、その日のうちに診てもらいましょう。体温と薬を飲んだ時間を記録しておくと役に立ちます。"
    "多くの場合、1週間ほどでよくなります。症状が戻ったり悪くなったりしたら、もう一度ご相談ください。"
)


def japanese_tokens(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(0, len(text), 2)]


def streaming_cost(redactor: Redactor, repeats: int = 5, japanese: bool = False) -> dict[str, float]:
    """Milliseconds per StreamingRedactor.feed() call on typical model output (p50, p99), and per message."""
    tokens = japanese_tokens(JA_MODEL_OUTPUT) if japanese else model_tokens(MODEL_OUTPUT)
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
    return {
        "tokens": len(tokens),
        "p50": statistics.median(per_token),
        "p99": percentile(per_token, 0.99),
        "sum": sum(per_token) / repeats,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def out_of_lists(value: str) -> bool:
    vocab = vocabulary()
    return any(not vocab.is_listed(word) for word in value.split())


def score(messages: list[dict], predictions: list[list[tuple[int, int]]], name_lists: bool = True) -> dict:
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
            if name_lists and span["type"] == "PERSON" and out_of_lists(span["value"]):
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


def render_set(
    title: str,
    path: str,
    results: dict[str, dict],
    times: dict[str, list[float]],
    messages: list[dict],
    ner_share: float | None,
) -> tuple[list[str], dict[str, bool]]:
    ours = results["this redactor"]
    missing = {"recall": defaultdict(float), "precision": float("nan"), "preserved": defaultdict(float)}
    ootb = results.get("Presidio out of the box") or missing
    p50 = {name: statistics.median(values) for name, values in times.items()}
    p99 = {name: percentile(values, 0.99) for name, values in times.items()}
    speedup = p50.get("Presidio out of the box", float("nan")) / p50["this redactor"]
    checks = {
        f"span recall >= {TARGETS['recall']:.0%}": ours["recall"]["ALL"] >= TARGETS["recall"],
        f"name recall >= {TARGETS['person_recall']:.0%}": ours["recall"].get("PERSON", 1.0) >= TARGETS["person_recall"],
        f"char precision >= {TARGETS['precision']:.0%}": ours["precision"] >= TARGETS["precision"],
        f"clinical spans kept >= {TARGETS['preserved']:.0%}": ours["preserved"]["ALL"] >= TARGETS["preserved"],
    }
    if "Presidio out of the box" in results:
        checks[f"p50 speed-up >= {TARGETS['speedup']:.0f}x"] = speedup >= TARGETS["speedup"]
    ner_note = (
        f" spaCy NER ran on {ner_share:.0%} of messages (only when a capitalised word is unexplained by the word lists)."
        if ner_share is not None
        else ""
    )
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
        f"p50 speed-up: **{speedup:.1f}x**." + ner_note,
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


def japanese_stream_line(stream: dict[str, float]) -> str:
    return (
        f"The same answer in Japanese ({stream['tokens']:.0f} tokens of two characters; Japanese text is held to the end "
        f"of each clause, then analysed once): per-token cost p50 **{stream['p50']:.3f} ms**, p99 {stream['p99']:.2f} ms; "
        f"{stream['sum']:.0f} ms for the whole reply."
    )


def japanese_preface(with_ginza: bool) -> list[str]:
    comparison = (
        f"Out-of-the-box Presidio: `AnalyzerEngine` with its predefined recognizers registered for `ja` and a spaCy "
        f"NLP engine running GiNZA (`{JA_OOTB_MODEL}`, the whole pipeline), GiNZA's entity labels mapped to Presidio's "
        "entity names (names, places, organisations, dates, phones, e-mails, URLs, IDs, ages: generous to GiNZA)."
        if with_ginza
        else f"`{JA_OOTB_MODEL}` is not installed here: no comparison column (install the dev extra)."
    )
    return [
        "# Japanese",
        "",
        "This redactor: the Japanese recognizers (`compliance/phi/recognizers/ja/`) over SudachiPy morphemes "
        "(dictionary `sudachidict_core`), the Japanese clinical allow-list, NFKC with offsets kept; no language hint, "
        f"so each message's language is detected. {comparison}",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data" / "phi_messages.jsonl")
    parser.add_argument(
        "--fresh", nargs="*", default=[str(path) for path in FRESH_SETS], help="hand-written sets (none: skip)"
    )
    parser.add_argument("--ja", nargs="*", default=[str(path) for path in JA_SETS], help="Japanese sets (none: skip)")
    parser.add_argument("--no-english", action="store_true", help="skip the English sets")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "phi.md")
    parser.add_argument("--show-misses", type=int, default=15)
    args = parser.parse_args(argv)
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # Presidio's URL recognizer tries the network
    sets = [] if args.no_english else [("Main set (templates, developed against)", args.data)]
    for fresh in [] if args.no_english else args.fresh or []:
        path = Path(fresh)
        if path.exists():
            sets.append((FRESH_SETS.get(path.resolve(), f"Fresh set {path.name}"), path))
    redactor = Redactor(DEFAULT_MODEL)
    finders = {"this redactor": ours_finder(redactor), "Presidio out of the box": ootb_finder(DEFAULT_MODEL)}
    ner = redactor.ner
    sections: list[list[str]] = []
    all_ok = True
    problems: list[tuple[str, list[str]]] = []
    ja_paths = [Path(p) for p in args.ja or [] if Path(p).exists()]
    ja_sets = [(JA_SETS.get(path.resolve(), f"Japanese: {path.name}"), path) for path in ja_paths]
    ja_finders: dict[str, Finder] = {"this redactor": finders["this redactor"]}
    ginza = ginza_finder() if ja_sets else None
    if ginza is not None:
        ja_finders["Presidio out of the box"] = ginza
    for title, path in [*sets, *ja_sets]:
        japanese = (title, path) in ja_sets
        if japanese and (title, path) == ja_sets[0]:
            sections.append(japanese_preface(ginza is not None))
        messages = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        runs_before = ner.runs
        predictions, times = timed_run(messages, ja_finders if japanese else finders)
        ner_share = None if japanese else (ner.runs - runs_before) / (len(messages) + WARMUP)
        results = {name: score(messages, predictions[name], name_lists=not japanese) for name in predictions}
        shown = path.relative_to(HERE.parent) if path.is_absolute() and path.is_relative_to(HERE.parent) else path
        section, checks = render_set(title, str(shown), results, times, messages, ner_share)
        sections.append(section)
        all_ok = all_ok and all(checks.values())
        ours = results["this redactor"]
        if path.name in LOCKED_SETS:  # aggregates only: nobody tuning the recognizers reads its misses
            continue
        problems += [
            (f"{title}: missed PHI", ours["misses"]),
            (f"{title}: clobbered clinical spans", ours["clobbered"]),
        ]
    stream = streaming_cost(redactor)
    ja_stream = streaming_cost(redactor, japanese=True)
    sections.append(
        [
            "## Streaming output guard",
            "",
            f"`StreamingRedactor.feed()` on typical model output (plain advice sentences, {stream['tokens']} sub-word tokens, "
            "5 passes): per-token cost p50 **{:.3f} ms**, p99 {:.2f} ms; {:.0f} ms for the whole reply.".format(
                stream["p50"], stream["p99"], stream["sum"]
            ),
            "",
            japanese_stream_line(ja_stream),
            "",
        ]
    )
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
