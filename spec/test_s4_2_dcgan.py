"""§4.2, the DCGAN: data, the two networks, compiling, the training loop, checkpoints.

Lesson for a newcomer: on Keras 3 the tutorial's GAN code fails in several places and,
worse, where it runs it silently never trains the discriminator.  reference.gans.dcgan holds
the corrected tutorial-style loop (``DocumentStyleTrainer``) and the idiomatic form
(``DCGAN``, a Model with its own ``train_step``).
"""

import json
import re

import keras
import numpy as np
import pytest
from keras import layers

from reference import backends, data
from reference.gans import dcgan
from spec.ledger import Verdict, claim
from spec.support import largest_change, recorded_warnings, weights_of

needs_tf = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.data / GradientTape constructs: tensorflow backend only"
)


def _tiny_gan(width=0.125):
    generator = dcgan.build_generator(width=width)
    discriminator = dcgan.build_discriminator(width=width)
    return generator, discriminator


# Every import statement of the document, section by section (§3.1 also imports Input and Model from
# keras.models, which fails on Keras 3 and so defines nothing; see S3.1-functional-imports).
DOCUMENT_IMPORTS = {
    "3.1": ["import keras", "from keras import layers", "from keras import models", "from keras import backend as K"],
    "4.1": ["from keras.datasets import mnist", "import numpy as np"],
    "4.2": ["from keras.datasets import cifar10", "from keras.models import Sequential",
            "from keras.layers import BatchNormalization, Conv2D, Conv2DTranspose, LeakyReLU"],
}


def _document_namespace() -> dict:
    """The names a reader has after running every import the document writes."""
    namespace: dict = {}
    for statements in DOCUMENT_IMPORTS.values():
        for statement in statements:
            exec(statement, namespace)
    return namespace


@claim(
    "S4.2-cifar10-source",
    section="4.2.1",
    says="cifar10.load_data() downloads CIFAR-10.",
    today="It downloads on first use; offline, reference.data.load_cifar10 reads only an existing Keras cache "
    "and otherwise says how to proceed. The suite trains on real 32x32x3 patches of scikit-learn's photos "
    "and on MNIST.",
    verdict=Verdict.HOLDS,
)
def test_cifar10_source(evidence):
    try:
        (x, y), _ = data.load_cifar10()
    except data.DatasetNotAvailable as missing:
        evidence("offline, no cache", str(missing)[:160])
        assert "cannot be downloaded offline" in str(missing)
    else:
        evidence("from the Keras cache", f"{x.shape} {x.dtype}")
        assert x.shape == (50000, 32, 32, 3) and x.dtype == np.uint8
    patches = data.load_photo_patches(64)
    evidence("stand-in patches", f"{patches.shape} {patches.dtype}, std {patches.std():.1f}")
    assert patches.shape == (64, 32, 32, 3) and patches.dtype == np.uint8 and patches.std() > 20
    assert not np.array_equal(patches[0], patches[2])  # cut at different places
    with pytest.raises(ValueError, match="n, size and downscale must be positive, got 0, 32, 4"):
        data.load_photo_patches(0)


@claim(
    "S4.2-scaling",
    section="4.2.1",
    says="Real images are scaled to float32 in [0, 1] by dividing by 255.",
    today="That range does not match the generator's tanh output in [-1, 1]: fake images are the only ones "
    "with negative pixels, a giveaway to the discriminator. Scale with x / 127.5 - 1 (reference.gans.dcgan.scale_images).",
    verdict=Verdict.REFUTED,
)
def test_scaling_mismatch(evidence):
    real = data.load_photo_patches(256).astype("float32") / 255.0
    generator, _ = _tiny_gan()
    fake = keras.ops.convert_to_numpy(generator(dcgan.generate_noise(256, rng=np.random.default_rng(0))))
    evidence("real range as written", (float(real.min()), float(real.max())))
    evidence("generated range", (round(float(fake.min()), 3), round(float(fake.max()), 3)))
    evidence("fraction of generated pixels < 0", round(float(np.mean(fake < 0)), 3))
    assert real.min() >= 0 and fake.min() < 0 and np.mean(fake < 0) > 0.2
    scaled = dcgan.scale_images(data.load_photo_patches(256))
    assert scaled.min() >= -1 and scaled.max() <= 1 and scaled.min() < -0.9 and scaled.max() > 0.9


@claim(
    "S4.2-generator-as-written",
    section="4.2.2",
    says="The generator is a Sequential stack starting with Conv2DTranspose(512, 4, strides 2) on input_shape=(100,).",
    today="Fails: a transposed convolution needs a 4-D input (ValueError). Project the noise with Dense and "
    "Reshape to 2x2 first; then the document's four stride-2 layers give 32x32x3 in [-1, 1].",
    verdict=Verdict.CORRECTED,
)
def test_generator_as_written(evidence):
    # Keras 3 also warns about the input_shape argument itself (prefer keras.Input as the first layer).
    with pytest.warns(UserWarning, match="Do not pass an `input_shape`/`input_dim` argument to a layer") as warned, \
            pytest.raises(ValueError, match="expected min_ndim=4, found ndim=2") as failure:
        keras.Sequential([layers.Conv2DTranspose(512, 4, strides=2, padding="same", use_bias=False, input_shape=(100,))])
    evidence("as written", str(failure.value).split(". Full")[0])
    evidence("warning on the way", str(warned[0].message).split(". When")[0])
    generator = dcgan.build_generator()
    out = keras.ops.convert_to_numpy(generator(dcgan.generate_noise(4, rng=np.random.default_rng(0))))
    evidence("corrected output shape", generator.output_shape)
    evidence("corrected parameters", generator.count_params())
    assert generator.output_shape == (None, 32, 32, 3)
    assert -1 <= out.min() and out.max() <= 1


@claim(
    "S4.2-model-overview",
    section="4.2.2",
    says="The models stack two Conv2D layers with batch normalisation, two Conv2DTranspose layers with batch "
    "normalisation, and one Dense layer.",
    today="The code that follows has more: the discriminator four Conv2D, three BatchNormalization and one Dense; "
    "the generator four Conv2DTranspose and three BatchNormalization (reference.gans.dcgan adds the Dense "
    "projection the generator needs, with its own batch normalisation: see S4.2-generator-as-written).",
    verdict=Verdict.REFUTED,
)
def test_model_overview(evidence):
    def count(model, kind):
        return sum(type(layer) is kind for layer in model.layers)

    generator, discriminator = dcgan.build_generator(), dcgan.build_discriminator()
    counts = {
        "discriminator": {k.__name__: count(discriminator, k) for k in (layers.Conv2D, layers.BatchNormalization, layers.Dense)},
        "generator": {k.__name__: count(generator, k) for k in (layers.Conv2DTranspose, layers.BatchNormalization, layers.Dense)},
    }
    evidence("layer counts", counts)
    assert counts["discriminator"] == {"Conv2D": 4, "BatchNormalization": 3, "Dense": 1}
    assert counts["generator"] == {"Conv2DTranspose": 4, "BatchNormalization": 4, "Dense": 1}


@claim(
    "S4.2-generator-description",
    section="4.2.2",
    says="The generator consists of two transposed-convolution layers that map the 100-d input space into the "
    "discriminator's output space.",
    today="The code stacks four Conv2DTranspose layers (512, 256, 128, 3 filters), each doubling height and width, "
    "and they map the noise into image space, the discriminator's INPUT space (32x32x3); the discriminator's "
    "output space is a single probability.",
    verdict=Verdict.REFUTED,
)
def test_generator_description(evidence):
    generator, discriminator = dcgan.build_generator(), dcgan.build_discriminator()
    transposed = [l for l in generator.layers if isinstance(l, layers.Conv2DTranspose)]
    evidence("Conv2DTranspose filters, strides", [(l.filters, l.strides) for l in transposed])
    evidence("G: input -> output; D: input -> output",
             f"{generator.input_shape} -> {generator.output_shape}; {discriminator.input_shape} -> {discriminator.output_shape}")
    assert [l.filters for l in transposed] == [512, 256, 128, 3] and all(l.strides == (2, 2) for l in transposed)
    assert transposed[-1].activation is keras.activations.tanh
    assert generator.input_shape == (None, 100)
    assert generator.output_shape == discriminator.input_shape == (None, 32, 32, 3)
    assert discriminator.output_shape == (None, 1)


@claim(
    "S4.2-discriminator-as-written",
    section="4.2.2",
    says="The discriminator ends with Flatten, Dropout(0.5) and Dense(1, sigmoid), with the section's imports.",
    today="The section never imports Flatten, Dropout or Dense: NameError. With them imported it gives one "
    "probability per image, 32x32x3 in.",
    verdict=Verdict.CORRECTED,
)
def test_discriminator_as_written(evidence):
    imports = "from keras.layers import BatchNormalization, Conv2D, Conv2DTranspose, LeakyReLU\n"
    stack = "head = [Flatten(), Dropout(rate=0.5), Dense(units=1, activation='sigmoid')]\n"
    with pytest.raises(NameError, match="name 'Flatten' is not defined") as failure:
        exec(imports + stack, {})
    evidence("as written", f"NameError: {failure.value}")
    discriminator = dcgan.build_discriminator()
    scores = keras.ops.convert_to_numpy(discriminator(dcgan.scale_images(data.load_photo_patches(8))))
    evidence("output shape", discriminator.output_shape)
    evidence("parameters", discriminator.count_params())
    assert discriminator.output_shape == (None, 1) and ((0 < scores) & (scores < 1)).all()


@claim(
    "S4.2-discriminator-description",
    section="4.2.2",
    says="The discriminator consists of five convolution layers, followed by two batch-normalisation layers.",
    today="The code has four Conv2D layers and three BatchNormalization layers (after the 2nd, 3rd and 4th conv).",
    verdict=Verdict.REFUTED,
)
def test_discriminator_description(evidence):
    discriminator = dcgan.build_discriminator()
    convs = sum(isinstance(l, layers.Conv2D) for l in discriminator.layers)
    norms = sum(isinstance(l, layers.BatchNormalization) for l in discriminator.layers)
    evidence("Conv2D / BatchNormalization layers", f"{convs} / {norms}")
    assert (convs, norms) == (4, 3)


@claim(
    "S4.2-leakyrelu-alpha",
    section="4.2.2",
    says="LeakyReLU is configured with alpha=0.2.",
    today="Still accepted, with a UserWarning: `alpha` is deprecated in favour of `negative_slope`.",
    verdict=Verdict.DEPRECATED,
)
def test_leakyrelu_alpha(evidence):
    with recorded_warnings() as caught:
        layer = layers.LeakyReLU(alpha=0.2)
    evidence("warning", caught[0] if caught else "none")
    assert any("Argument `alpha` is deprecated. Use `negative_slope` instead." in w for w in caught)
    assert float(keras.ops.convert_to_numpy(layer(np.array([-1.0], "float32")))[0]) == pytest.approx(-0.2)


@claim(
    "S4.2-adam-lr",
    section="4.2.3",
    says="The optimizer is Adam(lr=0.0002, beta_1=0.5).",
    today="Keras 3 rejects `lr`: ValueError. Write Adam(learning_rate=2e-4, beta_1=0.5).",
    verdict=Verdict.CORRECTED,
)
def test_adam_lr(evidence):
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized: \{'lr': 0.0002\}") as failure:
        keras.optimizers.Adam(lr=0.0002, beta_1=0.5)
    evidence("as written", f"ValueError: {failure.value}")
    optimizer = keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5)
    assert float(keras.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(2e-4)


@claim(
    "S4.2-compile-model-function",
    section="4.2.3",
    says="compile_model() compiles the generator and the discriminator with a binary cross-entropy loss.",
    today="The function compiles the discriminator and the combined model, never the generator (which needs no "
    "compile(): predict works without it), returns nothing, so the caller never gets `combined`, and uses "
    "Adam, BinaryCrossentropy, Input and Model without importing them (NameError). reference.gans.dcgan."
    "DocumentStyleTrainer keeps both compiled models, each with its own Adam(2e-4, beta_1=0.5) and a "
    "probability-space cross-entropy.",
    verdict=Verdict.CORRECTED,
)
def test_compile_model_function(evidence):
    namespace = _document_namespace()
    missing = [name for name in ("Adam", "BinaryCrossentropy", "Input", "Model") if name not in namespace]
    evidence("used in compile_model but never imported by the document", missing)
    assert missing == ["Adam", "BinaryCrossentropy", "Input", "Model"]
    with pytest.raises(NameError, match="name 'Adam' is not defined"):
        exec("optimizer = Adam(learning_rate=0.0002, beta_1=0.5)", dict(namespace))
    trainer = dcgan.DocumentStyleTrainer(*_tiny_gan())
    d_opt, c_opt = trainer.discriminator.optimizer, trainer.combined.optimizer
    evidence("compiled: generator / discriminator / combined",
             (trainer.generator.compiled, trainer.discriminator.compiled, trainer.combined.compiled))
    assert not trainer.generator.compiled and trainer.discriminator.compiled and trainer.combined.compiled
    assert d_opt is not c_opt and isinstance(d_opt, keras.optimizers.Adam) and isinstance(c_opt, keras.optimizers.Adam)
    for optimizer in (d_opt, c_opt):
        assert float(keras.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(2e-4)
        assert optimizer.beta_1 == 0.5
    for model in (trainer.discriminator, trainer.combined):
        assert isinstance(model.loss, keras.losses.BinaryCrossentropy) and model.loss.get_config()["from_logits"] is False
    assert trainer.generator.predict_on_batch(dcgan.generate_noise(2)).shape == (2, 32, 32, 3)


def _probe(name):
    results = {}
    for backend in backends.installed_backends():
        if backend in ("numpy", "openvino"):  # inference-only backends cannot train
            continue
        done = backends.run_with_backend(backend, "spec.backend_probes", name)
        assert done.returncode == 0, done.stderr[-1500:]
        results[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


@claim(
    "S4.2-loss-from-logits",
    section="4.2.3",
    says="The adversarial loss is BinaryCrossentropy(from_logits=True), while the discriminator ends in a sigmoid.",
    today="A mismatch whose effect depends on the backend. TensorFlow notices, inside compiled "
    "evaluate/train_on_batch, that the output came from a Sigmoid op, warns, and uses the logits underneath: "
    "the loss comes out right. JAX and PyTorch have no such rescue: they apply a second sigmoid and "
    "silently compute a wrong loss. Use from_logits=False with a sigmoid output, or drop the sigmoid.",
    verdict=Verdict.CORRECTED,
)
def test_loss_from_logits(evidence):
    for backend, values in _probe("bce_on_probabilities").items():
        evidence(backend, {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()})
        exact = values["exact cross-entropy"]
        assert values["evaluate, from_logits=False"] == pytest.approx(exact, rel=1e-5)  # the corrected form
        as_written = values["evaluate, from_logits=True"]
        if backend == "tensorflow":
            assert as_written == pytest.approx(exact, rel=1e-5)
            assert "was produced by a Sigmoid activation" in values["warning, from_logits=True"]
        else:
            assert abs(as_written - exact) > 0.1 and values["warning, from_logits=True"] == "none"


@claim(
    "S4.2-shared-optimizer",
    section="4.2.3",
    says="One Adam instance is passed to compile() of both the discriminator and the combined model.",
    today="Fails where a learner ends up. With the freezing corrected (D trainable for its own step, frozen "
    "for the combined step) the second model's step raises ValueError on every backend: an optimizer is built "
    "for one model's variables. Exactly as written it fails on JAX and PyTorch too, and runs on TensorFlow only "
    "because D, frozen before its first step, never trains at all. Give each model its own optimizer "
    "(reference.gans.dcgan.DocumentStyleTrainer).",
    verdict=Verdict.CORRECTED,
)
def test_shared_optimizer(evidence):
    results = _probe("shared_optimizer")
    for backend, values in results.items():
        evidence(f"{backend}, with corrected freezing", values["with corrected freezing"])
        evidence(f"{backend}, as written", values["as written"])
        assert values["with corrected freezing"].startswith("ValueError: ")
    if "tensorflow" in results:
        assert results["tensorflow"]["with corrected freezing"].startswith("ValueError: Unknown variable")
        assert results["tensorflow"]["as written"] == "ran"
    if "jax" in results:
        assert results["jax"]["as written"].startswith("ValueError: Argument `optimizer_variables`")
    if "torch" in results:
        assert results["torch"]["as written"].startswith("ValueError: Unknown variable")


@claim(
    "S4.2-freezing",
    section="4.2.3",
    says="Setting discriminator.trainable = False after compiling it, before compiling the combined model, "
    "trains only the generator through the combined model while the discriminator still trains on its own.",
    today="Keras 2 behaviour (the flag was read by compile()). On Keras 3, frozen after compile() and before the "
    "first step (the document's order), the discriminator's own steps update nothing, on every backend. When a "
    "change takes effect differs: TensorFlow reads the flag when a model's train function is first built (its "
    "first train_on_batch/fit after compile()) and ignores later changes until the next compile(); JAX raises "
    "ValueError at the next step; PyTorch honours it at once. DocumentStyleTrainer works on all three because it "
    "always steps D while trainable and the combined model while D is frozen: each model in one state throughout.",
    verdict=Verdict.OBSOLETE,
)
def test_freezing(evidence):
    results = _probe("freezing")
    for backend, values in results.items():
        for situation, what in values.items():
            evidence(f"{backend}: {situation}", what)
        assert values["frozen after compile, first step"].startswith("weight change 0")
        assert values["frozen, then compiled again"].startswith("weight change 0")
    if "tensorflow" in results:  # the change after freezing is ignored: the step still trains
        assert re.match(r"weight change (\S+)", results["tensorflow"]["trained once, then frozen"])
        assert float(re.match(r"weight change (\S+)", results["tensorflow"]["trained once, then frozen"]).group(1)) > 1e-4
    if "jax" in results:
        assert results["jax"]["trained once, then frozen"].startswith("ValueError: Argument `optimizer_variables`")
    if "torch" in results:  # read at every step
        assert results["torch"]["trained once, then frozen"].startswith("weight change 0 ")


class PhaseRecorder:
    """Wraps the loop's own train_on_batch calls and snapshots D's and G's weights around each.

    The test never toggles ``trainable`` itself: whatever freezing happens is the loop's.
    """

    def __init__(self, trainer, monkeypatch):
        self.trainer, self.phases = trainer, []
        for name, model in (("D", trainer.discriminator), ("combined", trainer.combined)):
            monkeypatch.setattr(model, "train_on_batch", self._wrap(name, model.train_on_batch))

    def _wrap(self, name, original):
        def recorded(x, y, **kwargs):
            d0, g0 = weights_of(self.trainer.discriminator), weights_of(self.trainer.generator)
            result = original(x, y, **kwargs)
            self.phases.append({
                "phase": name, "inputs": np.array(x), "targets": np.unique(np.asarray(y)).tolist(), "result": result,
                "D change": largest_change(d0, weights_of(self.trainer.discriminator)),
                "G change": largest_change(g0, weights_of(self.trainer.generator)),
            })
            return result
        return recorded


@claim(
    "S4.2-corrected-loop-trains-both",
    section="4.2.4",
    says="The training loop trains the discriminator on real images, then on generated ones, then the generator "
    "through the combined model.",
    today="The corrected loop (reference.gans.dcgan.DocumentStyleTrainer.train_step) does exactly that, observed inside "
    "one step: D on real images (targets 1) moves only D, D on the generator's images (targets 0) moves only D, "
    "the combined step (targets 1) moves only G, D's batch-norm statistics included.",
    verdict=Verdict.CORRECTED,
)
def test_corrected_loop_phases(monkeypatch, evidence):
    generator, discriminator = _tiny_gan()
    trainer = dcgan.DocumentStyleTrainer(generator, discriminator)
    recorder = PhaseRecorder(trainer, monkeypatch)
    real = dcgan.scale_images(data.load_photo_patches(32))
    stats = trainer.train_step(real, np.random.default_rng(0))
    table = [(p["phase"], p["targets"], f"D {p['D change']:.3g}", f"G {p['G change']:.3g}") for p in recorder.phases]
    evidence("phases of one train_step: (model, targets, D change, G change)", table)
    evidence("returned losses", {k: round(v, 3) for k, v in stats.items()})
    assert [(p["phase"], p["targets"]) for p in recorder.phases] == [("D", [1.0]), ("D", [0.0]), ("combined", [1.0])]
    on_real, on_fake, combined = recorder.phases
    assert on_real["D change"] > 0 and on_real["G change"] == 0.0
    assert on_fake["D change"] > 0 and on_fake["G change"] == 0.0
    assert combined["G change"] > 0 and combined["D change"] == 0.0
    # D's real batch is the real images plus instance noise; its fake batch is the generator's output.
    assert 0 < np.abs(on_real["inputs"] - real).mean() < 0.5 * real.std()
    assert on_fake["inputs"].shape == real.shape and np.abs(on_fake["inputs"]).max() <= 1.0


@claim(
    "S4.2-loss-averaging",
    section="4.2.4",
    says="The discriminator loss is 0.5 * (loss on real + loss on fake).",
    today="Holds, and with metrics=['accuracy'] train_on_batch returns [loss, accuracy], so the average is taken "
    "element-wise over both; DocumentStyleTrainer reports exactly these averages as d_loss and d_accuracy.",
    verdict=Verdict.HOLDS,
)
def test_loss_averaging(monkeypatch, evidence):
    trainer = dcgan.DocumentStyleTrainer(*_tiny_gan())
    recorder = PhaseRecorder(trainer, monkeypatch)
    stats = trainer.train_step(dcgan.scale_images(data.load_photo_patches(16)), np.random.default_rng(0))
    on_real, on_fake = recorder.phases[0]["result"], recorder.phases[1]["result"]
    evidence("D on real, D on fake: [loss, accuracy]", [np.round(on_real, 4).tolist(), np.round(on_fake, 4).tolist()])
    evidence("reported d_loss, d_accuracy", (round(stats["d_loss"], 4), round(stats["d_accuracy"], 4)))
    assert len(on_real) == 2 and len(on_fake) == 2
    assert stats["d_loss"] == pytest.approx((on_real[0] + on_fake[0]) / 2, rel=1e-6)
    assert stats["d_accuracy"] == pytest.approx((on_real[1] + on_fake[1]) / 2, rel=1e-6)
    assert stats["g_loss"] == pytest.approx(float(recorder.phases[2]["result"]), rel=1e-6)


@claim(
    "S4.2-epoch-visits-every-image",
    section="4.2.4",
    says="Each epoch runs len(X_train) / BATCH_SIZE steps over the training images.",
    today="The corrected loop (DocumentStyleTrainer.train) visits every image exactly once per epoch, in a fresh "
    "random order each epoch; a remainder smaller than a batch is dropped.",
    verdict=Verdict.CORRECTED,
)
def test_epoch_visits_every_image(monkeypatch, evidence):
    trainer = dcgan.DocumentStyleTrainer(*_tiny_gan())
    images = np.zeros((70, 32, 32, 3), "float32")
    images[:, 0, 0, 0] = np.arange(70)  # each image carries its own index
    seen = []
    monkeypatch.setattr(trainer, "train_step", lambda batch, rng: seen.append(batch[:, 0, 0, 0].astype(int)) or {})
    trainer.train(images, epochs=2, batch_size=16, progress=False)
    epochs = [np.concatenate(seen[:4]), np.concatenate(seen[4:])]
    evidence("steps per epoch for 70 images, batch 16", len(seen) // 2)
    evidence("first indices of epoch 1 / epoch 2", [e[:6].tolist() for e in epochs])
    assert len(seen) == 8 and all(len(b) == 16 for b in seen)
    for order in epochs:
        assert len(set(order.tolist())) == 64  # no image twice within an epoch
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[0], np.sort(epochs[0]))
    with pytest.raises(ValueError, match="need at least one batch of 16 images, got 8"):
        trainer.train(images[:8], epochs=1, batch_size=16, progress=False)


def test_document_style_progress_bar(monkeypatch, capsys):
    """DocumentStyleTrainer.train shows one tqdm bar per epoch, labelled "epoch i/n", and erases it when the
    epoch ends (leave=False), so a long run leaves a clean terminal (a helper check, not a claim)."""
    trainer = dcgan.DocumentStyleTrainer(*_tiny_gan())
    monkeypatch.setattr(trainer, "train_step", lambda batch, rng: {"d_loss": 0.5})
    trainer.train(np.zeros((32, 32, 32, 3), "float32"), epochs=2, batch_size=16)
    shown = capsys.readouterr().err
    assert "epoch 1/2" in shown and "epoch 2/2" in shown and "epoch 0/2" not in shown
    assert "d_loss=0.5" in shown
    assert not shown.endswith("\n")  # an erased bar ends with a carriage return, a kept one with a newline
    trainer.train(np.zeros((32, 32, 32, 3), "float32"), epochs=1, batch_size=16, progress=False)
    assert capsys.readouterr().err == ""


@claim(
    "S4.2-loop-names-defined",
    section="4.2.4",
    says="The training loop runs once the models and the data are prepared as the previous subsections describe.",
    today="It cannot run: it uses 13 names that no section of the document defines or imports (the constants, "
    "the data, the label arrays, tqdm, tf, save_weights) and models that are built by functions never called. "
    "reference.gans.dcgan.DocumentStyleTrainer.train is the loop with everything defined.",
    verdict=Verdict.CORRECTED,
)
def test_loop_names_defined(evidence):
    used = ["EPOCHS", "BATCH_SIZE", "X_train", "train_dataset", "tqdm", "tf", "real_labels", "fake_labels",
            "SAVE_MODEL_EVERY_EPOCH", "save_weights", "generator", "discriminator", "combined"]
    namespace = _document_namespace()
    undefined = [name for name in used if name not in namespace]
    evidence("names the loop uses that the document never defines", undefined)
    assert undefined == used
    with pytest.raises(NameError, match="name 'EPOCHS' is not defined"):
        exec("for epoch in range(EPOCHS):\n    pass", dict(namespace))


@claim(
    "S4.2-predict-in-loop",
    section="4.2.4",
    says="Each step makes its fake batch with generator.predict(noise).",
    today="Works, but on Keras 3 every predict() call prints its own progress bar (hundreds of bars per epoch "
    "under the loop's tqdm bar) and costs more than a predict_on_batch() call, which the corrected loop uses: "
    "about 10x on TensorFlow, 1.4x on JAX (64 images, 2-core CPU).",
    verdict=Verdict.CORRECTED,
)
def test_predict_in_loop(capsys, evidence):
    import time

    generator = dcgan.build_generator(width=0.125)
    z = dcgan.generate_noise(64, rng=np.random.default_rng(0))
    generator.predict(z, verbose=0), generator.predict_on_batch(z)  # build both functions first
    capsys.readouterr()
    timings = {}
    for name, call in (("predict", lambda: generator.predict(z)), ("predict_on_batch", lambda: generator.predict_on_batch(z))):
        elapsed, bars = 0.0, 0
        for _ in range(10):
            start = time.perf_counter()
            call()
            elapsed += time.perf_counter() - start
            bars += "/step" in capsys.readouterr().out  # did this call print a progress bar?
        timings[name], timings[name + " bars"] = elapsed / 10, bars
    evidence("progress bars printed by 10 calls: predict / predict_on_batch", (timings["predict bars"], timings["predict_on_batch bars"]))
    evidence("ms per call: predict / predict_on_batch", (round(1000 * timings["predict"], 1), round(1000 * timings["predict_on_batch"], 1)))
    assert timings["predict bars"] == 10 and timings["predict_on_batch bars"] == 0
    # Measured on the 2-core CPU: TensorFlow about 55 ms against 5.6 ms (9.9x), asserted with a wide margin;
    # JAX 11.0 ms against 8.1 ms (1.4x), too close to assert on a shared machine: evidence only.
    if keras.backend.backend() == "tensorflow":
        assert timings["predict"] > 2 * timings["predict_on_batch"]


# The tutorial-style loop on MNIST, 400 steps of batch 64, width 0.25, seeds 0-2
# (docs/measurements/document_style_gan_seeds.json): untrained FID 454.8, 456.7, 456.8; trained 75.5, 133.8, 38.5.
# Thresholds: trained FID below 200 (1.5x the worst seed) and at most half the untrained one (worst seed: 0.29).
DOCUMENT_LOOP_MAX_FID = 200.0


@pytest.mark.slow
@claim(
    "S4.2-document-loop-learns",
    section="4.2.4",
    says="Running the loop trains the GAN: the generator learns to produce images like the training data.",
    today=f"The corrected loop does learn, measurably: 400 steps on MNIST take the Frechet distance from ~455 "
    f"(untrained) to 38-134 over 3 seeds (threshold {DOCUMENT_LOOP_MAX_FID:.0f}). It learns more slowly and less "
    "reliably than the idiomatic DCGAN (10-18 after the same 400 steps, TOC 4.2): its discriminator wins "
    "(accuracy 1.0 at the end of every seed).",
    verdict=Verdict.CORRECTED,
)
def test_document_loop_learns(evidence):
    from reference.gans import metrics as gan_metrics, training as gan_training

    keras.utils.set_random_seed(0)
    fid_before = gan_metrics.mnist_fid(dcgan.build_generator(image_shape=(28, 28, 1), width=0.25))
    trainer, log = gan_training.train_document_style(400, seed=0)
    fid_after = gan_metrics.mnist_fid(trainer.generator)
    evidence("FID untrained -> after 400 steps (seed 0)", f"{fid_before:.1f} -> {fid_after:.1f}")
    evidence("last step's losses", {k: round(v, 3) for k, v in log[-1].items()})
    assert fid_after < DOCUMENT_LOOP_MAX_FID and fid_after < fid_before / 2


@needs_tf
@claim(
    "S4.2-batch-drawing",
    section="4.2.4",
    says="Each step takes a batch of real images with next(iter(train_dataset)).",
    today="A new iterator every step restarts the dataset: without shuffling every step sees the same first "
    "batch. Iterate once per epoch (reference.gans.dcgan.DocumentStyleTrainer.train).",
    verdict=Verdict.REFUTED,
)
def test_batch_drawing(evidence):
    import tensorflow as tf

    images = np.arange(10 * 4, dtype="float32").reshape(10, 4)
    dataset = tf.data.Dataset.from_tensor_slices((images, np.ones(10))).batch(2)
    firsts = [next(iter(dataset))[0].numpy()[0, 0] for _ in range(5)]
    evidence("first value of the batch over 5 steps", firsts)
    assert len(set(firsts)) == 1
    iterator = iter(dataset)
    assert len({next(iterator)[0].numpy()[0, 0] for _ in range(5)}) == 5


@claim(
    "S4.2-real-labels",
    section="4.2.4",
    says="The real batch comes with its labels y_real, which are used as the discriminator's targets.",
    today="A CIFAR-10 dataset yields class ids 0-9, not 'real' = 1: binary cross-entropy with such targets is "
    "meaningless (negative on TensorFlow and JAX) or refused (RuntimeError on PyTorch). The targets must be "
    "ones (DocumentStyleTrainer's are: see S4.2-corrected-loop-trains-both).",
    verdict=Verdict.REFUTED,
)
def test_real_labels(evidence):
    # What D's loss receives on a real batch: its probabilities (here 0.9 each) and the batch's y values.
    probabilities = np.full((4, 1), 0.9, "float32")
    class_ids = np.array([[0], [3], [7], [9]], "float32")  # what a CIFAR-10 batch carries as y
    loss = keras.losses.BinaryCrossentropy()
    if keras.backend.backend() == "torch":
        with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1") as refused:
            loss(class_ids, probabilities)
        evidence("binary cross-entropy with class ids as targets", f"RuntimeError: {refused.value}")
        return
    value = float(keras.ops.convert_to_numpy(loss(class_ids, probabilities)))
    evidence("binary cross-entropy with class ids as targets", round(value, 3))
    assert value < 0  # a cross-entropy can never be negative for targets in [0, 1]


@claim(
    "S4.2-instance-noise",
    section="4.2.4",
    says="Each real batch gets Gaussian noise of 0.5 times the batch's standard deviation, then is clipped to [-1, 1].",
    today="The idea works; the code does not: the batch drawn from a tf.data dataset is a tf.Tensor, which has no "
    ".std() method (AttributeError). reference.gans.dcgan.add_instance_noise does it on a NumPy batch already scaled "
    "to [-1, 1]: noise of 0.5 x the batch std wherever the clip does not bite, values within [-1, 1].",
    verdict=Verdict.CORRECTED,
)
def test_instance_noise(evidence):
    import tensorflow as tf

    patches = data.load_photo_patches(32).astype("float32") / 255.0
    batch = next(iter(tf.data.Dataset.from_tensor_slices(patches).batch(32)))
    with pytest.raises(AttributeError, match="object has no attribute 'std'") as failure:
        batch.std()
    evidence("as written", f"AttributeError: {failure.value}")
    real = dcgan.scale_images(data.load_photo_patches(256))
    noisy = dcgan.add_instance_noise(real, np.random.default_rng(0))
    inside = (noisy > -1) & (noisy < 1)
    ratio = float((noisy - real)[inside].std() / real.std())
    evidence("corrected: range after noise", (float(noisy.min()), float(noisy.max())))
    evidence("corrected: noise std / batch std, where not clipped", round(ratio, 3))
    assert noisy.min() == -1.0 and noisy.max() == 1.0 and noisy.dtype == np.float32
    assert 0.45 < ratio < 0.55  # clipping trims the tails a little: 0.5 less a few percent


@claim(
    "S4.2-checkpoints",
    section="4.2.4",
    says="Each epoch saves weights to gan_generator_<epoch>.h5 / gan_discriminator_<epoch>.h5; testing loads "
    "gan_generator_final.h5.",
    today="Keras 3 refuses a weights file name not ending in .weights.h5 (ValueError), and the loop never "
    "writes a '_final' file. reference.gans.dcgan saves gan_generator_<tag>.weights.h5 and restores them exactly.",
    verdict=Verdict.CORRECTED,
)
def test_checkpoints(tmp_path, evidence):
    generator, discriminator = _tiny_gan()
    with pytest.raises(ValueError, match="must end in `.weights.h5`") as failure:
        generator.save_weights(str(tmp_path / "gan_generator_0.h5"))
    evidence("as written", "ValueError: " + str(failure.value).split(" Received")[0])
    assert "save_weights" not in _document_namespace()
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):  # the free function exists, in keras.saving
        keras.saving.save_weights(generator, str(tmp_path / "gan_generator_0.h5"))
    evidence("save_weights(model, path) as a function", "keras.saving.save_weights; never imported by the document, "
             "and it refuses the .h5 name too")
    trainer = dcgan.DocumentStyleTrainer(generator, discriminator)
    trainer.train(dcgan.scale_images(data.load_photo_patches(64)), epochs=2, batch_size=32, checkpoint_dir=tmp_path, progress=False)
    written = sorted(p.name for p in tmp_path.iterdir())
    evidence("files written", written)
    assert written == [f"gan_{m}_{e}.weights.h5" for m in ("discriminator", "generator") for e in (0, 1)]
    restored = dcgan.build_generator(width=0.125)
    restored.load_weights(tmp_path / "gan_generator_1.weights.h5")
    assert largest_change(weights_of(restored), weights_of(generator)) == 0.0
    assert not (tmp_path / "gan_generator_final.h5").exists()


@claim(
    "S4.2-final-evaluate",
    section="4.2.5",
    says="The trained GAN is tested by discriminator.evaluate() on the test set, reporting its accuracy.",
    today="That number never looks at the generator: after a real DocumentStyleTrainer run, D's accuracy on real "
    "test images is exactly the same whether G is the trained one or replaced by an untrained one, and a "
    "useless D that always answers 'real' scores 100%. Judge a GAN by its samples (FID, see TOC 4.2).",
    verdict=Verdict.REFUTED,
)
def test_final_evaluate(evidence):
    trainer = dcgan.DocumentStyleTrainer(*_tiny_gan())
    trainer.train(dcgan.scale_images(data.load_photo_patches(128)), epochs=1, batch_size=32, progress=False)
    test_images, ones = dcgan.scale_images(data.load_photo_patches(128, seed=1)), np.ones((128, 1))
    with_trained_g = trainer.discriminator.evaluate(test_images, ones, verbose=0, return_dict=True)["accuracy"]
    trainer.generator.set_weights(dcgan.build_generator(width=0.125).get_weights())
    with_untrained_g = trainer.discriminator.evaluate(test_images, ones, verbose=0, return_dict=True)["accuracy"]
    evidence("D's test accuracy with the trained G / with an untrained G", (with_trained_g, with_untrained_g))
    assert with_trained_g == with_untrained_g
    always_real = keras.Sequential([keras.Input((32, 32, 3)), layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    always_real.layers[-1].set_weights([np.zeros((3072, 1)), np.array([10.0])])
    always_real.compile(loss="binary_crossentropy", metrics=["accuracy"])
    _, accuracy = always_real.evaluate(test_images, ones, verbose=0)
    evidence("accuracy of a constant 'real' discriminator", accuracy)
    assert accuracy == 1.0


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "S4.2-cifar10-source": {
        "says": "cifar10.load_data() 会下载 CIFAR-10。",
        "today": "首次使用时会下载；离线时，reference.data.load_cifar10 只读取已有的 Keras 缓存，没有缓存时会说明该怎么办。"
        "本套件在 scikit-learn 自带照片中截取的真实 32x32x3 图块以及 MNIST 上训练。",
    },
    "S4.2-scaling": {
        "says": "真实图像除以 255，缩放为 [0, 1] 内的 float32。",
        "today": "这个范围与生成器 tanh 输出的 [-1, 1] 不一致：只有假图像才会有负的像素值，等于给判别器露了馅。"
        "应使用 x / 127.5 - 1 进行缩放（reference.gans.dcgan.scale_images）。",
    },
    "S4.2-generator-as-written": {
        "says": "生成器是一个 Sequential 堆叠，第一层是作用在 input_shape=(100,) 上的 Conv2DTranspose(512, 4, strides 2)。",
        "today": "会失败：转置卷积需要 4 维输入（ValueError）。应先用 Dense 和 Reshape 把噪声投影成 2x2；"
        "之后文中的四个步长为 2 的层就能输出取值在 [-1, 1] 内的 32x32x3 图像。",
    },
    "S4.2-model-overview": {
        "says": "模型由两个带批归一化的 Conv2D 层、两个带批归一化的 Conv2DTranspose 层和一个 Dense 层堆叠而成。",
        "today": "后面的代码不止这些：判别器有四个 Conv2D、三个 BatchNormalization 和一个 Dense；生成器有四个 Conv2DTranspose 和"
        "三个 BatchNormalization（reference.gans.dcgan 为生成器补上了它所需的 Dense 投影层，并配有自己的批归一化："
        "见 S4.2-generator-as-written）。",
    },
    "S4.2-generator-description": {
        "says": "文中称生成器只有两层转置卷积，并把 100 维噪声送进判别器的输出空间。",
        "today": "代码堆叠了四个 Conv2DTranspose 层（滤波器数为 512、256、128、3），每层把高和宽各放大一倍；它们把噪声映射到图像空间，"
        "也就是判别器的输入空间（32x32x3）；判别器的输出空间只是一个概率值。",
    },
    "S4.2-discriminator-as-written": {
        "says": "判别器以 Flatten、Dropout(0.5) 和 Dense(1, sigmoid) 结尾，使用本节的导入语句。",
        "today": "本节从未导入 Flatten、Dropout 或 Dense：NameError。补上导入后，它对每张 32x32x3 的输入图像输出一个概率。",
    },
    "S4.2-discriminator-description": {
        "says": "判别器由五个卷积层组成，后面跟着两个批归一化层。",
        "today": "代码中有四个 Conv2D 层和三个 BatchNormalization 层（分别在第 2、3、4 个卷积层之后）。",
    },
    "S4.2-leakyrelu-alpha": {
        "says": "LeakyReLU 用 alpha=0.2 配置。",
        "today": "仍可使用，但会触发 UserWarning：`alpha` 已弃用，应改用 `negative_slope`。",
    },
    "S4.2-adam-lr": {
        "says": "优化器为 Adam(lr=0.0002, beta_1=0.5)。",
        "today": "Keras 3 拒绝 `lr`：ValueError。应写作 Adam(learning_rate=2e-4, beta_1=0.5)。",
    },
    "S4.2-compile-model-function": {
        "says": "compile_model() 用二元交叉熵损失函数编译生成器和判别器。",
        "today": "这个函数编译的是判别器和组合模型，从未编译生成器（生成器不需要 compile()：不编译也能 predict）；"
        "它没有返回值，所以调用者拿不到 `combined`；而且它使用了 Adam、BinaryCrossentropy、Input 和 Model 却没有导入（NameError）。"
        "reference.gans.dcgan.DocumentStyleTrainer 保留了两个已编译的模型，各自有自己的 Adam(2e-4, beta_1=0.5) "
        "和在概率空间上计算的交叉熵。",
    },
    "S4.2-loss-from-logits": {
        "says": "对抗损失使用 BinaryCrossentropy(from_logits=True)，而判别器的最后却是 sigmoid。",
        "today": "两者不匹配，其后果取决于后端。TensorFlow 在编译后的 evaluate/train_on_batch 中会发现输出来自 Sigmoid 运算，"
        "发出警告并改用其下的 logits：损失结果是对的。JAX 和 PyTorch 没有这种补救：它们会再套一层 sigmoid，"
        "悄无声息地算出错误的损失。输出用 sigmoid 时应设 from_logits=False，或者去掉 sigmoid。",
    },
    "S4.2-shared-optimizer": {
        "says": "同一个 Adam 实例同时传给判别器和组合模型的 compile()。",
        "today": "在学习者最终会写出的代码中会失败。把冻结改正之后（判别器自己训练时可训练，组合模型训练时冻结），"
        "第二个模型的训练步在每个后端上都会抛出 ValueError：一个优化器是为某一个模型的变量构建的。"
        "完全照原文写时，在 JAX 和 PyTorch 上也会失败；在 TensorFlow 上能运行，只是因为判别器在第一次训练之前就被冻结，"
        "根本没有训练过。应给每个模型各配一个优化器（reference.gans.dcgan.DocumentStyleTrainer）。",
    },
    "S4.2-freezing": {
        "says": "在编译判别器之后、编译组合模型之前设置 discriminator.trainable = False，这样通过组合模型只训练生成器，"
        "而判别器仍能单独训练。",
        "today": "这是 Keras 2 的行为（那时这个标志由 compile() 读取）。在 Keras 3 上，如果在 compile() 之后、第一次训练之前冻结"
        "（即原文的顺序），判别器自己的训练步在每个后端上都不会更新任何东西。修改何时生效也因后端而异："
        "TensorFlow 在首次构建模型的训练函数时（compile() 之后第一次 train_on_batch/fit）读取这个标志，"
        "之后的修改在下一次 compile() 之前都被忽略；JAX 会在下一步抛出 ValueError；PyTorch 则立即生效。"
        "DocumentStyleTrainer 在三个后端上都能工作，因为它总是在判别器可训练时训练判别器，在判别器冻结时训练组合模型："
        "每个模型自始至终只处于一种状态。",
    },
    "S4.2-corrected-loop-trains-both": {
        "says": "训练循环先用真实图像训练判别器，再用生成的图像训练判别器，然后通过组合模型训练生成器。",
        "today": "改正后的循环（reference.gans.dcgan.DocumentStyleTrainer.train_step）正是这样做的，在单个训练步内部观察到："
        "判别器在真实图像上（目标为 1）的训练只改变判别器，在生成器图像上（目标为 0）的训练只改变判别器，"
        "组合模型的训练步（目标为 1）只改变生成器，连判别器的批归一化统计量也保持不变。",
    },
    "S4.2-loss-averaging": {
        "says": "判别器损失为 0.5 * (真实图像上的损失 + 生成图像上的损失)。",
        "today": "成立；并且在 metrics=['accuracy'] 时，train_on_batch 返回 [loss, accuracy]，所以平均是对两者逐元素进行的；"
        "DocumentStyleTrainer 报告的 d_loss 和 d_accuracy 正是这两个平均值。",
    },
    "S4.2-epoch-visits-every-image": {
        "says": "每个 epoch 在训练图像上运行 len(X_train) / BATCH_SIZE 步。",
        "today": "改正后的循环（DocumentStyleTrainer.train）在每个 epoch 中恰好访问每张图像一次，每个 epoch 使用新的随机顺序；"
        "不足一个批次的余数会被丢弃。",
    },
    "S4.2-loop-names-defined": {
        "says": "按前面各小节所述准备好模型和数据后，训练循环即可运行。",
        "today": "它无法运行：它用到了 13 个文中任何一节都没有定义或导入的名称（常量、数据、标签数组、tqdm、tf、save_weights），"
        "而模型是由从未被调用的函数构建的。reference.gans.dcgan.DocumentStyleTrainer.train 是所有名称都已定义的循环。",
    },
    "S4.2-predict-in-loop": {
        "says": "每一步都用 generator.predict(noise) 生成一批假图像。",
        "today": "能运行，但在 Keras 3 上，每次调用 predict() 都会打印自己的进度条（在循环的 tqdm 进度条下每个 epoch 会出现数百个），"
        "而且比改正后的循环所用的 predict_on_batch() 更慢：在 TensorFlow 上约为 10 倍，在 JAX 上约为 1.4 倍"
        "（64 张图像，2 核 CPU）。",
    },
    "S4.2-document-loop-learns": {
        "says": "运行这个循环就能训练 GAN：生成器学会生成与训练数据相似的图像。",
        "today": f"改正后的循环确实在学习，并且可以测量：在 MNIST 上训练 400 步，Frechet 距离从约 455（未训练）降到 38-134"
        f"（3 个随机种子，阈值 {DOCUMENT_LOOP_MAX_FID:.0f}）。它比惯用写法的 DCGAN（同样 400 步后为 10-18，见 TOC 4.2）"
        "学得更慢、也更不稳定：它的判别器占了上风（每个种子结束时准确率都是 1.0）。",
    },
    "S4.2-batch-drawing": {
        "says": "每一步用 next(iter(train_dataset)) 取一批真实图像。",
        "today": "每一步新建一个迭代器会让数据集从头开始：不打乱时，每一步看到的都是同一个第一批。"
        "应每个 epoch 只迭代一次（reference.gans.dcgan.DocumentStyleTrainer.train）。",
    },
    "S4.2-real-labels": {
        "says": "真实批次带有标签 y_real，这些标签被用作判别器的目标。",
        "today": "CIFAR-10 数据集给出的是 0-9 的类别编号，而不是表示“真实”的 1：这时判别器的 train_on_batch 在 TensorFlow 和 JAX 上"
        "会报告一个负的交叉熵（毫无意义），在 PyTorch 上则抛出 RuntimeError。目标必须全为 1"
        "（DocumentStyleTrainer 正是如此：见 S4.2-corrected-loop-trains-both）。",
    },
    "S4.2-instance-noise": {
        "says": "每个真实批次加上标准差为该批次标准差 0.5 倍的高斯噪声，再裁剪到 [-1, 1]。",
        "today": "思路可行，代码却不行：从 tf.data 数据集取出的批次是 tf.Tensor，没有 .std() 方法（AttributeError）。"
        "reference.gans.dcgan.add_instance_noise 在已缩放到 [-1, 1] 的 NumPy 批次上实现这一点：在裁剪不起作用的地方，"
        "噪声为批次标准差的 0.5 倍，结果都在 [-1, 1] 内。",
    },
    "S4.2-checkpoints": {
        "says": "每个 epoch 把权重保存为 gan_generator_<epoch>.h5 / gan_discriminator_<epoch>.h5；测试时加载 gan_generator_final.h5。",
        "today": "Keras 3 拒绝不以 .weights.h5 结尾的权重文件名（ValueError），而且循环从不写出 '_final' 文件。"
        "reference.gans.dcgan 保存为 gan_generator_<tag>.weights.h5，并能原样恢复。",
    },
    "S4.2-final-evaluate": {
        "says": "用 discriminator.evaluate() 在测试集上测试训练好的 GAN，并报告其准确率。",
        "today": "这个数字根本不看生成器：一次真实的 DocumentStyleTrainer 训练之后，无论生成器是训练好的还是换成未训练的，"
        "判别器在真实测试图像上的准确率都完全相同；而一个总是回答“真实”的无用判别器能得到 100%。"
        "评价 GAN 要看它生成的样本（FID，见 TOC 4.2）。",
    },
}
