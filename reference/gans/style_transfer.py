"""Neural style transfer (Gatys, Ecker and Bethge, 2015), offline, on any Keras backend (table of contents, 4.3).

The idea: a convolutional network's feature maps describe an image at two levels.  *Where* things
are lives in the maps themselves (content); *what textures and colours occur*, wherever they occur,
lives in their Gram matrices, the channel-by-channel correlations averaged over all positions (style).
Change the pixels, not the network, until the image's features match a content photo and its Gram
matrices match a style image.  Gatys et al. start from white noise; here the start is the average of
the photo and noise (``starting_image``), which keeps the photo's layout visible after only 100 steps
on a CPU while both losses still have somewhere to fall.  A total-variation term keeps the result smooth.

The network is VGG16's convolutional part, built by ``keras.applications.VGG16(weights=None,
include_top=False)``.  The usual ImageNet weights are a download (``weights="imagenet"`` fetches a
58 MB file), impossible offline, so the weights here are random: random convolutional features are
known to carry texture statistics well enough for texture synthesis and style transfer, and the claims
measure what they achieve here.  With random weights the layers' activations differ in scale by orders
of magnitude, so every loss term is relative: the squared error divided by the target's squared norm.

The optimisation is a ``keras.Model`` whose only trainable weight is the image, trained with ``fit()``
and Adam, so Keras computes the gradients on every backend; a constraint keeps the pixels in 0..255.

    python -m reference.gans.style_transfer --steps 100    # writes build/gans/style_transfer.png
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from reference import cli
from reference.measurements import write_report

# Shallower than Gatys' (style block1-5_conv1, content block4_conv2): with random weights the deep layers keep
# little of the photo's layout (measured: the result's edges correlate 0.41 with the content photo's through
# block3_conv2, 0.59 through block2_conv2), and stopping at block3 halves the CPU cost of a step.
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1")
CONTENT_LAYER = "block2_conv2"
SIZE = 128
STEPS = 100
LEARNING_RATE = 8.0  # Adam, on pixels in 0..255
STYLE_WEIGHT = 1.0  # balanced: both losses fall; at 10 the style wins and the content loss may rise (see claims)
SMOOTHNESS_WEIGHT = 10.0  # total variation: without it the random features let high-frequency noise survive
STARTS = ("mix", "noise", "content")


def load_image(name: str, size: int = SIZE) -> np.ndarray:
    """A bundled photo as float32 RGB (size, size, 3) in 0..255, centre-cropped to a square and resized.

    ``name``: ``"cat"`` (scikit-image's chelsea), ``"astronaut"``, ``"coffee"`` (scikit-image),
    ``"stained_tissue"`` (scikit-image's immunohistochemistry stain), ``"flower"``, ``"china"``
    (scikit-learn's sample photos).
    """
    import skimage.data
    from skimage.transform import resize
    from sklearn.datasets import load_sample_image

    sources = {
        "cat": skimage.data.chelsea,
        "astronaut": skimage.data.astronaut,
        "coffee": skimage.data.coffee,
        "stained_tissue": skimage.data.immunohistochemistry,
        "flower": lambda: load_sample_image("flower.jpg"),
        "china": lambda: load_sample_image("china.jpg"),
    }
    if name not in sources:
        raise ValueError(f"unknown image {name!r}; expected one of {sorted(sources)}")
    if size < 32:
        raise ValueError(f"size must be at least 32 (VGG16 halves it 4 times before {CONTENT_LAYER}); received {size}")
    image = sources[name]()
    side = min(image.shape[:2])
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    square = image[top : top + side, left : left + side]
    return (resize(square, (size, size), anti_aliasing=True, preserve_range=True)).astype("float32")


def feature_network(size: int = SIZE, seed: int = 0, layers=None) -> keras.Model:
    """VGG16's convolutional layers, random weights (seeded), returning the named layers' feature maps.

    Input: RGB images in 0..255 (``vgg16.preprocess_input`` is applied inside).
    """
    layers = STYLE_LAYERS + (CONTENT_LAYER,) if layers is None else tuple(layers)
    keras.utils.set_random_seed(seed)
    vgg = keras.applications.VGG16(weights=None, include_top=False, input_shape=(size, size, 3))
    known = {layer.name for layer in vgg.layers}
    unknown = [name for name in layers if name not in known]
    if unknown:
        raise ValueError(f"VGG16 has no layer(s) {unknown}; conv layers are named like 'block3_conv1'")
    vgg.trainable = False
    image = keras.Input((size, size, 3))
    outputs = keras.Model(vgg.input, [vgg.get_layer(name).output for name in layers])(
        keras.applications.vgg16.preprocess_input(image)
    )
    return keras.Model(image, outputs, name="vgg16_random_features")


def gram_matrix(features):
    """(batch, h, w, c) feature maps -> (batch, c, c): channel correlations averaged over the h*w positions."""
    shape = keras.ops.shape(features)
    flat = keras.ops.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
    return keras.ops.matmul(keras.ops.transpose(flat, (0, 2, 1)), flat) / keras.ops.cast(
        shape[1] * shape[2], flat.dtype
    )


def _relative(value, target):
    """Squared distance of ``value`` from the NumPy constant ``target``, relative to the target's size.

    ``keras.ops.subtract`` converts the constant on every backend; a bare ``tensor - ndarray`` lets NumPy
    take over on PyTorch, which refuses a tensor that requires grad."""
    return keras.ops.sum(keras.ops.square(keras.ops.subtract(value, target))) / keras.ops.sum(keras.ops.square(target))


def distances(features: keras.Model, image: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """(content, style) distance of ``image`` from ``reference`` through ``features``: the same relative terms
    the optimisation minimises (content layer maps; Gram matrices averaged over the style layers)."""
    *image_style, image_content = features(np.asarray(image, "float32")[None])
    *reference_style, reference_content = features(np.asarray(reference, "float32")[None])
    content = _relative(image_content, reference_content)
    style = sum(_relative(gram_matrix(a), gram_matrix(b)) for a, b in zip(image_style, reference_style)) / len(
        image_style
    )
    return float(keras.ops.convert_to_numpy(content)), float(keras.ops.convert_to_numpy(style))


def shuffle_tiles(image: np.ndarray, tile: int = 32, seed: int = 0) -> np.ndarray:
    """The image cut into tile x tile squares, put back in a random order: the same textures, another layout."""
    image = np.asarray(image)
    size = image.shape[0]
    if image.ndim != 3 or image.shape[1] != size or size % tile:
        raise ValueError(f"expected a square (h, h, c) image with h a multiple of tile={tile}; received {image.shape}")
    n = size // tile
    blocks = image.reshape(n, tile, n, tile, -1).transpose(0, 2, 1, 3, 4).reshape(n * n, tile, tile, -1)
    blocks = blocks[np.random.default_rng(seed).permutation(n * n)]
    return blocks.reshape(n, n, tile, tile, -1).transpose(0, 2, 1, 3, 4).reshape(image.shape)


def measure_tile_shuffle(seeds=(0, 1, 2), out: str | Path | None = None) -> dict:
    """Content and style distance from the stained-tissue image of its tile-shuffled self and of the cat photo."""

    style, cat = load_image("stained_tissue"), load_image("cat")
    runs = {}
    for seed in seeds:
        features = feature_network(SIZE, seed)
        shuffled, other = distances(features, shuffle_tiles(style), style), distances(features, cat, style)
        runs[str(seed)] = {
            "tiles_shuffled": {"content": shuffled[0], "style": shuffled[1]},
            "cat_photo": {"content": other[0], "style": other[1]},
        }
    report = {
        "how": f"reference.gans.style_transfer.measure_tile_shuffle(seeds={list(seeds)}): distances(feature_network"
        "(128, seed), x, stained_tissue) for x = shuffle_tiles(stained_tissue, 32, seed 0) and x = cat.",
        "setup": "see how",
        "runs": runs,
    }
    return write_report(report, out)


class ClipPixels(keras.constraints.Constraint):
    """Keeps the optimised image a valid picture: every pixel in 0..255 after each update."""

    def __call__(self, w):
        return keras.ops.clip(w, 0.0, 255.0)


class StyleTransfer(keras.Model):
    """The image being optimised is this model's only trainable weight; ``fit()`` runs the optimisation.

    Loss = content_weight * content + style_weight * mean over style layers, each term relative (see module).
    """

    def __init__(
        self,
        features: keras.Model,
        content: np.ndarray,
        style: np.ndarray,
        content_weight: float = 1.0,
        style_weight: float = STYLE_WEIGHT,
        smoothness_weight: float = SMOOTHNESS_WEIGHT,
        start: np.ndarray | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        size = features.input_shape[1]
        for name, image in (("content", content), ("style", style)):
            if np.shape(image) != (size, size, 3):
                raise ValueError(
                    f"the {name} image must have shape {(size, size, 3)} to match the feature network; "
                    f"received {np.shape(image)}"
                )
        if content_weight < 0 or style_weight < 0 or content_weight + style_weight == 0:
            raise ValueError(f"weights must be non-negative and not both 0; received {content_weight}, {style_weight}")
        self.features = features
        self.features.trainable = False
        self.content_weight, self.style_weight = float(content_weight), float(style_weight)
        self.smoothness_weight = float(smoothness_weight)
        *style_maps, _ = features(np.asarray(style, "float32")[None])
        *_, content_map = features(np.asarray(content, "float32")[None])
        self.style_targets = [keras.ops.convert_to_numpy(gram_matrix(m)) for m in style_maps]
        self.content_target = keras.ops.convert_to_numpy(content_map)
        if start is None:
            start = starting_image(content, "mix")
        self.image = self.add_weight(
            shape=(1, size, size, 3),
            name="image",
            constraint=ClipPixels(),
            initializer=keras.initializers.Constant(np.asarray(start, "float32")[None]),
        )
        self.built = True

    def call(self, inputs=None, training=False):
        return self.features(self.image)

    def loss_terms(self, feature_maps):
        """(content loss, style loss) of the given feature maps (the output of ``call``)."""
        *style_maps, content_map = feature_maps
        content = _relative(content_map, self.content_target)
        style = sum(_relative(gram_matrix(m), t) for m, t in zip(style_maps, self.style_targets)) / len(style_maps)
        return content, style

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        content, style = self.loss_terms(y_pred)
        return self.content_weight * content + self.style_weight * style + self.smoothness_weight * self.roughness()

    def roughness(self):
        """Total variation of the image: mean squared difference between neighbouring pixels, over 255^2."""
        image = self.image / 255.0
        down = keras.ops.mean(keras.ops.square(image[:, 1:] - image[:, :-1]))
        right = keras.ops.mean(keras.ops.square(image[:, :, 1:] - image[:, :, :-1]))
        return down + right

    def current_losses(self) -> tuple[float, float]:
        content, style = self.loss_terms(self.call())
        return float(keras.ops.convert_to_numpy(content)), float(keras.ops.convert_to_numpy(style))

    def result(self) -> np.ndarray:
        """The current image, float32 (size, size, 3) in 0..255."""
        return keras.ops.convert_to_numpy(self.image)[0]


@dataclass
class Transfer:
    image: np.ndarray
    content_loss: list  # relative content loss before step 0 and after every `every` steps
    style_loss: list
    every: int


def starting_image(content: np.ndarray, start: str = "mix", seed: int = 0) -> np.ndarray:
    """Where the optimisation starts: ``"noise"`` (uniform 0..255, Gatys et al.), ``"content"`` (the photo), or
    ``"mix"`` (their average: the photo's layout is there from the start, and its content loss is not 0)."""
    if start not in STARTS:
        raise ValueError(f"start must be one of {STARTS}; received {start!r}")
    noise = np.random.default_rng(seed).uniform(0, 255, size=np.shape(content)).astype("float32")
    return {
        "noise": noise,
        "content": np.asarray(content, "float32"),
        "mix": 0.5 * (noise + np.asarray(content, "float32")),
    }[start]


def transfer(
    content: np.ndarray,
    style: np.ndarray,
    steps: int = STEPS,
    content_weight: float = 1.0,
    style_weight: float = STYLE_WEIGHT,
    smoothness_weight: float = SMOOTHNESS_WEIGHT,
    start: str = "mix",
    seed: int = 0,
    every: int = 10,
    verbose=0,
) -> Transfer:
    """Optimise an image toward ``content``'s features and ``style``'s Gram matrices; ``seed`` picks the random
    VGG16 weights and the starting noise.  The losses are recorded before the first step and every ``every``."""
    if steps < 1 or every < 1:
        raise ValueError(f"steps and every must be positive; received {steps} and {every}")
    size = np.shape(content)[0]
    model = StyleTransfer(
        feature_network(size, seed),
        content,
        style,
        content_weight,
        style_weight,
        smoothness_weight,
        start=starting_image(content, start, seed),
    )
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE))
    content_losses, style_losses = [], []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch % every == 0:
                # self.model, not the `model` of the enclosing function: on JAX, fit() keeps the weights outside
                # the model between steps, and the callback's model property puts them back first.
                c, s = self.model.current_losses()
                content_losses.append(c)
                style_losses.append(s)

    model.fit(
        np.zeros((steps, 1), "float32"), batch_size=1, epochs=1, shuffle=False, verbose=verbose, callbacks=[Record()]
    )
    c, s = model.current_losses()
    return Transfer(model.result(), content_losses + [c], style_losses + [s], every)


def colour_statistics(image: np.ndarray) -> np.ndarray:
    """Per-channel mean and standard deviation of an RGB image (6 numbers, in pixel units)."""
    image = np.asarray(image, "float64")
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"expected an RGB image (h, w, 3); received shape {image.shape}")
    return np.concatenate([image.mean(axis=(0, 1)), image.std(axis=(0, 1))])


def edge_map(image: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude of the image's grey levels (scikit-image), smoothed a little first."""
    from skimage.color import rgb2gray
    from skimage.filters import gaussian, sobel

    return sobel(gaussian(rgb2gray(np.clip(np.asarray(image), 0, 255) / 255.0), sigma=1.0))


def edge_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two images' edge maps (1 = edges in the same places)."""
    return float(np.corrcoef(edge_map(a).ravel(), edge_map(b).ravel())[0, 1])


STYLE_WEIGHTS_GRID = (0.1, 1.0, 10.0, 100.0)


def weight_tradeoff(
    content: np.ndarray, style: np.ndarray, style_weights=STYLE_WEIGHTS_GRID, steps: int = 60, seed: int = 0
) -> dict:
    """One transfer per style weight (content weight 1): {style weight: Transfer}."""
    return {w: transfer(content, style, steps, style_weight=w, seed=seed, every=steps) for w in style_weights}


def measure_seeds(
    seeds=(0, 1, 2), content_name: str = "cat", style_name: str = "stained_tissue", out: str | Path | None = None
) -> dict:
    """Per seed (random VGG16 weights and starting noise): the default transfer at 128x128 (loss curves, colour
    statistics, edge correlations) and the style-weight grid at 64x64; optionally saved as JSON."""
    import time

    runs = {}
    content, style = load_image(content_name), load_image(style_name)
    small = load_image(content_name, 64), load_image(style_name, 64)
    for seed in seeds:
        start = time.perf_counter()
        run = transfer(content, style, seed=seed)
        seconds = time.perf_counter() - start
        grid = weight_tradeoff(*small, seed=seed)
        runs[str(seed)] = {
            "content_loss": [round(v, 4) for v in run.content_loss],
            "style_loss": [round(v, 4) for v in run.style_loss],
            "colour_distance_to_style": {
                "content photo": float(np.linalg.norm(colour_statistics(content) - colour_statistics(style))),
                "result": float(np.linalg.norm(colour_statistics(run.image) - colour_statistics(style))),
            },
            "edge_correlation": {
                "result~content": edge_correlation(run.image, content),
                "result~style": edge_correlation(run.image, style),
            },
            "seconds": round(seconds, 1),
            "grid_64": {str(w): {"content": t.content_loss[-1], "style": t.style_loss[-1]} for w, t in grid.items()},
        }
    report = {
        "how": f"reference.gans.style_transfer.measure_seeds(seeds={list(seeds)}): transfer({content_name!r} "
        f"-> {style_name!r}, {SIZE}x{SIZE}, {STEPS} steps, style weight {STYLE_WEIGHT}, start 'mix'); "
        "weight_tradeoff at 64x64, 60 steps. Losses are relative (see module).",
        "setup": "see how",
        "runs": runs,
    }
    return write_report(report, out)


def main(argv=None) -> None:
    args = cli.parse_args("gans.style_transfer", argv)
    from reference.figures import plt

    content, style = load_image(args.content, args.size), load_image(args.style, args.size)

    def draw(folder: Path, result: np.ndarray, label: str = "result") -> Path:
        fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.8))
        for ax, (title, image) in zip(axes, [("content", content), ("style", style), (label, result)]):
            ax.imshow(np.clip(image, 0, 255).astype("uint8"))
            ax.set_title(title)
            ax.axis("off")
        target = folder / "style_transfer.png"
        fig.savefig(target)
        return target

    def interrupted(folder: Path, training) -> Path | None:  # Ctrl-C keeps the image so far (reference/cli.py)
        return (
            draw(folder, training.fits[-1].model.result(), f"after {training.steps} steps") if training.fits else None
        )

    cli.on_interrupt(interrupted)
    run = transfer(content, style, args.steps, style_weight=args.style_weight, verbose=1)
    print(
        f"content loss {run.content_loss[0]:.3f} -> {run.content_loss[-1]:.3f}, "
        f"style loss {run.style_loss[0]:.3f} -> {run.style_loss[-1]:.3f}"
    )
    cli.wrote([draw(Path(args.out), run.image)])


if __name__ == "__main__":
    cli.run(main)
