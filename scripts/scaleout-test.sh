#!/usr/bin/env bash
# make scaleout-test: two instances, one PostgreSQL, Redis, moto's S3 server and nginx, all on 127.0.0.1
# (scaleout/conftest.py starts and stops every one of them), driven by Playwright and HTTP.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
.venv/bin/python -m pytest -q -p no:cacheprovider scaleout "$@"
