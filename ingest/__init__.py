"""The ingest pipeline: identify, validate, checksum, store, describe and derive media files."""
