"""Unit checks of reference.kaggle: the recipe's settings observed with a spy, the results table hand-computed."""

import numpy as np
import pytest

from reference.kaggle import digit_recognizer as kaggle


def test_fit_predict_recipe(monkeypatch):
    """fit_predict compiles each Keras model with Adam at its own rate (MLP 2e-3, CNN 3e-3), sparse categorical
    cross-entropy, and trains with batch 32 (what TOC5-model-comparison measured; a helper check, not a claim)."""
    import keras

    seen = {}
    real_compile, real_fit = keras.Model.compile, keras.Model.fit

    def spy_compile(model, optimizer=None, loss=None, **kwargs):
        seen.setdefault(model.name, {}).update(
            rate=float(optimizer.learning_rate), loss=loss, optimizer=type(optimizer).__name__
        )
        return real_compile(model, optimizer=optimizer, loss=loss, **kwargs)

    def spy_fit(model, *args, **kwargs):
        pixels = np.asarray(args[0])
        seen[model.name].update(
            batch_size=kwargs.get("batch_size"),
            epochs=kwargs.get("epochs"),
            pixel_range=(float(pixels.min()), float(pixels.max())),
            pixel_shape=pixels.shape[1:],
        )
        return real_fit(model, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "compile", spy_compile)
    monkeypatch.setattr(keras.Model, "fit", spy_fit)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (64, 784)).astype("uint8"), np.arange(64) % 10
    for name in ("mlp", "cnn"):
        (probabilities,) = kaggle.fit_predict(name, x, y, [x[:5]], epochs=1)
        assert probabilities.shape == (5, 10) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    settings = sorted((s["optimizer"], s["rate"], s["loss"], s["batch_size"], s["epochs"]) for s in seen.values())
    assert {name: (s["pixel_range"], s["pixel_shape"]) for name, s in seen.items()} == {  # 0-255 scaled to 0-1
        kaggle.build_mlp().name: ((0.0, 1.0), (784,)),
        kaggle.build_cnn().name: ((0.0, 1.0), (28, 28, 1)),
    }
    assert settings == [
        ("Adam", pytest.approx(2e-3), "sparse_categorical_crossentropy", 32, 1),
        ("Adam", pytest.approx(3e-3), "sparse_categorical_crossentropy", 32, 1),
    ]
    assert kaggle.stratified_subset(y, 1000).tolist() == list(range(64))  # asking for more rows than exist: all of them
    with pytest.raises(ValueError, match="unknown model 'svm'; expected one of \\('knn', 'mlp', 'cnn'\\)"):
        kaggle.fit_predict("svm", x, y, [x])


def test_results_table_hand_computed():
    """results_table, ensemble and fold_accuracies on a 4-row, 2-fold, 2-model toy (helpers, not a tutorial claim)."""
    labels = np.array([0, 1, 0, 1])
    sure = np.eye(10)[labels]  # always right
    wrong_first = sure.copy()
    wrong_first[0] = np.eye(10)[1] * 0.6 + np.eye(10)[0] * 0.4  # row 0 (fold 1) wrong, but only just
    result = kaggle.CrossValidation(labels=labels, folds=[np.array([0, 1]), np.array([2, 3])])
    result.oof = {"a": sure * 0.3 + 0.07, "b": wrong_first}
    result.fold_accuracy = {"a": [1.0, 1.0], "b": [0.5, 1.0]}
    result.test = {"a": np.stack([sure, sure]), "b": np.stack([wrong_first, sure])}
    table = kaggle.results_table(result, test_labels=labels)
    assert list(table.index) == ["a", "b", "ensemble"]
    assert table.loc["b", "cv_mean"] == 0.75 and table.loc["b", "cv_std"] == pytest.approx(np.std([0.5, 1.0], ddof=1))
    assert table.loc["b", "holdout_fold_models"] == pytest.approx(0.875)  # 3/4 and 4/4
    assert table.loc["b", "holdout"] == 1.0  # averaged with the right fold model, row 0 is right again
    assert table.loc["ensemble", "cv_mean"] == 1.0  # model a's confident 0.37 outweighs b's 0.6 - 0.4
    assert kaggle.fold_accuracies(result, result.oof["b"]) == [0.5, 1.0]
    np.testing.assert_allclose(kaggle.ensemble([sure, wrong_first]), (sure + wrong_first) / 2)
    with pytest.raises(ValueError, match="needs at least one array"):
        kaggle.ensemble([])
