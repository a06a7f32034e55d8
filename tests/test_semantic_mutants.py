"""The semantic mutant catalogue (tools/semantic_mutants.toml) stays applicable to the code it mutates.

Quick: no test runs.  For every entry, check that its ``find`` occurs exactly once in its file (so the
mutation tool knows where to apply it, and the code has not moved under it), that the mutated file still
parses, and that the catalogue covers every chapter of ``reference/`` as issue 25 asks.  Also the tool's
pool (``--jobs``): each running job holds a copy of the tree no other job holds, and Ctrl-C stops them all;
and ``--survivors-of``, which reruns a report's survivors.
"""

from __future__ import annotations

import ast
import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "tools" / "semantic_mutants.toml"
MUTANTS = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["mutant"]
CHAPTERS = ("shared", "ch1", "ch2", "ch3", "ch4", "ch5")
FIELDS = {"id", "chapter", "file", "function", "find", "replace", "why"}


@pytest.fixture(autouse=True)
def _seeded():
    """No model runs here: the shared autouse fixture (Keras seeding, clear_session) is replaced by a no-op."""
    yield


def test_catalogue_size_per_chapter():
    # Check that every chapter has at least 8 mutants and the catalogue at least 100 (issue 25).
    per_chapter = Counter(m["chapter"] for m in MUTANTS)
    assert set(per_chapter) == set(CHAPTERS), per_chapter
    assert min(per_chapter.values()) >= 8, per_chapter
    assert len(MUTANTS) >= 100


def test_ids_unique_and_fields_complete():
    ids = Counter(m["id"] for m in MUTANTS)
    assert [i for i, n in ids.items() if n > 1] == []
    for m in MUTANTS:
        assert FIELDS <= set(m), (m.get("id"), FIELDS - set(m))
        assert set(m) <= FIELDS | {"equivalent"}, (m["id"], set(m) - FIELDS)
        assert m["find"] != m["replace"], m["id"]
        assert m["file"].startswith("reference/") and m["file"].endswith(".py"), m["id"]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["id"] for m in MUTANTS])
def test_mutant_applies_once_and_parses(mutant):
    source = (ROOT / mutant["file"]).read_text(encoding="utf-8")
    try:
        ast.parse(source, filename=mutant["file"])
    except SyntaxError as error:  # someone is editing the file: not the catalogue's fault
        pytest.skip(f"{mutant['file']} does not parse before mutation: {error}")
    assert source.count(mutant["find"]) == 1, f"{mutant['id']}: `find` must occur exactly once in {mutant['file']}"
    mutated = source.replace(mutant["find"], mutant["replace"], 1)
    assert mutated != source
    ast.parse(mutated, filename=mutant["file"])


def test_driver_locates_every_mutant():
    # Check that the mutation tool finds each entry's module and the lines its `find` spans.
    from tools.mutation_testing import LEFT_OUT, _module_name, load_semantic

    modules = sorted({_module_name(ROOT / m["file"], ROOT).partition(".")[2] for m in MUTANTS})
    LEFT_OUT.clear()
    located = {m.job_id: m for m in load_semantic(ROOT, modules)}
    assert set(located) == {m["id"] for m in MUTANTS}
    for entry in MUTANTS:
        m = located[entry["id"]]
        lines = (ROOT / entry["file"]).read_text(encoding="utf-8").splitlines()
        first = entry["find"].splitlines()[0]
        assert first in lines[m.line - 1], (entry["id"], m.line)
        assert m.end_line - m.line == entry["find"].rstrip("\n").count("\n")


def test_jobs_each_hold_their_own_copy(tmp_path):
    # Check that --jobs N runs every mutant once, never two at a time in the same copy, and reports each in
    # the calling thread (the progress lines) as it finishes.
    import threading
    import time

    from tools.mutation_pool import copies, run_all

    assert copies(tmp_path, 1) == [tmp_path / "work"]
    workdirs = copies(tmp_path, 3)
    assert workdirs == [tmp_path / "work-0", tmp_path / "work-1", tmp_path / "work-2"]
    lock, holders, ran, done, overlap = threading.Lock(), {}, [], [], []

    def job(item, workdir):
        with lock:
            if workdir in holders:
                overlap.append((item, holders[workdir]))
            holders[workdir] = item
        time.sleep(0.01 * (item % 4))
        with lock:
            del holders[workdir]
            ran.append((item, workdir))

    run_all(range(20), workdirs, job, lambda item: done.append((item, threading.current_thread().name)))
    assert overlap == []
    assert sorted(item for item, _ in ran) == list(range(20))
    assert {workdir for _, workdir in ran} <= set(workdirs)
    assert sorted(item for item, _ in done) == list(range(20))
    assert {name for _, name in done} == {threading.current_thread().name}


def test_ctrl_c_stops_every_job_and_restores_its_copy(tmp_path):
    # Check that Ctrl-C (SIGINT, which reaches the main thread) kills every job's running subprocess, lets each
    # job restore its copy (Stopped), starts no queued mutant, and goes on as a KeyboardInterrupt.
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time

    from tools.mutation_pool import Stopped, copies, finished, run_all, start

    lock, running, events = threading.Lock(), [], []

    def job(item, workdir):
        events.append(("start", item))
        try:
            proc = start([sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.DEVNULL)
            with lock:
                running.append(item)
                if len(running) == 2:  # both jobs are in their pytest: press Ctrl-C
                    os.kill(os.getpid(), signal.SIGINT)
            proc.wait()
            finished(proc)
        except Stopped:
            events.append(("restored", item))
            raise

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("a signal reaches the main thread only")
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # a pytest-xdist worker may ignore SIGINT
    begun = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_all(["a", "b", "queued"], copies(tmp_path, 2), job, lambda item: None)
    finally:
        signal.signal(signal.SIGINT, before)
    assert time.monotonic() - begun < 30
    assert sorted(events) == [("restored", "a"), ("restored", "b"), ("start", "a"), ("start", "b")]


def test_survivors_of_a_report_are_read_by_key(tmp_path):
    """--survivors-of REPORT.json reruns only that report's survivors (after new pins); anything else exits in one line."""
    report = tmp_path / "mutation.json"
    rows = [{"key": "a", "outcome": "survived"}, {"key": "b", "outcome": "killed"}, {"key": "c", "outcome": "survived"}]
    report.write_text(json.dumps({"mutants": rows}))
    from tools import mutation_testing as mt

    assert [r["key"] for r in mt.survivor_rows(report)] == ["a", "c"]
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(SystemExit, match="not a mutation report"):
        mt.survivor_rows(tmp_path / "other.json")
