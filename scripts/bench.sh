#!/usr/bin/env bash
# make bench: every benchmark on SQLite and on a throwaway PostgreSQL, one table (bench/README.md).
# BENCH_APPLICATIONS (default 100000), BENCH_LOAD_SECONDS (10), BENCH_REPS (25) shrink or grow it.
# The PostgreSQL cluster is stopped whatever happens.
# Arguments go to bench.run: `bash scripts/bench.sh --only package` seeds and runs the package benchmark alone.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$PWD"

if ! command -v wrk >/dev/null; then
  echo "wrk not found; installing it (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; fi
fi

pgdir=$(mktemp -d /tmp/portal-bench-pg.XXXXXX)
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { bash scripts/pg.sh stop "$pgdir"; }
trap cleanup EXIT INT TERM

args=(--sqlite)
if bash scripts/pg.sh start "$pgdir" "$port"; then
  args+=(--postgresql "postgresql+psycopg://portal@127.0.0.1:$port/postgres")
else
  echo "could not start PostgreSQL (see $pgdir/server.log); benchmarking SQLite only"
fi
# Alembic's INFO lines are noise here; the table is what matters.
$PY -m bench.run "${args[@]}" "$@" 2> >(grep -v "^INFO  \[alembic" >&2)
