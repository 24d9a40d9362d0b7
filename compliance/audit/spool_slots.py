"""One spool directory per worker process, so that several processes on one data directory never share a spool or
a received-marker file (compliance/audit/spool.py: each file is written by one process only).

A single process uses `<base>` itself (as it always has). The worker processes of one service use
`<base>/worker-<n>`, each holding an exclusive `flock` on the slot's `.lock` file for as long as it lives: the
lock, not the number, says whether a slot is in use, and the kernel drops it the moment its process dies, however
it dies.

`recover_all` is the start-up sweep: for `<base>` and every slot whose lock it can take (no live process holds it),
it replays the spool and records each marked message without a turn entry as interrupted (`SpoolingTrail.recover`).
A service runs it once, before its workers start; a worker recovers its own slot again when it claims it (a worker
restarted after a crash).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

from compliance.audit.spool import SpoolingTrail
from compliance.audit.store import AuditTrail

log = logging.getLogger(__name__)

SLOT_PREFIX = "worker-"
LOCK_NAME = ".lock"
RETRY_S = 0.05


class SlotBusy(RuntimeError):
    """Another live process holds this spool slot."""


class SlotLock:
    """An exclusive hold on one spool directory, released by `release()` or by the process's death."""

    def __init__(self, directory: Path, fd: int) -> None:
        self.directory = directory
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def slot_dir(base: Path, index: int) -> Path:
    return base / f"{SLOT_PREFIX}{index}"


def lock_dir(directory: Path, wait_s: float = 0.0) -> SlotLock:
    """Hold `directory` (created 0700 if need be); `SlotBusy` when another process holds it after `wait_s`."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise SlotBusy(f"{directory} is in use by another process") from None
            time.sleep(RETRY_S)
            continue
        return SlotLock(directory, fd)


def claim(base: Path, index: int, wait_s: float = 10.0) -> SlotLock:
    """Worker `index`'s own slot, held until released or the process ends. Waits `wait_s` for a predecessor that
    is still dying to let go."""
    return lock_dir(slot_dir(base, index), wait_s)


def slots(base: Path) -> list[Path]:
    """The worker slots under `base`, in index order."""
    if not base.is_dir():
        return []
    found = {
        int(p.name.removeprefix(SLOT_PREFIX)): p
        for p in base.iterdir()
        if p.is_dir() and p.name.startswith(SLOT_PREFIX) and p.name.removeprefix(SLOT_PREFIX).isdigit()
    }
    return [found[index] for index in sorted(found)]


def recover_all(trail: AuditTrail, base: Path, *, wait_s: float = 5.0, include_base: bool = True) -> list[str]:
    """Recover `<base>` (unless `include_base` is False) and every worker slot no live process holds; the message
    ids recorded as interrupted. A slot still held after `wait_s` (a process of another service on the same data
    directory) is left to its holder."""
    directories = ([base] if include_base else []) + slots(base)
    interrupted: list[str] = []
    for directory in directories:
        if directory != base and not any(directory.iterdir()):
            continue
        try:
            held = lock_dir(directory, wait_s)
        except SlotBusy:
            log.warning("spool %s is held by another process; left to it", directory.name)
            continue
        try:
            spool = SpoolingTrail(trail, directory)
            try:
                interrupted += spool.recover()
            finally:
                spool.close()
        finally:
            held.release()
    return interrupted
