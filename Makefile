# Talent Quest: `make run` serves the demo, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean browser-deps

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# axe-core for the accessibility checks in tests/browser (from the npm registry).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.installed

browser-deps: node_modules/.installed

run: $(STAMP)
	$(BIN)/talentquest demo
	$(BIN)/talentquest serve

test: $(STAMP) browser-deps
	$(BIN)/ruff check quest challenges leaderboard webui jobs tests bench
	$(BIN)/mypy quest challenges leaderboard webui jobs
	$(BIN)/python -m pytest -W error -q

lint: $(STAMP)
	$(BIN)/ruff check quest challenges leaderboard webui jobs tests bench
	$(BIN)/mypy quest challenges leaderboard webui jobs

bench: $(STAMP)
	$(BIN)/python bench/bench_attempts.py
	$(BIN)/python bench/bench_board.py

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
