"""`triage serve --workers N` (N > 1): a master process and N worker processes on one listening socket.

The master
1. does the start-up work once, before any worker exists (`prepare`): the data directory, the generated keys,
   the audit schema's migrations, the accounts and queue tables, the checkpointer's tables, and the recovery of
   every spool and received-marker file an earlier run left (compliance/audit/spool_slots.py), so N workers
   never race on any of it;
2. binds the socket, and serves the workers' shared state on a Unix socket in a private directory (the hub's
   registry, the per-address limits, account changes: app/hub_broker.py, app/worker_shared.py);
3. starts the workers (`python -m app.worker`), each in its own process group, each told to die with the
   master (a SIGKILLed master takes its workers with it, as a SIGKILLed single process would, and the next
   start recovers what they left); prints the ready notice once all N accept connections; restarts a worker
   that dies (it claims the same spool slot and recovers its markers);
4. on SIGTERM or SIGINT passes SIGTERM to every worker (each tells its sockets to reconnect, finishes its turns
   and audit writes: app/shutdown.py), waits for them, then closes the hub (its queue written) and exits 0.

Workers accept from the one shared socket: the kernel spreads new connections among them. A conversation may
continue on any worker: its LangGraph checkpoint is in the shared database, its audit entries in the one chain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess

from app.heap import quiet_collector
from app.hub import InProcessHub
from app.hub_broker import Broker
from app.worker_shared import SharedLimits

log = logging.getLogger(__name__)

STOP_GRACE_S = 30.0
"""How long stopping workers get (uvicorn's graceful shutdown is 20 s) before they are killed."""
RESTART_DELAYS_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
STARTUP_FAILURE = 3  # uvicorn's exit status when the application fails to start


def prepare(settings: Any) -> None:
    """Everything a worker would otherwise do at start that must happen once (creating, migrating, recovering);
    what each worker then does again finds it done."""
    from app.checkpoint import open_checkpointer
    from app.hub_store import SqlQueueStore
    from app.settings import ensure_local_keys
    from app.users import user_store
    from app.worker_role import SPOOL_DIR
    from compliance.audit import AuditTrail
    from compliance.audit.spool_slots import recover_all

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_local_keys(settings)  # generated (into secrets.json) here when unset, then only read by the workers
    store = AuditTrail(
        settings.resolved_database_url,
        settings.audit_keyring,
        checkpoint_every=settings.audit_checkpoint_every,
        journal=settings.resolved_audit_journal,
    )
    try:
        store.create_schema()
        interrupted = recover_all(store, settings.data_dir / SPOOL_DIR)
        if interrupted:
            log.warning("recorded %d answers cut short by the last stop as interrupted", len(interrupted))
    finally:
        store.dispose()
    user_store(settings.resolved_database_url)
    if not settings.redis_url:
        SqlQueueStore(settings.resolved_database_url).dispose()

    async def checkpointer_tables() -> None:
        async with open_checkpointer(settings.resolved_checkpoint_url):
            pass

    asyncio.run(checkpointer_tables())


class Supervisor:
    def __init__(
        self, settings: Any, sock: socket.socket, workers: int, on_ready: Callable[[], None] | None = None
    ) -> None:
        self.settings = settings
        self.sock = sock
        self.workers = workers
        self.on_ready = on_ready
        self.processes: dict[int, asyncio.subprocess.Process] = {}
        self.stopping = asyncio.Event()
        self._private = Path(tempfile.mkdtemp(prefix="triage-"))  # 0700: only this user reaches the link
        self.link_path = self._private / "master.sock"
        self._metrics = self._private / "metrics"  # every worker's Prometheus values (app/routes/metrics.py)
        self._metrics.mkdir()

    async def run(self) -> int:
        with quiet_collector():  # what start-up made, kept out of the collector's walks (app/heap.py)
            return await self._run()

    async def _run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        broker = Broker(self._hub())
        SharedLimits(self.settings).install(broker)
        await broker.start(self.link_path)
        watchers: list[asyncio.Task[None]] = []
        try:
            starting = asyncio.ensure_future(asyncio.gather(*(self._start(i) for i in range(self.workers))))
            stop = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait((starting, stop), return_when=asyncio.FIRST_COMPLETED)
            if not starting.done():
                starting.cancel()
                return 0
            stop.cancel()
            if not all(starting.result()):
                log.error("a worker failed to start; stopping")
                return STARTUP_FAILURE
            log.info("workers ready", extra={"workers": self.workers})
            if self.on_ready is not None:
                self.on_ready()
            watchers = [asyncio.create_task(self._watch(i)) for i in range(self.workers)]
            await self.stopping.wait()
            return 0
        finally:
            self.stopping.set()
            for task in watchers:
                task.cancel()
            await self._stop_workers()
            await broker.close()
            shutil.rmtree(self._private, ignore_errors=True)

    def _hub(self) -> InProcessHub:
        """The authoritative registry; it keeps the queue in the database unless Redis carries it."""
        if self.settings.redis_url:
            return InProcessHub()
        from app.hub_store import SqlQueueStore

        return InProcessHub(store=SqlQueueStore(self.settings.resolved_database_url))

    async def _start(self, index: int) -> bool:
        """Start worker `index`; True once it accepts connections, False if it died first."""
        read_end, write_end = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "app.worker",
                "--index",
                str(index),
                "--link",
                str(self.link_path),
                "--fd",
                str(self.sock.fileno()),
                "--ready-fd",
                str(write_end),
                "--parent",
                str(os.getpid()),
                pass_fds=(self.sock.fileno(), write_end),
                process_group=0,  # a terminal's Ctrl-C reaches the master, which stops the workers once
                env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(self._metrics)},
            )
        finally:
            os.close(write_end)
        self.processes[index] = process
        return await _ready(read_end)

    async def _watch(self, index: int) -> None:
        """Restart worker `index` whenever it dies (not when stopping), waiting longer after each failed start."""
        failures = 0
        while True:
            process = self.processes[index]
            status = await process.wait()
            if self.stopping.is_set():
                return
            multiprocess.mark_process_dead(process.pid, str(self._metrics))
            log.error("worker exited; restarting it", extra={"worker": index, "status": status})
            await asyncio.sleep(RESTART_DELAYS_S[min(failures, len(RESTART_DELAYS_S) - 1)])
            if self.stopping.is_set():
                return
            failures = 0 if await self._start(index) else failures + 1

    async def _stop_workers(self) -> None:
        running = [p for p in self.processes.values() if p.returncode is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        if not running:
            return
        _, late = await asyncio.wait([asyncio.ensure_future(p.wait()) for p in running], timeout=STOP_GRACE_S)
        if late:
            log.error("workers did not stop in time; killing them", extra={"workers": len(late)})
            for process in running:
                if process.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
            await asyncio.wait([asyncio.ensure_future(p.wait()) for p in running])


async def _ready(fd: int) -> bool:
    """The worker writes one byte once it accepts connections; end of file first means it died."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", buffering=0)
    )
    try:
        return await reader.read(1) == b"1"
    finally:
        transport.close()


def serve(settings: Any, host: str, port: int, workers: int, on_ready: Callable[[], None] | None = None) -> int:
    """Run the service as a master and `workers` worker processes until stopped; the exit status."""
    import uvicorn

    from app.cli import UVICORN_OPTIONS

    try:
        prepare(settings)
    except Exception:
        log.exception("start-up failed")
        return STARTUP_FAILURE
    backlog = int(str(UVICORN_OPTIONS["backlog"]))
    sock = uvicorn.Config("app.main:create_app", host=host, port=port, backlog=backlog).bind_socket()
    try:
        return asyncio.run(Supervisor(settings, sock, workers, on_ready).run())
    finally:
        sock.close()
