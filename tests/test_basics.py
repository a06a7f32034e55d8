"""Unit checks of reference.basics (chapter 1 and the FAQ): every helper refuses bad input with a message naming it."""

import keras
import numpy as np
import pytest

from reference.basics import batch_size, splits, tf_and_keras, workflow
from reference.basics import compile_settings as cs
from reference.basics import keras2 as k2_probe
from reference.basics import keras2_idioms as k2
from reference.basics import persistence as ps
from reference.basics import regularisation as reg
from reference.basics import training_curves as curves


def test_probe_arguments_are_checked():
    """reference.basics.tf_and_keras rejects bad input with a message naming it (a helper, not a claim)."""
    with pytest.raises(ValueError, match="epochs must be at least 1, got 0"):
        tf_and_keras.train_tiny_model(epochs=0)
    with pytest.raises(ValueError, match="n must be at least 2, got 1"):
        tf_and_keras.separable_points(n=1)
    with pytest.raises(ValueError, match="names must be a sequence of dotted names, got the string 'Model'"):
        tf_and_keras.same_objects("Model")
    x, y = tf_and_keras.separable_points(n=100, seed=0)
    assert x.shape == (100, 2) and set(y.tolist()) == {0.0, 1.0}


def test_keras2_probe_rewrites_only_the_imports():
    """reference.basics.keras2 points a Keras 2 snippet's imports at tf_keras and nothing else (no TensorFlow here)."""
    code = (
        "import keras\nfrom keras.models import Input, Model\nfrom keras import backend as K\nx = keras.layers.Dense(3)"
    )
    assert k2_probe.as_tf_keras(code) == (
        "import tf_keras as keras\nfrom tf_keras.models import Input, Model\nfrom tf_keras import backend as K\n"
        "x = keras.layers.Dense(3)"
    )
    assert k2_probe.as_tf_keras("    import keras.layers.merge") == "    import tf_keras.layers.merge"
    assert k2_probe.as_tf_keras("import keras_cv") == "import keras_cv"
    with pytest.raises(ValueError, match="expected Keras 2 source code, received ''"):
        k2_probe.as_tf_keras("")
    error = k2_probe._error(ImportError("cannot import name 'Input' from 'tf_keras.models' (/x/tf_keras/models.py)"))
    assert error == {"error": "ImportError", "message": "cannot import name 'Input' from 'tf_keras.models'"}


def test_workflow_helpers_reject_bad_input():
    """reference.basics.workflow's errors name what was received (a helper check, not a claim)."""
    with pytest.raises(ValueError, match=r"n_train must be in 1\.\.60000 and n_test in 1\.\.10000, got 0 and 1000"):
        workflow.mnist_subset(0)
    with pytest.raises(ValueError, match="hidden and inputs must be positive, got hidden=0, inputs=784"):
        workflow.build_mlp(hidden=0)
    with pytest.raises(ValueError, match=r"filters must be two positive counts, got \(8,\)"):
        workflow.build_small_cnn((8,))
    with pytest.raises(ValueError, match="epochs must be at least 1, got 0"):
        workflow.run_workflow(epochs=0)
    (x, y), (x_test, y_test) = workflow.mnist_subset(20, 10, seed=3, flat=False)
    (x_again, _), _ = workflow.mnist_subset(20, 10, seed=3, flat=False)
    assert x.shape == (20, 28, 28, 1) and x_test.shape == (10, 28, 28, 1) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0 and np.array_equal(x, x_again) and y.dtype == np.int64


def test_training_curve_helpers_reject_bad_input():
    """reference.basics.training_curves names what was wrong (a helper check, not a claim)."""
    with pytest.raises(ValueError, match=r"rates must be positive learning rates, got \(0\.0,\)"):
        curves.lr_sweep(rates=[0.0])
    with pytest.raises(ValueError, match="need n_train >= 10 and epochs >= 2, got n_train=5, epochs=30"):
        curves.overfitting_curve(n_train=5)
    with pytest.raises(ValueError, match="need n_train >= 10 and epochs >= 2, got n_train=10, epochs=1"):
        curves.overfitting_curve(n_train=10, epochs=1)
    assert len(curves.overfitting_curve(n_train=10, epochs=2)["val_loss"]) == 2  # the smallest run allowed
    with pytest.raises(ValueError, match="val_loss is empty"):
        curves.val_loss_turning_epoch([])
    assert curves.val_loss_turning_epoch([0.9, 0.5, 0.7, 0.6]) == 2


def test_split_helpers_reject_bad_input():
    """reference.basics.splits names what was wrong (a helper check, not a claim)."""
    with pytest.raises(ValueError, match="fraction must be strictly between 0 and 1, got 1.5"):
        splits.tail_split(np.zeros(10), np.zeros(10), 1.5)
    with pytest.raises(ValueError, match="10 examples but 9 labels"):
        splits.stratified_split(np.zeros(10), np.zeros(9))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.9, got values from 0 to 10"):
        splits.class_proportions([0, 10])
    np.testing.assert_array_equal(splits.class_proportions([1, 1, 0, 3], classes=4), [0.25, 0.5, 0.0, 0.25])


def test_steps_per_epoch_rejects_bad_input():
    with pytest.raises(ValueError, match="n and batch_size must be positive integers, got n=10, batch_size=0"):
        batch_size.steps_per_epoch(10, 0)
    with pytest.raises(ValueError, match="need positive batch sizes and rate, got 0, 16, 0.01"):
        batch_size.scaled_learning_rate(0)
    assert batch_size.scaled_learning_rate(256) == pytest.approx(0.16)
    assert batch_size.BATCH_SIZES == (16, 64, 256, 1024) and batch_size.BASE_BATCH == 16  # the measured sweep


def test_regularisation_reference_rejects_bad_input():
    """reference.basics.regularisation says what it received and what it expected (a helper, not a tutorial claim)."""
    deep = reg.deep_mlp("sigmoid", depth=3)
    assert [layer.name for layer in deep.layers] == ["hidden1", "hidden2", "hidden3", "out"]
    assert deep.output_shape == (None, 10) and deep.input_shape == (None, 784)
    assert all(layer.activation.__name__ == "sigmoid" for layer in deep.layers[:-1])
    model = reg.deep_mlp("relu", depth=1, width=4, inputs=3, classes=2)
    cases = {
        "need 0 < n_train <= 50000 and 0 < n_val <= 10000; received n_train=0, n_val=2000": lambda: reg.mnist_subset(0),
        "depth=0": lambda: reg.deep_mlp("relu", depth=0),
        "probe_lr must be positive, received 0": lambda: reg.layer_gradient_norms(
            model, np.zeros((2, 3)), np.zeros(2), 0
        ),
        "2 inputs but 3 labels": lambda: reg.layer_gradient_norms(model, np.zeros((2, 3)), np.zeros(3)),
        "has no Dense layer": lambda: reg.layer_gradient_norms(
            keras.Sequential([keras.Input((3,)), keras.layers.ReLU()]), np.zeros((2, 3)), np.zeros(2)
        ),
        r"dropout must be in \[0, 1\), received 1.0": lambda: reg.classifier(dropout=1.0),
        "l2 must be >= 0, received -0.1": lambda: reg.classifier(l2=-0.1),
        "only L1, L2 and L1L2 are computed by hand, received OrthogonalRegularizer": lambda: reg.penalty_by_hand(
            keras.Sequential(
                [
                    keras.Input((3,)),
                    keras.layers.Dense(2, kernel_regularizer=keras.regularizers.OrthogonalRegularizer()),
                ]
            )
        ),
        r"expected a batch of feature vectors \(n, features\), received shape \(3,\)": lambda: reg.batchnorm_by_hand(
            np.zeros(3), 1.0, 0.0, 0.0, 1.0
        ),
        r"momentum must be in \[0, 1\], received 1.5": lambda: reg.moving_average(0.0, 1.0, 1.5),
    }
    for message, call in cases.items():
        with pytest.raises(ValueError, match=message):
            call()
    l1l2 = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L1L2(0.1, 0.2))]
    )
    kernel = keras.ops.convert_to_numpy(l1l2.layers[0].kernel).astype("float64")
    assert reg.penalty_by_hand(l1l2) == pytest.approx(0.1 * np.abs(kernel).sum() + 0.2 * np.square(kernel).sum())
    assert float(sum(keras.ops.convert_to_numpy(t) for t in l1l2.losses)) == pytest.approx(
        reg.penalty_by_hand(l1l2), rel=1e-5
    )


def test_compile_settings_reference_rejects_bad_input():
    """reference.basics.compile_settings says what it received and what it expected (a helper, not a tutorial claim)."""
    with pytest.raises(ValueError, match=r"shapes do not fit a linear layer: x \(4, 3\), y \(4, 2\), kernel \(5, 2\)"):
        cs.sgd_step_by_hand(np.zeros((4, 3)), np.zeros((4, 2)), np.zeros((5, 2)), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="n must be between 1 and 60000, received 0"):
        cs.mnist_digits(0)
    with pytest.raises(
        ValueError,
        match=r"only run_eagerly, jit_compile and steps_per_execution are compared; "
        r"received \['optimizer'\]",
    ):
        cs.train_with({"optimizer": "sgd"})
    with pytest.raises(ValueError, match="the two weight lists do not have the same shapes"):
        cs.largest_difference([np.zeros(2)], [np.zeros(3)])
    assert cs.largest_difference([np.zeros(2), np.ones(1)], [np.array([0.0, -0.5]), np.ones(1)]) == 0.5


def test_persistence_reference_rejects_bad_input(tmp_path):
    """reference.basics.persistence says what it received and what it expected (a helper, not a tutorial claim)."""
    with pytest.raises(ValueError, match="factor must be a finite number, received nan"):
        ps.Scale(float("nan"))
    with pytest.raises(ValueError, match="custom must be a Layer class, received 'Scale'"):
        ps.small_classifier(custom="Scale")
    with pytest.raises(ValueError, match="n must be between 1 and 60000, received 0"):
        ps.mnist_batch(0)
    with pytest.raises(
        ValueError, match=r"the native format needs a file name ending in \.keras, received '.*model\.h5'"
    ):
        ps.save_and_reload(ps.small_classifier(), tmp_path / "model.h5")
    with pytest.raises(ValueError, match="is not compiled: compile it with the same optimizer before loading"):
        ps.load_weights_and_optimizer(ps.small_classifier(), tmp_path / "model.weights.h5")
    with pytest.raises(ValueError, match=r"expected a file written by save_weights, ending in \.weights\.h5; received"):
        ps.load_weights_and_optimizer(ps.compiled_classifier(), tmp_path / "model.h5")


def test_keras2_idioms_reference_rejects_bad_input(tmp_path):
    """reference.basics.keras2_idioms: a snippet must be code; a row whose old code stops failing is reported."""
    with pytest.raises(ValueError, match="expected a snippet of Python code, received ''"):
        k2.run_snippet("", {})
    still_works = k2.Idiom(
        "made up", keras2="x = 1", outcome="error", raises=AttributeError, message="", keras3="result = 1", expected=1
    )
    with pytest.raises(AssertionError, match="made up: expected AttributeError, but the Keras 2 code ran"):
        k2.check_old(still_works, tmp_path)
    assert {row.outcome for row in k2.IDIOMS} <= set(k2.OUTCOMES)
    assert len({row.name for row in k2.IDIOMS}) == len(k2.IDIOMS)


def test_augmenter_accepts_no_augmentation_and_then_changes_nothing():
    # cosmic basics.augmentation `0 <= value` -> `0 < value`: 0 is a valid fraction and means "off"
    from reference.basics.augmentation import augmenter

    images = np.random.default_rng(0).uniform(size=(2, 28, 28, 1)).astype("float32")
    same = augmenter(rotation=0.0, translation=0.0, zoom=0.0, seed=0)(images, training=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(same), images, atol=1e-5)


def test_tiny_model_reports_its_last_epoch():
    # cosmic basics.tf_and_keras history[-1] -> history[1]: with one epoch the first epoch is the last
    result = tf_and_keras.train_tiny_model(epochs=1)
    assert result["first_loss"] == result["last_loss"] and 0 <= result["accuracy"] <= 1
