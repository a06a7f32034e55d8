"""Measured numbers quoted in texts, rendered from the seed reports (docs/measurements/*.json): one number, one place.

A text (a claim's ``says``/``today``/``qualifier``, its Chinese twin, a README table) writes a field instead of a
copied range::

    {m:REPORT:PATH:STAT}          e.g. {m:mnist_mlp_seeds:tutorial_recipe/test_accuracy:range=.2%} -> 98.29-98.54%

- ``REPORT``: a report's file stem; a ``*`` glob joins several (``ch1_overfit_seeds*``: every backend's runs);
- ``PATH``: keys inside each seed's run, ``/``-separated (keys may hold dots and spaces; ``.`` is the whole run, for
  a reducer that combines several of its keys); a path that starts
  with ``@`` reads the report's ``constants`` instead; ``|reducer`` steps after it turn a list into one number
  (``REDUCERS``: ``first``, ``last``, ``min``, ``max``, ``peak_over_first``, ``x100``...);
- ``STAT``: ``range`` (min-max over the seeds), ``min``, ``max``, ``value`` (one number), ``n`` (how many
  seeds), with ``=`` and a Python format spec (``range=.3f``; ``%`` formats print the sign once).

``render`` resolves every field of a text (an unknown report, key or stat raises ``MeasuredFieldError``);
the ledger plugin renders each claim's texts when it records them.  ``threshold`` declares a lesson's
threshold next to the report key it was set from; ``tests/test_measurements.py`` checks that each sits on the
safe side of the worst recorded seed.  ``python -m ledger.measured`` rewrites the generated sections of
README.md and docs/measurements/backends.md (``--check`` only compares).
"""

from __future__ import annotations

import argparse
import fnmatch
import math
import re
import statistics
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reference.measurements import DIRECTORY, load_reports

ROOT = Path(__file__).resolve().parent.parent
FIELD = re.compile(r"\{m:([^{}:]+):([^{}:]+):([^{}]+?)\}")


class MeasuredFieldError(ValueError):
    """A field that names no report, no key or no known statistic."""


def _finite(values):
    return [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def _recovered(result, batch):
    def accuracy(size, rate):
        return result[size][f"{rate} lr"]["test_accuracy"]

    return (accuracy(batch, "scaled") - accuracy(batch, "fixed")) / (accuracy("16", "fixed") - accuracy(batch, "fixed"))


REDUCERS = {
    "first": lambda v: v[0],
    "last": lambda v: v[-1],
    "min": lambda v: min(_finite(v)),
    "max": lambda v: max(_finite(v)),
    "mean": lambda v: sum(v) / len(v),
    "peak_over_first": lambda v: max(_finite(v)) / v[0],  # a loss curve's worst point against its start
    "last_over_first": lambda v: v[-1] / v[0],
    "last_over_max": lambda v: v[-1] / max(_finite(v)),
    "one_minus": lambda v: 1 - v,
    "argmin_epoch": lambda v: 1 + min(range(len(v)), key=v.__getitem__),  # epochs counted from 1
    "last_over_min": lambda v: v[-1] / min(v),
    # share of the epochs after the lowest point in which the curve rises (spec: TOC1.3-overfitting)
    "rising_share_after_min": lambda v: (
        sum(b > a for a, b in zip(v[v.index(min(v)) :], v[v.index(min(v)) + 1 :]))
        / max(1, len(v) - 1 - v.index(min(v)))
    ),
    "augmented_gain": lambda v: v["augmented"]["test_accuracy"] - v["plain"]["test_accuracy"],
    # share of the test accuracy lost against batch 16 that scaling the rate recovers (spec: TOC1.4-batch-size)
    "recovered_256": lambda v: _recovered(v, "256"),
    "recovered_1024": lambda v: _recovered(v, "1024"),
    "step_ratios": lambda v: [b / a for a, b in zip(v, v[1:])],  # each layer's value over the one before it
    "first_over_last": lambda v: v[0] / v[-1],
    # a run's "with"/"without" pair (spec: TOC1.5 regularisation): path "." is the whole run
    "kernel_norm_ratio": lambda v: v["with"]["hidden1_kernel_norm"] / v["without"]["hidden1_kernel_norm"],
    "loss_gap_ratio": lambda v: v["with"]["loss_gap"] / v["without"]["loss_gap"],
    "eager_over_default": lambda v: v["run_eagerly"]["seconds"] / v["default"]["seconds"],  # TOC1.6
    "transfer_gain": lambda v: v["transfer"] - v["scratch"],  # TOC2.3-few-labels
    # TOC2.4-temperature-likelihood: how far T <= 0.5 sits above T = 1.0, and T = 0.2 over T = 0.5
    "low_temperature_lead": lambda v: (
        min(v["log_likelihood"]["0.2"], v["log_likelihood"]["0.5"]) - v["log_likelihood"]["1.0"]
    ),
    "t02_over_t05": lambda v: v["log_likelihood"]["0.2"] - v["log_likelihood"]["0.5"],
    # TOC4.3-cgan-interpolation: a seed's list of interpolation paths
    "max_step_ratio": lambda v: max(p["step_ratio"] for p in v),
    "single_crossings": lambda v: sum(p["crossings"] == 1 for p in v),
    "median_rank_correlation": lambda v: statistics.median(p["rank_correlation"] for p in v),
    # TOC4.3 CycleGAN: a run's gain over handing back the photo, and its cartoon cycle against the first leg's move
    "psnr_gain": lambda v: v["translation"]["psnr"] - v["identity"]["psnr"],
    "ssim_gain": lambda v: v["translation"]["ssim"] - v["identity"]["ssim"],
    "cartoon_cycle_ratio": lambda v: v["cartoon_cycle"] / v["cartoon_change"],
    # TOC4.3 style transfer: the tile-shuffled style image against the cat photo; the sum of both losses; colours
    "tile_style_ratio": lambda v: v["tiles_shuffled"]["style"] / v["cat_photo"]["style"],
    "tile_content_ratio": lambda v: v["tiles_shuffled"]["content"] / v["cat_photo"]["content"],
    "total_last_over_first": lambda v: (
        (v["content_loss"][-1] + v["style_loss"][-1]) / (v["content_loss"][0] + v["style_loss"][0])
    ),
    "colour_ratio": lambda v: v["result"] / v["content photo"],
    # TOC 5 (Kaggle): a run's table by model, its fold models and its confusions
    "cv_gaps": lambda t: [abs(t[m]["cv_mean"] - t[m]["holdout_fold_models"]) for m in ("knn", "mlp", "cnn")],
    "cv_stds": lambda t: [t[m]["cv_std"] for m in ("knn", "mlp", "cnn")],
    "cnn_lead": lambda t: t["cnn"]["cv_mean"] - max(t["knn"]["cv_mean"], t["mlp"]["cv_mean"]),
    "weak_holdouts": lambda t: [t["knn"]["holdout"], t["mlp"]["holdout"]],
    "mix_deficit": lambda t: t["cnn"]["holdout"] - t["ensemble"]["holdout"],
    "submitted_over_cv": lambda v: v["table"][v["submitted"]]["holdout"] - v["table"][v["submitted"]]["cv_mean"],
    "fold_average_gain_cnn": lambda v: v["table"]["cnn"]["holdout"] - max(v["fold_model_holdout"]["cnn"]),
    "fold_average_gain_others": lambda v: [
        v["table"][m]["holdout"] - max(v["fold_model_holdout"][m]) for m in ("knn", "mlp")
    ],
    "largest_cell_share": lambda c: c["largest (count, true, predicted)"][0][0] / c["errors"],
    "x100": lambda v: v * 100,
    "per_1e4": lambda v: v / 1e4,
    "neg": lambda v: -v,
}


@cache
def reports() -> dict[str, dict]:
    """Every seed report, by file stem (read once per process)."""
    return load_reports(DIRECTORY)


def _select(pattern: str) -> list[str]:
    names = sorted(n for n in reports() if fnmatch.fnmatchcase(n, pattern))
    if not names:
        raise MeasuredFieldError(f"no seed report matches {pattern!r} in {DIRECTORY}; known: {sorted(reports())}")
    return names


def _walk(value, keys: list[str]):
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.lstrip("-").isdigit():
            value = value[int(key)]
        else:
            raise KeyError(key)
    return value


def values(report: str, path: str) -> list[float]:
    """The numbers ``path`` names in each seed's run of the reports ``report`` matches (a list flattens)."""
    path, *steps = [p.strip() for p in path.replace("\\|", "|").split("|")]  # \| inside a Markdown table
    for step in steps:
        if step not in REDUCERS:
            raise MeasuredFieldError(f"unknown reducer {step!r} in {report}:{path}; known: {sorted(REDUCERS)}")
    found: list = []
    for name in _select(report):
        data = reports()[name]
        if path.startswith("@"):
            sources = [data.get("constants", {})]
            keys = path[1:].split("/")
        else:
            sources = list(data["runs"].values())
            keys = [] if path == "." else path.split("/")
        for source in sources:
            try:
                value = _walk(source, keys)
            except (KeyError, IndexError):
                continue  # a seed without this measurement (e.g. a recipe run on fewer seeds)
            for step in steps:
                value = REDUCERS[step](value)
            found.extend(value if isinstance(value, list) else [value])
    found = _finite(found)
    if not found:
        raise MeasuredFieldError(f"no run of {report!r} holds {path!r}")
    return found


def _fmt(value: float, spec: str) -> str:
    return format(value, spec) if spec else f"{value:g}"


def format_stat(numbers: list[float], stat: str) -> str:
    """``range=.2f`` -> '0.88-0.90' (one number when all agree); ``min``/``max``/``value``; ``n``."""
    kind, _, spec = stat.partition("=")
    if kind == "n":
        return str(len(numbers))
    if kind == "value":
        if len(set(numbers)) != 1:
            raise MeasuredFieldError(f"'value' needs one number; the runs hold {numbers}")
        return _fmt(numbers[0], spec)
    if kind in ("min", "max"):
        return _fmt(min(numbers) if kind == "min" else max(numbers), spec)
    if kind == "range":
        low, high = _fmt(min(numbers), spec), _fmt(max(numbers), spec)
        if low == high:
            return low
        if spec.endswith("%"):
            low = low.rstrip("%")
        signed = any(x.startswith(("-", "+")) for x in (low, high))
        return f"{low} to {high}" if signed else f"{low}-{high}"
    raise MeasuredFieldError(f"unknown statistic {stat!r}; use range, min, max, value or n (with =format)")


def resolve(report: str, path: str, stat: str) -> str:
    return format_stat(values(report, path), stat)


def render(text: str) -> str:
    """``text`` with every ``{m:...}`` field replaced by the numbers it names."""
    return FIELD.sub(lambda m: resolve(*m.groups()), text) if "{m:" in text else text


def fields(text: str) -> list[tuple[str, str, str]]:
    return FIELD.findall(text)


# Thresholds: each declared where a lesson defines it, against the report key it was set from.
@dataclass(frozen=True)
class Threshold:
    value: float
    report: str
    path: str
    side: str  # "below": every recorded seed measured above the threshold; "above": every one below it
    where: str


THRESHOLDS: list[Threshold] = []


def threshold(value: float, report: str, path: str, side: str = "below") -> float:
    """Declare a lesson's threshold beside the seed-report key it was set from; returns ``value``.

    ``side="below"``: the claim asserts the measurement stays above ``value`` (an accuracy floor), so every
    recorded seed must lie above it; ``side="above"``: a ceiling (a loss, a distance)."""
    if side not in ("below", "above"):
        raise ValueError(f"side is 'below' or 'above'; received {side!r}")
    caller = sys._getframe(1)
    THRESHOLDS.append(Threshold(value, report, path, side, f"{caller.f_globals.get('__name__')}:{caller.f_lineno}"))
    return value


# Generated sections of README.md and backends.md: between <!-- measured:NAME:begin --> and ...:end -->.
SECTION = re.compile(r"(<!-- measured:(\w+):begin -->\n)(.*?)(<!-- measured:\2:end -->)", re.S)
TEMPLATES = ROOT / "docs" / "measurements" / "templates"
DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "measurements" / "backends.md")


def rewrite(text: str) -> str:
    """Each generated section of ``text`` re-rendered from its template (docs/measurements/templates/NAME.md)."""

    def section(m: re.Match) -> str:
        template = (TEMPLATES / f"{m.group(2)}.md").read_text(encoding="utf-8")
        return m.group(1) + render(template) + m.group(4)

    return SECTION.sub(section, text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Render the measured sections of README.md and backends.md.")
    parser.add_argument("--check", action="store_true", help="only report sections that differ; exit 1 if any")
    args = parser.parse_args(argv)
    stale = []
    for path in DOCUMENTS:
        old = path.read_text(encoding="utf-8")
        new = rewrite(old)
        if new != old:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "stale" if args.check else "rewrote"
    print(f"{verb}: {', '.join(map(str, stale))}" if stale else "measured sections up to date")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
