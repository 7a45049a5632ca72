# Two entry points for a new machine: `make demo` and `make test`. Each sets up what it needs.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup setup-test bench-quality

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test
	@scripts/setup-test-deps.sh $(BIN)

# Ingests the demo corpus into ./newsfold-demo, lists the stories, then serves them (Ctrl-C stops).
demo: setup
	$(BIN)/newsfold demo

test: setup-test
	$(BIN)/python -m pytest -q -rs

bench-quality: setup-test
	cd bench && ../$(BIN)/python quality.py
