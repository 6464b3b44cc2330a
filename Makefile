# pswbench: `make run` starts the app on the synthetic demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/pswbench.duckdb

.PHONY: run test test-unit test-e2e demo indicators bench screenshots chromium clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m pswbench.server run app.py

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

screenshots: $(VENV)/.installed chromium
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache
