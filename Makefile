# pswbench: `make run` starts the app on the synthetic demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/pswbench.duckdb

.PHONY: run test test-unit test-e2e demo indicators bench bench-scale load screenshots chromium clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m pswbench.app.server run app.py

demo: $(VENV)/.installed
	rm -f $(DB) $(DB).wal
	$(PY) -m pswbench demo --db $(DB)

indicators: $(VENV)/.installed
	$(PY) -m pswbench indicators --db $(DB) --level national

# Browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: $(VENV)/.installed chromium
	$(PY) -m pytest

test-unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit

test-e2e: $(VENV)/.installed chromium
	$(PY) -m pytest tests/e2e

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_pipeline.py

# Data growth: 1x, 10x and 100x databases, built and timed (about 25 minutes; kept in /tmp/pswbench-scale).
bench-scale: $(VENV)/.installed
	$(PY) benchmarks/bench_scale.py --scales 1,10,100 --dir /tmp/pswbench-scale --keep --max-build-minutes 60

# Many sessions at once against a writer and two read-only viewers (about 2 minutes).
load: $(VENV)/.installed
	$(PY) benchmarks/load_viewers.py --sessions 1 10 50 --viewer-processes 2

screenshots: $(VENV)/.installed chromium
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache
