"""Chapter 2 of the table of contents, recurrent side (2.2, 2.4): recurrent classifiers, character-level text generation."""
