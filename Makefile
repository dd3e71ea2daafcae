# The commands of the README (and the benchmarks: docs/performance.md). Each creates .venv and installs what it needs, once: a second call
# reinstalls only when pyproject.toml changed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/coord db upgrade
	$(BIN)/coord demo --if-empty
	$(BIN)/coord users starter
	COORD_PUBLIC_SECTIONS="$${COORD_PUBLIC_SECTIONS-counts,monthly,equity,outcomes,pathway}" $(BIN)/coord serve

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	.ci/install-chromium
	$(BIN)/pytest

# Every figure of docs/performance.md against its raw database baseline, on SQLite and, when
# COORD_TEST_POSTGRES_URL is set, on a throwaway PostgreSQL database; the table also in bench/results/latest.json.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py --events 100000 --events 1000000

bench-quick: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
