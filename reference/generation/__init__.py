"""Chapter 4.3 of the table of contents: GAN applications (conditional generation, style transfer, faces to cartoons)."""
