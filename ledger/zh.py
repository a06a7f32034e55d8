"""中文版账本 (LEDGER.zh.md): every fixed string of the Chinese ledger page.

Data only: ``ZH_WORDS`` has the same keys as ``ledger.render.EN`` and is rendered by the same code.
The claims' own Chinese texts live beside their claims, in each spec module's ``ZH`` dict
(and ``ledger.untestable.ZH``).  Code names, numbers and evidence values (error messages) stay
in English, as Keras prints them.
"""

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
    "not_run_note": "`make ledger` 在每个已安装的后端上各用一个进程运行整个规范。长时间训练的阈值来自 TensorFlow 上的多个"
    "随机种子；凡是某个后端的结果接近阈值的，也在 JAX 和 PyTorch 上用多个种子核对过（docs/measurements/backends.md）。"
    "证据行在括号中列出其他后端与之不同的数值。在某个后端上标为“未运行”的条目不在该后端的那次运行之内。"
    "结论随后端而异的条目，还会在每次运行中分别在每个后端上测量（见其证据）。",
}
