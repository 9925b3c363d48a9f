# Tandem: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install browser lint types contracts unit integration functional docs bench clean abstcal-env

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium drives the browser tests; never a downloaded browser. GNU gettext is
# for tests/unit/test_translations.py (makemessages calls xgettext); running the app
# needs neither, since the compiled catalogue (django.mo) is committed.
browser:
	@{ command -v chromium && command -v xgettext; } >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core gettext >/dev/null; }

# The demo clinic runs in demo mode: staff sign in without a second factor. The task
# worker and scheduler run beside the server and stop with it (ADR 0006); demo e-mail
# (reminders, alert notices) is printed on the console.
run: export TANDEM_DEMO = true
run: export TANDEM_DEBUG = false
run: install
	$(BIN)/tandem migrate
	$(BIN)/tandem demo
	$(BIN)/tandem serve --host 127.0.0.1 --port 8000 --with-worker

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

unit: install
	$(BIN)/pytest -q tests/unit

integration: install
	$(BIN)/pytest -q tests/integration

functional: install browser
	$(BIN)/pytest -q tests/functional

test: install browser lint types contracts abstcal-env
	$(BIN)/pytest -q tests

# abstcal (PyPI) is only for the TLFB cross-check test and bench; it lives in its own venv
# so that it never becomes an app dependency (pins: requirements-abstcal.lock).
ABSTCAL_STAMP := .venv-abstcal/.installed
$(ABSTCAL_STAMP): requirements-abstcal.lock
	test -x .venv-abstcal/bin/python || $(PYTHON) -m venv .venv-abstcal
	.venv-abstcal/bin/python -m pip install -q -r requirements-abstcal.lock
	touch $(ABSTCAL_STAMP)

abstcal-env: $(ABSTCAL_STAMP)

docs: install
	$(BIN)/python -m tandem.docs_gen

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
