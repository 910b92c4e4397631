#!/usr/bin/env bash
# make test: lint and import contracts, the suite on SQLite, the suite on PostgreSQL, then the e2e journeys on both.
# A failed journey is run once more (pytest-rerunfailures): browser timing on a busy 2-core machine
# is not the product; a journey that fails twice fails the run. Before a rerun, the accounts its first
# attempt opened are retired (e2e/conftest.py), so it can open its people again.
# The PostgreSQL cluster is stopped whatever happens.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONDONTWRITEBYTECODE=1

pgdir=$(mktemp -d /tmp/portal-pg.XXXXXX)
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { bash scripts/pg.sh stop "$pgdir"; }
trap cleanup EXIT INT TERM

status=0
step() { echo; echo "== $1"; shift; "$@" || status=1; }

step "ruff" .venv/bin/ruff check .
step "ruff format (the one layout: a diff is a failure)" .venv/bin/ruff format --check .
step "import contracts (layers; the domain imports no framework)" .venv/bin/lint-imports
step "bandit (medium and high findings fail)" .venv/bin/bandit -q -c pyproject.toml -r portal -ll
# pip-audit asks PyPI's vulnerability data: a registry that cannot be reached is reported, not a failure.
audit_deps() {
  local out rc
  out=$(timeout 300 .venv/bin/pip-audit --progress-spinner off 2>&1); rc=$?
  echo "$out"
  if [ $rc -ne 0 ] && echo "$out" | grep -qiE "connection|resolve|timed out|network|unreachable|HTTPSConnectionPool|ProxyError"; then
    echo "pip-audit: the vulnerability service could not be reached; skipped (not a failure)"; return 0
  fi
  return $rc
}
step "pip-audit (known vulnerabilities in installed packages)" audit_deps
step "tests on SQLite" $PY -m pytest -n 2 -q --durations=15 tests
if bash scripts/pg.sh start "$pgdir" "$port"; then
  export TEST_DATABASE_URL="postgresql+psycopg://portal@127.0.0.1:$port/postgres"
  step "tests on PostgreSQL" $PY -m pytest -n 2 -q --durations=15 tests
  step "e2e on PostgreSQL" $PY -m pytest -q -rfER --reruns 1 --durations=10 e2e
  unset TEST_DATABASE_URL
else
  echo "could not start PostgreSQL (see $pgdir/server.log)"; cat "$pgdir/server.log" 2>/dev/null; status=1
fi
step "e2e on SQLite" $PY -m pytest -q -rfER --reruns 1 e2e
echo
[ $status -eq 0 ] && echo "make test: all passed" || echo "make test: FAILED"
exit $status
