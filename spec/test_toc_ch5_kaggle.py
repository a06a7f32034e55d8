"""Table of contents, chapter 5: a Kaggle project, the "Digit Recognizer" competition, worked offline.

Lesson for a newcomer: a Kaggle notebook is a discipline more than a model.  Read the CSVs, estimate
every candidate by stratified k-fold cross-validation (the CV mean is your honest guess of the hidden
score, its spread tells you whether two models really differ), submit the candidate the CV picks, and
check the submission's format before uploading (ids from 1, exactly the header ``ImageId,Label``).
Averaging the probabilities of several copies of a good model beats each copy; averaging in much
weaker models can lose to the best one alone.

The competition's 70,000 images are MNIST's, so ``reference.kaggle.digit_recognizer`` rebuilds its files
from MNIST (into build/, never committed) and keeps the test labels as the hidden scorer.  The document
never writes this chapter: every claim is the standard statement such a chapter makes, measured.
"""

import hashlib

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import KFold, StratifiedKFold

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.data import load_mnist
from reference.figures import plt
from reference.kaggle import digit_recognizer as kaggle
from spec.shared_runs import shared_run

# sha256 of the files write_competition_files builds (MNIST split with seed 2012): any change to the split,
# the column names or the CSV formatting changes them.
TRAIN_CSV_SHA256 = "5e1703555849dd98c15cb1f6c0b7726d239c2fb6b617f951d1ea9888752a2e31"
TEST_CSV_SHA256 = "faea6d5b51d2a3a4e7d8a72978d382144fe229dcda01ccc14d08b619ef302857"


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def files():
    return kaggle.write_competition_files()


@claim(
    "TOC5-competition-files",
    section="TOC 5",
    says="The Digit Recognizer competition gives train.csv (42,000 rows: a label column and 784 pixel columns, "
    "values 0-255) and test.csv (28,000 rows of pixels, no label); pandas reads them into arrays.",
    today="Holds for the files rebuilt from MNIST: 42,000 rows under the header label, pixel0 .. pixel783 and "
    "28,000 rows of pixel0 .. pixel783; uint8 pixels 0..255; 3,780-4,739 rows per digit; every one of MNIST's "
    "70,000 images appears exactly once, in the order the split seed fixes (the files are byte-for-byte "
    "reproducible: their checksums are pinned).",
    verdict=Verdict.HOLDS,
)
def test_competition_files(files, evidence):
    train_header = pd.read_csv(files / "train.csv", nrows=0).columns
    test_header = pd.read_csv(files / "test.csv", nrows=0).columns
    assert list(train_header) == ["label"] + [f"pixel{i}" for i in range(784)]
    assert list(test_header) == list(train_header[1:])
    # Every row of test.csv, and train.csv's first 3,000 (its whole content is pinned by checksum below; the
    # slow claims read all of it), compared with MNIST's arrays row by row.
    x, y = kaggle.read_train(files / "train.csv", nrows=3000)  # pd.read_csv, then the label column split off
    x_test = kaggle.read_test(files / "test.csv")
    rows = {name: (files / name).read_bytes().count(b"\n") - 1 for name in ("train.csv", "test.csv")}
    evidence("data rows in train.csv / test.csv", rows)
    evidence("first columns", list(train_header[:3]) + ["...", train_header[-1]])
    assert rows == {"train.csv": 42_000, "test.csv": 28_000} and x_test.shape == (28_000, 784)
    assert x.dtype == x_test.dtype == np.uint8 and x.max() == 255 and x.min() == 0
    (mnist_train, mnist_train_labels), (mnist_test, mnist_test_labels) = load_mnist()
    pooled = np.concatenate([mnist_train, mnist_test]).reshape(-1, 784)
    pooled_labels = np.concatenate([mnist_train_labels, mnist_test_labels])
    train_rows, test_rows = kaggle.competition_split()
    assert len(np.union1d(train_rows, test_rows)) == 70_000 and len(train_rows) == 42_000
    assert np.array_equal(x, pooled[train_rows[:3000]]) and np.array_equal(y, pooled_labels[train_rows[:3000]])
    assert np.array_equal(x_test, pooled[test_rows])
    counts = np.bincount(pooled_labels[train_rows], minlength=10)
    evidence("train.csv rows per digit 0-9", counts.tolist())
    assert counts.sum() == 42_000 and counts.min() > 3500  # every digit well represented (MNIST: 9-11% each)
    assert (_sha256(files / "train.csv"), _sha256(files / "test.csv")) == (TRAIN_CSV_SHA256, TEST_CSV_SHA256)
    with pytest.raises(
        ValueError, match=r"expected the columns label, pixel0 \.\. pixel783 \(785 columns\); received 784"
    ):
        kaggle.read_train(files / "test.csv")


def _write(frame, tmp_path, **to_csv):
    path = tmp_path / "submission.csv"
    frame.to_csv(path, **({"index": False} | to_csv))
    return path


def _good_submission(solution):
    """Perfect probabilities for the solution's labels, through make_submission."""
    return kaggle.make_submission(np.eye(10)[solution["Label"].to_numpy()])


# The mistakes that make Kaggle refuse an upload, each as a learner makes it, with the message ours gives.
MISTAKES = {
    "pandas index written too": (
        lambda s: s,
        {"index": True},
        r"header must be exactly ImageId,Label; received Unnamed: 0,ImageId,Label",
    ),
    "ids counted from 0": (
        lambda s: s.assign(ImageId=s["ImageId"] - 1),
        {},
        r"each of 1\.\.28000 exactly once \(ids start at 1\); received ids 0\.\.27999",
    ),
    "labels as floats": (
        lambda s: s.assign(Label=s["Label"].astype(float)),
        {},
        r"Label must hold integers; received dtype float64 \(first value 4\.0\)",
    ),
    "one-hot columns instead of a label": (
        lambda s: pd.DataFrame(np.eye(10, dtype=int)[s["Label"]]).assign(ImageId=s["ImageId"]),
        {},
        r"header must be exactly ImageId,Label; received 0,1,2",
    ),
    "validation rows, not test rows": (
        lambda s: s.head(9000),
        {},
        r"expected 28000 rows, one per test image; received 9000",
    ),
    "a label out of range": (
        lambda s: s.assign(Label=s["Label"].replace(9, 10)),
        {},
        r"Label must be a digit 0\.\.9; received values 0\.\.10",
    ),
}


@claim(
    "TOC5-submission-format",
    section="TOC 5",
    says="A submission is a CSV with the header ImageId,Label and one row per test image, ids starting at 1; "
    "Kaggle refuses a file that breaks the format and scores a valid one by accuracy.",
    today="Holds as our validator enforces Kaggle's rules: make_submission's file passes and scores 1.0 with "
    "the true labels; the usual mistakes (the pandas index written, ids from 0, float labels, one-hot columns, "
    "the wrong rows, a label 10) are each refused with a message naming it. The sample submission (all zeros) "
    "scores exactly the share of zeros in the test set.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_submission_format(mistake, files, tmp_path, evidence):
    solution = pd.read_csv(files / "solution.csv")
    good = _good_submission(solution)
    path = _write(good, tmp_path)
    assert path.read_text().startswith("ImageId,Label\n1,")
    assert kaggle.score_submission(path, solution) == 1.0
    zeros = kaggle.score_submission(files / "sample_submission.csv", solution)
    evidence("score of sample_submission.csv (all 0) = share of zeros in test.csv", round(zeros, 5))
    assert zeros == pytest.approx(np.mean(solution["Label"].to_numpy() == 0), abs=1e-12)
    change, to_csv, message = MISTAKES[mistake]
    with pytest.raises(kaggle.SubmissionError, match=message) as refused:
        kaggle.validate_submission(_write(change(good), tmp_path, **to_csv))
    evidence("refused with", str(refused.value))


@claim(
    "TOC5-stratified-folds",
    section="TOC 5",
    says="Stratified k-fold cross-validation keeps every class's share the same in each fold; use it for "
    "classification, and never split rows in file order when the file may be sorted by label.",
    today="Holds: on 9,000 train.csv rows (a stratified subset, class shares within 0.0001 of all 42,000), "
    "StratifiedKFold(3) keeps every class share within 0.0003 (one image) of the whole; a shuffled KFold drifts "
    "by {m:ch5_fold_balance_seeds:kfold_shuffled:range=.3f} ({m:ch5_fold_balance_seeds:kfold_shuffled:n} seeds), and KFold over label-sorted rows by {m:ch5_fold_balance_seeds:kfold_sorted_by_label:range=.2f} (whole classes "
    "missing from a fold).",
    verdict=Verdict.HOLDS,
)
def test_stratified_folds(files, evidence):
    labels = pd.read_csv(files / "train.csv", usecols=["label"])["label"].to_numpy()
    keep = kaggle.stratified_subset(labels, 9000, seed=0)
    y = labels[keep]
    subset_gap = np.abs(np.bincount(y, minlength=10) / len(y) - np.bincount(labels, minlength=10) / len(labels)).max()
    gaps = {
        "StratifiedKFold(3, shuffle)": kaggle.fold_balance(y, StratifiedKFold(3, shuffle=True, random_state=0)),
        "KFold(3, shuffle)": kaggle.fold_balance(y, KFold(3, shuffle=True, random_state=0)),
        "KFold(3) on label-sorted rows": kaggle.fold_balance(np.sort(y), KFold(3)),
    }
    evidence("largest class-share gap, 9,000-row subset vs all 42,000", round(float(subset_gap), 6))
    evidence("largest class-share gap, validation fold vs all rows", {k: round(v, 5) for k, v in gaps.items()})
    assert len(keep) == 9000 and subset_gap < 1 / 9000
    # Stratified: within one image per class of a 3,000-row fold.  Shuffled KFold, seeds 0-4
    # (docs/measurements/ch5_fold_balance_seeds.json): threshold half the smallest.
    assert gaps["StratifiedKFold(3, shuffle)"] <= 1 / 3000
    assert gaps["KFold(3, shuffle)"] > KFOLD_SHUFFLED_MIN_GAP
    assert gaps["KFold(3) on label-sorted rows"] > KFOLD_SORTED_MIN_GAP
    with pytest.raises(ValueError, match="rows must be at least 100 to keep every class; received 50"):
        kaggle.stratified_subset(labels, 50)


def _workflow():
    """The notebook, once per run (~1 min): 3-fold CV of kNN, MLP and CNN on 9,000 rows, each fold model
    predicting all 28,000 test rows; the CNN's fold average submitted."""

    def compute():
        result = kaggle.run_workflow(rows=9000, folds=3, epochs=3, seed=0)
        solution = pd.read_csv(kaggle.write_competition_files() / "solution.csv")
        return {
            "table": result.table,
            "fold_accuracy": result.cv.fold_accuracy,
            "test": result.cv.test,
            "oof": result.cv.oof,
            "folds": result.cv.folds,
            "cv_labels": result.cv.labels,
            "submitted": result.submitted,
            "submission": result.submission,
            "score": result.score,
            "test_labels": solution["Label"].to_numpy(),
        }

    return shared_run("ch5-kaggle-workflow", compute)


def _accuracy(probabilities, labels):
    return float(np.mean(np.asarray(probabilities).argmax(1) == labels))


# Shuffled KFold against label-sorted rows (docs/measurements/ch5_fold_balance_seeds.json): the largest class-share gap.
KFOLD_SHUFFLED_MIN_GAP = threshold(0.004, "ch5_fold_balance_seeds", "kfold_shuffled")
KFOLD_SORTED_MIN_GAP = threshold(0.2, "ch5_fold_balance_seeds", "kfold_sorted_by_label")
# The mix of all three kinds below the CNN alone, and the submission's errors in the largest confusion cells.
MIN_MIX_DEFICIT = threshold(0.001, "ch5_workflow_seeds*", "table|mix_deficit")
TOP_FIVE_MIN_SHARE = threshold(0.15, "ch5_workflow_seeds*", "confusions/share of the largest")
LARGEST_CELL_MIN_SHARE = threshold(3 / 90, "ch5_workflow_seeds*", "confusions|largest_cell_share")
# Measured over seeds 0-2 (docs/measurements/ch5_workflow_seeds.json, _torch.json), |CV mean - the fold models' mean
# held-out accuracy| per model ("cv_gaps").  Tolerance 0.015: over twice the worst.
CV_TOLERANCE = threshold(0.015, "ch5_workflow_seeds*", "table|cv_gaps", side="above")


@pytest.mark.slow
@claim(
    "TOC5-cv-estimate",
    section="TOC 5",
    says="The k-fold cross-validation score estimates the score on the hidden test set.",
    today="Holds: for every model the CV mean lies within 0.015 of what the same fold models score on the 28,000 "
    "held-out images (measured gaps {m:ch5_workflow_seeds:table|cv_gaps:range=.4f}, 3 TensorFlow seeds). The submitted fold average scores "
    "{m:ch5_workflow_seeds:.|submitted_over_cv:range=.3f} above "
    "its CV mean: averaging the folds is itself an ensemble, which the CV of single fold models does not see.",
    verdict=Verdict.HOLDS,
)
def test_cv_estimate(evidence):
    run = _workflow()
    table = run["table"]
    evidence(
        "table (CV over 3 folds of 9,000 rows; held-out = 28,000 test rows)", table.round(4).to_dict(orient="index")
    )
    for name in kaggle.MODELS:
        gap = abs(table.loc[name, "cv_mean"] - table.loc[name, "holdout_fold_models"])
        evidence(f"{name}: |CV mean - fold models on held-out|", round(float(gap), 4))
        assert gap < CV_TOLERANCE, name
        # Pin the table to the raw results: the held-out column is recomputed here from the fold predictions.
        singles = [_accuracy(p, run["test_labels"]) for p in run["test"][name]]
        assert table.loc[name, "holdout_fold_models"] == pytest.approx(np.mean(singles))
        assert table.loc[name, "cv_mean"] == pytest.approx(np.mean(run["fold_accuracy"][name]))
    submitted = run["submitted"]
    evidence(
        "submitted model: held-out minus CV mean",
        round(float(table.loc[submitted, "holdout"] - table.loc[submitted, "cv_mean"]), 4),
    )
    assert table.loc[submitted, "holdout"] > table.loc[submitted, "cv_mean"]


# CV mean per model, seeds 0-2: the CNN's lead over the next model ("cnn_lead").
CNN_LEAD = threshold(0.005, "ch5_workflow_seeds*", "table|cnn_lead")


@pytest.mark.slow
@claim(
    "TOC5-model-comparison",
    section="TOC 5",
    says="Compare candidate models by their cross-validation means and spreads in one table; on digit images a "
    "CNN beats a classical baseline and an MLP.",
    today="Holds: with 6,000 training rows per fold and 3 epochs, CNN {m:ch5_workflow_seeds:table/cnn/cv_mean:range=.3f}, kNN on 50 PCA "
    "components {m:ch5_workflow_seeds:table/knn/cv_mean:range=.3f}, MLP {m:ch5_workflow_seeds:table/mlp/cv_mean:range=.3f} (CV means, 3 TensorFlow seeds; fold spread "
    "{m:ch5_workflow_seeds:table|cv_stds:range=.3f}). The CV picks the CNN, and the "
    "held-out test agrees with the ranking. The CNN does it with 56,714 weights to the MLP's 203,530.",
    verdict=Verdict.HOLDS,
)
def test_model_comparison(evidence):
    run = _workflow()
    table = run["table"].loc[list(kaggle.MODELS)]
    evidence(
        "CV mean / spread", {m: f"{table.loc[m, 'cv_mean']:.4f} ± {table.loc[m, 'cv_std']:.4f}" for m in table.index}
    )
    assert run["submitted"] == "cnn"
    assert table.loc["cnn", "cv_mean"] > table.drop("cnn")["cv_mean"].max() + CNN_LEAD
    assert list(table.sort_values("cv_mean").index) == list(table.sort_values("holdout").index)
    sizes = {"mlp": kaggle.build_mlp().count_params(), "cnn": kaggle.build_cnn().count_params()}
    evidence("parameters", sizes)
    assert sizes == {"mlp": 203_530, "cnn": 56_714}
    fig, ax = plt.subplots(figsize=(4, 2.4))
    ax.barh(table.index, table["cv_mean"], xerr=table["cv_std"], color="#4c72b0", capsize=3, label="CV mean ± spread")
    ax.scatter(table["holdout"], table.index, color="#dd8452", zorder=3, label="held-out (fold average)")
    ax.set_xlim(0.9, 1.0)
    ax.set_xlabel("accuracy")
    ax.legend(fontsize=7, loc="lower left")
    evidence.figure(
        fig,
        "ch5_model_table",
        "Digit Recognizer: 3-fold CV mean and spread per model, and held-out score",
        caption_zh="Digit Recognizer：每个模型 3 折交叉验证的平均分与波动，以及留出集上的得分",
    )


# Held-out accuracy of the fold average minus the best single fold model, seeds 0-2, for the CNN and for kNN and MLP.
# Threshold under half the smallest.
ENSEMBLE_GAIN = threshold(0.0015, "ch5_workflow_seeds*", ".|fold_average_gain_cnn")
threshold(ENSEMBLE_GAIN, "ch5_workflow_seeds*", ".|fold_average_gain_others")


@pytest.mark.slow
@claim(
    "TOC5-ensemble-beats-best",
    section="TOC 5",
    says="Averaging the predicted probabilities of several models (an ensemble) scores at least as well as the "
    "best of them. (Leaderboard anchors: single CNNs around 0.995, large CNN ensembles 0.9976.)",
    today="Holds for models of one kind: the average of the 3 fold CNNs beats the best of them on the 28,000 "
    "held-out images by {m:ch5_workflow_seeds:.|fold_average_gain_cnn:range=.4f} (3 TensorFlow seeds), and so for kNN and MLP ("
    "{m:ch5_workflow_seeds:.|fold_average_gain_others:range=.4f}). Our CPU-sized CNN (6,000 rows, 3 epochs) "
    "stays below the leaderboard's 0.995, which needs all rows, augmentation and many epochs.",
    verdict=Verdict.HOLDS,
    qualifier="for members of similar strength",
)
def test_ensemble_beats_best(evidence):
    run = _workflow()
    labels = run["test_labels"]
    for name in kaggle.MODELS:
        singles = [_accuracy(p, labels) for p in run["test"][name]]
        averaged = _accuracy(kaggle.ensemble(list(run["test"][name])), labels)
        evidence(f"{name}: fold models / their average", f"{[round(s, 4) for s in singles]} / {averaged:.4f}")
        assert averaged > max(singles) + ENSEMBLE_GAIN, name
    with pytest.raises(ValueError, match=r"one shape; received \[\(2, 10\), \(3, 10\)\]"):
        kaggle.ensemble([np.zeros((2, 10)), np.zeros((3, 10))])


@pytest.mark.slow
@claim(
    "TOC5-ensemble-weak-members",
    section="TOC 5",
    says="Adding more models to an averaged ensemble always improves it.",
    today="Not here: averaging the fold-averaged kNN and MLP ({m:ch5_workflow_seeds:table|weak_holdouts:range=.3f}) in with the CNN's "
    "({m:ch5_workflow_seeds:table/cnn/holdout:range=.3f}), with equal weights, scores {m:ch5_workflow_seeds:table/ensemble/holdout:range=.3f}: "
    "{m:ch5_workflow_seeds:table|mix_deficit:range=.3f} below the CNN alone (3 TensorFlow seeds). The weaker members' confident mistakes outvote it. "
    "Cross-validation does not warn: the mix's CV mean ({m:ch5_workflow_seeds:table/ensemble/cv_mean:range=.3f}) is above the CNN's "
    "({m:ch5_workflow_seeds:table/cnn/cv_mean:range=.3f}), because a single fold CNN does gain from the mix; the averaged folds no longer do.",
    verdict=Verdict.REFUTED,
    qualifier="members of unequal strength, equal weights",
)
def test_ensemble_weak_members(evidence):
    run = _workflow()
    table = run["table"]
    evidence(
        "held-out: CNN fold average / all three kinds averaged",
        f"{table.loc['cnn', 'holdout']:.4f} / {table.loc['ensemble', 'holdout']:.4f}",
    )
    evidence(
        "held-out, single fold models: CNN / all three kinds",
        f"{table.loc['cnn', 'holdout_fold_models']:.4f} / {table.loc['ensemble', 'holdout_fold_models']:.4f}",
    )
    mix = kaggle.ensemble([run["test"][m].mean(0) for m in kaggle.MODELS])
    assert table.loc["ensemble", "holdout"] == pytest.approx(_accuracy(mix, run["test_labels"]))
    # The mix's CV estimate, from the out-of-fold probabilities averaged over the three kinds, fold by fold.
    oof = np.mean([run["oof"][m] for m in kaggle.MODELS], axis=0)
    per_fold = [_accuracy(oof[rows], run["cv_labels"][rows]) for rows in run["folds"]]
    evidence("CV mean: CNN / all three kinds", f"{table.loc['cnn', 'cv_mean']:.4f} / {np.mean(per_fold):.4f}")
    assert table.loc["ensemble", "cv_mean"] == pytest.approx(np.mean(per_fold))
    # The deficit per seed: "mix_deficit" in docs/measurements/ch5_workflow_seeds*.json.
    assert table.loc["ensemble", "holdout"] < table.loc["cnn", "holdout"] - MIN_MIX_DEFICIT


# Held-out score of the submitted CNN fold average, seeds 0-2 ("submission_score").
MIN_SCORE = threshold(0.965, "ch5_workflow_seeds*", "submission_score")


@pytest.mark.slow
@claim(
    "TOC5-submission-scored",
    section="TOC 5",
    says="The notebook ends by writing submission.csv from the chosen model's test predictions and uploading it "
    "to be scored.",
    today="Holds: the workflow's file passes the format check and scores {m:ch5_workflow_seeds:submission_score:range=.3f} against the "
    "held-out labels (3 TensorFlow seeds), exactly the accuracy of the chosen model's averaged test probabilities.",
    verdict=Verdict.HOLDS,
)
def test_submission_scored(evidence):
    run = _workflow()
    submission = run["submission"]
    evidence("submission head", submission.head(3).to_dict(orient="list"))
    evidence("score", round(run["score"], 5))
    assert list(submission.columns) == ["ImageId", "Label"] and len(submission) == 28_000
    assert submission["ImageId"].tolist() == list(range(1, 28_001))
    expected = run["test"][run["submitted"]].mean(0).argmax(1)
    assert np.array_equal(submission["Label"].to_numpy(), expected)
    assert run["score"] == pytest.approx(_accuracy(run["test"][run["submitted"]].mean(0), run["test_labels"]))
    assert run["score"] > MIN_SCORE


@pytest.mark.slow
@claim(
    "TOC5-confusion-matrix",
    section="TOC 5",
    says="A confusion matrix shows which digits a model mistakes for which; the errors concentrate on a few "
    "look-alike pairs.",
    today="Holds: the submission's {m:ch5_workflow_seeds*:confusions/errors:range} mistakes (of 28,000) crowd into a few of the 90 "
    "possible (true, predicted) cells: the five largest hold {m:ch5_workflow_seeds*:confusions/share of the largest:range=.0%} of them where an "
    "even spread would give 5.6%, and the largest alone {m:ch5_workflow_seeds*:confusions|largest_cell_share:range=.0%} (even: 1.1%), over 3 seeds "
    "on TensorFlow and on PyTorch (JAX's one run, in the evidence, is alike). Which look-alikes lead "
    "varies: 2 and 7 are among the five in 6 of those 7 runs, 4 and 9 in 5 (on JAX neither 4 nor 9 is).",
    verdict=Verdict.HOLDS,
)
def test_confusion_matrix(evidence):
    run = _workflow()
    labels, predicted = run["test_labels"], run["submission"]["Label"].to_numpy()
    matrix = confusion_matrix(labels, predicted, labels=range(10))
    errors = matrix.copy()
    np.fill_diagonal(errors, 0)
    top = sorted(((int(errors[t, p]), t, p) for t in range(10) for p in range(10) if t != p), reverse=True)[:5]
    share = sum(c for c, _, _ in top) / errors.sum()
    evidence("errors / 28,000", int(errors.sum()))
    evidence("five largest confusions (count, true, predicted)", top)
    evidence("their share of all errors", round(share, 3))
    assert np.trace(matrix) / matrix.sum() == pytest.approx(run["score"])
    assert matrix.sum(axis=1).tolist() == np.bincount(labels, minlength=10).tolist()
    # Seeds 0-2 on TensorFlow and PyTorch (ch5_workflow_seeds*.json, "confusions"): the share of the errors in the five
    # largest cells and in the largest.  An even spread gives 5 / 90 = 0.056 and 1 / 90 = 0.011.
    # The pairs themselves change with the seed and the backend, so no pair is asserted.
    assert share > TOP_FIVE_MIN_SHARE
    assert top[0][0] / errors.sum() > LARGEST_CELL_MIN_SHARE
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    shown = ax.imshow(np.log1p(matrix), cmap="Blues")
    for t in range(10):
        for p in range(10):
            if matrix[t, p]:
                ax.text(p, t, matrix[t, p], ha="center", va="center", fontsize=5, color="white" if t == p else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.colorbar(shown, ax=ax, label="log(1 + count)")
    evidence.figure(
        fig,
        "ch5_confusion",
        "Confusion matrix of the submission on the 28,000 held-out images",
        caption_zh="提交结果在 28,000 张留出图像上的混淆矩阵",
    )


# 中文版账本 (LEDGER.zh.md)
ZH = {
    "TOC5-competition-files": {
        "says": "Digit Recognizer 竞赛提供 train.csv（42,000 行：一列标签加 784 列像素，取值 0-255）和 test.csv"
        "（28,000 行像素，没有标签）；用 pandas 可以把它们读成数组。",
        "today": "对由 MNIST 重建的文件成立：pandas 读出 (42000, 785)，列名为 label、pixel0 .. pixel783，以及 (28000, 784)；"
        "像素在 0..255 之间；MNIST 的 70,000 张图像每张恰好出现一次，顺序由划分种子决定（文件逐字节可复现：校验和已固定在测试中）。",
    },
    "TOC5-submission-format": {
        "says": "提交文件是一个 CSV，表头为 ImageId,Label，每张测试图像一行，ImageId 从 1 开始；格式不对的文件会被 Kaggle 拒收，"
        "格式正确的文件按准确率评分。",
        "today": "成立（我们的校验器执行与 Kaggle 相同的规则）：make_submission 生成的文件能通过校验，配上真实标签得分 1.0；"
        "常见错误（把 pandas 的索引也写进文件、ImageId 从 0 开始、标签是浮点数、写成 one-hot 列、行数不对、出现标签 10）"
        "都会被拒收，报错信息指明问题所在。样例提交（全是 0）的得分恰好等于测试集中数字 0 所占的比例。",
    },
    "TOC5-stratified-folds": {
        "says": "分层 k 折交叉验证让每一折中各类别的比例保持一致；分类问题应当使用它，并且当文件可能按标签排序时，"
        "绝不能按文件顺序切分。",
        "today": "成立：在 train.csv 的 9,000 行上（分层抽取的子集，各类比例与全部 42,000 行相差不到 0.0001），"
        "StratifiedKFold(3) 使每个类别的比例与整体相差不超过 0.0003（一张图像）；打乱后的 KFold 偏差为 "
        "{m:ch5_fold_balance_seeds:kfold_shuffled:range=.3f}（{m:ch5_fold_balance_seeds:kfold_shuffled:n} 个种子），"
        "而对按标签排序的行做 KFold 偏差达 {m:ch5_fold_balance_seeds:kfold_sorted_by_label:range=.2f}（某些折中整类缺失）。",
    },
    "TOC5-cv-estimate": {
        "says": "k 折交叉验证的分数可以估计隐藏测试集上的分数。",
        "today": "成立：每个模型的交叉验证均值与同一批折模型在 28,000 张留出图像上的得分相差不超过 0.015"
        "（实测差距 {m:ch5_workflow_seeds:table|cv_gaps:range=.4f}，TensorFlow 上 3 个种子）。提交的各折平均模型比它的交叉验证均值高 {m:ch5_workflow_seeds:.|submitted_over_cv:range=.3f}："
        "对各折取平均本身就是一种集成，而单个折模型的交叉验证看不到这一点。",
    },
    "TOC5-model-comparison": {
        "says": "用一张表比较各候选模型的交叉验证均值和波动；在数字图像上，CNN 胜过经典基线和 MLP。",
        "today": "成立：每折 6,000 行训练数据、训练 3 个 epoch 时，CNN 为 {m:ch5_workflow_seeds:table/cnn/cv_mean:range=.3f}，50 个 PCA 分量上的 kNN 为 "
        "{m:ch5_workflow_seeds:table/knn/cv_mean:range=.3f}，MLP 为 {m:ch5_workflow_seeds:table/mlp/cv_mean:range=.3f}（交叉验证均值，TensorFlow 上 3 个种子；各折波动 {m:ch5_workflow_seeds:table|cv_stds:range=.3f}）。"
        "交叉验证选中 CNN，留出测试集上的排名与之一致。"
        "CNN 只用了 56,714 个权重，而 MLP 有 203,530 个。",
    },
    "TOC5-ensemble-beats-best": {
        "qualifier": "成员实力相近时",
        "says": "对几个模型的预测概率取平均（集成），得分至少不低于其中最好的那个。（排行榜参照：单个 CNN 约 0.995，"
        "大型 CNN 集成 0.9976。）",
        "today": "对同一类模型成立：3 个折 CNN 的平均在 28,000 张留出图像上比其中最好的一个高 {m:ch5_workflow_seeds:.|fold_average_gain_cnn:range=.4f}"
        "（TensorFlow 上 3 个种子），kNN 和 MLP 也是如此（提高 {m:ch5_workflow_seeds:.|fold_average_gain_others:range=.4f}）。"
        "我们为 CPU 缩小的 CNN（6,000 行、3 个 epoch）达不到排行榜上的 0.995，"
        "那需要全部数据、数据增强和很多个 epoch。",
    },
    "TOC5-ensemble-weak-members": {
        "qualifier": "成员实力不均、等权平均时",
        "says": "往平均集成里加入更多模型，总能让它变得更好。",
        "today": "这里不成立：把各折平均后的 kNN 和 MLP（{m:ch5_workflow_seeds:table|weak_holdouts:range=.3f}）与 CNN（{m:ch5_workflow_seeds:table/cnn/holdout:range=.3f}）"
        "等权平均，得分为 {m:ch5_workflow_seeds:table/ensemble/holdout:range=.3f}，比单独的 CNN 低 {m:ch5_workflow_seeds:table|mix_deficit:range=.3f}（TensorFlow 上 3 个种子）。"
        "较弱成员自信的错误压过了它。交叉验证并不会发出警告：这个组合的交叉验证均值（{m:ch5_workflow_seeds:table/ensemble/cv_mean:range=.3f}）"
        "反而高于 CNN（{m:ch5_workflow_seeds:table/cnn/cv_mean:range=.3f}），因为单个折的 CNN 确实能从组合中获益；而各折平均之后的 CNN 就不再获益了。",
    },
    "TOC5-submission-scored": {
        "says": "notebook 的最后一步是用选定模型对测试集的预测写出 submission.csv，并上传评分。",
        "today": "成立：工作流生成的文件通过格式检查，对留出标签的得分为 {m:ch5_workflow_seeds:submission_score:range=.3f}"
        "（TensorFlow 上 3 个种子），"
        "恰好等于所选模型平均后的测试概率的准确率。",
    },
    "TOC5-confusion-matrix": {
        "says": "混淆矩阵显示模型把哪些数字错认成哪些；错误集中在少数几对形状相似的数字上。",
        "today": "成立：提交结果在 28,000 张中错了 {m:ch5_workflow_seeds*:confusions/errors:range} 张，这些错误集中在 90 个可能的（真实，预测）"
        "格子中的少数几个里：最大的五个格子占全部错误的 {m:ch5_workflow_seeds*:confusions/share of the largest:range=.0%}，而均匀分布时只占 5.6%；"
        "最大的一个格子单独占 {m:ch5_workflow_seeds*:confusions|largest_cell_share:range=.0%}（均匀分布时为 1.1%）。"
        "以上来自 TensorFlow 和 PyTorch 上各 3 个随机种子（JAX 上的 1 次运行见证据，情况相同）。哪几对相似数字居首并不固定：在这 7 次运行中，"
        "2 和 7 有 6 次位列前五，4 和 9 有 5 次（在 JAX 上 4 和 9 都不在其中）。",
    },
}
