"""§4.2.1-§4.2.2, the DCGAN's data and its two networks.

Lesson for a newcomer: the tutorial reads CIFAR-10 and scales pixels to [0, 1] while its generator draws in
[-1, 1] with tanh; its generator and discriminator stacks run on Keras 3 once the argument names are updated,
and the prose describing them miscounts a few layers.  reference.gans.dcgan builds both networks.
"""

import keras
import numpy as np
import pytest
from keras import layers
from pytest_socket import SocketBlockedError

from ledger import Verdict, claim
from reference import data
from reference.gans import dcgan
from spec.dcgan_lesson import tiny_gan
from spec.support import recorded_warnings


@claim(
    "S4.2-cifar10-source",
    section="4.2.1",
    says="cifar10.load_data() downloads CIFAR-10.",
    today="Holds: keras.datasets.cifar10.load_data() reads the Keras cache and, when the data set is not there, "
    "fetches it over the network (blocked in this suite: the call is made and stops at the socket). The suite "
    "trains on real 32x32x3 patches of scikit-learn's photos and on MNIST instead.",
    verdict=Verdict.HOLDS,
)
def test_cifar10_source(evidence):
    with recorded_warnings() as caught:
        try:
            (x, y), _ = keras.datasets.cifar10.load_data()
        except SocketBlockedError as blocked:
            x = blocked
    if isinstance(x, SocketBlockedError):
        evidence("keras.datasets.cifar10.load_data(), not cached, no network", f"SocketBlockedError: {x}")
        assert any("A test tried to use socket" in w for w in caught), caught
    else:
        evidence("keras.datasets.cifar10.load_data(), from the Keras cache", f"{x.shape} {x.dtype}")
        assert x.shape == (50000, 32, 32, 3) and x.dtype == np.uint8 and y.shape == (50000, 1)
    patches = data.load_photo_patches(64)
    evidence("stand-in patches", f"{patches.shape} {patches.dtype}, std {patches.std():.1f}")
    assert patches.shape == (64, 32, 32, 3) and patches.dtype == np.uint8 and patches.std() > 20
    assert not np.array_equal(patches[0], patches[2])  # cut at different places


@claim(
    "S4.2-scaling",
    section="4.2.1",
    says="The images are converted to float32 and divided by 255.0.",
    today="The division does what it says (float32 in [0, 1]), but the pipeline it feeds fails: the generator's tanh "
    "draws in [-1, 1], so generated images are the only ones with negative pixels, a giveaway to the discriminator. "
    "Scale with x / 127.5 - 1 (reference.gans.dcgan.scale_images).",
    verdict=Verdict.CORRECTED,
)
def test_scaling_mismatch(evidence):
    every_value = np.arange(256, dtype=np.uint8).astype("float32") / 255.0
    evidence(
        "0..255 as float32 / 255.0: dtype, range",
        (str(every_value.dtype), float(every_value.min()), float(every_value.max())),
    )
    assert every_value.dtype == np.float32 and every_value.min() == 0.0 and every_value.max() == 1.0
    real = data.load_photo_patches(256).astype("float32") / 255.0
    generator, _ = tiny_gan()
    fake = keras.ops.convert_to_numpy(generator(dcgan.generate_noise(256, rng=np.random.default_rng(0))))
    evidence("real range as written", (float(real.min()), float(real.max())))
    evidence("generated range", (round(float(fake.min()), 3), round(float(fake.max()), 3)))
    evidence("fraction of generated pixels < 0", round(float(np.mean(fake < 0)), 3))
    assert real.min() >= 0 and fake.min() < 0 and np.mean(fake < 0) > 0.2
    scaled = dcgan.scale_images(data.load_photo_patches(256))
    assert scaled.min() >= -1 and scaled.max() <= 1 and scaled.min() < -0.9 and scaled.max() > 0.9


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
        "discriminator": {
            k.__name__: count(discriminator, k) for k in (layers.Conv2D, layers.BatchNormalization, layers.Dense)
        },
        "generator": {
            k.__name__: count(generator, k) for k in (layers.Conv2DTranspose, layers.BatchNormalization, layers.Dense)
        },
    }
    evidence("layer counts", counts)
    assert counts["discriminator"] == {"Conv2D": 4, "BatchNormalization": 3, "Dense": 1}
    assert counts["generator"] == {"Conv2DTranspose": 4, "BatchNormalization": 4, "Dense": 1}


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
    with (
        pytest.warns(UserWarning, match="Do not pass an `input_shape`/`input_dim` argument to a layer") as warned,
        pytest.raises(ValueError, match="expected min_ndim=4, found ndim=2") as failure,
    ):
        keras.Sequential(
            [layers.Conv2DTranspose(512, 4, strides=2, padding="same", use_bias=False, input_shape=(100,))]
        )
    evidence("as written", str(failure.value).split(". Full")[0])
    evidence("warning on the way", str(warned[0].message).split(". When")[0])
    generator = dcgan.build_generator()
    out = keras.ops.convert_to_numpy(generator(dcgan.generate_noise(4, rng=np.random.default_rng(0))))
    evidence("corrected output shape", generator.output_shape)
    evidence("corrected parameters", generator.count_params())
    assert generator.output_shape == (None, 32, 32, 3)
    assert -1 <= out.min() and out.max() <= 1


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
    evidence(
        "G: input -> output; D: input -> output",
        f"{generator.input_shape} -> {generator.output_shape}; {discriminator.input_shape} -> {discriminator.output_shape}",
    )
    assert [l.filters for l in transposed] == [512, 256, 128, 3] and all(l.strides == (2, 2) for l in transposed)
    assert transposed[-1].activation is keras.activations.tanh
    assert generator.input_shape == (None, 100)
    assert generator.output_shape == discriminator.input_shape == (None, 32, 32, 3)
    assert discriminator.output_shape == (None, 1)


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


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "S4.2-cifar10-source": {
        "says": "cifar10.load_data() 会下载 CIFAR-10。",
        "today": "成立：keras.datasets.cifar10.load_data() 先读 Keras 缓存，数据集不在缓存中时通过网络下载（本套件禁止联网："
        "这个调用确实发出了，停在套接字上）。本套件改用从 scikit-learn 自带照片中截取的真实 32x32x3 图块以及 MNIST 训练。",
    },
    "S4.2-scaling": {
        "says": "把图像转换为 float32 并除以 255.0。",
        "today": "除法本身如其所说（得到 [0, 1] 内的 float32），但它所在的流程出了问题：生成器的 tanh 输出在 [-1, 1] 内，"
        "只有假图像才会有负的像素值，等于给判别器露了馅。"
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
}
