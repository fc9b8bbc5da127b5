#!/usr/bin/env bash
# Download (from Maven Central, with mvn) and unpack the Elasticsearch used by the test suite; idempotent.
# Needs maven and openjdk-17-jre-headless. Set ES_TEST_CACHE_DIR to choose where it is unpacked.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
exec "$PYTHON" -m tests.elasticsearch_node fetch
