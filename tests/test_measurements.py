"""Unit checks of the seed reports and the texts that quote them (ledger.measured): one number, one place."""

import importlib
import re
from pathlib import Path

import pytest

from ledger import measured
from reference.measurements import NOT_RECORDED, check_report, load_reports

ROOT = Path(__file__).resolve().parent.parent

# Lesson modules whose claim texts and threshold comments quote measured ranges only through fields.  The
# others still carry hand-copied ranges (issue 23, part 4: converted module by module).
TEMPLATED = [
    "spec.test_toc_ch1_2_workflow",
    "spec.test_toc_ch1_3_training",
    "spec.test_toc_ch1_4_data",
    "spec.test_toc_ch1_5_activations",
    "spec.test_toc_ch1_6_compile",
    "spec.test_toc_ch2_1_cnn",
    "spec.test_toc_ch2_2_rnn",
    "spec.test_toc_ch2_3a_transfer",
    "spec.test_toc_ch2_3b_detection",
    "spec.test_toc_ch2_4_text_generation",
    "spec.test_toc_ch3_clustering",
    "spec.test_toc_ch4_3_conditional_gan",
    "spec.test_toc_ch4_3_face_to_anime",
    "spec.test_toc_ch4_3_style_transfer",
    "spec.test_toc_ch5_kaggle",
    "spec.test_toc_gans",
    "spec.test_s4_1_mnist",
]
# Lessons whose thresholds are declared with threshold() but whose texts hold other ranges that are not
# measurements (Keras version spans such as "3.0-3.14"): their thresholds are checked, their texts not scanned.
THRESHOLDS_ONLY = [
    "spec.test_s4_2_4_dcgan_training_loop",
    "benchmarks.gate",  # the benchmark regression gate's bounds on its recorded ratios
]
# A hand-copied measured range: "98.29-98.54%", "0.70-0.71", "+0.5 to +1.1"; seed lists and digit spans
# ("seeds 0-2", "digits 0-4", "0-9") are not measurements.
COPIED_RANGE = re.compile(r"(?<![\w.{])\+?\d+\.\d+ ?(?:-|to) ?\+?\d+(?:\.\d+)?%?")


def _claims(module):
    for name in dir(module):
        marks = getattr(getattr(module, name), "pytestmark", [])
        for mark in marks:
            if mark.name == "claim":
                yield mark.kwargs


def _texts(module):
    for kwargs in _claims(module):
        for key in ("says", "today", "qualifier"):
            yield kwargs["id"], key, kwargs.get(key, "")
    for claim_id, zh in getattr(module, "ZH", {}).items():
        for key, text in zh.items():
            yield claim_id, f"{key}_zh", text


def test_every_seed_report_has_the_one_schema():
    """Every docs/measurements/*_seeds*.json is in reference.measurements' schema and says which Keras, backend
    and machine produced it (or that the old file did not record it)."""
    reports = load_reports()
    assert len(reports) >= 30
    for name, report in reports.items():
        check_report(report)
        machine = report["machine"]
        assert machine["backend"] in ("tensorflow", "jax", "torch", NOT_RECORDED), name
        assert machine["keras"] == NOT_RECORDED or re.fullmatch(r"3\.\d+\.\d+", machine["keras"]), name


def test_a_field_renders_min_max_over_the_seeds():
    """{m:report:path:stat} -> the range over the seeds, in the format asked for; unknown names fail loudly."""
    runs = measured.reports()["mnist_mlp_seeds"]["runs"]
    accuracies = [r["tutorial_recipe"]["test_accuracy"] for r in runs.values()]
    text = measured.render(
        "{m:mnist_mlp_seeds:tutorial_recipe/test_accuracy:range=.2%} over {m:mnist_mlp_seeds:tutorial_recipe/test_accuracy:n}"
    )
    assert text == f"{100 * min(accuracies):.2f}-{100 * max(accuracies):.2f}% over {len(accuracies)}"
    assert measured.format_stat([0.5, 0.5], "range=.1f") == "0.5"
    assert measured.format_stat([0.015, 0.02], "range=+.3f") == "+0.015 to +0.020"
    for bad in ("{m:no_such_report:x:range}", "{m:gan_seeds:no_such_key:range}", "{m:gan_seeds:untrained_fid:median}"):
        with pytest.raises(measured.MeasuredFieldError):
            measured.render(bad)


@pytest.mark.parametrize("module_name", TEMPLATED)
def test_claim_texts_cite_only_numbers_a_report_holds(module_name):
    """Every field in a lesson's claim texts (English and Chinese) resolves, and no measured range is copied by hand."""
    module = importlib.import_module(module_name)
    for claim_id, key, text in _texts(module):
        measured.render(text)  # raises on a field no report holds
        plain = measured.FIELD.sub("", text)
        assert not COPIED_RANGE.search(plain), f"{claim_id} {key}: hand-copied range {COPIED_RANGE.search(plain)[0]!r}"


def test_thresholds_sit_beyond_the_worst_recorded_seed():
    """Each threshold declared with ledger.measured.threshold lies on the safe side of every recorded seed."""
    for name in TEMPLATED + THRESHOLDS_ONLY:
        importlib.import_module(name)
    assert measured.THRESHOLDS
    for t in measured.THRESHOLDS:
        numbers = measured.values(t.report, t.path)
        worst = min(numbers) if t.side == "below" else max(numbers)
        safe = t.value < worst if t.side == "below" else t.value > worst
        assert safe, f"{t.where}: threshold {t.value} is not {t.side} the worst seed {worst} of {t.report}:{t.path}"


def test_committed_docs_match_their_measured_sections():
    """README.md's results table and backends.md's generated sections are what `make docs-numbers` writes."""
    for path in measured.DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        assert text == measured.rewrite(text), f"{path.name} is stale: run `make docs-numbers`"
