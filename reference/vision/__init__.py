"""Chapter 2 of the table of contents, convolutional side (2.1, 2.3): CNN classifier, transfer learning, detection."""
