"""Which layer decides: the corpus's emergencies by the layer that reaches them, in aggregate only.

    python -m bench.triage_layers                          # every readable part, the short and calibration parts
    python -m bench.triage_layers --split train29 dev31    # named parts (locked parts too: counts only)
    python -m bench.triage_layers --ja                     # every Japanese set: counts and a digest of all levels

For each part: the labelled emergencies, how many the deterministic layers (phrase rules, findings, physiology)
already place at an emergency, how many reach one only through the learned layer's raise, how many no layer
reaches, and how many cases labelled below an emergency the learned layer alone raises to one. Notes in
notes/issue-15.md (session 29) quote these figures: the emergencies only the learned layer reaches are the ones a
red flag should not leave to a model, and its false raises are where its over-triage comes from.

No case is ever printed. ``--ja`` ends each set's line with a digest of every case's level, so that two engines can
be shown to decide a set identically without listing it.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from agents.triage import learned
from agents.triage.engine import ENGINE_VERSION, apply_model, assess, assess_layers, forget_messages
from agents.triage.levels import Level
from bench.corpus_eval import CALIBRATION, CORPUS, READABLE
from bench.triage_eval import load_cases

JA_DATA = Path(__file__).parent / "data"
_EMERGENCIES = frozenset({Level.emergency_ambulance, Level.emergency})


@dataclass(frozen=True, slots=True)
class Attribution:
    """One part's emergencies by the layer that reaches them (counts of cases)."""

    cases: int
    emergencies: int
    deterministic: int
    """Labelled emergencies the deterministic layers already place at an emergency."""
    learned_only: int
    """Labelled emergencies that reach one only through the learned layer's raise."""
    missed: int
    false_raises: int
    """Cases labelled below an emergency that only the learned layer raises to one."""

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.cases} cases, {self.emergencies} emergencies: {self.deterministic} by the deterministic "
            f"layers, {self.learned_only} only through the learned layer, {self.missed} by no layer; "
            f"{self.false_raises} raised to an emergency by the learned layer alone against the label"
        )


def attribute(outcomes: Iterable[tuple[Level, Level, Level]]) -> Attribution:
    """``outcomes``: (label, the deterministic layers' level, the engine's level) per case."""
    rows = list(outcomes)
    emergencies = [(base, final) for label, base, final in rows if label in _EMERGENCIES]
    return Attribution(
        cases=len(rows),
        emergencies=len(emergencies),
        deterministic=sum(base in _EMERGENCIES for base, _ in emergencies),
        learned_only=sum(base not in _EMERGENCIES and final in _EMERGENCIES for base, final in emergencies),
        missed=sum(final not in _EMERGENCIES for _, final in emergencies),
        false_raises=sum(
            label not in _EMERGENCIES and base not in _EMERGENCIES and final in _EMERGENCIES
            for label, base, final in rows
        ),
    )


def _history(case: dict[str, object]) -> tuple[str, ...]:
    earlier = case.get("history", ())
    return tuple(str(t) for t in earlier) if isinstance(earlier, list | tuple) else ()


def outcomes(path: Path) -> list[tuple[Level, Level, Level]]:
    """(label, the deterministic layers' level, the engine's level) for every case of an English corpus part; the
    engine's level as the trainer computes it (the layers, then the learned layer: bench/train_triage.py), which is
    ``assess``'s for every message without instructions addressed to the assistant."""
    forget_messages()
    model = learned.model()
    out = []
    for case in load_cases(path):
        base, feats = assess_layers(str(case["text"]), history=_history(case))
        final = base if model is None else apply_model(base, feats, model)
        out.append((Level(case["level"]), base.level, final.level))
    return out


def ja_line(path: Path) -> str | None:
    """A Japanese set's counts at three levels and a digest of every level the engine gives (None: not a triage set)."""
    forget_messages()
    cases = [c for c in load_cases(path) if "text" in c and "level" in c]
    if not cases:
        return None
    levels = []
    for case in cases:
        levels.append(assess(str(case["text"]), history=_history(case), lang="ja").level)
    labels = [Level(c["level"]) for c in cases]
    right = sum(a.urgency is b.urgency for a, b in zip(labels, levels, strict=True))
    emergencies = sum(label in _EMERGENCIES for label in labels)
    caught = sum(a in _EMERGENCIES and b in _EMERGENCIES for a, b in zip(labels, levels, strict=True))
    under = sum(b.rank > a.rank and a.urgency is not b.urgency for a, b in zip(labels, levels, strict=True))
    digest = hashlib.sha256("|".join(level.value for level in levels).encode()).hexdigest()[:12]
    return (
        f"{path.name}: {len(cases)} cases, {right} right at three levels, {caught} of {emergencies} emergencies, "
        f"{under} under-triaged, levels {digest}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.triage_layers", description=__doc__.splitlines()[0])
    parser.add_argument("--split", nargs="*", help="corpus parts (default: the readable, short and calibration parts)")
    parser.add_argument("--ja", action="store_true", help="every Japanese triage set: counts and a digest of levels")
    args = parser.parse_args(argv)
    print(f"engine {ENGINE_VERSION}")
    if args.ja:
        for path in sorted(JA_DATA.glob("triage_ja_*.jsonl")):
            line = ja_line(path)
            if line is not None:
                print(line)
        return 0
    for name in args.split or (*READABLE, *CALIBRATION):
        path = CORPUS / f"{name}.jsonl"
        if not path.exists():
            print(f"no part {name!r} in {CORPUS}", file=sys.stderr)
            return 2
        print(attribute(outcomes(path)).line(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
