"""Statements of the tutorial that no test can check (opinions, missing material), with the reason.

They are listed in the ledger so that a reader sees they were read, not skipped.
"""

UNTESTABLE = [
    {
        "id": "S2-name",
        "section": "2",
        "says": "The name Keras evokes layers stacked like gems.",
        "why": "Etymology, not behaviour. Keras's own FAQ says the name is Greek for 'horn' "
        "(from the Odyssey's gates of horn and ivory).",
    },
    {
        "id": "S2-versions-quality",
        "section": "2",
        "says": "Keras 1.x was fairly complete; 2.x was faster but weaker in features.",
        "why": "A judgement about past releases that are not installable beside Keras 3; no measurement can settle it.",
    },
    {
        "id": "S2-architecture-figure",
        "section": "2",
        "says": "An architecture diagram of Keras follows.",
        "why": "The document contains no figure at that point.",
    },
    {
        "id": "S2-advantages",
        "section": "2",
        "says": "Keras offers a unified interface, a convenient environment and a large community.",
        "why": "Opinions about ease of use and community size.",
    },
    {
        "id": "S2-hides-algorithms",
        "section": "2",
        "says": "Users only define and train models; Keras hides how the algorithms are implemented.",
        "why": "A description of design intent. What is checkable (layers, compile/fit) is checked under §3.",
    },
    {
        "id": "TOC6-further-reading",
        "section": "TOC 6",
        "says": "The FAQ chapter ends with further reading: books, courses and the official Keras documentation.",
        "why": "A list of recommendations with no content in the document; nothing about Keras's behaviour to measure.",
    },
]


# 中文版账本 (LEDGER.zh.md): each entry of UNTESTABLE in Chinese, keyed by id.
ZH = {
    "S2-name": {
        "says": "Keras 这个名字让人联想到像宝石一样堆叠起来的层。",
        "why": "这是词源，不是行为。Keras 官方 FAQ 说这个名字在希腊语中意为“角”（出自《奥德赛》中的角门与象牙门）。",
    },
    "S2-versions-quality": {
        "says": "Keras 1.x 相当完善；2.x 更快，但功能较弱。",
        "why": "这是对过去版本的评价，而那些版本无法与 Keras 3 并存安装；任何测量都无法判定。",
    },
    "S2-architecture-figure": {
        "says": "接下来是一张 Keras 的架构图。",
        "why": "文中此处并没有图。",
    },
    "S2-advantages": {
        "says": "Keras 提供统一的接口、便利的开发环境和庞大的社区。",
        "why": "这是关于易用性和社区规模的看法。",
    },
    "S2-hides-algorithms": {
        "says": "用户只需定义和训练模型；Keras 隐藏了算法的实现细节。",
        "why": "这是对设计意图的描述。其中可以检验的部分（层、compile/fit）已在 §3 中检验。",
    },
    "TOC6-further-reading": {
        "says": "FAQ 一章最后给出延伸阅读：书籍、课程以及 Keras 官方文档。",
        "why": "这只是一份推荐清单，文中没有具体内容；没有任何关于 Keras 行为的陈述可供测量。",
    },
}
