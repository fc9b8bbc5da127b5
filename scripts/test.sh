#!/usr/bin/env bash
# The whole test suite, on a fresh clone too: installs what is missing, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/pytest -q "$@"
