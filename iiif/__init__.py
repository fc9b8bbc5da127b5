"""IIIF for the archive: Presentation 3 manifests and collections (with iiif-prezi3) and the Image API 3 service.

Nothing here imports Flask; archive/web/iiif.py is the HTTP side. What is published is decided by archive.access.
"""
