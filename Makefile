# Set-up and the main jobs. Only Python 3.11+ and make are needed: everything else is installed
# into .venv by these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SCENARIO ?=

.PHONY: demo test test-fast lint typecheck pytest bench clean chromium libreoffice notebooks report app messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# a "python3" Jupyter kernel inside the venv, for opening the notebooks (the tests make their own)
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (allocator)" >/dev/null
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/allocator run $(SCENARIO) --out outputs/demo --overwrite

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check allocator tests benchmarks cli.py
	$(BIN)/ruff format --check allocator tests benchmarks cli.py

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev chromium libreoffice
	$(BIN)/python -m pytest

# Headless Chromium for the report's browser test: installed with apt only when missing and root;
# otherwise the test says why it is skipped.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium missing and not root: the browser test of the report will be skipped"; fi

# LibreOffice Calc (about 40 MB from Debian, without recommends) for the test that converts
# results.xlsx headless: installed only when missing and root; otherwise the test says why it skips.
libreoffice:
	@if command -v libreoffice >/dev/null || command -v soffice >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends libreoffice-calc >/dev/null; \
	else echo "libreoffice missing and not root: the LibreOffice test of results.xlsx will be skipped"; fi

# The catalogs of planner texts: extract the msgids from the code (build/allocator.pot) and merge
# them into allocator/locale/{it,en}/LC_MESSAGES/allocator.po (settings in pyproject's
# [tool.babel.*]); then translate the new Italian entries (tests/test_catalog.py checks).
messages: $(VENV)/.installed-dev
	@mkdir -p build
	$(BIN)/pybabel -q extract
	$(BIN)/pybabel -q update

# Regenerate the notebooks (stored without outputs) from notebooks/build_notebooks.py.
notebooks: $(VENV)/.installed-dev
	$(BIN)/python notebooks/build_notebooks.py

# The HTML report of the bundled scenario (with the NIL boundaries when ../shared is there).
BOUNDARIES ?= ../shared/data/milano/milano_nil_boundaries.geojson
report: $(VENV)/.installed
	$(BIN)/allocator report $(SCENARIO) --out outputs/report.html --overwrite \
		$(if $(wildcard $(BOUNDARIES)),--boundaries $(BOUNDARIES))

# The meeting page on the bundled scenario (or SCENARIO=…), with the NIL polygons when ../shared
# is there: open http://127.0.0.1:8765 (HOST=0.0.0.0 to show it on the room's network).
HOST ?= 127.0.0.1
PORT ?= 8765
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[app]'
	touch $@

app: $(VENV)/.installed-app
	$(BIN)/allocator app $(SCENARIO) --host $(HOST) --port $(PORT) \
		$(if $(wildcard $(BOUNDARIES)),--boundaries $(BOUNDARIES))

test: lint typecheck pytest

# The inner loop: everything but the slow, browser, notebook and distributed layers.
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow and not browser and not notebooks and not distributed"

bench: $(VENV)/.installed $(VENV)/.installed-app
	$(BIN)/python benchmarks/bench_run.py
	$(BIN)/python benchmarks/bench_first_line.py
	$(BIN)/python benchmarks/bench_targets.py
	$(BIN)/python benchmarks/bench_solve.py
	$(BIN)/python benchmarks/bench_explain.py
	$(BIN)/python benchmarks/bench_batch.py 100
	$(BIN)/python benchmarks/bench_uncertainty.py 200
	$(BIN)/python benchmarks/bench_app.py

clean:
	rm -rf $(VENV) outputs .pytest_cache .mypy_cache .ruff_cache
