# Two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TLS_PORT ?= 8443

# The first interpreter that is Python >= 3.12 (pyenv's shim honours .python-version).
PYTHON_FOR_VENV := $(shell for p in python3 python3.13 python3.12 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: run test fmt setup setup-dev system-deps system-deps-test lint typecheck pytest bench loadtest clean

# The org's issuer and links name the port it is served on (settings default to 8000).
run: export HANDSHAKE_BASE_URL ?= http://127.0.0.1:$(PORT)
run: setup ## set up and serve on http://127.0.0.1:$(PORT) and https://127.0.0.1:$(TLS_PORT)
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py seed_org
	@echo "The org over HTTP:  http://127.0.0.1:$(PORT)"
	@echo "The org over TLS:   https://127.0.0.1:$(TLS_PORT) (client certificates asked for, not required;"
	@echo "                    trust http://127.0.0.1:$(PORT)/setup/tls/ca.pem). Ctrl-C stops both."
	@# uvicorn with config.asgi, as in production: CometD streaming in Django's async handler,
	@# the rest in WSGI threads (bench/serving.py and bench/events.py measured the choice).
	@# Its options are bench/servers.py's UVICORN_OPTIONS, which the streaming interop test runs.
	@# The TLS listener runs beside the HTTP server and stops with it, however that ends.
	export DJANGO_DEBUG=true HANDSHAKE_TLS_URL=https://127.0.0.1:$(TLS_PORT); \
	$(PY) manage.py serve_tls --port $(TLS_PORT) & tls=$$!; \
	trap 'kill $$tls 2>/dev/null; wait $$tls 2>/dev/null || true' EXIT; \
	$(VENV)/bin/uvicorn config.asgi:application --host=127.0.0.1 --no-proxy-headers --no-access-log --ws=none --log-level=warning --timeout-graceful-shutdown=10 --timeout-keep-alive=20 --workers=2 --port=$(PORT)

test: setup-dev lint typecheck pytest ## set up and run every check and test

setup: system-deps $(VENV)/.installed

setup-dev: setup system-deps-test $(VENV)/.installed-dev interop/node_modules/.installed \
	interop/provider/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@[ -n "$(PYTHON_FOR_VENV)" ] || { echo "Python >= 3.12 is required (none found on PATH)." >&2; exit 1; }
	@[ -x $(PY) ] || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# The Node clients the interop tests drive the org with: openid-client, jsforce (no lock file).
interop/node_modules/.installed: interop/package.json
	cd interop && npm install --silent --no-package-lock
	@touch $@

# The OpenID-certified provider the playground's external-server tests run (.npmrc: no lock file).
interop/provider/node_modules/.installed: interop/provider/package.json
	cd interop/provider && npm install --silent
	@touch $@

# Debian packages: installed when missing and we are root, otherwise named.
system-deps:
	@./bin/ensure-debian-packages dot:graphviz

system-deps-test: system-deps
	@./bin/ensure-debian-packages chromium:chromium pg_ctlcluster:postgresql node:nodejs npm:npm

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy .

pytest:
	$(VENV)/bin/pytest

fmt: setup-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup-dev ## every benchmark, each against a baseline measured in the same run
	$(PY) bench/pages.py
	$(PY) bench/token_endpoint.py
	$(PY) bench/hot_path.py
	$(PY) bench/rest_api.py
	$(PY) bench/flow.py
	$(PY) bench/advisor.py
	$(PY) bench/inspector.py
	$(PY) bench/provider_comparison.py
	$(PY) bench/serving.py
	$(PY) bench/events.py --database both
	$(PY) bench/tls.py

loadtest: setup-dev ## the training room: 200 trainees on SQLite and PostgreSQL (not in `make test`)
	$(PY) bench/loadtest.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
