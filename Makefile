# Himaya: two commands do all the set-up on a fresh machine.
#   make run   install into .venv, migrate the embedded SQLite database, load the demo, serve
#              (the web server and the task queue's consumer, run_huey, side by side)
#   make test  install test tools into .venv, run ruff, mypy and the whole test suite

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The settings that tests and checks run under (the same as pytest's, in pyproject.toml):
# fixed test keys, never the developer's .env.
TEST_ENV := HIMAYA_ENV=test HIMAYA_SKIP_DOTENV=1 \
	HIMAYA_FIELD_KEYS=Jm8nN0Zw7rY0qW1l0c9dQ2s6vZ3xK4b5n6m7a8s9d0E= \
	HIMAYA_BLIND_INDEX_KEY=test-blind-index-key-not-for-production \
	HIMAYA_AUDIT_KEY=test-audit-key-not-for-production \
	SECRET_KEY=test-secret-key-not-for-production

.PHONY: run test install install-test messages lint types pytest bench bench-load schema clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

messages: install
	$(PY) scripts/compile_messages.py

run: install messages
	$(PY) scripts/write_dev_env.py .env
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo
	@echo "Himaya is served on http://$(HOST):$(PORT)/ with its task consumer (Ctrl-C stops both)"
	$(PY) scripts/serve.py $(HOST):$(PORT)

lint: install-test
	$(VENV)/bin/ruff check himaya tests benchmarks scripts
	$(VENV)/bin/ruff format --check himaya tests benchmarks scripts
	$(VENV)/bin/lint-imports --no-cache

types: install-test
	env $(TEST_ENV) $(VENV)/bin/mypy himaya

pytest: install-test messages
	env $(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run -v 0
	$(VENV)/bin/pytest -n 2 --ignore=tests/browser $(PYTEST_ARGS)
	# The browser tests in processes of their own: Playwright's event loop must never share a
	# process with the tests that call Django's synchronous database code.
	$(VENV)/bin/pytest -n 2 tests/browser $(PYTEST_ARGS)

test: lint types pytest

bench: install-test
	$(PY) benchmarks/run.py

bench-load: install-test messages  # needs the PostgreSQL server of this machine kind
	$(PY) benchmarks/load.py

schema: install  # regenerates the committed API schema and access table
	$(PY) manage.py spectacular --lang en --file docs/openapi.yaml --validate --fail-on-warn
	$(PY) manage.py capability_table --write docs/access.md

clean:
	rm -rf $(VENV) var db.sqlite3
