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
        "id": "S4.2.4-overfitting-reason",
        "section": "4.2.4",
        "says": "The discriminator's input is fixed during the generator's step to prevent overfitting.",
        "why": "A statement of motive. What freezing really does is measured in the §4.2 freezing claims: "
        "it stops the combined model from updating the discriminator; it has nothing to do with overfitting.",
    },
    {
        "id": "S4.2.4-data-pipeline-text",
        "section": "4.2.4",
        "says": "The loop uses tf.data to split the data into training, validation and test sets, and trains for 10 epochs.",
        "why": "The code shown does neither: it never builds or splits a dataset, and EPOCHS, BATCH_SIZE, "
        "train_dataset, real_labels, fake_labels and X_test are used without being defined. The corrected loop "
        "is reference.dcgan.DocumentStyleTrainer.train.",
    },
    {
        "id": "TOC-unwritten-chapters",
        "section": "TOC other",
        "says": "The table of contents promises chapter 1 (TensorFlow vs Keras, workflow, data splits and "
        "augmentation, activations and regularisation, compile settings, saving and loading), CNN and RNN basics, "
        "transfer learning and object detection, text generation, style transfer and face-to-anime, a Kaggle "
        "project and a FAQ.",
        "why": "None of these chapters has any text or code in the document, so there is no statement to check; "
        "this edition specifies only what the document writes plus the GAN and clustering chapters.",
    },
]
