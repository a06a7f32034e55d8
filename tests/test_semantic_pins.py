"""Pins for the semantic mutants (tools/semantic_mutants.toml) the spec let through: quick, hand-checked.

Each test observes a behaviour that a plausible ML bug changes while every shape still checks out:
a leak shows as overlapping rows, a dropped scaling as pixels above 1, a wrong metric variant as a
non-zero score for a random labelling, a reordered CSV as a refused file.  The mutant each one kills is
named in its comment (``make mutants MUTANTS_FAMILY=semantic`` reruns them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def _seeded():
    """Most pins run no model: the shared autouse fixture (Keras import, clear_session) is not needed."""
    yield


# --------------------------------------------------------------------------- ch3: K-means and its scores


def test_random_init_draws_distinct_points_and_follows_the_seed():
    # ch3-random-init-with-replacement, ch3-random-init-seed-ignored, ch3-kmeanspp-seed-ignored
    from reference.clustering.kmeans import initial_centers

    x = np.arange(10, dtype="float32").reshape(5, 2)
    for seed in range(10):
        centers = initial_centers(x, 5, "random", seed=seed)
        assert sorted(map(tuple, centers)) == sorted(map(tuple, x))  # every point once: no duplicate centre
    data = np.random.default_rng(0).normal(size=(200, 2)).astype("float32")
    for init in ("random", "k-means++"):
        assert not np.array_equal(initial_centers(data, 3, init, seed=0), initial_centers(data, 3, init, seed=1))


def test_empty_cluster_keeps_its_centre():
    # ch3-empty-cluster-to-origin: a centre no point is nearest to stays where it was
    from reference.clustering.kmeans import kmeans

    x = np.array([[0.0], [1.0], [10.0], [11.0]], "float32")
    result = kmeans(x, 3, init=np.array([[0.5], [10.5], [100.0]], "float32"))
    np.testing.assert_allclose(np.sort(result.centers.ravel()), [0.5, 10.5, 100.0])


def test_final_labels_and_inertia_belong_to_the_returned_centres():
    # ch3-stale-final-labels, ch3-inertia-mean, ch3-argmin-wrong-axis, ch3-distance-centre-norm-dropped
    from reference.clustering.kmeans import kmeans

    x = np.random.default_rng(1).normal(size=(60, 2)).astype("float32")
    result = kmeans(x, 4, init="random", max_iter=1, seed=0)
    distances = ((x[:, None, :] - result.centers[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(result.labels, distances.argmin(1))
    assert result.inertia == pytest.approx(distances.min(1).sum(), rel=1e-4)


def test_scores_are_the_adjusted_and_normalised_variants():
    # ch3-rand-score-unadjusted (a random labelling's Rand index is ~0.8, its ARI ~0), ch3-mutual-info-unnormalised
    from reference.clustering.applications import scores

    rng = np.random.default_rng(0)
    truth = rng.integers(0, 10, 2000)
    random_scores = scores(truth, rng.integers(0, 10, 2000))
    assert abs(random_scores["ari"]) < 0.02
    same = scores(truth, (truth + 3) % 10)  # the same partition under other names
    assert same == {"ari": pytest.approx(1.0), "nmi": pytest.approx(1.0)}


def test_quantize_rounds_and_codebook_spans_the_pixel_range():
    # ch3-quantize-truncates, ch3-random-codebook-unit-range
    from reference.clustering.applications import quantize, random_codebook

    black = np.zeros((2, 2, 3), np.uint8)  # cosmic: clip(0, 255) -> clip(1, 255) would lift black to 1
    assert quantize(black, np.array([[0.0, 0.0, 0.0], [255.0, 255.0, 255.0]], "float32")).max() == 0
    image = np.full((2, 2, 3), 11, np.uint8)
    assert quantize(image, np.array([[10.6, 10.6, 10.6], [200.0, 0.0, 0.0]], "float32")).max() == 11
    codebook = random_codebook(50, seed=0)
    assert codebook.min() >= 0 and codebook.max() > 200


def test_embedding_is_the_code_not_the_reconstruction():
    # ch3-embedding-is-reconstruction: the codes have `dim` columns, not the input's
    from reference.clustering.applications import autoencoder_embedding

    x = np.random.default_rng(0).uniform(size=(64, 12)).astype("float32")
    assert autoencoder_embedding(x, dim=3, epochs=1).shape == (64, 3)


# --------------------------------------------------------------------------- ch5: the Kaggle files and workflow


def _frame(columns, rows=3, seed=0):
    values = np.random.default_rng(seed).integers(0, 10, size=(rows, len(columns)))
    return pd.DataFrame(values, columns=columns)


def test_csvs_with_reordered_columns_are_refused(tmp_path):
    # ch5-train-csv-columns-by-count, ch5-test-csv-columns-by-count: a file is read by name, so a reordered one is refused
    from reference.kaggle.digit_recognizer import PIXEL_COLUMNS, read_test, read_train

    reordered = ["label", PIXEL_COLUMNS[1], PIXEL_COLUMNS[0], *PIXEL_COLUMNS[2:]]
    _frame(reordered).to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(ValueError, match="expected the columns"):
        read_train(tmp_path / "train.csv")
    _frame(reordered[1:]).to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(ValueError, match="expected the columns"):
        read_test(tmp_path / "test.csv")
    _frame(["label", *PIXEL_COLUMNS]).to_csv(tmp_path / "ok.csv", index=False)
    pixels, labels = read_train(tmp_path / "ok.csv")
    assert pixels.shape == (3, 784) and labels.shape == (3,)


def test_submission_is_scored_by_image_id_not_by_row():
    # ch5-score-by-position, ch5-submission-ids-from-zero, ch5-validate-ids-zero-based, ch5-submission-argmax-wrong-axis
    from reference.kaggle.digit_recognizer import make_submission, score_submission

    probabilities = np.eye(10, dtype="float32")[[3, 1, 4, 1, 5]]
    submission = make_submission(probabilities)
    assert submission["ImageId"].tolist() == [1, 2, 3, 4, 5] and submission["Label"].tolist() == [3, 1, 4, 1, 5]
    solution = pd.DataFrame({"ImageId": [1, 2, 3, 4, 5], "Label": [3, 1, 4, 1, 9]})
    shuffled = submission.iloc[[4, 2, 0, 3, 1]].reset_index(drop=True)
    assert score_submission(submission, solution) == score_submission(shuffled, solution) == pytest.approx(0.8)


def test_a_short_submission_is_refused():
    # ch5-validate-short-file-accepted
    from reference.kaggle.digit_recognizer import SubmissionError, validate_submission

    with pytest.raises(SubmissionError, match="expected 5 rows"):
        validate_submission(pd.DataFrame({"ImageId": [1, 2, 3, 4], "Label": [0, 1, 2, 3]}), rows=5)


def test_ensemble_is_the_average():
    # ch5-ensemble-max
    from reference.kaggle.digit_recognizer import ensemble

    a, b = np.array([[0.9, 0.1]]), np.array([[0.1, 0.9]])
    np.testing.assert_allclose(ensemble([a, b, b]), [[1.1 / 3, 1.9 / 3]])


def test_competition_split_keeps_test_rows_out_of_train():
    # ch5-test-rows-from-train-pool
    from reference.kaggle.digit_recognizer import TEST_ROWS, TRAIN_ROWS, competition_split

    train, test = competition_split()
    assert len(set(train) | set(test)) == TRAIN_ROWS + TEST_ROWS


def test_inputs_are_scaled_and_upright():
    # ch5-unscaled-pixels, ch5-cnn-images-transposed
    from reference.kaggle.digit_recognizer import _inputs

    pixels = np.arange(784 * 2).reshape(2, 784) % 256
    images = _inputs("cnn", pixels.astype(np.uint8))
    np.testing.assert_allclose(images[1, :, :, 0], pixels[1].reshape(28, 28) / 255.0, rtol=1e-6)
    assert _inputs("mlp", pixels.astype(np.uint8)).max() <= 1.0


def test_cross_validation_fits_each_fold_without_its_validation_rows(monkeypatch):
    # ch5-fold-fitted-on-validation, ch5-fold-models-same-init, ch5-folds-seed-ignored
    from reference.kaggle import digit_recognizer as dr

    calls = []

    def fake_fit_predict(name, x_fit, y_fit, x_predict, epochs=3, seed=0, verbose=0):
        calls.append((set(x_fit[:, 0].tolist()), seed))
        return [np.full((len(x), 10), 0.1, "float32") for x in x_predict]

    monkeypatch.setattr(dr, "fit_predict", fake_fit_predict)
    x = np.arange(60)[:, None].repeat(784, axis=1)  # row i holds the value i: fit rows are readable
    y = np.arange(60) % 10
    result = dr.cross_validate(x, y, x[:4], models=("mlp",), folds=3, seed=5)
    for (fitted, _), valid in zip(calls, result.folds):
        assert not fitted & set(valid.tolist())
    assert len({seed for _, seed in calls}) == 3
    other = dr.cross_validate(x, y, x[:4], models=("mlp",), folds=3, seed=6)
    assert any(not np.array_equal(a, b) for a, b in zip(result.folds, other.folds))


def test_stratified_subset_and_fold_balance():
    # ch5-subset-not-stratified, ch5-fold-balance-wrong-denominator
    from sklearn.model_selection import KFold

    from reference.kaggle.digit_recognizer import fold_balance, stratified_subset

    labels = np.repeat(np.arange(10), [100, 100, 100, 100, 100, 100, 100, 100, 100, 300])
    keep = stratified_subset(labels, 120, seed=0)
    np.testing.assert_array_equal(np.bincount(labels[keep]), [10] * 9 + [30])
    sorted_labels = np.repeat(np.arange(10), 10)
    # unshuffled KFold on sorted labels: each validation fold holds two classes at 50 % each, overall share 10 %
    assert fold_balance(sorted_labels, KFold(5)) == pytest.approx(0.4)


# --------------------------------------------------------------------------- ch1: splits and subsets


def test_mnist_subset_test_images_come_from_the_test_split():
    # ch1-subset-test-from-train-pool, ch1-subset-unscaled, ch1-subset-with-replacement, ch1-subset-seed-ignored
    from reference.basics.workflow import mnist_subset
    from reference.data import load_mnist

    (x, _), (x_test, y_test) = mnist_subset(3000, 50, seed=0)
    _, (mnist_x_test, mnist_y_test) = load_mnist()
    known = {row.tobytes(): label for row, label in zip(mnist_x_test.reshape(-1, 784), mnist_y_test)}
    pixels = np.rint(x_test * 255).astype(np.uint8)
    assert all(known.get(row.tobytes()) == label for row, label in zip(pixels, y_test))
    assert x.max() <= 1.0
    assert len({row.tobytes() for row in x}) == len(x) or len(np.unique(x, axis=0)) > 2990
    (other, _), _ = mnist_subset(3000, 50, seed=1)
    assert not np.array_equal(x, other)


def test_splits_hold_out_the_right_part():
    # ch1-tail-split-wrong-side, ch1-stratified-split-not-stratified, ch1-stratified-split-parts-swapped,
    # ch1-sorted-by-label-unstable, ch1-class-proportions-over-classes
    from reference.basics.splits import class_proportions, sorted_by_label, stratified_split, tail_split

    x = np.arange(100)
    y = np.repeat(np.arange(10), 10)
    (x_train, _), (x_val, y_val) = tail_split(x, y, 0.2)
    assert x_train.tolist() == list(range(80)) and x_val.tolist() == list(range(80, 100))
    (x_train, y_train), (x_val, y_val) = stratified_split(x, y, 0.2, seed=0)
    assert len(x_train) == 80 and np.bincount(y_val).tolist() == [2] * 10
    _, y_sorted = sorted_by_label(x[::-1], y[::-1])
    assert y_sorted.tolist() == sorted(y.tolist())
    np.testing.assert_allclose(class_proportions([0, 0, 1, 2]), [0.5, 0.25, 0.25] + [0.0] * 7)


def test_regularisation_validation_digits_are_not_training_digits():
    # ch1-regularisation-validation-overlaps-training
    from reference.basics.regularisation import mnist_subset

    (x, _), (x_val, _) = mnist_subset(200, 200)
    seen = {row.tobytes() for row in x}
    assert sum(row.tobytes() in seen for row in x_val) == 0


def test_by_hand_formulas():
    # ch1-moving-average-swapped, ch1-batchnorm-epsilon-outside-sqrt, ch1-turning-epoch-zero-based,
    # ch1-linear-scaling-inverted, ch1-steps-drop-last-batch, ch1-sgd-by-hand-mean-over-batch-only
    from reference.basics.batch_size import scaled_learning_rate, steps_per_epoch
    from reference.basics.compile_settings import sgd_step_by_hand
    from reference.basics.regularisation import batchnorm_by_hand, moving_average
    from reference.basics.training_curves import val_loss_turning_epoch

    assert moving_average(0.0, 1.0, 0.99) == pytest.approx(0.01)
    assert batchnorm_by_hand([[3.0]], 1.0, 0.0, 1.0, 3.0, epsilon=1.0)[0, 0] == pytest.approx(1.0)
    assert val_loss_turning_epoch([3.0, 2.0, 1.0, 2.0]) == 3
    assert scaled_learning_rate(64, base_lr=0.01, base_batch=16) == pytest.approx(0.04)
    assert steps_per_epoch(10, 3) == 4
    # one output column per example row, two outputs: the mean runs over n * k = 4 terms
    kernel, bias = sgd_step_by_hand([[1.0], [0.0]], [[1.0, 1.0], [0.0, 0.0]], [[0.0, 0.0]], [0.0, 0.0], 1.0)
    np.testing.assert_allclose(kernel, [[0.5, 0.5]])
    np.testing.assert_allclose(bias, [0.5, 0.5])


def test_augmentation_layers_are_in_front_and_shift_both_axes():
    # ch1-augmentation-never-applied, ch1-augmentation-horizontal-only, ch1-augmented-copies-inference-mode
    from reference.basics.augmentation import augmented_copies, augmenter, build_cnn

    translation = augmenter(translation=0.08).layers[1]
    assert (translation.height_factor, translation.width_factor) == (0.08, 0.08)
    assert build_cnn(True).layers[0].name == "augmentation"
    image = np.zeros((28, 28, 1), "float32")
    image[10:18, 12:16] = 1.0
    copies = augmented_copies(image, copies=4, seed=0)
    assert any(not np.allclose(copy, image) for copy in copies)


# --------------------------------------------------------------------------- ch2: vision and sequences


def test_sequence_data_helpers():
    # ch2-text-held-out-trained-on, ch2-text-targets-not-shifted, ch2-temperature-multiplied,
    # ch2-unigram-entropy-bits, ch2-adding-markers-same-half, ch2-rows-unscaled
    from reference.sequence.rnn import adding_problem, mnist_rows
    from reference.sequence.text_generation import reweight, split_corpus, training_windows, unigram_entropy

    train, held = split_corpus("abcdefghij", 0.2)
    assert (train, held) == ("abcdefgh", "ij")
    x, y = training_windows(np.arange(9), length=4)
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_allclose(reweight(np.array([0.25, 0.75]), 0.5), [0.1, 0.9])
    assert unigram_entropy("ab") == pytest.approx(np.log(2))
    inputs, _ = adding_problem(50, 10, seed=0)
    markers = inputs[..., 1]
    assert (markers[:, :5].sum(1) == 1).all() and (markers[:, 5:].sum(1) == 1).all()
    assert mnist_rows(np.full((1, 28, 28), 255, np.uint8)).max() == 1.0


def test_detection_box_arithmetic():
    # ch2-iou-union-double-counts, ch2-decode-boxes-unscaled, ch2-ink-box-exclusive-end
    from reference.vision.detection import decode_boxes, ink_box, iou

    assert iou([0, 0, 2, 2], [1, 1, 3, 3]) == pytest.approx(1 / 7)
    np.testing.assert_allclose(decode_boxes([[0.5, 0.0, 0.0, 0.5]], canvas=48), [[0, 0, 24, 24]])
    image = np.zeros((5, 5))
    image[1:3, 2] = 1
    assert ink_box(image) == (2, 1, 3, 3)


def test_vision_helpers():
    # ch2-cnn-unscaled, ch2-conv-params-one-bias, ch2-same-padding-floor, ch2-split-digits-reversed-labels
    from reference.vision.cnn import conv2d_param_count, conv_output_length, to_images
    from reference.vision.transfer import split_digits

    assert to_images(np.full((1, 28, 28), 255, np.uint8)).max() == 1.0
    assert conv2d_param_count(3, 32, 3) == 896
    assert conv_output_length(5, 3, 2, "same") == 3
    _, labels = split_digits(np.zeros((3, 28, 28), np.uint8), np.array([7, 5, 9]), digits=(5, 7, 9))
    assert labels.tolist() == [1, 0, 2]


# --------------------------------------------------------------------------- ch4: GAN pieces


def test_gan_losses_hand_computed():
    # ch4-generator-saturating-loss, ch4-smoothing-on-fake-labels, ch4-discriminator-labels-swapped
    import keras

    from reference.gans.dcgan import discriminator_loss, generator_loss

    bce = keras.losses.BinaryCrossentropy()
    p_real, p_fake = np.array([[0.9]], "float32"), np.array([[0.2]], "float32")
    assert float(generator_loss(bce, p_fake)) == pytest.approx(-np.log(0.2), rel=1e-4)
    expected = 0.5 * (-np.log(0.9) - np.log(0.8))
    assert float(discriminator_loss(bce, p_real, p_fake)) == pytest.approx(expected, rel=1e-4)


def test_discriminator_and_critic_layers():
    # ch4-discriminator-dropout-removed, ch4-critic-with-batchnorm
    from reference.gans.dcgan import build_discriminator

    discriminator = build_discriminator((28, 28, 1), width=0.125)
    assert [layer.rate for layer in discriminator.layers if type(layer).__name__ == "Dropout"] == [0.5]
    critic = build_discriminator((28, 28, 1), width=0.125, sigmoid=False)
    assert not any(type(layer).__name__ == "BatchNormalization" for layer in critic.layers)
    # cosmic: the document's 32x32 stack doubles its filters at each stride-2 convolution (64 -> 129 survived)
    cifar = build_discriminator((32, 32, 3))
    assert [layer.filters for layer in cifar.layers if type(layer).__name__ == "Conv2D"] == [64, 128, 256, 512]


def test_document_trainer_trains_on_the_right_labels(monkeypatch):
    # ch4-document-smoothing-reaches-generator, ch4-document-generator-targets-zero,
    # ch4-document-discriminator-not-frozen, ch4-instance-noise-dropped, ch4-instance-noise-clip-range
    from reference.gans.dcgan import DocumentStyleTrainer, build_discriminator, build_generator

    trainer = DocumentStyleTrainer(
        build_generator(image_shape=(28, 28, 1), width=0.125), build_discriminator((28, 28, 1), width=0.125)
    )
    seen = []

    def d_step(x, y):
        seen.append(("D", np.array(x), np.array(y), trainer.discriminator.trainable))
        return [0.5, 0.5]

    def g_step(z, y):
        seen.append(("G", None, np.array(y), trainer.discriminator.trainable))
        return 0.5

    monkeypatch.setattr(trainer.discriminator, "train_on_batch", d_step)
    monkeypatch.setattr(trainer.combined, "train_on_batch", g_step)
    real = np.random.default_rng(0).uniform(-1, 1, size=(8, 28, 28, 1)).astype("float32")
    trainer.train_step(real, np.random.default_rng(0))
    (d_real, x_real, y_real, _), (_, _, y_fake, _), (g, _, y_g, d_trainable_in_g) = seen
    assert (y_real == 1).all() and (y_fake == 0).all() and (y_g == 1).all()
    assert not d_trainable_in_g
    assert not np.allclose(x_real, real) and x_real.min() < 0 and x_real.max() <= 1


def test_wgan_pieces_hand_computed():
    # ch4-gp-penalises-norm-not-distance, ch4-gp-squared-norm, ch4-wasserstein-sign, ch4-clip-one-sided,
    # ch4-gp-one-eps-per-batch, ch4-wgan-one-critic-step
    import keras

    from reference.gans.dcgan import build_discriminator, build_generator
    from reference.gans.wgan import WGAN

    wgan = WGAN(
        build_generator(image_shape=(28, 28, 1), width=0.125),
        build_discriminator((28, 28, 1), width=0.125, sigmoid=False),
        clip_value=0.01,
        gp_weight=10.0,
    )
    assert wgan.critic_steps == 5
    loss, estimate = wgan._critic_loss(np.array([1.0, 1.0]), np.array([0.0, 0.0]), np.array([1.0, 3.0]))
    assert float(estimate) == pytest.approx(1.0) and float(loss) == pytest.approx(-1.0 + 10.0 * 2.0)
    norms = wgan._norms(keras.ops.ones((2, 2, 2, 1)))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(norms), [2.0, 2.0], rtol=1e-5
    )  # sqrt of 4 ones; the squared norm would be 4
    clipped = keras.ops.convert_to_numpy(wgan._clip([keras.ops.convert_to_tensor([-1.0, 1.0])])[0])
    np.testing.assert_allclose(clipped, [-0.01, 0.01])
    mixed = keras.ops.convert_to_numpy(wgan._mix(keras.ops.ones((16, 1, 1, 1)), keras.ops.zeros((16, 1, 1, 1))))
    assert len(np.unique(mixed.round(6))) > 1
    # ch4-gp-at-real-images: the penalty's gradient is taken between real and fake images, not at the real ones.
    # A critic exp(sum of pixels) has gradient norm 2 * exp(sum) on 2x2 images: 2 at the all-zero "real" images,
    # more at every point on the way to the all-one "fakes"
    critic = keras.Sequential(
        [
            keras.Input((2, 2, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(1, "exponential", kernel_initializer="ones"),
        ]
    )
    tiny = WGAN(keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Reshape((2, 2, 1))]), critic)
    norms = keras.ops.convert_to_numpy(
        tiny.gradient_norms(np.zeros((16, 2, 2, 1), "float32"), np.ones((16, 2, 2, 1), "float32"))
    )
    assert norms.min() > 2.0 and norms.max() > 3.0


def test_scaling_and_metrics_hand_computed():
    # ch4-scale-images-unit-range, ch4-fid-mean-not-squared, ch4-cgan-one-hot-shifted, ch4-gram-unnormalised,
    # ch4-relative-loss-not-relative, ch4-clip-pixels-unit-range
    import keras

    from reference.gans.conditional_gan import one_hot
    from reference.gans.dcgan import scale_images
    from reference.gans.metrics import frechet_distance
    from reference.gans.style_transfer import ClipPixels, _relative, gram_matrix

    np.testing.assert_allclose(scale_images(np.array([[[0, 255]]], np.uint8)).ravel(), [-1.0, 1.0])
    a = np.random.default_rng(0).normal(size=(4000, 2))
    assert frechet_distance(a, a + [2.0, 0.0]) == pytest.approx(4.0, abs=1e-3)
    assert one_hot(np.array([3])).argmax() == 3
    gram = keras.ops.convert_to_numpy(gram_matrix(keras.ops.ones((1, 2, 2, 3))))
    np.testing.assert_allclose(gram, np.ones((1, 3, 3)))
    target = keras.ops.convert_to_tensor(np.full((1, 4), 2.0, "float32"))
    assert float(_relative(keras.ops.zeros((1, 4)), target)) == pytest.approx(1.0)
    clipped = keras.ops.convert_to_numpy(ClipPixels()(keras.ops.convert_to_tensor([-5.0, 200.0, 300.0])))
    np.testing.assert_allclose(clipped, [0.0, 200.0, 255.0])  # cosmic: clip(w, 0, 255) -> clip(w, -1, 255)


def test_cartoon_helpers():
    # ch4-cyclegan-flip-wrong-axis, ch4-image-pool-never-returns-past, ch4-cartoonise-farthest-level
    from reference.gans.cartoon import ImagePool, cartoonise, with_flips

    images = np.random.default_rng(0).uniform(size=(2, 25, 25, 1)).astype("float32")
    np.testing.assert_array_equal(with_flips(images)[2:], images[:, :, ::-1])
    pool = ImagePool(2, np.random.default_rng(0))
    batches = [np.full((2, 1), float(i)) for i in range(20)]
    outputs = [pool(batch) for batch in batches]
    assert any(not np.array_equal(out, batch) for out, batch in zip(outputs, batches))
    flat = np.full((1, 25, 25), 0.5, "float32")
    assert np.unique(cartoonise(flat, np.array([0.1, 0.45, 0.9], "float32"))).tolist() == [pytest.approx(0.45)]


# --------------------------------------------------------------------------- shared: the top-level modules


def test_mnist_mlp_prepare_and_recipes():
    # shared-mlp-unscaled-pixels, shared-mlp-labels-shifted, shared-mlp-dropout-default, shared-classic-mlp-first-dropout-removed
    from reference.mnist_mlp import build_classic_mlp, build_mlp, prepare

    x, y = prepare(np.full((3, 28, 28), 255, np.uint8), np.array([1, 2, 3]))
    assert x.max() == 1.0 and y.argmax(1).tolist() == [1, 2, 3]
    assert [layer.rate for layer in build_mlp().layers if type(layer).__name__ == "Dropout"] == [0.5]
    assert [layer.rate for layer in build_classic_mlp().layers if type(layer).__name__ == "Dropout"] == [0.2, 0.2]


def test_construction_outputs():
    # shared-merge-swapped-branches, shared-binary-softmax-one-unit, shared-sequential-sigmoid-output, shared-score-head-sigmoid
    import keras

    from reference.construction import (
        functional_binary_classifier,
        multi_input_multi_output,
        sequential_classifier,
        two_branch_merge,
    )

    model = two_branch_merge("subtract", width=2)
    for name in ("left", "right"):
        model.get_layer(name).set_weights([np.eye(2, dtype="float32"), np.zeros(2, "float32")])
    out = model.predict([np.array([[5.0, 1.0]]), np.array([[2.0, 1.0]])], verbose=0)
    np.testing.assert_allclose(out, [[3.0, 0.0]])
    keras.utils.set_random_seed(0)
    probabilities = functional_binary_classifier().predict(np.random.default_rng(0).normal(size=(8, 32)), verbose=0)
    assert probabilities.max() - probabilities.min() > 0.01  # softmax over one unit is a constant (about 1)
    rows = sequential_classifier().predict(np.ones((2, 100)), verbose=0).sum(1)
    np.testing.assert_allclose(rows, [1.0, 1.0], rtol=1e-5)
    assert multi_input_multi_output().get_layer("score").activation is keras.activations.linear


def test_load_mnist_returns_writable_copies():
    # shared-mnist-shared-readonly-arrays
    from reference.data import load_mnist

    (x, _), _ = load_mnist()
    assert x.flags.writeable


# --------------------------------------------------------------------------- ch1: survivors of the full run


def test_compile_settings_digits_are_scaled_to_the_unit_range():
    # ch1-compile-digits-unscaled: the compile-settings experiments train on pixels in [0, 1], not 0-255
    from reference.basics.compile_settings import mnist_digits

    x, y = mnist_digits(64)
    assert x.shape == (64, 784) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() >= 0.0 and 0.9 < x.max() <= 1.0


def test_gradient_probe_measures_at_the_models_own_weights():
    # ch1-gradient-probe-fresh-weights: the probe's clone must take the model's weights, not a fresh draw.
    # With a zero kernel and bias a softmax layer predicts 1/2 for both classes, so the gradient of the mean
    # cross-entropy with respect to the kernel is X^T (1/2 - onehot(y)) / n, computed here by hand.
    import keras

    from reference.basics.regularisation import layer_gradient_norms

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.set_weights([np.zeros((3, 2), "float32"), np.zeros(2, "float32")])
    x = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0], [1.0, 1.0, 1.0]], "float32")
    y = np.array([0, 1, 1, 0])
    by_hand = np.linalg.norm(x.T @ (0.5 - np.eye(2)[y]) / len(x))
    assert layer_gradient_norms(model, x, y) == pytest.approx([by_hand], rel=1e-4)
    np.testing.assert_array_equal(model.get_weights()[0], 0.0)  # the model itself is left unchanged


def test_workflow_mlp_initialisation_follows_its_seed():
    # ch1-mlp-init-seed-ignored: build_mlp(seed=s) draws its kernels from s (same seed, same weights)
    from reference.basics.workflow import build_mlp

    first, again, other = (build_mlp(8, 4, seed=s).get_weights()[0] for s in (1, 1, 2))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_segment_colors_samples_its_pixels_from_its_seed():
    # ch3-segment-seed-ignored: with a 3-pixel sample and k=3 the palette is the sampled pixels themselves,
    # so the seed must change which colours come out
    from reference.clustering.applications import segment_colors

    image = np.random.default_rng(0).integers(0, 256, size=(10, 10, 3)).astype("uint8")
    palettes = {
        tuple(map(tuple, np.unique(segment_colors(image, 3, seed=s, sample=3).reshape(-1, 3), axis=0)))
        for s in range(4)
    }
    assert len(palettes) > 1


def test_autoencoder_codes_follow_their_seed():
    # ch3-autoencoder-seed-ignored: the autoencoder is initialised and trained from its seed
    from reference.clustering.applications import autoencoder_embedding

    x = np.random.default_rng(0).uniform(size=(32, 8)).astype("float32")
    first, again, other = (autoencoder_embedding(x, dim=2, epochs=1, seed=s) for s in (0, 0, 1))
    np.testing.assert_allclose(first, again, rtol=1e-5, atol=1e-6)
    assert not np.allclose(first, other)


def test_photo_patches_follow_their_seed():
    # shared-photo-patches-seed-ignored: the patches' positions and flips come from the seed
    from reference.data import load_photo_patches

    first, again, other = (load_photo_patches(n=8, seed=s) for s in (0, 0, 1))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_distributed_toy_data_follows_its_seed_and_labels_the_first_four_features():
    # shared-distributed-seed-ignored, shared-distributed-target-features
    from reference.distributed import toy_data

    x, y = toy_data(seed=1)
    assert x.shape == (512, 16) and y.shape == (512,)
    np.testing.assert_array_equal(y, (x[:, 0] + x[:, 1] + x[:, 2] + x[:, 3] > 0).astype("float32"))
    assert not np.array_equal(toy_data(seed=2)[0], x)


def test_conditional_gan_compiles_with_its_own_learning_rate():
    # ch4-cgan-lr-default: compile() without arguments uses the conditional recipe's 5e-4 (2.5x DCGAN's 2e-4)
    from reference.gans import conditional_gan as cg

    gan = cg.ConditionalGAN(cg.build_generator(filters=8), cg.build_discriminator(filters=4, hidden=8))
    gan.compile()
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert float(np.asarray(optimizer.learning_rate)) == pytest.approx(5e-4)


def test_cyclegan_weights_the_cartoon_cycle_strongly_and_the_photo_cycle_weakly():
    # ch4-cycle-weights-swapped: the combined loss is 1, 1 (adversarial), 0.1 (photo cycle), 10 (cartoon cycle),
    # 2, 2 (identities) times the per-output losses, observed through evaluate() against losses computed by hand
    from reference.gans import cartoon as ct

    gan = ct.CycleGAN(filters=4, discriminator_filters=4, average=None)
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, size=(2, ct.SIZE, ct.SIZE, 1)).astype("float32") for _ in range(2))
    outputs = [np.asarray(o) for o in gan.combined.predict([a, b], verbose=0)]
    ones = np.ones_like(outputs[0])
    targets = [ones, ones, a, b, b, a]
    by_output = [np.mean((o - t) ** 2) for o, t in zip(outputs[:2], targets[:2])]
    by_output += [np.mean(np.abs(o - t)) for o, t in zip(outputs[2:], targets[2:])]
    total = gan.combined.evaluate([a, b], targets, verbose=0, return_dict=True)["loss"]
    assert total == pytest.approx(np.dot([1, 1, 0.1, 10, 2, 2], by_output), rel=1e-3)
    # cosmic gans.cartoon POOL 50 -> 51: each discriminator's pool keeps the last 50 fakes, the first 50 shown as is
    fakes = np.arange(60, dtype="float32").reshape(60, 1, 1, 1)
    shown = np.concatenate([gan.pool_b(fakes[i : i + 1]) for i in range(60)])
    assert len(gan.pool_b.images) == 50 and np.array_equal(shown[:50], fakes[:50])
    with pytest.raises(ValueError, match="average must lie in"):  # cosmic: `0 < average` -> `0 != average`
        ct.CycleGAN(average=-0.5)


def test_face_resemblance_leaves_each_face_out_of_its_own_mean():
    # ch4-face-resemblance-includes-self: face i is compared with the mean of the other 99
    import skimage.data

    from reference.gans import cartoon as ct

    faces = skimage.data.lfw_subset().reshape(200, -1).astype("float64")[: ct.FACES]
    first, _ = ct.face_resemblance()
    for i in (0, 42, ct.FACES - 1):
        others = np.delete(faces, i, axis=0).mean(axis=0)
        assert first[i] == pytest.approx(np.corrcoef(faces[i], others)[0, 1], rel=1e-9)


def test_dcgan_compiles_with_the_radford_optimizer_settings():
    # ch4-dcgan-lr-default, ch4-dcgan-g-beta1-default: compile() without arguments gives both networks
    # Adam(2e-4, beta_1=0.5), the DCGAN paper's settings the tutorial uses
    from reference.gans import dcgan

    gan = dcgan.DCGAN(dcgan.build_generator(width=0.125), dcgan.build_discriminator(width=0.125))
    gan.compile()
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert float(np.asarray(optimizer.learning_rate)) == pytest.approx(2e-4)
        assert float(np.asarray(optimizer.beta_1)) == pytest.approx(0.5)


def test_kaggle_models_train_at_their_own_learning_rates(monkeypatch):
    # ch5-learning-rates-swapped: the MLP trains at 2e-3 and the CNN at 3e-3 (Adam), seen at the optimizer made
    import keras

    from reference.kaggle import digit_recognizer as dr

    made = []
    real_adam = keras.optimizers.Adam

    def recording_adam(learning_rate=0.001, *args, **kwargs):
        made.append(learning_rate)
        return real_adam(learning_rate, *args, **kwargs)

    monkeypatch.setattr(keras.optimizers, "Adam", recording_adam)
    x = np.random.default_rng(0).integers(0, 256, size=(8, 784)).astype("uint8")  # flat pixels, as the CSVs hold
    y = np.arange(8) % 10
    for name in ("mlp", "cnn"):
        dr.fit_predict(name, x, y, [x[:2]], epochs=1)
    assert made == [pytest.approx(2e-3), pytest.approx(3e-3)]


def _tiny_style_transfer(**weights):
    from reference.gans import style_transfer as st

    features = st.feature_network(size=32)
    rng = np.random.default_rng(0)
    content, style = (rng.uniform(0, 255, size=(32, 32, 3)).astype("float32") for _ in range(2))
    return st.StyleTransfer(features, content, style, **weights)


def test_style_transfer_optimises_the_image_alone_and_weights_each_term():
    # ch4-style-features-trainable: the image is the only trainable weight (VGG16 stays frozen);
    # ch4-style-content-weights-swapped: loss = content_weight * content + style_weight * style + smoothness term
    import keras

    model = _tiny_style_transfer(content_weight=1.0, style_weight=3.0, smoothness_weight=0.5)
    assert [w.name for w in model.trainable_weights] == ["image"]
    maps = model.call()
    content, style = (float(keras.ops.convert_to_numpy(t)) for t in model.loss_terms(maps))
    rough = float(keras.ops.convert_to_numpy(model.roughness()))
    loss = float(keras.ops.convert_to_numpy(model.compute_loss(y_pred=maps)))
    assert abs(content - style) > 1e-3  # so that swapping the weights would show
    assert loss == pytest.approx(1.0 * content + 3.0 * style + 0.5 * rough, rel=1e-5)


def test_roughness_is_the_total_variation_over_both_axes():
    # ch4-roughness-one-axis-twice: an image that changes only from column to column is rough only across
    model = _tiny_style_transfer()
    stripes = np.zeros((1, 32, 32, 3), "float32")
    stripes[:, :, ::2] = 255.0  # alternate columns black and white
    model.image.assign(stripes)
    assert float(np.asarray(model.roughness())) == pytest.approx(1.0, rel=1e-6)  # down: 0, right: mean of 1


def test_style_images_are_cropped_at_the_centre():
    # ch4-load-image-corner-crop: a non-square photo is cut to its central square before resizing
    import skimage.data
    from skimage.transform import resize

    from reference.gans.style_transfer import load_image

    photo = skimage.data.coffee()  # 400 x 600
    side = min(photo.shape[:2])
    top, left = (photo.shape[0] - side) // 2, (photo.shape[1] - side) // 2
    centre = resize(photo[top : top + side, left : left + side], (32, 32), anti_aliasing=True, preserve_range=True)
    np.testing.assert_allclose(load_image("coffee", size=32), centre.astype("float32"), atol=1e-3)


def test_kaggle_mlp_drops_a_fifth_of_its_hidden_units():
    # ch5-mlp-dropout-default: the recipe's MLP (784-256-10) drops 20% of its hidden units in training
    import keras

    from reference.kaggle.digit_recognizer import build_mlp

    model = build_mlp()
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [pytest.approx(0.2)]
    dropout = next(layer for layer in model.layers if isinstance(layer, keras.layers.Dropout))
    kept = np.asarray(dropout(np.ones((2000, 256), "float32"), training=True)) > 0
    assert kept.mean() == pytest.approx(0.8, abs=0.01)  # observed: a fifth of the units zeroed


def test_kaggle_training_follows_its_seed():
    # ch5-fit-seed-ignored: fit_predict(seed=s) initialises and shuffles from s (same seed, same predictions);
    # cosmic (seed: int = 0 -> 1): a call without a seed is the seed-0 run the claims record
    from reference.kaggle.digit_recognizer import fit_predict

    x = np.random.default_rng(0).integers(0, 256, size=(16, 784)).astype("uint8")
    y = np.arange(16) % 10
    first, other = (fit_predict("mlp", x, y, [x[:4]], epochs=1, seed=s)[0] for s in (0, 1))
    again = fit_predict("mlp", x, y, [x[:4]], epochs=1)[0]
    np.testing.assert_allclose(first, again, rtol=1e-5, atol=1e-7)
    assert not np.allclose(first, other)


def test_detector_loss_weighs_the_box_twenty_times_the_class():
    # ch2-box-weight-default: evaluate()'s total is 1 x class cross-entropy + 20 x box MSE, by hand from predict()
    from reference.vision import detection

    model = detection.compile_detector(detection.build_detector())
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(4, detection.CANVAS, detection.CANVAS, 1)).astype("float32")
    y = {"class": np.arange(4), "box": rng.uniform(size=(4, 4)).astype("float32")}
    predicted = model.predict(x, verbose=0)
    cross_entropy = -np.mean(np.log(predicted["class"][np.arange(4), y["class"]]))
    box_mse = np.mean((predicted["box"] - y["box"]) ** 2)
    total = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    assert total == pytest.approx(cross_entropy + 20.0 * box_mse, rel=1e-3)


def test_style_transfer_freezes_whatever_feature_network_it_is_given():
    # ch4-style-features-trainable: feature_network() freezes VGG16 itself, so the pin hands StyleTransfer a
    # trainable network: the image must still be the only weight fit() moves
    import keras

    from reference.gans import style_transfer as st

    image = keras.Input((32, 32, 3))
    first = keras.layers.Conv2D(4, 3, padding="same")(image)
    features = keras.Model(image, [first, keras.layers.Conv2D(4, 3, padding="same")(first)])
    rng = np.random.default_rng(0)
    content, style = (rng.uniform(0, 255, size=(32, 32, 3)).astype("float32") for _ in range(2))
    model = st.StyleTransfer(features, content, style)
    assert [w.name for w in model.trainable_weights] == ["image"]


def test_mnist_convnet_drops_half_of_its_features_in_training():
    # ch2-convnet-dropout-default: Keras's MNIST convnet example drops 50% before its softmax layer
    import keras

    from reference.vision.cnn import build_convnet

    dropout = next(layer for layer in build_convnet().layers if isinstance(layer, keras.layers.Dropout))
    kept = np.asarray(dropout(np.ones((1000, 1600), "float32"), training=True)) > 0
    assert kept.mean() == pytest.approx(0.5, abs=0.01)


def test_first_task_probe_scores_the_model_in_inference_mode():
    # ch2-first-task-eval-training-mode: with a learning rate of 0 the probe's model keeps its initial weights,
    # so its accuracy must be that of the same seeded network predicting with Dropout off
    import keras

    from reference.data import load_mnist
    from reference.vision import transfer

    accuracy = transfer.first_task_accuracy(keras.optimizers.SGD(learning_rate=0.0), seed=0, n_train=1, n_test=300)
    _, (x_test, y_test) = load_mnist()
    x_eval, y_eval = transfer.split_digits(x_test, y_test, transfer.FIRST)
    keras.utils.set_random_seed(0)
    untrained = transfer.classifier(transfer.feature_extractor())
    guesses = untrained.predict(x_eval[:300], verbose=0).argmax(axis=-1)
    assert accuracy == pytest.approx(float((guesses == y_eval[:300]).mean()))


def test_dcgan_step_runs_the_discriminator_in_training_mode_throughout():
    # ch4-dcgan-g-step-d-inference-mode: D's three calls in one step (real, fake, and the generator's step) all
    # run with Dropout on; a spy on D's call records the mode each one asks for
    from reference.gans.dcgan import fit_mnist, mnist_dcgan

    gan = mnist_dcgan(width=0.125)
    modes, call = [], gan.discriminator.call

    def spy(*args, **kwargs):
        modes.append(kwargs.get("training"))
        return call(*args, **kwargs)

    gan.discriminator.call = spy
    fit_mnist(gan, steps=1, batch_size=8)
    assert len(modes) >= 3 and set(modes) == {True}


def test_train_wgan_takes_five_critic_steps_per_generator_step():
    # ch4-train-wgan-one-critic-step: the recipe's default, observed in the two optimizers' step counts
    from reference.gans.training import train_wgan

    wgan, _ = train_wgan("clip", steps=1, batch_size=8, width=0.125)
    assert (int(wgan.c_optimizer.iterations), int(wgan.g_optimizer.iterations)) == (5, 1)


def test_wgan_generator_step_raises_the_critics_score_of_fakes():
    # ch4-wgan-generator-loss-sign: with the critic held still (learning rate 0), one generator step must move the
    # critic's mean score of generated images up, not down (the generator scored with its batch statistics, as it
    # trains: fit() also moves its BatchNorm's running averages, which inference mode would use)
    import keras

    from reference.gans.dcgan import build_discriminator, build_generator
    from reference.gans.wgan import WGAN

    keras.utils.set_random_seed(0)
    wgan = WGAN(
        build_generator(image_shape=(28, 28, 1), width=0.125),
        build_discriminator((28, 28, 1), width=0.125, sigmoid=False),
        critic_steps=1,
    )
    wgan.compile(c_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(1e-3))
    z = np.random.default_rng(0).normal(size=(256, wgan.latent_dim)).astype("float32")

    def mean_score():
        fakes = wgan.generator(z, training=True)
        return float(keras.ops.mean(wgan.critic(fakes, training=False)))

    before = mean_score()
    real = np.random.default_rng(1).uniform(-1, 1, size=(64, 28, 28, 1)).astype("float32")
    wgan.fit(real, batch_size=64, epochs=1, verbose=0)
    assert mean_score() > before


def test_style_features_see_mean_subtracted_pixels():
    # ch4-vgg-preprocess-dropped: VGG16's preprocessing subtracts the ImageNet mean pixel, so an image of that one
    # colour reaches the random-weight convolutions (zero biases) as zeros and leaves every feature at 0
    import keras

    from reference.gans.style_transfer import feature_network

    network = feature_network(size=32, layers=("block1_conv1", "block2_conv1"))
    mean_pixel = np.broadcast_to(np.array([123.68, 116.779, 103.939], "float32"), (1, 32, 32, 3))
    for features in network(mean_pixel):
        assert float(keras.ops.max(keras.ops.abs(features))) < 1e-3
    assert float(keras.ops.max(network(mean_pixel + 50.0)[0])) > 0
