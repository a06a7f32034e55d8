"""Chapter 1 of the table of contents: the basics of building and training models.

The tutorial lists this chapter (1.1-1.7) but never writes it; these modules are the
reusable experiments its claims measure (see ``spec/test_toc_ch1_*.py``).
"""
