"""The schedule hint of ``pytest -n 2`` (tools/durations.py): durations read back from pytest's JUnit XML under
the node ids pytest uses, and test files ordered heaviest first, so the long trainings start first."""

import pytest

from tools import durations


@pytest.fixture(autouse=True)
def _seeded():
    """Replaces the shared seeding fixture (tests/conftest.py): nothing here needs Keras."""
    yield


def test_junit_class_names_become_node_ids(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="spec.test_s4_1_mnist" name="test_training_recipe" time="229.734"/>'
        '<testcase classname="tests.test_cli" name="test_types[positive_int-0]" time="0.004"/>'
        '<testcase classname="benchmarks.test_steps.TestMlp" name="test_fit" time="1.5"/>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    assert durations.from_junit(report) == {
        "benchmarks/test_steps.py::TestMlp::test_fit": 1.5,
        "spec/test_s4_1_mnist.py::test_training_recipe": 229.73,
        "tests/test_cli.py::test_types[positive_int-0]": 0.0,
    }


def test_files_are_ordered_by_the_sum_of_their_tests_and_unknown_tests_count_one_second():
    recorded = {"a.py::t1": 5.0, "a.py::t2": 5.0, "b.py::t1": 30.0, "c.py::t1": 0.5}
    nodes = ["a.py::t1", "a.py::t2", "b.py::t1", "c.py::t1", "c.py::new", "d.py::new"]
    assert durations.heaviest_files_first(nodes, recorded) == ["b.py", "a.py", "c.py", "d.py"]
    # only what is selected weighs: b's one test deselected, a leads
    assert durations.heaviest_files_first(["a.py::t1", "c.py::t1"], recorded)[0] == "a.py"


def test_the_committed_hint_names_tests_that_exist():
    recorded = durations.load()
    assert len(recorded) > 500 and all("::" in node and node.split("::")[0].endswith(".py") for node in recorded)
