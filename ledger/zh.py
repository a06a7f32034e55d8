"""中文版账本 (LEDGER.zh.md): every fixed string of the Chinese ledger page.

Data, and one lookup: ``ZH_WORDS`` has the same keys as ``ledger.render.EN`` and is rendered by the same code;
``evidence_label`` puts an evidence key into Chinese from ``EVIDENCE_LABELS`` (the site's Chinese edition).
The claims' own Chinese texts live beside their claims, in each spec module's ``ZH`` dict
(and ``ledger.untestable.ZH``).  Code names, numbers and evidence values (error messages) stay
in English, as Keras prints them.
"""

import re

FILE = "LEDGER.zh.md"

TITLE = "账本：教程的勘误与实测版"

# The English ledger is the reference edition; a claim with no Chinese text is shown in English.
NOTE = "英文版 [LEDGER.md](LEDGER.md) 是参考版本；尚无中文译文的条目以英文显示。"

INTRO = [
    "这是一份中文 Keras 教程（署名“禅与计算机程序设计艺术”；正文包括第 2 节 Keras 概述、第 3 节 模型的构建/训练/测试、"
    "第 4 节 Keras案例解析，以及一份承诺第 1-6 章的目录）的实测版，涵盖其正文 §2-§4.2 和目录所承诺的各章。",
    "每个条目是教程中的一个陈述：用我们自己的话转述，并注明所在的节和小节（条目按原文段落的顺序排列）；"
    "随后写明它在今天的 Keras 上实际如何，以及固定这一结论的规范测试所测得的证据。",
    "标记为 **已漂移（DRIFTED）** 的条目没有通过测试：当前安装的 Keras（或我们的参考代码）的行为已不再与固定的结论一致。",
    "证据中的值（例如错误信息）保持英文，与 Keras 的输出完全一致。",
    "证据中的数字（准确率、损失、耗时）是在一台机器上测得的，取决于它的 CPU 和线程数（均列在“测量所用环境”中），"
    "换一台机器末几位可能不同；结论则不会变：每个结论都以低于最差实测种子的阈值来断言。",
    NOTE,
]

RULE_HEADING = "结论如何判定"

# The five verdicts, keyed like ledger.claims.Verdict.
VERDICTS = {
    "HOLDS": "成立",
    "DEPRECATED": "成立，但有弃用警告",
    "CORRECTED": "原文代码失败；改正后的写法可行",
    "REFUTED": "不成立",
    "OBSOLETE": "已过时：只对旧版 Keras 成立",
}

# ledger.claims.VERDICT_RULE, sentence by sentence.
RULE = {
    "HOLDS": "该陈述按原文的说法，在今天的 Keras 上成立。",
    "DEPRECATED": "原文代码今天照原样可以运行，但 Keras 会警告这种写法已被弃用。",
    "CORRECTED": "原文代码（一条导入、一个参数、一个文件名、一组层的堆叠、一个循环）在今天的 Keras 上失败或行为异常，"
    "不论它原本是为哪个版本的 Keras 写的；账本给出错误信息以及一个可行的改正写法。",
    "OBSOLETE": "一个关于 Keras 的事实陈述（不是代码），对原文所指的 Keras（2.3，2019 年）成立，如今已不再成立。",
    "REFUTED": "一个从来都不成立的陈述，无论在原文所指的 Keras 上还是现在"
    "（数量数错了、对原文自身代码的描述有误、对某个函数作用的说法有误）。",
}

# Outcome of a claim's test, keyed by the English outcome word.
OUTCOME_WORDS = {
    "confirmed": "已证实",
    "DRIFTED": "已漂移（DRIFTED）",
    "skipped": "已跳过",
    "not measured here": "本机未测量",
    "not run": "未运行",
}

# Chinese title of every section of ledger.claims.SECTIONS, keyed by the same ids.
SECTIONS = {
    "2": "Keras 概览：后端、版本与硬件",
    "3.1": "构建模型：Sequential 与 Functional",
    "3.2": "训练：compile() 与 fit()",
    "3.3": "评估：evaluate()",
    "4.1": "用 MLP 做 MNIST 手写数字分类",
    "4.2.1": "DCGAN：准备数据",
    "4.2.2": "DCGAN：构建生成器和判别器",
    "4.2.3": "DCGAN：编译模型",
    "4.2.4": "DCGAN：训练循环",
    "4.2.5": "DCGAN：测试训练好的模型",
    "TOC 1.1": "TensorFlow 与 Keras",
    "TOC 1.2": "构建一个模型的基本流程",
    "TOC 1.3": "训练过程的基本原理",
    "TOC 1.4": "数据集划分、批大小与数据增强",
    "TOC 1.5": "激活函数与正则化",
    "TOC 1.6": "编译时的设置",
    "TOC 1.7": "保存和加载模型",
    "TOC 2.1": "CNN：原理与分类",
    "TOC 2.2": "RNN：原理与分类",
    "TOC 2.3": "CNN 案例：迁移学习与目标检测",
    "TOC 2.4": "RNN 案例：文本生成",
    "TOC 2.5 / 4.1": "GAN：对抗的原理",
    "TOC 3.1": "无监督学习",
    "TOC 3.2": "K-means 聚类",
    "TOC 3.3": "DBSCAN 聚类",
    "TOC 3.4": "聚类的应用：图像分割与图像聚类",
    "TOC 4.2": "DCGAN 与 WGAN",
    "TOC 4.3": "GAN 的应用：图像生成、风格迁移、人脸动漫化",
    "TOC 5": "Kaggle 实践项目",
    "TOC 6": "常见问题与延伸阅读",
    "TOC other": "目录承诺了、但尚无条目的章节",
    "meta": "本规范自身的行为",
}

ZH_WORDS = {
    "file": FILE,
    "title": TITLE,
    "intro": INTRO,
    "note": NOTE,
    "rule_heading": RULE_HEADING,
    "verdicts": VERDICTS,
    "rule": RULE,
    # followed by the versions, e.g. "测量所用环境： keras 3.x, backend tensorflow, ..."
    "measured_with": "测量所用环境：",
    "groups": {
        "text": "原文正文中的陈述（§2-§4.2）",
        "toc": "目录承诺的章节（没有正文：我们在每个标题下检验的标准说法）",
        "meta": "本规范自身的行为",
    },
    "group_short": {"text": "原文正文", "toc": "目录", "meta": "本套件自身"},
    "claims_cases": "条目 / 用例",
    "not_testable_row": "无法测试（仅列出，无测试）",
    "unmeasured_col": "本机未测量（需要本机没有的硬件）",
    # followed by the counts, e.g. "结果统计: 120 已证实, 1 本机未测量."
    "outcomes": "结果统计",
    "outcome_words": OUTCOME_WORDS,
    "verdict": "结论",
    "all": "合计",
    "index": "索引",
    "index_header": "| 章节 | 条目 | 结论 | 结果 |",
    "not_testable": "无法测试",
    "document_says": "原文说",
    "heading_promises": "目录标题承诺",
    "claim_we_test": "我们检验的标准说法",
    "suite_promises": "本套件承诺",
    "today": "今天",
    "evidence": "证据",
    "outcome": "结果",
    "test": "测试",
    "why_no_test": "为何无法测试",
    "no_body_text": "（仅见于目录；原文没有相应的正文）",
    "sections": SECTIONS,
    "by_backend": "各后端的结果",
    "disagree_heading": "后端之间结果不一致之处",
    "disagree_none": "凡是在多个后端上运行过的条目，在各个后端上的结果都相同。",
    "disagree_header": "条目",
    "why": "原因",
    "not_run": "未运行",
    # e.g. "各 Keras 版本上的结果：3.8.0、3.12.4 上已漂移（DRIFTED）；3.15.1 上已证实——见 docs/releases"
    "releases": {
        "label": "各 Keras 版本上的结果",
        "on": "{versions} 上{outcome}",
        "and": "、",
        "then": "；",
        "see": "——见 {link}",
    },
    "not_run_note": "`make ledger` 在每个已安装的后端上各用一个进程运行整个规范。长时间训练的阈值来自 TensorFlow 上的多个"
    "随机种子；凡是某个后端的结果接近阈值的，也在 JAX 和 PyTorch 上用多个种子核对过（docs/measurements/backends.md）。"
    "证据行在括号中列出其他后端与之不同的数值。在某个后端上标为“未运行”的条目不在该后端的那次运行之内。"
    "结论随后端而异的条目，还会在每次运行中分别在每个后端上测量（见其证据）。",
}

# The labels of one entry, shared by the plain-text ledger and the site (English: ledger.render.EN).
ENTRY_WORDS = (
    "document_says",
    "heading_promises",
    "claim_we_test",
    "suite_promises",
    "today",
    "evidence",
    "outcome",
    "by_backend",
    "test",
)

# ---- the learner's edition (ledger/site.py): the site's fixed words, keyed like ledger.site.EN -------------
SITE_WORDS = {
    "site_name": "Keras 教程实测版",
    "home": "首页",
    "claims_index": "条目索引",
    "text_sections": "教程正文",
    "toc_sections": "目录承诺的章节",
    "meta_sections": "本套件自身",
    "dcgan_overview": "§4.2 DCGAN：今天还能用吗？",
    "front_title": "Keras 教程实测版",
    "front_intro": "一份中文 Keras 教程（2019 年，Keras 2.3），逐条在今天的 Keras（{keras}）上、在 {backends} 上核对。"
    "下面每一页对应教程的一节：先说哪些仍然成立、哪些失败以及原因，再给出改正后的代码；"
    "代码摘自规范测试所运行的参考实现。",
    "dcgan_question": "教程里的 DCGAN 代码今天还能用吗？该怎么改？",
    "dcgan_answer": "照原文写不行：它的 {n} 个陈述中，有 {failing} 个今天会失败或不成立（报错如 {errors}）。"
    "下面改正后的代码，规范在每个后端上都训练过。",
    "dcgan_click": "点一下即可看到：",
    "dcgan_link": "答案和改正后的代码",
    "counts_heading": "数字一览",
    "sections_heading": "各节",
    "editions": "版本：本站有 [English]({zh}../) 和中文两版；纯文本的账本是 docs/ledger/LEDGER.zh.md（英文版 LEDGER.md）。",
    "rule_heading": "结论如何判定",
    "verdict": "结论",
    "summary": "要点",
    "holds_line": "**成立（{n}）：** {ids}",
    "fails_line": "**今天失败或不成立（{n}）：**",
    "no_claims": "本节尚无条目。",
    "fix_heading": "改法",
    "document_writes": "原文的写法，以及它今天报的错",
    "error_today": "今天的报错",
    "corrected_code": "改正后的代码",
    "corrected_from": "摘自 {path} 第 {first}-{last} 行：规范所运行的代码",
    "no_errors": "本节中原文的代码今天都不会报错。",
    "entries": "条目",
    **{key: ZH_WORDS[key] for key in ENTRY_WORDS},  # an entry's labels read the same as in LEDGER.zh.md
    "reference_code": "参考代码",
    "none": "无（只用 Keras）",
    "not_testable": "无法测试",
    "why_no_test": "为何无法测试",
    "no_body_text": "仅见于目录：原文没有这一章的正文；以下是我们在这个标题下检验的标准说法。",
    "index_header": ["章节", "条目", "结论", "各后端的结果"],
    "source_title": "源代码：{path}",
    "source_note": "仓库中这个文件的原样；账本的链接指向其中的行。",
    "figure": "图",
    "group_short": {"text": "原文正文", "toc": "目录", "meta": "本套件自身"},
    "claims_cases": "条目 / 用例",
    "all": "合计",
    "what_fails": "失败或不成立",
    "produces": "改正后的代码生成的结果",
    "releases_page": "Keras 各版本",
}

# Evidence labels in Chinese, keyed by the evidence key a lesson records (``evidence(key, value)``).  A key
# that starts with a backend's name ("jax, as written") or with the Keras 2 it was measured on ("Keras 2 (tf_keras
# 2.21): version", spec.keras2_runs.key) is looked up without it (``evidence_label``).  Code names, numbers and the
# values themselves (Keras's messages) stay as Keras prints them; so does a key that is a line of code
# ("Keras 2 (tf_keras 2.21): from keras.layers import merge").  The tutorial's own terms: 评价函数 (metrics),
# 反卷积 (Conv2DTranspose).
EVIDENCE_LABELS = {
    "keras 3 backends": "Keras 3 的后端",
    "installed keras": "已安装的 Keras",
    "backend": "后端",
    "type of keras.ops.matmul result": "keras.ops.matmul 结果的类型",
    "resolve_device('gpu') here": "本机上的 resolve_device('gpu')",
    "2-device kernel sharding": "两个设备上的权重分片",
    "final loss, 1 device vs 2": "最终损失：1 个设备与 2 个设备",
    "largest weight difference": "权重的最大差异",
    "warning": "警告",
    "output shape": "输出形状",
    "parameters": "参数个数",
    "units, activation": "单元数、激活函数",
    "kernel shape": "权重矩阵的形状",
    "fraction zeroed in training (100,000 units)": "训练时被置零的比例（100,000 个单元）",
    "value of survivors": "保留单元的取值",
    "document's import": "原文的导入",
    "corrected import": "改正后的导入",
    "Dense layers": "Dense 层",
    "prediction range": "预测值的范围",
    "merge functions today": "今天的合并函数",
    "merging layer": "合并层",
    "inputs": "输入",
    "output shapes": "输出形状",
    "history keys": "history 的键",
    "Sequential with two inputs": "有两个输入的 Sequential",
    "Functional, data-dependent loop": "Functional 模型中依赖数据的循环",
    "subclassed model on [8, -3, 0.5]": "子类化模型作用于 [8, -3, 0.5]",
    "largest weight change from compile()": "compile() 造成的最大权重变化",
    "largest weight change from fit(), 1 epoch": "fit() 1 个 epoch 造成的最大权重变化",
    "optimizer updates for 200 samples, batch 32, 3 epochs": "200 个样本、批大小 32、3 个 epoch 的优化器更新次数",
    "losses logged": "记录下的损失",
    "smallest weight change in any step": "任一步中最小的权重变化",
    "first batch: loss before the update / logged by fit / after the update": "第一个批次：更新前的损失 / fit 记录的损失 / 更新后的损失",
    "epochs run of 50 with EarlyStopping(patience=2)": "EarlyStopping(patience=2) 时 50 个 epoch 中实际运行的",
    "fit(x, y, epochs=3, batch_size=50) on 200 samples: epochs logged, updates": "200 个样本上 fit(x, y, epochs=3, batch_size=50)：记录的 epoch 数、更新次数",
    "fit(x, y) on 100 samples with the defaults: epochs logged, updates": "100 个样本上用默认值 fit(x, y)：记录的 epoch 数、更新次数",
    "keys with metrics=['accuracy']": "metrics=['accuracy']（评价函数）时的键",
    "keys without metrics": "没有评价函数时的键",
    "loss on the last 20% / first 20%": "最后 20% / 最前 20% 数据上的损失",
    "optimizer, loss, evaluate() keys": "优化器、损失函数、evaluate() 的键",
    "optimizer": "优化器",
    "evaluate() keys": "evaluate() 的键",
    "evaluate(), metrics=['accuracy']": "evaluate()，评价函数 metrics=['accuracy']",
    "accuracy recomputed by hand": "手工重算的准确率",
    "no metrics": "没有评价函数",
    "two metrics": "两个评价函数",
    "return_dict=True keys": "return_dict=True 时的键",
    "train": "训练集",
    "test": "测试集",
    "test labels per digit": "测试集中每个数字的标签数",
    "source file": "数据文件",
    "sha256 of the four arrays": "四个数组的 sha256",
    "with the file not in the cache and no network": "缓存中没有文件且没有网络时",
    "as written": "照原文写",
    "train x": "训练集 x",
    "train y": "训练集 y",
    "loss on one batch: first vs 11th step": "同一批次上的损失：第 1 步与第 11 步",
    "recipe's fit(): training rows, validation rows": "教程的 fit()：训练行数、验证行数",
    "epochs, batch_size, optimizer, loss": "epochs、batch_size、优化器、损失函数",
    "validation labels per digit": "验证集中每个数字的标签数",
    "test accuracy (seed 0)": "测试准确率（种子 0）",
    "test loss": "测试损失",
    "epoch of lowest val_loss": "val_loss 最低的 epoch",
    "val_loss at its lowest / at epoch 40": "val_loss 的最低值 / 第 40 个 epoch 的值",
    "offline, no cache": "离线、无缓存",
    "stand-in patches": "替代用的图像块",
    "real range as written": "照原文写时真实图像的取值范围",
    "generated range": "生成图像的取值范围",
    "fraction of generated pixels < 0": "生成图像中小于 0 的像素比例",
    "corrected output shape": "改正后的输出形状",
    "corrected parameters": "改正后的参数个数",
    "layer counts": "各类层的个数",
    "Conv2DTranspose filters, strides": "Conv2DTranspose（反卷积）的滤波器数、步长",
    "G: input -> output; D: input -> output": "生成器：输入 -> 输出；判别器：输入 -> 输出",
    "Conv2D / BatchNormalization layers": "Conv2D / BatchNormalization 层数",
    "used in compile_model but never imported by the document": "compile_model 中用到、原文却从未导入的名字",
    "compiled: generator / discriminator / combined": "是否已编译：生成器 / 判别器 / 组合模型",
    "with corrected freezing": "冻结方式改正后",
    "frozen after compile, first step": "compile 之后冻结，第一步",
    "trained once, then frozen": "先训练一次，再冻结",
    "frozen, then compiled again": "冻结后再次编译",
    "phases of one train_step: (model, targets, D change, G change)": "一个 train_step 的各阶段：（模型、目标、判别器变化、生成器变化）",
    "returned losses": "返回的损失",
    "D on real, D on fake: [loss, accuracy]": "判别器在真实 / 生成图像上：[损失, 准确率]",
    "reported d_loss, d_accuracy": "报告的 d_loss、d_accuracy",
    "steps per epoch for 70 images, batch 16": "70 张图像、批大小 16 时每个 epoch 的步数",
    "first indices of epoch 1 / epoch 2": "第 1 / 第 2 个 epoch 最前面的索引",
    "names the loop uses that the document never defines": "循环用到、原文却从未定义的名字",
    "progress bars printed by 10 calls: predict / predict_on_batch": "10 次调用打印的进度条：predict / predict_on_batch",
    "ms per call: predict / predict_on_batch": "每次调用的毫秒数：predict / predict_on_batch",
    "FID untrained -> after 400 steps (seed 0)": "FID：未训练 -> 训练 400 步后（种子 0）",
    "last step's losses": "最后一步的损失",
    "first value of the batch over 5 steps": "5 步中每个批次的第一个值",
    "binary cross-entropy with class ids as targets": "以类别编号为目标的二元交叉熵",
    "corrected: range after noise": "改正后：加噪声后的取值范围",
    "corrected: noise std / batch std, where not clipped": "改正后：未截断处噪声标准差 / 批次标准差",
    "save_weights(model, path) as a function": "作为函数的 save_weights(model, path)",
    "files written": "写出的文件",
    "D's test accuracy with the trained G / with an untrained G": "判别器的测试准确率：用训练过的 / 未训练的生成器",
    "accuracy of a constant 'real' discriminator": "总是判为“真”的判别器的准确率",
    "message": "信息",
    "one byte changed": "改动一个字节后",
    "resolve_device('cpu') / tensor placed on": "resolve_device('cpu') / 张量所在的设备",
    "mnist_mlp.prepare(flat images)": "mnist_mlp.prepare（展平的图像）",
    "claims with Chinese text": "有中文文本的条目",
    "ledger heading": "账本标题",
    # chapters of the table of contents: the words their evidence keys share
    "Keras 2 code": "Keras 2 的代码",
    "fails with": "报错",
    "warns": "警告",
    "Keras 3 code": "Keras 3 的代码",
    "replacement result (expected)": "替代写法的结果（预期）",
    "the old code's result": "旧代码的结果",
    # after "Keras 2 (tf_keras 2.21): " (the other Keras 2 keys are code)
    "version": "版本",
    "backend() when imported with KERAS_BACKEND=theano": "以 KERAS_BACKEND=theano 导入时的 backend()",
    "learning rate Adam(lr=0.0002) keeps": "Adam(lr=0.0002) 保留的学习率",
    "names in keras.models": "keras.models 中的名字",
    "the same Keras 2 code": "同一段 Keras 2 代码",
}

BACKEND_KEY = re.compile(r"^(tensorflow|jax|torch)(, |: )(.*)$")
KERAS2_KEY = re.compile(r"^Keras 2 \(tf_keras ([\w.]+)\): (.*)$")


def evidence_label(key: str, labels: dict = EVIDENCE_LABELS) -> str:
    """An evidence key in Chinese: the whole key, or the part after a backend's name or after "Keras 2 (tf_keras
    2.21): ", from ``labels``.  The Keras 2 prefix is always put into Chinese ("Keras 2（tf_keras 2.21）："), its rest
    where ``labels`` has it (code stays as written); any other key without a translation stays as it is."""
    if key in labels:
        return labels[key]
    backend = BACKEND_KEY.match(key)
    if backend and backend.group(3) in labels:
        return f"{backend.group(1)}{backend.group(2)}{labels[backend.group(3)]}"
    keras2 = KERAS2_KEY.match(key)
    if keras2:
        return f"Keras 2（tf_keras {keras2.group(1)}）：{labels.get(keras2.group(2), keras2.group(2))}"
    return key
