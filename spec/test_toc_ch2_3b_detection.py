"""Table of contents, 2.3 (second half): a CNN case study in object detection.

Lesson for a newcomer: detecting an object means answering two questions at once, which class and
where.  One convolutional trunk can feed two heads, a softmax for the class and four numbers for the
box, trained together with two losses.  A box is judged by its intersection over union (IoU) with the
true box; IoU >= 0.5 is the usual "hit".  The data here is real and offline: MNIST digits of random
sizes pasted at random places on a 48x48 canvas, so every true box is known exactly.
Reference code: ``reference.vision.detection`` (``python -m reference.vision.detection``).
"""

import numpy as np
import pytest

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.data import load_mnist
from reference.vision import detection
from spec.shared_runs import shared_run

# docs/measurements/ch2_detection_seeds.json (reference.vision.detection.measure_seeds, seeds 0-2): 10,000 training
# canvases, 5 epochs, 2,000 held-out canvases made from MNIST's test digits.
# Per seed: mean IoU, the share with IoU >= 0.5 (hit rate), class accuracy, and the mean IoU of always predicting
# the training set's mean box.  Each threshold sits a few points under the worst seed.
MIN_MEAN_IOU = threshold(0.65, "ch2_detection_seeds", "mean_iou")
MIN_HIT_RATE = threshold(0.90, "ch2_detection_seeds", "hit_rate")
MIN_CLASS_ACCURACY = threshold(0.89, "ch2_detection_seeds", "class_accuracy")


@claim(
    "TOC2.3-iou",
    section="TOC 2.3",
    says="Intersection over union (IoU) scores a predicted box against the true one: area of overlap divided by "
    "area of union; 1 for the same box, 0 for boxes that do not overlap.",
    today="reference.vision.detection.iou agrees with 8 hand-computed cases (1, 0, 0 for touching edges, 1/3, "
    "1/4, 1/7, ...), is symmetric and broadcasts over arrays of boxes.",
    verdict=Verdict.HOLDS,
)
def test_iou_hand_computed(evidence):
    cases = {
        "same box": ((0, 0, 4, 4), (0, 0, 4, 4), 1.0),
        "disjoint": ((0, 0, 2, 2), (5, 5, 7, 7), 0.0),
        "touching edges": ((0, 0, 2, 2), (2, 0, 4, 2), 0.0),
        "half shifted, same size": ((0, 0, 2, 2), (1, 0, 3, 2), 2 / 6),
        "inside, a quarter of the area": ((0, 0, 4, 4), (1, 1, 3, 3), 4 / 16),
        "corner overlap": ((0, 0, 2, 2), (1, 1, 3, 3), 1 / 7),
        "thin strips crossing": ((0, 4, 10, 5), (4, 0, 5, 10), 1 / 19),
        "two empty boxes": ((1, 1, 1, 1), (1, 1, 1, 1), 0.0),
    }
    got = {name: float(detection.iou(a, b)) for name, (a, b, _) in cases.items()}
    evidence("IoU per case", {k: round(v, 4) for k, v in got.items()})
    for name, (a, b, expected) in cases.items():
        assert got[name] == pytest.approx(expected, abs=1e-12), name
        assert float(detection.iou(b, a)) == pytest.approx(expected, abs=1e-12), name
    boxes = np.array([case[0] for case in cases.values()])
    others = np.array([case[1] for case in cases.values()])
    np.testing.assert_allclose(detection.iou(boxes, others), [c[2] for c in cases.values()], atol=1e-12)
    assert detection.iou(boxes, (0, 0, 4, 4)).shape == (8,)
    with pytest.raises(ValueError, match="every box needs x_max >= x_min"):
        detection.iou((3, 0, 1, 2), (0, 0, 1, 1))


@claim(
    "TOC2.3-detection-data",
    section="TOC 2.3",
    says="A detection data set pairs each image with the class and the bounding box of its object.",
    today="reference.vision.detection.place_digits builds one offline from MNIST: each 48x48 canvas holds one digit "
    "whose longer side is 14-28 pixels, at positions spanning the whole canvas; its box is the tight box of the ink "
    "(no ink outside, ink on all four edges) and its class the digit's label.",
    verdict=Verdict.HOLDS,
)
def test_detection_data(evidence):
    (x, y), _ = load_mnist()
    canvases = detection.place_digits(x, y, 500, seed=5)
    again = detection.place_digits(x, y, 500, seed=5)
    boxes = canvases.boxes.astype(int)
    tight = outside = 0
    for image, (x0, y0, x1, y1) in zip(canvases.images[..., 0], boxes):
        inside = image[y0:y1, x0:x1]
        rest = image.copy()
        rest[y0:y1, x0:x1] = 0
        outside += int(rest.max() > 0)
        tight += int(
            inside[0].max() > 0 and inside[-1].max() > 0 and inside[:, 0].max() > 0 and inside[:, -1].max() > 0
        )
    longer = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    evidence("images, boxes, labels", (canvases.images.shape, canvases.boxes.shape, canvases.labels.shape))
    evidence("canvases with ink outside the box / with a tight box", (outside, tight))
    evidence("longer box side, min-max (pixels)", (int(longer.min()), int(longer.max())))
    evidence(
        "box corners span x, y",
        ((int(boxes[:, 0].min()), int(boxes[:, 2].max())), (int(boxes[:, 1].min()), int(boxes[:, 3].max()))),
    )
    assert canvases.images.shape == (500, 48, 48, 1) and canvases.images.max() <= 1.0
    assert outside == 0 and tight == 500
    assert longer.min() == 14 and longer.max() == 28
    assert boxes[:, 0].min() <= 2 and boxes[:, 2].max() >= 46 and boxes[:, 1].min() <= 2 and boxes[:, 3].max() >= 46
    assert sorted(set(canvases.labels.tolist())) == list(range(10))
    np.testing.assert_array_equal(canvases.images, again.images)
    with pytest.raises(ValueError, match="need 1 <= min_size <= max_size <= canvas"):
        detection.place_digits(x, y, 5, max_size=60)


@claim(
    "TOC2.3-two-heads",
    section="TOC 2.3",
    says="A single-object detector is a CNN with two outputs, class probabilities and four box coordinates, trained "
    "with a classification loss and a regression loss together.",
    today="reference.vision.detection.build_detector: one 320,142-parameter trunk, a 10-way softmax ('class') and 4 "
    "sigmoid numbers ('box'); fit() logs both losses; decode_boxes turns the box head's numbers into ordered pixel "
    "boxes.",
    verdict=Verdict.HOLDS,
)
def test_two_heads(rng, evidence):
    model = detection.compile_detector(detection.build_detector())
    images = rng.uniform(0, 1, size=(32, 48, 48, 1)).astype("float32")
    out = model.predict(images, verbose=0)
    history = model.fit(
        images, {"class": rng.integers(0, 10, 32), "box": rng.uniform(0, 1, (32, 4))}, epochs=1, verbose=0
    )
    evidence("outputs", {k: tuple(v.shape) for k, v in out.items()})
    evidence("parameters", model.count_params())
    evidence("losses logged by fit", sorted(history.history))
    assert out["class"].shape == (32, 10) and out["box"].shape == (32, 4)
    np.testing.assert_allclose(out["class"].sum(axis=1), 1.0, rtol=1e-5)
    assert out["box"].min() >= 0.0 and out["box"].max() <= 1.0
    assert model.count_params() == 320142
    assert {"class_loss", "box_loss", "loss"} <= set(history.history)
    np.testing.assert_allclose(detection.decode_boxes(np.array([[0.5, 0.25, 0.25, 0.75]])), [[12, 12, 24, 36]])


def _detector_run():
    return shared_run("ch2-detection", lambda: detection.train_detector(seed=0))


@pytest.mark.slow
@claim(
    "TOC2.3-detection-quality",
    section="TOC 2.3",
    says="Trained on such data, the CNN finds the object and names it on new images: the predicted boxes overlap the "
    "true ones well (IoU above 0.5 for most) and the classes are mostly right.",
    today="Holds on 2,000 canvases made from MNIST's test digits: mean IoU "
    "{m:ch2_detection_seeds:mean_iou:range=.3f} (always guessing the mean box: {m:ch2_detection_seeds:mean_box_iou:range=.2f}), IoU >= 0.5 on {m:ch2_detection_seeds:hit_rate:range=.1%}, class accuracy "
    "{m:ch2_detection_seeds:class_accuracy:range=.1%} over {m:ch2_detection_seeds:mean_iou:n} seeds, after 5 epochs on 10,000 canvases.",
    verdict=Verdict.HOLDS,
)
def test_detection_quality(evidence):
    result = _detector_run()
    evidence("mean IoU / always the mean box", (round(result.mean_iou, 3), round(result.mean_box_iou, 3)))
    evidence("share with IoU >= 0.5", round(result.hit_rate, 4))
    evidence("class accuracy", round(result.class_accuracy, 4))
    evidence("training seconds", result.seconds)
    evidence.figure(
        detection.detection_figure(result),
        "ch2_detection_boxes",
        "Held-out canvases: true boxes (green) and the detector's boxes and classes (red)",
        caption_zh="留出的画布：真实的框（绿色）与检测器给出的框和类别（红色）",
    )
    assert result.mean_iou >= MIN_MEAN_IOU
    assert result.mean_iou > 2.5 * result.mean_box_iou
    assert result.hit_rate >= MIN_HIT_RATE
    assert result.class_accuracy >= MIN_CLASS_ACCURACY


ZH = {
    "TOC2.3-iou": {
        "says": "交并比（IoU）用来衡量预测框与真实框的吻合程度：重叠面积除以并集面积；同一个框为 1，互不重叠的框为 0。",
        "today": "reference.vision.detection.iou 与 8 个手算的例子一致（1、0、边相接时为 0、1/3、1/4、1/7 等），"
        "满足对称性，并能对成批的框做广播运算。",
    },
    "TOC2.3-detection-data": {
        "says": "目标检测数据集为每张图像配上其中物体的类别和边界框。",
        "today": "reference.vision.detection.place_digits 从 MNIST 离线构建这样的数据集：每张 48x48 的画布上放一个数字，"
        "其较长边为 14-28 像素，位置遍布整张画布；它的框就是墨迹的最小外接框（框外没有墨迹，四条边上都有墨迹），类别就是数字的标签。",
    },
    "TOC2.3-two-heads": {
        "says": "单目标检测器是一个有两个输出的 CNN：类别概率和四个框坐标，用分类损失和回归损失一起训练。",
        "today": "reference.vision.detection.build_detector：一个共 320,142 个参数的主干，接一个 10 类 softmax（'class'）"
        "和 4 个 sigmoid 数值（'box'）；fit() 会记录两个损失；decode_boxes 把框输出转换成角点有序的像素框。",
    },
    "TOC2.3-detection-quality": {
        "says": "在这样的数据上训练后，CNN 能在新图像中找到物体并说出它是什么：预测框与真实框重叠良好（大多数 IoU 超过 0.5），"
        "类别也大多正确。",
        "today": "在由 MNIST 测试集数字生成的 2,000 张画布上成立：平均 IoU 为 "
        "{m:ch2_detection_seeds:mean_iou:range=.3f}（总是猜平均框时为 {m:ch2_detection_seeds:mean_box_iou:range=.2f}），IoU >= 0.5 的比例为 {m:ch2_detection_seeds:hit_rate:range=.1%}，类别准确率为 {m:ch2_detection_seeds:class_accuracy:range=.1%}"
        "（{m:ch2_detection_seeds:mean_iou:n} 个随机种子；在 10,000 张画布上训练 5 个 epoch）。",
    },
}
