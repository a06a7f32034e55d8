"""The drift report's comparison (ledger.drift) on hand-made ledgers."""

import json

import pytest

from ledger import drift


@pytest.fixture(autouse=True)
def _seeded():
    """No keras needed here (overrides the unit checks' seeding fixture, which imports it)."""
    yield


def _claim(id, outcome="confirmed", evidence=(), detail="", backends=None):
    item = {
        "id": id,
        "verdict": "holds",
        "outcome": outcome,
        "detail": detail,
        "evidence": [list(e) for e in evidence],
        "test": f"spec/test_x.py::test_{id}",
    }
    if backends is not None:
        item["backends"] = backends
    return item


def _ledger(claims, keras="3.15.1", backend="tensorflow", partial=None):
    return {"versions": {"keras": keras, "backend": backend}, "claims": claims, "partial": partial}


def test_values_agree_within_float_noise_and_differ_beyond_it():
    # Check that the numbers inside an evidence line are compared at a relative 1e-3, the text around them exactly.
    assert drift.same_value("loss 0.12345 -> 0.05", "loss 0.123451 -> 0.05")
    assert not drift.same_value("[3.45, 31.19, 261.3]", "[3.45, 17.32, 98.64]")
    assert not drift.same_value("ValueError: a, b", "ValueError: a and b")
    assert drift.same_value("saved to /tmp/pytest-of-root/pytest-3/test_a0/m.keras", "saved to $TMP/m.keras")


def test_evidence_changes_list_both_sides():
    changes = drift.evidence_changes([["a", "1.0"], ["gone", "x"]], [["a", "2.0"], ["new", "y"]])
    assert changes == [
        {"key": "a", "pinned": "1.0", "measured": "2.0"},
        {"key": "gone", "pinned": "x", "measured": None},
        {"key": "new", "pinned": None, "measured": "y"},
    ]


def test_compare_groups_claims_by_what_happened():
    # Check that a run is compared with the snapshot's run on the same backend, and each claim lands in one group.
    pinned_jax = {"outcome": "confirmed", "detail": "", "evidence": [["v", "1"]]}
    snapshot = _ledger(
        [
            _claim("SAME", evidence=[("v", "1")]),
            _claim("DRIFT", evidence=[("returns", "per batch")]),
            _claim("CRASH"),
            _claim("DATA"),
            _claim("EVIDENCE", evidence=[("losses", "[3.45, 31.2]")]),
            _claim("SKIPPED"),
            _claim("PER-BACKEND", evidence=[("v", "9")], backends={"jax": pinned_jax}),
            _claim("NOT-RUN"),
        ]
    )
    run = _ledger(
        [
            _claim("SAME", evidence=[("v", "1.0000001")]),
            _claim("DRIFT", "DRIFTED", [("returns", "running mean")], detail="assert 'running mean' == 'per batch'"),
            _claim("CRASH", "broken", detail="NotImplementedError: x"),
            _claim("DATA", "environment", detail="DatasetNotAvailable: checksum"),
            _claim("EVIDENCE", evidence=[("losses", "[3.45, 17.3]")]),
            _claim("SKIPPED", "skipped", detail="needs torch"),
            _claim("PER-BACKEND", evidence=[("v", "1")]),
            _claim("NEW", "DRIFTED", [("x", "1")], detail="assert 1 == 2"),
            _claim("NEW-FINE"),
        ],
        backend="jax",
    )
    report = drift.compare(snapshot, run)
    assert [(r["id"], r["group"]) for r in report] == [
        ("DRIFT", "DRIFTED"),
        ("NEW", "DRIFTED"),
        ("CRASH", "broken"),
        ("DATA", "environment"),
        ("EVIDENCE", "evidence"),
        ("SKIPPED", "other"),
    ]
    first = report[0]
    assert first["pinned outcome"] == "confirmed" and first["evidence changes"] == [
        {"key": "returns", "pinned": "per batch", "measured": "running mean"}
    ]
    assert report[1]["pinned outcome"] == "(not in the snapshot)"


def test_main_writes_the_report_at_the_top_of_the_runs_ledger(tmp_path):
    snapshot = _ledger([_claim("A", evidence=[("returns", "per batch")])])
    run = _ledger(
        [_claim("A", "DRIFTED", [("returns", "running mean")], detail="assert x")],
        keras="3.14.0",
        partial={"why": ["-m not slow"], "ran": 1, "of": None},
    )
    (tmp_path / "snapshot.json").write_text(json.dumps(snapshot), encoding="utf-8")
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "ledger.json").write_text(json.dumps(run), encoding="utf-8")
    (folder / "LEDGER.md").write_text("# The claims ledger\n\nbody\n", encoding="utf-8")
    assert drift.main([str(folder), "--pinned", str(tmp_path / "snapshot.json")]) == 1
    page = (folder / "LEDGER.md").read_text(encoding="utf-8").splitlines()
    assert page[0] == "# The claims ledger"
    assert page[2] == "## Drift report: Keras 3.14.0 against the snapshot (Keras 3.15.1), tensorflow"
    assert "1 claim cases measured (-m not slow)" in page[4] and "1 behaviour changed" in page[4]
    row = next(line for line in page if line.startswith("| A |"))
    assert "returns: per batch" in row and "returns: running mean" in row and "outcome DRIFTED: assert x" in row
    assert page[-1] == "body"
    assert json.loads((folder / "drift.json").read_text())["claims"][0]["group"] == "DRIFTED"
    assert (folder / "DRIFT.md").read_text().startswith("# Drift report")


def test_release_matrix_keeps_the_claims_whose_outcome_varies():
    from ledger import releases

    runs = {
        "3.15.1": _ledger([_claim("TOB"), _claim("SAME"), _claim("CRASH")]),
        "3.8.0": _ledger([_claim("TOB", "DRIFTED", detail="running mean"), _claim("SAME"), _claim("CRASH", "broken")]),
        "3.12.4": _ledger([_claim("TOB", "DRIFTED", detail="running mean"), _claim("SAME"), _claim("CRASH")]),
    }
    rows = releases.matrix(runs)
    assert [(r["id"], list(r["outcomes"].values()), r["changed in"]) for r in rows] == [
        ("CRASH", ["broken", "confirmed", "confirmed"], ["3.12.4"]),
        ("TOB", ["DRIFTED", "DRIFTED", "confirmed"], ["3.15.1"]),
    ]
    assert rows[1]["details"] == {"3.8.0": "running mean", "3.12.4": "running mean"}
    page = releases.render_matrix(runs, rows, "not slow")
    assert "| TOB | DRIFTED | DRIFTED | confirmed | 3.15.1 | 3.8.0: running mean; 3.12.4: running mean |" in page
