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

# Debian's Chromium for the browser tests (Playwright drives it; its own download cannot work).
/usr/bin/chromium:
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null

browser-deps: node_modules/.installed /usr/bin/chromium

run: $(STAMP)
	$(BIN)/talentquest demo
	$(BIN)/talentquest serve

test: $(STAMP) browser-deps
	$(BIN)/ruff check kit quest challenges leaderboard webui jobs tests bench
	$(BIN)/mypy kit quest challenges leaderboard webui jobs
	$(BIN)/python -m pytest -W error -q

lint: $(STAMP)
	$(BIN)/ruff check kit quest challenges leaderboard webui jobs tests bench
	$(BIN)/mypy kit quest challenges leaderboard webui jobs

# wrk (Debian's package) drives the HTTP benchmarks: installed when missing.
/usr/bin/wrk:
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || \
	  (DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

# Every bench/bench_*.py with a run(): one table of ratios to bare FastAPI, measured in one run.
bench: $(STAMP) /usr/bin/wrk
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
