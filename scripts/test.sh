#!/usr/bin/env bash
# The whole test suite, on a fresh clone too: installs what is missing, then runs pytest on the SQLite catalog and,
# at the same time, the catalog-level suites again on PostgreSQL (a throwaway server the tests start:
# tests/postgres_server.py).
# With arguments, runs just `pytest ARGS` (set TEST_CATALOG=postgresql to pick PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
if (($#)); then
  exec .venv/bin/pytest -q "$@"
fi
# Both suites at once (the SQLite one is the longer; each uses about one core): the PostgreSQL one's output is
# kept in a file and printed when both are done.
pg_log=$(mktemp --suffix=.pg-tests.log)
TEST_CATALOG=postgresql .venv/bin/pytest -q -p no:cacheprovider \
  tests/test_catalog_backends.py tests/test_migrations.py tests/test_records.py tests/test_publishing.py \
  tests/test_ingest.py tests/test_ingest_crash.py tests/test_ingest_bad_input.py tests/test_editing.py \
  tests/test_concurrent_saves.py tests/test_access_levels.py tests/test_access_leaks.py tests/test_search_indexing.py \
  tests/test_staff_web.py tests/test_uploads_jobs.py tests/test_shared_queue.py tests/test_oai.py tests/test_open_data.py tests/test_bags.py \
  tests/test_backup.py tests/test_page_cache.py tests/test_vocabulary_terms.py tests/test_home_curation.py \
  tests/test_staff_terms.py tests/test_exhibit_store.py tests/test_staff_exhibits.py \
  tests/test_staff_captions.py tests/test_iiif_content_search.py tests/test_ocr.py tests/test_search_ocr.py \
  >"$pg_log" 2>&1 &
pg=$!
trap 'kill "$pg" 2>/dev/null || true' INT TERM
sqlite_status=0
echo "== the whole suite on SQLite"
.venv/bin/pytest -q || sqlite_status=$?
pg_status=0
wait "$pg" || pg_status=$?
echo "== the catalog-level suites on PostgreSQL"
cat "$pg_log"
rm -f "$pg_log"
exit $((sqlite_status || pg_status))
