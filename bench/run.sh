#!/usr/bin/env bash
# One command for Jalon's benchmark: the table on SQLite, then on a throwaway PostgreSQL server.
# Installs wrk (Debian's package) when missing. Arguments go to bench/run.py (e.g. --sessions 200).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
.venv/bin/python bench/run.py "$@"
scripts/with-postgres.sh bash -c '.venv/bin/python bench/run.py --database-url "$JALON_TEST_DATABASE_URL" "$@"' _ "$@"
