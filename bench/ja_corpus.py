"""The Japanese blind batches since round 8 (bench/data/triage_ja_source/): join each writer's cases with its labels.

    python -m bench.ja_corpus build     # -> bench/data/triage_ja_{train,train18,clinician_dev,clinician_train,calibration,short,blind3,...,blind16,blind_short}.jsonl (deterministic)

Written by helpers who never saw the code (brief: ``triage_ja_source/JA_WRITER_BRIEF.md``) and labelled by others
who saw only each case's text (``JA_LABELER_BRIEF.md``); the label is the labeller's, never the writer's guess.
``train`` may be read and trained on; ``clinician_dev`` (round 14's clinicians' notes) and ``dev15`` (round 15's hard-to-miss emergencies and their
look-alikes) may be read and tuned against, never trained on; ``clinician_train`` (round 14's clinicians' notes written for training) and ``train18`` (round 18's training cases) may be read; the
layers trained on them were not released (notes/issue-19.md, sessions 17 and 25), so the shipped weights have not seen them; ``calibration`` and ``short`` (short first messages) set the Japanese learned
layer's thresholds only (bench/train_triage.py ``--ja``) and ``blind3``, ``blind4``, ``blind5``, ``blind6``, ``blind7``, ``blind8``, ``blind9``, ``blind10``, ``blind11``, ``blind12``, ``blind13``, ``blind14``, ``blind15``, ``blind16`` and ``blind_short`` are locked: both are scored in aggregate only (bench.triage_eval --ja).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from agents.triage import Level
from bench.triage_eval import load_cases

DATA = Path(__file__).parent / "data"
SOURCE = DATA / "triage_ja_source"
#: Each writer's batch and the set it forms.
WRITERS = {
    "JC": "train",
    "JD": "train",
    "JE": "calibration",
    "JF": "blind3",
    "JG": "blind4",
    "JH": "calibration",
    "JI": "train",
    "JS": "short",
    "JV": "blind_short",
    "JT": "train",
    "JU": "train",
    "JW": "blind5",
    "JX": "blind6",
    "JY": "blind7",
    "JZ": "blind8",
    "KA": "blind9",
    "KB": "clinician_dev",
    "KC": "blind10",
    "KD": "blind11",
    "KE": "clinician_train",
    "KF": "clinician_train",
    "KG": "blind12",
    "KH": "dev15",
    "KI": "blind13",
    "KJ": "blind14",
    "KK": "blind15",
    # round 18 (session 25): ten writers of training cases (JA_WRITER_TASKS_round18.md); the layer retrained with them
    # was not released (notes/issue-19.md, session 25), so they form a readable part of their own, never trained on
    **dict.fromkeys("KL KM KN KO KP KQ KR KS KT KU".split(), "train18"),
    "KV": "blind16",  # round 19 (session 27): a remote island clinic and visiting nurses in the south, locked
}
#: Parts a tuner may read case by case; every other part is scored in aggregate only.
READABLE = frozenset({"train", "clinician_dev", "clinician_train", "dev15", "train18"})


def build() -> dict[str, int]:
    out: dict[str, list[dict[str, object]]] = {}
    for writer, part in WRITERS.items():
        labels = {str(row["id"]): row for row in load_cases(SOURCE / "labels" / f"{writer}.jsonl")}
        for case in load_cases(SOURCE / "cases" / f"{writer}.jsonl"):
            level = Level(str(labels[str(case["id"])]["level"]))
            out.setdefault(part, []).append(
                {
                    "id": case["id"],
                    "style": case["style"],
                    "age_band": case["age_band"],
                    "level": level.value,
                    "urgency": level.urgency.value,
                    "text": case["text"],
                    "guidance": labels[str(case["id"])].get("guidance", ""),
                    "writer_level": case.get("intended"),
                }
            )
    for part, cases in out.items():
        with open(DATA / f"triage_ja_{part}.jsonl", "w", encoding="utf-8") as f:
            for case in cases:
                f.write(json.dumps(case, ensure_ascii=False) + "\n")
    return {part: len(cases) for part, cases in out.items()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["build"]:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(build()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
