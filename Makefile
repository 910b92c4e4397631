# The README's commands. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PIP    := $(VENV)/bin/pip
FLASK  := $(VENV)/bin/flask --app app

.PHONY: run dev test test-full scaleout-test bench screenshots install install-test install-bench system-packages browser lint migrate seed clean messages catalogues

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[bench]'
	touch $@

install: $(VENV)/.installed catalogues

install-test: $(VENV)/.installed-test catalogues

install-bench: $(VENV)/.installed-bench

## The interface's languages (issue 24): portal/translations/<locale>/LC_MESSAGES/messages.po are the
## catalogues (committed); the compiled .mo files are built at install and before the tests (never committed).
## make messages: extract every marked string (babel.cfg), merge into the catalogues, compile; on a clean
## tree it changes nothing, and a new string arrives untranslated, which tests/test_translations.py refuses.
catalogues: $(VENV)/.installed
	$(VENV)/bin/python scripts/messages.py compile

messages: $(VENV)/.installed
	$(VENV)/bin/python scripts/messages.py

## Pango and the Noto CJK fonts (PDFs); `browser` adds Debian's chromium for the e2e suite.
system-packages:
	@bash scripts/ensure-system-packages.sh

browser:
	@bash scripts/ensure-system-packages.sh --browser

migrate: install system-packages
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

## The embedded default served as in production: gunicorn (gunicorn.conf.py) and the background worker
## (huey), both stopped by Ctrl-C. `make dev` swaps gunicorn for Flask's reloader while coding.
run: seed catalogues
	@bash scripts/run.sh run

dev: seed catalogues
	@bash scripts/run.sh dev

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Unit, service and web tests on SQLite and on a throwaway PostgreSQL cluster, then the e2e journeys.
test: install-test browser catalogues
	@bash scripts/test.sh

test-full: install-test browser catalogues
	@PORTAL_TEST_PROFILE=full bash scripts/test.sh

## Several instances on one machine (issue 19): PostgreSQL, Redis, moto's S3 server, two gunicorn
## instances with their workers and nginx in front, all on 127.0.0.1, driven by Playwright and HTTP.
scaleout-test: install-test browser
	@bash scripts/ensure-system-packages.sh --scaleout
	@bash scripts/scaleout-test.sh

## Benchmarks at province scale on SQLite and a throwaway PostgreSQL (not part of `make test`).
## BENCH_APPLICATIONS=20000 make bench for a quicker run; the table lands in bench/last-run.md.
bench: install-bench system-packages
	@bash scripts/bench.sh

## The README tour: each demo role's main page in chromium, saved to docs/screenshots/*.png (1280 wide).
screenshots: install-test browser
	@PORTAL_SCREENSHOTS=1 $(VENV)/bin/python -m pytest -q -m screenshots e2e/test_zz_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache e2e/artifacts
