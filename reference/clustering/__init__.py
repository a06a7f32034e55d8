"""Chapter 3 of the table of contents: clustering.

``kmeans``: Lloyd's algorithm in Keras ops (any backend); ``applications``: colour segmentation,
digit clustering on raw pixels and on autoencoder codes, DBSCAN.
"""
