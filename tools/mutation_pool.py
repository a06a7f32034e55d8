"""Mutants N at a time (``--jobs N``), each job in a copy of the tree of its own.

A mutant is written into the files of the copy it runs in, so two jobs sharing a copy would see each other's
edits: each job holds one copy while its mutant runs, and hands it back, restored, when it is done.  Threads are
enough to drive the jobs: the work is in their pytest subprocesses.  The mutants are updated in place and the
reports are built from the sample's order, so they do not depend on N; only the progress lines come in the
order the mutants finish.

Ctrl-C reaches only the main thread (the pytest runs have sessions of their own, so the terminal's SIGINT
does not reach them): it kills every running pytest, each job then raises ``Stopped`` and restores its copy
on the way out, no queued mutant starts, and the KeyboardInterrupt goes on once every copy is restored.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

_STOP = threading.Event()
_LOCK = threading.Lock()  # a process starts, or the run stops, not both at once: none is missed by stop()
_RUNNING: set[subprocess.Popen] = set()


class Stopped(Exception):
    """Raised in a job whose pytest was killed by ``stop()``: its result means nothing."""


def copies(out: Path, jobs: int) -> list[Path]:
    """The copy each job owns: ``work`` for one job (as before ``--jobs``), ``work-0`` ... for more."""
    return [out / "work"] if jobs == 1 else [out / f"work-{i}" for i in range(jobs)]


def start(cmd: list[str], **popen) -> subprocess.Popen:
    """Popen in a process group of its own, known to ``stop()``; ``Stopped`` once the run is stopping."""
    with _LOCK:
        if _STOP.is_set():
            raise Stopped
        proc = subprocess.Popen(cmd, start_new_session=True, **popen)
        _RUNNING.add(proc)
        return proc


def finished(proc: subprocess.Popen) -> None:
    """Forget a process that has ended; ``Stopped`` if it ended because the run is stopping."""
    with _LOCK:
        _RUNNING.discard(proc)
    if _STOP.is_set():
        raise Stopped


def kill(proc: subprocess.Popen) -> None:
    """Kill the process and everything it started (TensorFlow, the subprocesses of a claim)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()


def stop() -> None:
    """Kill every running pytest and keep new ones from starting."""
    with _LOCK:
        _STOP.set()
        for proc in _RUNNING:
            kill(proc)


def run_all(items: Iterable, workdirs: list[Path], job: Callable, done: Callable) -> None:
    """``job(item, workdir)`` for every item, ``len(workdirs)`` at a time, each running job holding a workdir
    no other job holds; ``done(item)`` in the calling thread as each finishes (the progress lines, in the order they finish)."""
    _STOP.clear()
    free: queue.SimpleQueue[Path] = queue.SimpleQueue()
    for workdir in workdirs:
        free.put(workdir)

    def one(item):
        workdir = free.get()  # never waits: there are as many threads as workdirs
        try:
            job(item, workdir)
        finally:
            free.put(workdir)
        return item

    with ThreadPoolExecutor(len(workdirs), thread_name_prefix="mutant") as pool:
        try:
            for future in as_completed([pool.submit(one, item) for item in items]):
                done(future.result())
        except BaseException:  # Ctrl-C, or a job's own error
            pool.shutdown(wait=False, cancel_futures=True)  # no queued job starts
            stop()  # the running ones end, restoring their copies
            raise  # once the with block has waited for them
