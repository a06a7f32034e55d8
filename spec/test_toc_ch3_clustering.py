"""Table of contents, chapter 3: unsupervised learning, K-means, DBSCAN, and their applications.

The document promises this chapter but never writes it; each claim is the standard,
checkable statement such a chapter makes, measured here.  Reference code:
``reference.clustering.kmeans`` (K-means in Keras ops) and ``reference.clustering.applications``.
"""

import numpy as np
import pytest
from sklearn import metrics
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import load_digits, load_sample_image, make_blobs, make_moons
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler, scale

from ledger import Verdict, claim
from ledger.measured import threshold
from reference import data
from reference.clustering import applications as clustering
from reference.clustering.kmeans import initial_centers, kmeans
from reference.data import load_mnist
from reference.figures import plt


def _blobs():
    x, y = make_blobs(600, centers=[[0, 0], [6, 0], [3, 5]], cluster_std=0.8, random_state=0)
    return x.astype("float32"), y


@claim(
    "TOC3.1-structure-without-labels",
    section="TOC 3.1",
    says="Unsupervised learning finds structure in data without being given labels.",
    today="Holds: K-means never sees the labels of three separated blobs yet recovers them (ARI 1 = perfect).",
    verdict=Verdict.HOLDS,
)
def test_structure_without_labels(evidence):
    x, y = _blobs()
    found = kmeans(x, 3, seed=0)
    ari = metrics.adjusted_rand_score(y, found.labels)
    evidence("adjusted Rand index vs hidden labels", round(ari, 4))
    assert ari > 0.98


@claim(
    "TOC3.2-inertia-monotone",
    section="TOC 3.2",
    says="Each K-means iteration (assign, then move centres to means) never increases the objective, and it converges.",
    today="Holds for reference.clustering.kmeans (Keras ops): the inertia sequence never rises and iteration stops when centres stop moving.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_inertia_never_increases(init, evidence):
    x, _ = make_blobs(1500, centers=15, cluster_std=1.0, random_state=3)
    result = kmeans(x, 15, init=init, seed=1)
    steps = np.diff(result.inertia_history)
    evidence("iterations until converged", result.iterations)
    evidence("inertia first -> last", f"{result.inertia_history[0]:.1f} -> {result.inertia:.1f}")
    evidence("largest increase between iterations", float(steps.max()))
    assert result.converged and result.iterations < 300
    assert steps.max() <= 1e-3 * result.inertia_history[0]  # float32 rounding only


@claim(
    "TOC3.2-agrees-with-sklearn",
    section="TOC 3.2",
    says="K-means can be implemented directly (here with Keras ops, on any backend).",
    today="reference.clustering.kmeans, started from the same centres as scikit-learn's KMeans (n_init=1, lloyd), "
    "ends with the same labels and centres.",
    verdict=Verdict.HOLDS,
)
def test_agrees_with_sklearn(evidence):
    x, _ = make_blobs(1000, centers=8, cluster_std=1.5, random_state=5)
    x = x.astype("float32")
    start = initial_centers(x, 8, "k-means++", seed=0)
    ours = kmeans(x, 8, init=start)
    theirs = KMeans(8, init=start, n_init=1, algorithm="lloyd", tol=1e-6).fit(x)
    gap = float(np.abs(ours.centers - theirs.cluster_centers_).max())
    evidence("labels identical", bool((ours.labels == theirs.labels_).all()))
    evidence("largest centre difference", gap)
    evidence("inertia ours / scikit-learn", f"{ours.inertia:.3f} / {theirs.inertia_:.3f}")
    assert (ours.labels == theirs.labels_).all() and gap < 1e-3
    assert ours.inertia == pytest.approx(theirs.inertia_, rel=1e-4)


@claim(
    "TOC3.2-initialisation",
    section="TOC 3.2",
    says="K-means' result depends on its initialisation; k-means++ seeding is more reliable than random points.",
    today="Holds: over 8 seeds on 15 blobs, random starts end in local optima up to ~70% worse; "
    "k-means++ ends within a few percent of the best.",
    verdict=Verdict.HOLDS,
)
def test_initialisation(evidence):
    x, _ = make_blobs(1500, centers=15, cluster_std=1.0, random_state=3)
    final = {init: [kmeans(x, 15, init=init, seed=s).inertia for s in range(8)] for init in ("k-means++", "random")}
    for init, values in final.items():
        evidence(f"final inertia, {init}", [round(v) for v in values])
    # Measured: k-means++ 2383-2497, random 2382-3990.
    assert max(final["random"]) > 1.3 * min(final["random"])
    assert np.mean(final["k-means++"]) < np.mean(final["random"])
    assert max(final["k-means++"]) < 1.1 * min(final["k-means++"])


@claim(
    "TOC3.2-needs-k",
    section="TOC 3.2",
    says="K-means needs the number of clusters k in advance.",
    today="Holds: it returns exactly k clusters whatever the data; three blobs asked for 5 come back as 5.",
    verdict=Verdict.HOLDS,
)
def test_needs_k(evidence):
    x, _ = _blobs()
    counts = {k: len(np.unique(kmeans(x, k, seed=0).labels)) for k in (2, 3, 5)}
    evidence("clusters returned for k = 2, 3, 5", counts)
    assert counts == {2: 2, 3: 3, 5: 5}
    with pytest.raises(ValueError, match="k must be between 1"):
        kmeans(x, 0)


@claim(
    "TOC3.2-feature-scale",
    section="TOC 3.2",
    says="K-means is sensitive to the scale of the features.",
    today="Holds: give one feature of three round blobs units 1000x larger and K-means splits along it alone; "
    "standardising the features restores the blobs.",
    verdict=Verdict.HOLDS,
)
def test_feature_scale(evidence):
    x, y = make_blobs(600, centers=[[0, 0], [4, 0], [0, 4]], cluster_std=0.5, random_state=0)
    raw = (x * [1.0, 1000.0]).astype("float32")  # the second feature in other units (mm instead of m)
    ari_raw = metrics.adjusted_rand_score(y, kmeans(raw, 3, seed=0).labels)
    ari_scaled = metrics.adjusted_rand_score(y, kmeans(StandardScaler().fit_transform(raw), 3, seed=0).labels)
    evidence("ARI raw / standardised", f"{ari_raw:.3f} / {ari_scaled:.3f}")
    assert ari_raw < 0.7 and ari_scaled > 0.95


@claim(
    "TOC3.3-non-convex",
    section="TOC 3.3",
    says="K-means assumes convex, round clusters; DBSCAN follows arbitrary shapes such as two moons.",
    today="Holds: on two moons K-means reaches ARI about 0.48 while DBSCAN (eps 0.3) separates them exactly.",
    verdict=Verdict.HOLDS,
)
def test_two_moons(evidence):
    x, y = make_moons(500, noise=0.05, random_state=0)
    x = StandardScaler().fit_transform(x)
    ari_kmeans = metrics.adjusted_rand_score(y, kmeans(x, 2, seed=0).labels)
    ari_dbscan = metrics.adjusted_rand_score(y, DBSCAN(eps=0.3, min_samples=5).fit(x).labels_)
    evidence("ARI K-means / DBSCAN", f"{ari_kmeans:.3f} / {ari_dbscan:.3f}")
    assert ari_kmeans < 0.5 and ari_dbscan > 0.99


def _dbscan_demo_data():
    """scikit-learn's DBSCAN demo data: 750 points around three centres, standardised."""
    x, y = make_blobs(750, centers=[[1, 1], [-1, -1], [1, -1]], cluster_std=0.4, random_state=0)
    return StandardScaler().fit_transform(x), y


@claim(
    "TOC3.3-finds-count-and-noise",
    section="TOC 3.3",
    says="DBSCAN finds the number of clusters itself and labels outliers as noise; eps and min_samples control it.",
    today="Holds: noise is labelled -1; a larger eps merges clusters and marks fewer points as noise, "
    "a larger min_samples marks more points as noise. Measured on scikit-learn's DBSCAN itself: the project has no "
    "DBSCAN of its own, so this entry states the algorithm's behaviour, not our code's.",
    verdict=Verdict.HOLDS,
)
def test_dbscan_parameters(evidence):
    x, _ = _dbscan_demo_data()

    def summary(eps, min_samples):
        labels = DBSCAN(eps=eps, min_samples=min_samples).fit(x).labels_
        return len(set(labels) - {-1}), int(np.sum(labels == -1))

    table = {f"eps={e}, min_samples={m}": summary(e, m) for e, m in [(0.1, 10), (0.3, 10), (0.6, 10), (0.3, 30)]}
    evidence("(clusters, noise points)", table)
    assert table["eps=0.3, min_samples=10"][0] == 3
    assert (
        table["eps=0.1, min_samples=10"][1] > table["eps=0.3, min_samples=10"][1] > table["eps=0.6, min_samples=10"][1]
    )
    assert table["eps=0.6, min_samples=10"][0] < 3
    assert table["eps=0.3, min_samples=30"][1] > table["eps=0.3, min_samples=10"][1]


@claim(
    "TOC3.3-sklearn-demo-anchor",
    section="TOC 3.3",
    says="(anchor) scikit-learn's DBSCAN demo: 750 blobs, eps 0.3, min_samples 10 give 3 clusters, 18 noise "
    "points, homogeneity 0.953, completeness 0.883, V-measure 0.917, ARI 0.952, silhouette 0.626.",
    today="Reproduced to three decimals. This runs scikit-learn itself: an anchor that our setting reproduces the "
    "published demo, not a test of our reference code.",
    verdict=Verdict.HOLDS,
)
def test_dbscan_demo_anchor(evidence):
    x, y = _dbscan_demo_data()
    labels = DBSCAN(eps=0.3, min_samples=10).fit(x).labels_
    measured = {
        "clusters": len(set(labels) - {-1}),
        "noise": int(np.sum(labels == -1)),
        "homogeneity": metrics.homogeneity_score(y, labels),
        "completeness": metrics.completeness_score(y, labels),
        "v_measure": metrics.v_measure_score(y, labels),
        "ari": metrics.adjusted_rand_score(y, labels),
        "silhouette": metrics.silhouette_score(x, labels),
    }
    evidence("measured", {k: round(v, 3) for k, v in measured.items()})
    assert (measured["clusters"], measured["noise"]) == (3, 18)
    published = {"homogeneity": 0.953, "completeness": 0.883, "v_measure": 0.917, "ari": 0.952, "silhouette": 0.626}
    for key, value in published.items():
        assert measured[key] == pytest.approx(value, abs=5e-4), key


@claim(
    "TOC3.2-sklearn-digits-anchor",
    section="TOC 3.2",
    says="(anchor) scikit-learn's K-means-on-digits demo reports ARI between roughly 0.47 and 0.57 depending on initialisation.",
    today="Reproduced: k-means++ 0.469, random 0.574 (standardised digits, n_init=4, random_state=0). This runs "
    "scikit-learn itself: it anchors the setting in which our reference K-means is compared with scikit-learn's "
    "(TOC3.2-agrees-with-sklearn), not our code.",
    verdict=Verdict.HOLDS,
)
def test_digits_demo_anchor(evidence):
    digits = load_digits()
    data = scale(digits.data)
    ari = {
        init: metrics.adjusted_rand_score(
            digits.target, KMeans(10, init=init, n_init=4, random_state=0).fit(data).labels_
        )
        for init in ("k-means++", "random")
    }
    evidence("ARI", {k: round(v, 3) for k, v in ari.items()})
    assert 0.45 < ari["k-means++"] < 0.60 and 0.45 < ari["random"] < 0.60


@claim(
    "TOC3.4-segmentation",
    section="TOC 3.4",
    says="Clustering pixel colours segments an image into k colour regions.",
    today="Holds on scikit-learn's photos: exactly k distinct colours remain; PSNR rises with k and beats a "
    "random k-colour codebook by a wide margin.",
    verdict=Verdict.HOLDS,
)
def test_colour_segmentation(evidence):
    image = load_sample_image("china.jpg")[::2, ::2]
    ks = (2, 4, 8, 16)
    segmented = {k: clustering.segment_colors(image, k) for k in ks}
    distinct = {k: len(np.unique(s.reshape(-1, 3), axis=0)) for k, s in segmented.items()}
    quality = {k: round(clustering.psnr(image, s), 2) for k, s in segmented.items()}
    random_quality = {
        k: round(clustering.psnr(image, clustering.quantize(image, clustering.random_codebook(k))), 2) for k in ks
    }
    evidence("distinct colours", distinct)
    evidence("PSNR dB, K-means", quality)
    evidence("PSNR dB, random codebook", random_quality)
    assert distinct == {k: k for k in ks}
    assert all(quality[a] < quality[b] for a, b in zip(ks, ks[1:]))
    assert all(quality[k] > random_quality[k] + 3 for k in ks)
    # The palette comes from a 5,000-pixel sample; fitted on every pixel it is no better by more than 0.3 dB.
    full = {
        k: clustering.psnr(
            image,
            clustering.quantize(
                image, KMeans(k, n_init=1, random_state=0).fit(image.reshape(-1, 3).astype("float32")).cluster_centers_
            ),
        )
        for k in (4, 16)
    }
    evidence("PSNR dB, scikit-learn KMeans on all pixels", {k: round(v, 2) for k, v in full.items()})
    assert all(quality[k] > full[k] - 0.3 for k in full)
    fig, axes = plt.subplots(1, len(ks) + 1, figsize=(3 * (len(ks) + 1), 2.6))
    for ax, (title, picture) in zip(
        axes, [("original", image)] + [(f"k={k}, {quality[k]} dB", segmented[k]) for k in ks]
    ):
        ax.imshow(picture)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    evidence.figure(
        fig,
        "segmentation",
        "Colour segmentation by K-means for several k (scikit-learn sample photo)",
        caption_zh="用 K-means 对颜色分割，取不同的 k（scikit-learn 自带的示例照片）",
    )


def _digits():
    images, labels = data.load_digits()
    assert images.shape == (1797, 8, 8) and images.max() == 16.0 and labels.tolist()[:5] == [0, 1, 2, 3, 4]
    return (images.reshape(len(images), -1) / 16.0).astype("float32"), labels


def _mnist_test_images():
    _, (images, labels) = load_mnist()
    return images.reshape(len(images), -1).astype("float32") / 255, labels


IMAGE_SETS = {"digits": _digits, "mnist": _mnist_test_images}
# K-means on raw pixels (reference.clustering.kmeans, k-means++), ARI and NMI for seeds 0-2 on 1,797 8x8 digits and
# 10,000 MNIST test images: docs/measurements/ch3_kmeans_raw_seeds.json (measure_raw_pixel_seeds, the same runs as
# this test).  Thresholds sit about 0.04-0.05 below the worst seed.
RAW_MIN = {
    name: {score: threshold(value, "ch3_kmeans_raw_seeds", f"{name}/{score}") for score, value in floors.items()}
    for name, floors in {"digits": {"ari": 0.57, "nmi": 0.69}, "mnist": {"ari": 0.33, "nmi": 0.45}}.items()
}


@claim(
    "TOC3.4-image-clustering",
    section="TOC 3.4",
    says="Images can be clustered: K-means on handwritten digits groups them by digit.",
    today="On raw pixels K-means reaches ARI {m:ch3_kmeans_raw_seeds:digits/ari:range=.2f} on 8x8 digits and only {m:ch3_kmeans_raw_seeds:mnist/ari:range=.2f} on "
    "MNIST (NMI {m:ch3_kmeans_raw_seeds:digits/nmi:range=.2f} / {m:ch3_kmeans_raw_seeds:mnist/nmi:range=.2f}; 3 seeds): far above chance (0), far "
    "from a grouping by digit (1).",
    verdict=Verdict.HOLDS,
    qualifier="far above chance, far from the labels",
)
@pytest.mark.parametrize("dataset", sorted(IMAGE_SETS))
def test_image_clustering_raw(dataset, evidence):
    x, y = IMAGE_SETS[dataset]()
    runs = [clustering.scores(y, kmeans(x, 10, seed=s).labels) for s in range(3)]
    evidence("images", x.shape)
    evidence("ARI per seed", [round(r["ari"], 3) for r in runs])
    evidence("NMI per seed", [round(r["nmi"], 3) for r in runs])
    assert min(r["ari"] for r in runs) > RAW_MIN[dataset]["ari"]
    assert min(r["nmi"] for r in runs) > RAW_MIN[dataset]["nmi"]
    if dataset != "digits":
        return
    result = kmeans(x, 10, seed=0)
    # Cluster ids are arbitrary: match each cluster to one digit (Hungarian assignment on the cluster x digit counts)
    # so that both panels share one palette, a cluster painted in the colour of the digit it holds most of.
    from scipy.optimize import linear_sum_assignment

    counts = metrics.cluster.contingency_matrix(result.labels, y)
    clusters, digits = linear_sum_assignment(counts, maximize=True)
    matched = dict(zip(clusters.tolist(), digits.tolist()))
    as_digit = np.array([matched[c] for c in result.labels])
    evidence("cluster -> matched digit (Hungarian)", matched)
    evidence("points whose cluster's matched digit is their digit", round(float(np.mean(as_digit == y)), 3))
    assert sorted(matched.values()) == list(range(10)) and np.mean(as_digit == y) > 0.5
    projected = PCA(2, random_state=0).fit_transform(x)
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, colours, title in (
        (axes[0], as_digit, "coloured by K-means cluster (matched to a digit)"),
        (axes[1], y, "coloured by true digit"),
    ):
        ax.scatter(projected[:, 0], projected[:, 1], c=colours, cmap="tab10", vmin=0, vmax=9, s=5)
        ax.set_title(title)
    evidence.figure(
        fig,
        "digits_clusters",
        "scikit-learn digits, 2-D PCA projection: K-means clusters (each in the colour of the digit it is matched "
        "to) vs true labels",
        caption_zh="scikit-learn 的 digits 数据集在 PCA 二维投影上：K-means 的簇（每个簇用与之匹配的数字的颜色）与真实标签",
    )


# Autoencoder codes (10-d; 60 epochs on digits, 15 on MNIST), then K-means, seeds 0-2, measured ARI:
#   TensorFlow, digits: 0.652, 0.570, 0.614 (mean 0.612) against raw 0.649 mean
#   TensorFlow, MNIST:  0.337, 0.373, 0.345 (mean 0.352) against raw 0.381 mean
#   JAX, MNIST:         0.430, 0.400, 0.440 (mean 0.423) against raw 0.381 mean
# The codes land within about 0.05 of the pixels, either side. Thresholds: codes above 0.45 / 0.25 (they do
# carry digit structure) and their mean less than 0.1 above the pixels' (no marked gain; twice the largest seen).
AUTOENCODER_EPOCHS = {"digits": 60, "mnist": 15}
CODES_MIN_ARI = {"digits": 0.45, "mnist": 0.25}
NO_MARKED_GAIN = 0.1


@pytest.mark.slow
@claim(
    "TOC3.4-embedding-clustering",
    section="TOC 3.4",
    says="Clustering a small dense autoencoder's codes works markedly better than clustering raw pixels.",
    today="Not for the one measured here (784-128-10 dense, trained on reconstruction alone): its 10-d codes "
    "cluster about as well as raw pixels, a few hundredths of ARI better or worse depending on the backend and the "
    "run (each backend's per-seed ARIs of codes and pixels are in the evidence). This does not "
    "refute deep clustering in general: published methods that beat pixels by wide margins use deeper, "
    "pretrained autoencoders and clustering-aware objectives (e.g. DEC), which are not measured here.",
    verdict=Verdict.REFUTED,
    qualifier="for this small dense autoencoder only",
)
@pytest.mark.parametrize("dataset", sorted(IMAGE_SETS))
def test_embedding_clustering(dataset, evidence):
    x, y = IMAGE_SETS[dataset]()
    raw = [clustering.scores(y, kmeans(x, 10, seed=s).labels)["ari"] for s in range(3)]
    embedded = [
        clustering.scores(
            y,
            kmeans(clustering.autoencoder_embedding(x, epochs=AUTOENCODER_EPOCHS[dataset], seed=s), 10, seed=s).labels,
        )["ari"]
        for s in range(3)
    ]
    evidence("ARI raw pixels, seeds 0-2", [round(v, 3) for v in raw])
    evidence("ARI autoencoder codes, seeds 0-2", [round(v, 3) for v in embedded])
    assert min(embedded) > CODES_MIN_ARI[dataset]  # the codes do carry digit structure
    assert np.mean(embedded) < np.mean(raw) + NO_MARKED_GAIN  # but no marked gain over the pixels


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "TOC3.1-structure-without-labels": {
        "says": "无监督学习在不给标签的情况下发现数据中的结构。",
        "today": "成立：K-means 从未见过三个分离的团簇的标签，却能把它们还原出来（ARI 为 1，即完全一致）。",
    },
    "TOC3.2-inertia-monotone": {
        "says": "K-means 的每次迭代（先分配，再把中心移到均值处）都不会让目标函数增大，并且算法会收敛。",
        "today": "对 reference.clustering.kmeans（用 Keras ops 实现）成立：惯性（inertia）序列从不上升，中心不再移动时迭代停止。",
    },
    "TOC3.2-agrees-with-sklearn": {
        "says": "K-means 可以直接实现（这里用 Keras ops，可在任何后端上运行）。",
        "today": "reference.clustering.kmeans 与 scikit-learn 的 KMeans（n_init=1，lloyd）从相同的中心出发，最终得到相同的标签和中心。",
    },
    "TOC3.2-initialisation": {
        "says": "K-means 的结果取决于初始化；k-means++ 初始化比随机选点更可靠。",
        "today": "成立：在 15 个团簇上用 8 个随机种子测试，随机初始化会陷入局部最优，结果最多差约 70%；"
        "k-means++ 的结果与最优值相差不过几个百分点。",
    },
    "TOC3.2-needs-k": {
        "says": "K-means 需要事先给定簇数 k。",
        "today": "成立：不管数据如何，它都恰好返回 k 个簇；三个团簇要求分成 5 个，就会得到 5 个。",
    },
    "TOC3.2-feature-scale": {
        "says": "K-means 对特征的尺度很敏感。",
        "today": "成立：把三个圆形团簇中某个特征的单位放大 1000 倍，K-means 就只沿着这个特征切分；把特征标准化后又能还原出这些团簇。",
    },
    "TOC3.3-non-convex": {
        "says": "K-means 假定簇是凸的、圆形的；DBSCAN 能跟随任意形状，例如两个月牙（two moons）。",
        "today": "成立：在两个月牙数据上，K-means 的 ARI 约为 0.48，而 DBSCAN（eps 0.3）能把它们完全分开。",
    },
    "TOC3.3-finds-count-and-noise": {
        "says": "DBSCAN 能自行确定簇的数量，并把离群点标为噪声；这由 eps 和 min_samples 控制。",
        "today": "成立：噪声被标为 -1；eps 越大，簇越容易合并，被标为噪声的点越少；min_samples 越大，被标为噪声的点越多。"
        "这是在 scikit-learn 自己的 DBSCAN 上测得的：本项目没有自己的 DBSCAN，所以本条说的是算法的行为，而不是我们代码的行为。",
    },
    "TOC3.3-sklearn-demo-anchor": {
        "says": "（参照基准）scikit-learn 的 DBSCAN 示例：由 750 个点组成的团簇数据，eps 0.3，min_samples 10，得到 3 个簇、18 个噪声点，"
        "同质性 0.953，完整性 0.883，V-measure 0.917，ARI 0.952，轮廓系数 0.626。",
        "today": "已复现，精确到小数点后三位。这里运行的是 scikit-learn 本身：它是一个参照基准，说明我们的设置重现了公开的示例，"
        "并不检验我们的参考代码。",
    },
    "TOC3.2-sklearn-digits-anchor": {
        "says": "（参照基准）scikit-learn 的手写数字 K-means 示例报告，ARI 视初始化方式大约在 0.47 到 0.57 之间。",
        "today": "已复现：k-means++ 为 0.469，随机初始化为 0.574（标准化后的 digits，n_init=4，random_state=0）。"
        "这里运行的是 scikit-learn 本身：它为我们的参考 K-means 与 scikit-learn 的比较（TOC3.2-agrees-with-sklearn）确立设置，"
        "并不检验我们的代码。",
    },
    "TOC3.4-segmentation": {
        "says": "对像素颜色做聚类，可以把图像分割成 k 个颜色区域。",
        "today": "在 scikit-learn 自带的照片上成立：恰好剩下 k 种不同的颜色；PSNR 随 k 增大而上升，并且远远胜过随机的 k 色码本。",
    },
    "TOC3.4-image-clustering": {
        "qualifier": "远高于随机水平，但远未达到按标签分组",
        "says": "图像可以聚类：对手写数字做 K-means 会按数字把它们分组。",
        "today": "在原始像素上，K-means 对 8x8 的 digits 达到 ARI {m:ch3_kmeans_raw_seeds:digits/ari:range=.2f}，对 MNIST 只有 {m:ch3_kmeans_raw_seeds:mnist/ari:range=.2f}"
        "（NMI 分别为 {m:ch3_kmeans_raw_seeds:digits/nmi:range=.2f} / {m:ch3_kmeans_raw_seeds:mnist/nmi:range=.2f}；3 个随机种子）："
        "远高于随机水平（0），也远未达到按数字分组（1）。",
    },
    "TOC3.4-embedding-clustering": {
        "qualifier": "仅针对这个小型全连接自编码器",
        "says": "对一个小型全连接自编码器的编码做聚类，效果明显好于对原始像素聚类。",
        "today": "对这里测量的这个自编码器（784-128-10 全连接，只用重建目标训练）不成立：它的 10 维编码聚类效果与原始像素相当，"
        "视后端和运行而定，在 ARI 上高出或低出百分之几（各后端每个随机种子的编码与像素 ARI 见证据）。这并不否定一般意义上的深度聚类：已发表的、大幅胜过像素聚类的方法"
        "使用更深的预训练自编码器和面向聚类的目标函数（例如 DEC），这些不在本次测量之内。",
    },
}
