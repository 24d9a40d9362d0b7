"""Percentiles and the summaries the report prints."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

PERCENTILES = (50, 95, 99)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return data[low] + (data[high] - data[low]) * (rank - low)


def summary(values: Iterable[float | None]) -> dict[str, float | int | None]:
    data = [v for v in values if v is not None]
    out: dict[str, float | int | None] = {"n": len(data)}
    for q in PERCENTILES:
        value = percentile(data, q)
        out[f"p{q}"] = round(value, 3) if value is not None else None
    out["max"] = round(max(data), 3) if data else None
    return out


def latency_summary(samples: list[list[Any]]) -> dict[str, dict]:
    """`samples` rows are [triage_ms, first_token_ms, done_ms, tokens] as the load client reports them."""
    return {
        "triage_ms": summary(row[0] for row in samples),
        "first_token_ms": summary(row[1] for row in samples),
        "done_ms": summary(row[2] for row in samples),
    }


def node_timings(db_path: Path, session_ids: Iterable[str] | None = None) -> dict[str, dict]:
    """Per-node wall times the app recorded itself (`node_ms` of each turn's audit record)."""
    if not db_path.exists():
        return {}
    wanted = set(session_ids) if session_ids is not None else None
    per_node: dict[str, list[float]] = {}
    # the server may be writing (a saturating phase's group commits): wait for its lock rather than read nothing
    with sqlite3.connect(db_path, timeout=60) as db:
        try:
            rows = db.execute("SELECT content FROM audit_entry WHERE kind = 'turn'").fetchall()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return {}
            raise
    for (content,) in rows:
        try:
            record = json.loads(content)
        except (TypeError, ValueError):
            continue
        if wanted is not None and record.get("session_id") not in wanted:
            continue
        timings = record.get("response") if isinstance(record.get("response"), dict) else record  # sectioned or flat
        for node, ms in (timings.get("node_ms") or {}).items():
            per_node.setdefault(node, []).append(float(ms))
        if timings.get("first_token_ms") is not None:
            per_node.setdefault("(first token, app clock)", []).append(float(timings["first_token_ms"]))
        if timings.get("total_ms") is not None:
            per_node.setdefault("(total, app clock)", []).append(float(timings["total_ms"]))
    return {node: summary(values) for node, values in per_node.items()}
