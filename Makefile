# The two commands: `make run` (demo on 127.0.0.1:8070) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

assets: $(VENV)/.installed
	scripts/build-assets

run: assets
	scripts/run-demo

test: assets
	scripts/test

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo

bench: $(VENV)/.installed
	scripts/bench
