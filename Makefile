# Set-up and the main jobs. Only Python 3.11+ and make are needed: everything else is installed
# into .venv by these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SCENARIO ?=

.PHONY: demo test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/allocator run $(SCENARIO) --out outputs/demo --overwrite

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check allocator tests benchmarks cli.py
	$(BIN)/ruff format --check allocator tests benchmarks cli.py

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_run.py

clean:
	rm -rf $(VENV) outputs .pytest_cache .mypy_cache .ruff_cache
