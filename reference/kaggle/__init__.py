"""Chapter 5 of the table of contents: a Kaggle project (Digit Recognizer), emulated offline with MNIST."""
