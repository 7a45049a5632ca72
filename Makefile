# Two entry points for a new machine: `make demo` and `make test`. Each sets up what it needs.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup setup-test bench-quality lint

$(BIN)/newsfold: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/newsfold

setup-test: setup
	@scripts/setup-test-deps.sh $(BIN)

demo: setup
	$(BIN)/newsfold demo

test: setup-test
	$(BIN)/python -m pytest -q

bench-quality: setup
	$(BIN)/python bench/quality.py

lint: setup
	$(BIN)/ruff check src tests bench
