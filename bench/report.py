"""Ratios, targets, and the files: latest.json, latest.md (tables) and latency.svg (a CDF, drawn by hand)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench.stats import percentile

COLORS = {"app-local": "#1f77b4", "app-zero": "#2ca02c", "echo": "#7f7f7f", "naive": "#d62728"}
GIB = 2**30


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return round(a / b, 2)


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    systems = results["systems"]
    out: dict[str, Any] = {}
    for phase in ("serial", "load"):
        echo = _get(systems, "echo", phase, "latency", "triage_ms", "p50")
        zero = _get(systems, "app-zero", phase, "latency", "triage_ms", "p50")
        local = _get(systems, "app-local", phase, "latency", "triage_ms", "p50")
        naive = _get(systems, "naive", phase, "latency", "triage_ms", "p50")
        redact = _get(systems, "app-zero", "nodes", phase, "redact", "p50")
        excl = round(zero - redact, 3) if zero is not None and redact is not None else None
        out[phase] = {
            "app_zero_triage_p50_ms": zero,
            "app_zero_redact_p50_ms": redact,
            "app_zero_triage_p50_excl_redaction_ms": excl,
            "echo_triage_p50_ms": echo,
            "app_zero_excl_redaction_over_echo": _ratio(excl, echo),
            "app_zero_over_echo": _ratio(zero, echo),
            "app_local_over_echo": _ratio(local, echo),
            "naive_over_app_local_triage": _ratio(naive, local),
            "naive_over_app_local_done": _ratio(
                _get(systems, "naive", phase, "latency", "done_ms", "p50"),
                _get(systems, "app-local", phase, "latency", "done_ms", "p50"),
            ),
        }
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    systems, r = results["systems"], results.get("ratios", {})
    local_load = _get(systems, "app-local", "load")
    sessions = _get(local_load, "sessions")
    where = f"app-local, {sessions} sessions" if sessions else "app-local"
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, limit: float, higher_is_better: bool, unit: str, note: str = "") -> None:
        met = None if value is None else (value >= limit if higher_is_better else value <= limit)
        rows.append(
            {
                "target": name,
                "limit": limit,
                "unit": unit,
                "value": value,
                "met": met,
                "note": note,
                "direction": ">=" if higher_is_better else "<=",
            }
        )

    add("message -> triage p50", _get(local_load, "latency", "triage_ms", "p50"), 10, False, "ms", where)
    add("message -> triage p99", _get(local_load, "latency", "triage_ms", "p99"), 40, False, "ms", where)
    add(
        "message -> first token p99 (local engine)",
        _get(local_load, "latency", "first_token_ms", "p99"),
        30,
        False,
        "ms",
        where,
    )
    add(
        "messages per second at saturation",
        _get(systems, "app-local", "saturate", "throughput_msg_s"),
        150,
        True,
        "msg/s",
        "app-local, one process",
    )
    idle = _get(systems, "app-local", "idle") or {}
    if idle.get("open", 0) >= 5000:
        add("RSS with 5,000 idle connections", round(idle["server_rss_idle"] / GIB, 3), 1.0, False, "GiB", "measured")
    elif idle:
        add(
            "RSS with 5,000 idle connections",
            round(idle["rss_projected_5000_mib"] / 1024, 3),
            1.0,
            False,
            "GiB",
            f"projected from {idle.get('open')} connections",
        )
    ex = [_get(r, phase, "app_zero_excl_redaction_over_echo") for phase in ("serial", "load")]
    ex = [v for v in ex if v is not None]
    add("p50 excluding redaction / echo p50", max(ex) if ex else None, 2.0, False, "x", "worse of unloaded and loaded")
    nv = [_get(r, phase, "naive_over_app_local_triage") for phase in ("serial", "load")]
    nv = [v for v in nv if v is not None]
    add(
        "naive p50 / app p50 (message -> triage)",
        min(nv) if nv else None,
        3.0,
        True,
        "x",
        "worse of unloaded and loaded",
    )
    if results.get("overload"):
        from bench.overload import targets as overload_targets

        for name, value, limit, higher, unit, note in overload_targets(results["overload"]):
            add(name, value, limit, higher, unit, note)
    llm = results.get("llm") or {}
    if _get(llm, "router_guard_added_ms", "p50") is not None:
        add(
            "router + guard added to the engine's first token, p50 (issue 5)",
            _get(llm, "router_guard_added_ms", "p50"),
            1.0,
            False,
            "ms",
            "llama.cpp through the app, the app's own clock",
        )
    return rows


# ---------------------------------------------------------------- files


def cdf_points(values: list[float], points: int = 200) -> list[list[float]]:
    if not values:
        return []
    return [[round(q, 2), round(percentile(values, q), 3)] for q in (i * 100 / points for i in range(points + 1))]


def write(results: dict[str, Any], out_dir: Path) -> None:
    for system in results["systems"].values():
        cdf = system.get("cdf") or {}
        for key, values in list(cdf.items()):
            if values and not isinstance(values[0], list):
                cdf[key] = cdf_points(values)
    (out_dir / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    (out_dir / "latest.md").write_text(markdown(results))
    (out_dir / "latency.svg").write_text(svg(results))


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(results: dict[str, Any]) -> str:
    m, plan, systems = results["machine"], results["plan"], results["systems"]
    lines = [
        f"# Service benchmark ({results['mode']} run, {results['started_at']})",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu_model']}, {m['ram_gib']} GiB RAM, Python {m['python']}; "
        f"load average {m['loadavg_at_start']} at start, {m.get('loadavg_at_end')} at end. "
        f"Server and load client share these cores (loopback).",
        "",
        f"Phases: `serial` = 1 session, {plan['serial_messages']} messages one after another; "
        f"`load` = {plan['sessions']} sessions offering {plan['rates'][0]:g} msg/s in all for {plan['load_s']:g} s "
        f"(each session a message every {plan['sessions'] / plan['rates'][0]:g} s on average)"
        + "".join(f"; `load_{r:g}` = the same at {r:g} msg/s" for r in plan["rates"][1:])
        + "; "
        f"`saturate` = {plan['sessions']} sessions back to back for {plan['saturate_s']:g} s.",
        "",
        "## Latency (ms, client clock: message written -> frame received)",
        "",
        "| system | phase | n | triage p50 | p95 | p99 | first token p50 | p95 | p99 | done p50 | p99 |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, system in systems.items():
        for phase in _phases(system):
            lat = _get(system, phase, "latency")
            if not lat:
                continue
            t, f, d = lat["triage_ms"], lat["first_token_ms"], lat["done_ms"]
            lines.append(
                f"| {name} | {phase} | {t['n']} | {_fmt(t['p50'], 2)} | {_fmt(t['p95'], 2)} | {_fmt(t['p99'], 2)} | "
                f"{_fmt(f['p50'], 2)} | {_fmt(f['p95'], 2)} | {_fmt(f['p99'], 2)} | {_fmt(d['p50'], 2)} | {_fmt(d['p99'], 2)} |"
            )
    lines += [
        "",
        "## Throughput, CPU and memory",
        "",
        "| system | msg/s at saturation | server CPU ms/msg (saturate) | client CPU ms/msg | token frames/msg | errors | "
        "RSS after start MiB | RSS/idle conn KiB | RSS/active conn KiB | RSS at end MiB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, system in systems.items():
        sat = system.get("saturate") or {}
        idle = system.get("idle") or {}
        errors = sum((system.get(p) or {}).get("errors", 0) or 0 for p in _phases(system))
        lines.append(
            f"| {name} | {_fmt(sat.get('throughput_msg_s'))} | {_fmt(sat.get('server_cpu_ms_per_msg'), 2)} | "
            f"{_fmt(sat.get('client_cpu_ms_per_msg'), 2)} | {_fmt(sat.get('token_frames_per_msg'))} | {errors} | "
            f"{_fmt(system.get('rss_after_start_mib'))} | "
            f"{_fmt(idle.get('rss_per_idle_connection_kib'))} | {_fmt(sat.get('rss_per_active_connection_kib'))} | "
            f"{_fmt(system.get('rss_end_mib'))} |"
        )
    lines += [
        "",
        "How busy the machine was with other work while each phase ran (CPU seconds of all processes other than this "
        "server and its load client, from /proc/stat, per second of the phase):",
        "",
        "| system | " + " | ".join(_phases(next(iter(systems.values()), {}))) + " | load average after |",
        "|---|" + "--:|" * len(_phases(next(iter(systems.values()), {}))) + "---|",
    ]
    for name, system in systems.items():
        cores = [_get(system, phase, "machine", "other_processes_cores") for phase in _phases(system)]
        lines.append(
            f"| {name} | " + " | ".join(f"{_fmt(c, 2)} cores" for c in cores) + f" | {system.get('loadavg_after')} |"
        )
    idle_rows = [(n, s["idle"]) for n, s in systems.items() if s.get("idle")]
    for name, idle in idle_rows:
        lines.append("")
        lines.append(
            f"Idle: {name} held {idle['open']} idle connections ({idle['connect_errors']} failed) at "
            f"{idle['rss_total_mib']} MiB RSS in all; projected for 5,000: {idle['rss_projected_5000_mib']} MiB."
        )
    nodes = {n: s["nodes"] for n, s in systems.items() if s.get("nodes")}
    if nodes:
        lines += [
            "",
            "## Per node (ms, the app's own clock from each turn's audit record `node_ms`)",
            "",
            "| system | phase | node | n | p50 | p95 | p99 |",
            "|---|---|---|--:|--:|--:|--:|",
        ]
        for name, per_phase in nodes.items():
            for phase in ("serial", "load"):
                for node, s in (per_phase.get(phase) or {}).items():
                    lines.append(
                        f"| {name} | {phase} | {node} | {s['n']} | {_fmt(s['p50'], 3)} | {_fmt(s['p95'], 3)} | {_fmt(s['p99'], 3)} |"
                    )
    r = results.get("ratios") or {}
    if r:
        lines += [
            "",
            "## Ratios (p50, message -> triage)",
            "",
            "| phase | app-zero excl. redaction / echo | app-zero / echo | "
            "app-local / echo | naive / app-local (triage) | naive / app-local (done) |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for phase, v in r.items():
            lines.append(
                f"| {phase} | {_fmt(v['app_zero_excl_redaction_over_echo'], 2)} | {_fmt(v['app_zero_over_echo'], 2)} | "
                f"{_fmt(v['app_local_over_echo'], 2)} | {_fmt(v['naive_over_app_local_triage'], 2)} | "
                f"{_fmt(v['naive_over_app_local_done'], 2)} |"
            )
    lines += overload_markdown(results.get("overload"))
    lines += triage_first_markdown(results.get("triage_first"))
    rows = results.get("targets") or []
    if rows:
        lines += ["", "## Targets", "", "| target | limit | measured | met | where |", "|---|--:|--:|:-:|---|"]
        for row in rows:
            met = {True: "yes", False: "**no**", None: "–"}[row["met"]]
            lines.append(
                f"| {row['target']} | {row['direction']} {row['limit']:g} {row['unit']} | {_fmt(row['value'], 2)} | {met} | {row['note']} |"
            )
    llm = results.get("llm")
    if llm:
        lines += ["", "## llama.cpp (SmolLM2) first token: the server's own vs through the app", ""]
        if "direct" in llm:
            d, a = llm["direct"], llm["through_app"]["latency"]
            lines += [
                f"{llm['messages']} sequential questions, model `{llm['model']}`, max_tokens {llm['max_tokens']}; "
                f"engines that answered through the app: {llm.get('engines_used')}.",
                "",
                "| path | first token p50 | p95 | max | done p50 |",
                "|---|--:|--:|--:|--:|",
                f"| llama.cpp server directly | {_fmt(d['first_token_ms']['p50'])} | {_fmt(d['first_token_ms']['p95'])} | "
                f"{_fmt(d['first_token_ms']['max'])} | {_fmt(d['done_ms']['p50'])} |",
                f"| through the app (WebSocket) | {_fmt(a['first_token_ms']['p50'])} | {_fmt(a['first_token_ms']['p95'])} | "
                f"{_fmt(a['first_token_ms']['max'])} | {_fmt(a['done_ms']['p50'])} |",
                "",
                f"Difference of the two p50s (client clocks, sequential runs, noisy): "
                f"{_fmt(llm.get('added_first_token_ms_p50'))} ms. From the app's own clock for the same turns "
                f"(turn start -> first token frame, minus request to the model -> the model's first token): "
                f"p50 {_fmt(_get(llm, 'app_added_to_model_first_token_ms', 'p50'))} ms, "
                f"max {_fmt(_get(llm, 'app_added_to_model_first_token_ms', 'max'))} ms. Of that, the router and the "
                f"output guard (generate node start -> first token frame written, minus the engine's request -> first "
                f"chunk; the rest is redaction, assessment and the graph before it): "
                f"p50 {_fmt(_get(llm, 'router_guard_added_ms', 'p50'), 2)} ms, "
                f"max {_fmt(_get(llm, 'router_guard_added_ms', 'max'), 2)} ms.",
            ]
        else:
            lines.append(f"Not measured: {llm.get('skipped') or llm.get('error')}")
    lines.append("")
    return "\n".join(lines)


def overload_markdown(o: dict[str, Any] | None) -> list[str]:
    if not o:
        return []
    lat, totals, records = o["latency"], o.get("totals") or {}, o.get("audit_records") or {}

    def row(name: str, s: dict[str, Any]) -> str:
        return f"| {name} | {s['n']} | {_fmt(s['p50'], 2)} | {_fmt(s['p95'], 2)} | {_fmt(s['p99'], 2)} | {_fmt(s['max'], 2)} |"

    return [
        "",
        "## Overload (issue 20: admission control as shipped, app-local)",
        "",
        f"{o['sessions']} sessions offering {o['offered_rate']:g} msg/s, {o['capacity_msg_s']:g} x 2 (app-local's "
        f"`saturate` throughput), for {o['window_s']:g} s; refused messages are not sent again. Sent "
        f"{o['sent']} ({_fmt(o['sent_msg_s'])} msg/s): answered {o['answered']} ({_fmt(o['admitted_msg_s'])} msg/s), "
        f"refused `busy` {o['refused']}, other errors {o['other_errors']} {o['error_codes'] or ''}, **lost "
        f"{o['lost']}**; emergencies sent {o['emergencies_sent']}, answered {o['emergencies_answered']}, refused "
        f"{o['emergencies_refused']}. Whole phase (warm-up included): {totals.get('sent')} sent, "
        f"{totals.get('final_frames')} with a final frame, {records.get('all')} audit records "
        f"({records.get('complete', 0)} complete, {records.get('busy', 0)} busy). /readyz afterwards: "
        f"{_get(o, 'readyz_after', 'status')}, {_get(o, 'readyz_after', 'admission')}.",
        "",
        "| ms, client clock | n | p50 | p95 | p99 | max |",
        "|---|--:|--:|--:|--:|--:|",
        row("admitted: message -> triage", lat["admitted_triage_ms"]),
        row("admitted: message -> done", lat["admitted_done_ms"]),
        row("refused: message -> busy", lat["busy_ms"]),
        row("emergencies: message -> triage", lat["emergency_triage_ms"]),
    ]


def triage_first_markdown(t: dict[str, Any] | None) -> list[str]:
    if not t:
        return []
    lines = [
        "",
        f"## Triage first (issue 20): a new message's `triage` frame while {t['streams']} answers stream",
        "",
        "| token streaming | probe triage p50 | p95 | p99 | max | streamed tokens/s | server CPU s |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for name, label in (("yields", "yields to pending triage (shipped)"), ("no_yield", "does not yield")):
        r = t.get(name) or {}
        s = r.get("probe_triage_ms") or {}
        lines.append(
            f"| {label} | {_fmt(s.get('p50'), 2)} | {_fmt(s.get('p95'), 2)} | {_fmt(s.get('p99'), 2)} | "
            f"{_fmt(s.get('max'), 2)} | {_fmt(r.get('stream_tokens_per_s'))} | {_fmt(r.get('server_cpu_s'), 2)} |"
        )
    return lines


def svg(results: dict[str, Any]) -> str:
    """Latency CDF under load (message -> triage per system, and first token of app-local), log time axis."""
    width, height = 760, 440
    left, right, top, bottom = 70, 200, 40, 60
    pw, ph = width - left - right, height - top - bottom
    series: list[tuple[str, str, list[list[float]], str]] = []
    for name, system in results["systems"].items():
        cdf = system.get("cdf") or {}
        color = COLORS.get(name, "#9467bd")
        if cdf.get("load_triage_ms"):
            series.append((f"{name}: triage", color, _as_points(cdf["load_triage_ms"]), ""))
        if name == "app-local" and cdf.get("load_first_token_ms"):
            series.append((f"{name}: first token", color, _as_points(cdf["load_first_token_ms"]), "6,4"))
    values = [p[1] for _, _, pts, _ in series for p in pts if p[1] > 0]
    lo = 10 ** math.floor(math.log10(min(values))) if values else 0.1
    hi = 10 ** math.ceil(math.log10(max(values))) if values else 1000
    lo, hi = min(lo, 0.1), max(hi, 100)

    def x(ms: float) -> float:
        ms = max(ms, lo)
        return left + pw * (math.log10(ms) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    def y(q: float) -> float:
        return top + ph * (1 - q / 100)

    plan = results["plan"]
    title = (
        f"Message -> frame latency, {plan['sessions']} sessions at {plan['rates'][0]:g} msg/s "
        f"({results['machine']['nproc']} cores, loopback)"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{_esc(title)}</text>',
    ]
    decade = lo
    while decade <= hi * 1.0001:
        for mult in range(1, 10):
            ms = decade * mult
            if ms > hi * 1.0001:
                break
            stroke = "#ccc" if mult == 1 else "#eee"
            out.append(f'<line x1="{x(ms):.1f}" y1="{top}" x2="{x(ms):.1f}" y2="{top + ph}" stroke="{stroke}"/>')
        out.append(f'<text x="{x(decade):.1f}" y="{top + ph + 18}" text-anchor="middle">{decade:g}</text>')
        decade *= 10
    for q in (0, 25, 50, 75, 90, 95, 99, 100):
        out.append(f'<line x1="{left}" y1="{y(q):.1f}" x2="{left + pw}" y2="{y(q):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{y(q) + 4:.1f}" text-anchor="end">{q}</text>')
    for ms, label in ((10, "p50 target"), (40, "p99 target")):
        if lo <= ms <= hi:
            out.append(
                f'<line x1="{x(ms):.1f}" y1="{top}" x2="{x(ms):.1f}" y2="{top + ph}" stroke="#f0a000" stroke-dasharray="3,3"/>'
            )
            out.append(f'<text x="{x(ms) + 3:.1f}" y="{top + 12}" fill="#c08000" font-size="10">{label}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 15}" text-anchor="middle">milliseconds (log scale)</text>')
    out.append(
        f'<text x="18" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 18 {top + ph / 2})">percentile</text>'
    )
    for i, (label, color, pts, dash) in enumerate(series):
        path = " ".join(f"{'M' if j == 0 else 'L'}{x(ms):.1f},{y(q):.1f}" for j, (q, ms) in enumerate(pts))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"{dash_attr}/>')
        ly = top + 10 + i * 20
        out.append(
            f'<line x1="{left + pw + 12}" y1="{ly}" x2="{left + pw + 36}" y2="{ly}" stroke="{color}" stroke-width="2"{dash_attr}/>'
        )
        out.append(f'<text x="{left + pw + 42}" y="{ly + 4}">{_esc(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _as_points(values: list) -> list[list[float]]:
    if values and isinstance(values[0], list):
        return values
    return cdf_points(values)


def _phases(system: dict[str, Any]) -> list[str]:
    loads = sorted(
        (k for k in system if k.startswith("load_") and isinstance(system[k], dict)),
        key=lambda k: float(k.removeprefix("load_")),
    )
    return [p for p in ("serial", "load", *loads, "saturate") if isinstance(system.get(p), dict)]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
