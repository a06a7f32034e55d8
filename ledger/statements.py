"""The statement map: every statement of the tutorial's text (§2-§4.2), in our paraphrase, with the ledger
entries that check it.

One row per statement, in the document's order: its section, the paragraph it sits in (counted within the
section, code blocks included, headings not), our paraphrase (never a quotation), and the ids of the entries
(claims, or "not testable" items of ledger.untestable) that settle it.  A code block is one paragraph; its row
names the entries that run it.  tests/test_statement_map.py checks that every id exists, that every claim
about the text appears here, that no paragraph is skipped and that entries follow the paragraphs' order.
The ledger renders this map as STATEMENTS.md.
"""

from __future__ import annotations

from typing import NamedTuple


class Statement(NamedTuple):
    section: str
    paragraph: int
    says: str
    ids: tuple[str, ...]


# Paragraphs per section, in document order ("4.2" is the two-sentence opening of §4.2, before §4.2.1).
PARAGRAPHS = {
    "2": 5,
    "3.1": 7,
    "3.2": 7,
    "3.3": 3,
    "4.1": 16,
    "4.2": 1,
    "4.2.1": 3,
    "4.2.2": 3,
    "4.2.3": 3,
    "4.2.4": 3,
    "4.2.5": 3,
}

# Claims filed under a text section that check no statement of the document (a published anchor to compare with).
ANCHORS = ("S4.1-classic-anchor",)

S = Statement
STATEMENTS = [
    # §2, overview
    S("2", 1, "The name Keras evokes layers stacked like gems.", ("S2-name",)),
    S(
        "2",
        1,
        "Keras is a high-level Python API with which a model is built, trained and optimised in little code.",
        ("S2-high-level-api",),
    ),
    S("2", 1, "Keras implements deep learning's core algorithms itself, from the bottom up.", ("S2-core-algorithms",)),
    S(
        "2",
        1,
        "Users only define and train models; Keras hides the algorithms behind predefined building functions.",
        ("S2-hides-algorithms",),
    ),
    S("2", 1, "Keras supports the mainstream backends TensorFlow, CNTK and Theano.", ("S2-backends-tf-cntk-theano",)),
    S("2", 2, "Keras 1.x was fairly complete; 2.x was faster but weaker in features.", ("S2-versions-quality",)),
    S("2", 2, "Keras 2.3.1 is the newest release and the richest in features.", ("S2-latest-version",)),
    S(
        "2",
        3,
        "Keras has two parts: the framework (definition, training, testing) and backend engines.",
        ("S2-framework-and-engine",),
    ),
    S(
        "2",
        3,
        "The backend part is TensorFlow, Theano and CNTK, which support several hardware platforms.",
        ("S2-backends-tf-cntk-theano",),
    ),
    S("2", 4, "An architecture diagram of Keras follows.", ("S2-architecture-figure",)),
    S("2", 5, "Advantage: one unified programming interface for every kind of network.", ("S2-advantages",)),
    S(
        "2",
        5,
        "Advantage: besides TensorFlow, Theano and CNTK, backends such as mxnet, keras.js, torch and PaddlePaddle.",
        ("S2-backends-more",),
    ),
    S("2", 5, "Advantage: a complete, convenient development environment.", ("S2-advantages",)),
    S(
        "2",
        5,
        "Advantage: heterogeneous devices, GPU acceleration and distributed computing.",
        ("S2-gpu", "S2-distributed"),
    ),
    S("2", 5, "Advantage: a large community of papers, models and code.", ("S2-advantages",)),
    # §3.1, building models
    S(
        "3.1",
        1,
        "Sequential and Functional models stack layers in order and connect them through input and output tensors.",
        ("S3.1-multi-io",),
    ),
    S(
        "3.1",
        2,
        "Sequential is the simple way to build a linear stack: an empty Sequential() filled with layers.",
        ("S3.1-multi-io", "S3.1-sequential-example"),
    ),
    S(
        "3.1",
        3,
        "(code) Sequential() with add(): Dense(64, relu, input_dim=100), Dropout(0.5), Dense(10, softmax).",
        ("S3.1-sequential-example",),
    ),
    S("3.1", 4, "The example first imports Sequential and Dense.", ("S3.1-sequential-imports-text",)),
    S(
        "3.1",
        4,
        "Dense's first argument is the output dimension, its second the activation; input_dim is the input dimension.",
        ("S3.1-dense-arguments",),
    ),
    S("3.1", 4, "Dropout takes one argument, the rate: the probability of dropping a unit.", ("S3.1-dropout-rate",)),
    S(
        "3.1",
        5,
        "The Functional API is the most complex and most powerful way to build models and builds any network.",
        ("S3.1-functional-most-powerful",),
    ),
    S("3.1", 5, "It allows arbitrary connections between several inputs and outputs.", ("S3.1-multi-io",)),
    S(
        "3.1",
        5,
        "Input() creates an input tensor; concatenate() or merge() merges several layers.",
        ("S3.1-merge-function", "S3.1-merge-layers"),
    ),
    S(
        "3.1",
        6,
        "(code) Imports from keras.models; Input((32,)) -> Dense(64, relu) -> Dense(1, sigmoid) -> Model.",
        ("S3.1-functional-imports", "S3.1-functional-example"),
    ),
    S("3.1", 7, "The example first imports Input, Model and Dense.", ("S3.1-functional-imports-text",)),
    S(
        "3.1",
        7,
        "x is a Dense layer on the inputs; a second Dense layer with a sigmoid follows.",
        ("S3.1-functional-example",),
    ),
    S("3.1", 7, "The outputs come straight out of the Dense layer x.", ("S3.1-outputs-from-x",)),
    # §3.2, training
    S("3.2", 1, "Keras has two training methods, fit() and compile().", ("S3.2-two-training-methods",)),
    S(
        "3.2",
        2,
        "fit() feeds the data, updates the weights by backpropagation, computes the error at each step, and repeats "
        "until a stopping condition.",
        ("S3.2-fit-steps", "S3.2-fit-step-order", "S3.2-stop-condition"),
    ),
    S(
        "3.2",
        3,
        "(code) fit(train_data, train_labels, epochs=10, batch_size=32, validation_split=0.2) returns a History.",
        ("S3.2-fit-snippet",),
    ),
    S(
        "3.2",
        4,
        "fit() takes four arguments: data, labels, epochs and batch_size.",
        ("S3.2-fit-arguments",),
    ),
    S(
        "3.2",
        4,
        "validation_split is the fraction of the training data held out for validation, 0.0 by default.",
        ("S3.2-validation-split",),
    ),
    S(
        "3.2",
        4,
        "The History records loss, val_loss, accuracy and val_accuracy.",
        ("S3.2-fit-snippet",),
    ),
    S("3.2", 5, "compile() configures training: optimizer, loss and metrics.", ("S3.2-compile-arguments",)),
    S(
        "3.2",
        6,
        "(code) compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy']).",
        ("S3.2-compile-arguments",),
    ),
    S(
        "3.2",
        7,
        "compile() takes three arguments; the optimizer is e.g. Adam or SGD, the loss e.g. CategoricalCrossentropy or "
        "MSE, and the metrics serve in training and testing.",
        ("S3.2-compile-arguments", "S3.2-compile-accepts"),
    ),
    # §3.3, evaluation
    S("3.3", 1, "After training, evaluate() tests the model.", ("S3.3-evaluate-two-values",)),
    S(
        "3.3",
        2,
        "(code) test_loss, test_acc = model.evaluate(...), then print the accuracy.",
        ("S3.3-evaluate-two-values",),
    ),
    S("3.3", 3, "evaluate() returns two values, the test loss and the test accuracy.", ("S3.3-evaluate-two-values",)),
    # §4.1, MNIST
    S("4.1", 1, "MNIST has 60,000 training images and 20,000 test images.", ("S4.1-dataset-sizes",)),
    S("4.1", 2, "First download the data set and preprocess it.", ("S4.1-load-data-downloads",)),
    S(
        "4.1",
        3,
        "(code) load_data, reshape to rows of 784, float32 / 255, to_categorical; only mnist is imported.",
        ("S4.1-preprocessing-snippet", "S4.1-preprocessing"),
    ),
    S("4.1", 4, "mnist.load_data() downloads MNIST.", ("S4.1-load-data-downloads",)),
    S("4.1", 4, "Reshaping gives row vectors; float32 / 255 brings the data into 0..1.", ("S4.1-preprocessing",)),
    S("4.1", 5, "to_categorical turns the labels into one-hot codes.", ("S4.1-preprocessing",)),
    S("4.1", 6, "The model is a Sequential of two Dense layers and one Dropout layer.", ("S4.1-model",)),
    S(
        "4.1",
        7,
        "(code) Dense(512, relu, input_shape=(784,)), Dropout(0.5), Dense(10, softmax).",
        ("S4.1-model",),
    ),
    S("4.1", 8, "A 512-unit ReLU layer; Dropout at 0.5; a 10-unit softmax output for 10 classes.", ("S4.1-model",)),
    S("4.1", 8, "The input channels are set to 784 because each image is 28x28 grey.", ("S4.1-input-channels",)),
    S("4.1", 9, "Compile with adam, categorical cross-entropy and accuracy.", ("S4.1-compile",)),
    S(
        "4.1",
        10,
        "(code) compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy']).",
        ("S4.1-compile",),
    ),
    S(
        "4.1",
        11,
        "Before training, the data are split into training, validation and test sets.",
        ("S4.1-validation-split",),
    ),
    S(
        "4.1",
        12,
        "(code) The first 1,000 images validate, the rest train: fit for 40 epochs at batch 128.",
        ("S4.1-validation-split", "S4.1-training-recipe"),
    ),
    S(
        "4.1",
        13,
        "The first 1,000 images are the validation set and the rest the training set; epochs 40, batch_size 128.",
        ("S4.1-validation-split",),
    ),
    S("4.1", 14, "After training, evaluate() tests the model on the test set.", ("S4.1-training-recipe",)),
    S("4.1", 15, "(code) test_loss, test_acc = model.evaluate(test_images, test_labels).", ("S4.1-training-recipe",)),
    S(
        "4.1",
        16,
        "evaluate() returns the test loss and the test accuracy, printed to check it meets expectations.",
        ("S4.1-training-recipe", "S3.3-evaluate-two-values"),
    ),
    # §4.2, DCGAN
    S("4.2", 1, "A DCGAN is a generative adversarial network that generates images.", ("S4.2-document-loop-learns",)),
    S("4.2.1", 1, "First download the data set and preprocess it.", ("S4.2-cifar10-source",)),
    S("4.2.1", 2, "(code) cifar10.load_data(), then float32 / 255.0.", ("S4.2-cifar10-source", "S4.2-scaling")),
    S("4.2.1", 3, "cifar10.load_data() downloads CIFAR-10.", ("S4.2-cifar10-source",)),
    S("4.2.1", 3, "The images are converted to float32 and divided by 255.0.", ("S4.2-scaling",)),
    S(
        "4.2.2",
        1,
        "The models stack two Conv2D with BatchNormalization, two Conv2DTranspose with BatchNormalization, one Dense.",
        ("S4.2-model-overview",),
    ),
    S(
        "4.2.2",
        2,
        "(code) build_generator(): Conv2DTranspose on input_shape=(100,), LeakyReLU(alpha=0.2), ...; "
        "build_discriminator(): four Conv2D, then Flatten, Dropout, Dense(1, sigmoid).",
        ("S4.2-generator-as-written", "S4.2-leakyrelu-alpha", "S4.2-discriminator-as-written"),
    ),
    S(
        "4.2.2",
        3,
        "The generator is two transposed convolutions mapping the 100-d input to the discriminator's output space.",
        ("S4.2-generator-description",),
    ),
    S(
        "4.2.2",
        3,
        "The discriminator is five convolutions on a 32x32x3 input, then two batch normalisations and LeakyReLU, "
        "a Dense and a Dropout layer, and one probability out.",
        ("S4.2-discriminator-description", "S4.2-discriminator-as-written"),
    ),
    S(
        "4.2.3",
        1,
        "The generator and the discriminator are compiled with binary cross-entropy and accuracy.",
        ("S4.2-compile-model-function",),
    ),
    S(
        "4.2.3",
        2,
        "(code) compile_model(): Adam(lr=0.0002, beta_1=0.5), BinaryCrossentropy(from_logits=True), one optimizer for "
        "the discriminator and the combined model, discriminator.trainable = False between the two compile() calls.",
        (
            "S4.2-adam-lr",
            "S4.2-compile-model-code",
            "S4.2-loss-from-logits",
            "S4.2-shared-optimizer",
            "S4.2-freezing",
        ),
    ),
    S(
        "4.2.3",
        3,
        "compile_model() compiles the generator and the discriminator and defines a binary cross-entropy loss.",
        ("S4.2-compile-model-function",),
    ),
    S(
        "4.2.4",
        1,
        "Before training we define a generator that makes 100-d noise, which the generator turns into images.",
        ("S4.2-noise-called-generator",),
    ),
    S(
        "4.2.4",
        2,
        "(code) The loop: EPOCHS epochs of len(X_train) / BATCH_SIZE steps; each step draws next(iter(train_dataset)), "
        "adds noise, trains D on real and on generator.predict() images, averages D's losses, trains the combined "
        "model, and saves .h5 weights each epoch.",
        (
            "S4.2-loop-names-defined",
            "S4.2-epoch-visits-every-image",
            "S4.2-batch-drawing",
            "S4.2-real-labels",
            "S4.2-instance-noise",
            "S4.2-corrected-loop-trains-both",
            "S4.2-train-on-batch-returns",
            "S4.2-predict-in-loop",
            "S4.2-loss-averaging",
            "S4.2-checkpoints",
            "S4.2-document-loop-learns",
        ),
    ),
    S("4.2.4", 3, "generate_noise() makes 100-d noise.", ("S4.2-noise-called-generator",)),
    S(
        "4.2.4",
        3,
        "A tf.data.Dataset loader splits the data into training, validation and test sets.",
        ("S4.2-tfdata-split",),
    ),
    S("4.2.4", 3, "Then the generator and the discriminator are trained.", ("S4.2-corrected-loop-trains-both",)),
    S(
        "4.2.4",
        3,
        "To prevent overfitting, the discriminator's input is fixed and only the generator's parameters train.",
        ("S4.2-freezing-purpose",),
    ),
    S("4.2.4", 3, "We defined 10 epochs of training.", ("S4.2-ten-epochs",)),
    S("4.2.5", 1, "After training, evaluate() tests the model on the test set.", ("S4.2-final-evaluate",)),
    S(
        "4.2.5",
        2,
        "(code) Load gan_*_final.h5 weights, then discriminator.evaluate(X_test, y_test) and print the accuracy.",
        ("S4.2-checkpoints", "S4.2-final-evaluate-names"),
    ),
    S("4.2.5", 3, "evaluate() returns the test loss and the test accuracy.", ("S4.2-evaluate-returns",)),
    S("4.2.5", 3, "Printing it shows whether the model's test accuracy meets expectations.", ("S4.2-final-evaluate",)),
]
del S
