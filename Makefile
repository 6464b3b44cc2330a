# pswbench: `make run` starts the app on the synthetic demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/pswbench.duckdb
PORT ?= 8501

.PHONY: run lint format dead-code-allowlist test test-unit test-e2e demo indicators bench bench-scale load screenshots chromium axe libreoffice templates clean

# The pinned dependencies first, then the package itself (editable, so sql/ and validation/ are found
# beside it and no script or test changes sys.path).
$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# make run PORT=8502 serves on another port (default 8501).
run: $(VENV)/.installed
	$(PY) -m pswbench.app.server run app.py --server.port $(PORT)

demo: $(VENV)/.installed
	rm -f $(DB) $(DB).wal
	$(PY) -m pswbench demo --db $(DB)

indicators: $(VENV)/.installed
	$(PY) -m pswbench indicators --db $(DB) --level national

# Browser tests drive Debian's Chromium; install it when it is missing. They also inject axe-core
# (pinned in package-lock.json) into every page: `npm ci` installs it into node_modules/.
chromium: axe
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

axe: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The template workbook's test opens data/template.xlsx and its filled example in LibreOffice headless,
# so a workbook it cannot open, or whose checks it does not keep, fails CI. libreoffice-calc-nogui (with
# its core, no recommends) is the smallest Debian package with `soffice --headless`; installed only when
# soffice is missing.
libreoffice:
	@command -v soffice >/dev/null 2>&1 || (apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null)

# data/template.xlsx, the example workbook and the CSV templates, written again from the contract.
templates: $(VENV)/.installed
	$(PY) -m scripts.build_templates

VULTURE := $(VENV)/bin/vulture pswbench pages app.py tests benchmarks scripts tests/vulture_allowlist.py \
	--min-confidence 60 --ignore-decorators "@pytest.fixture,@pytest.mark.*" --ignore-names "pytestmark,pytest_*,handle_*"

# ruff's lint rules and its formatter, then vulture for dead code (CI runs this before the tests).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VULTURE)

dead-code-allowlist: $(VENV)/.installed
	$(VULTURE) --make-whitelist

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: $(VENV)/.installed chromium libreoffice
	$(PY) -m pytest

test-unit: $(VENV)/.installed libreoffice
	$(PY) -m pytest tests/unit

test-e2e: $(VENV)/.installed chromium
	$(PY) -m pytest tests/e2e

bench: $(VENV)/.installed
	$(PY) -m benchmarks.bench_pipeline
	$(PY) -m benchmarks.bench_demo

# Data growth: 1x, 10x and 100x databases, built and timed (about 25 minutes; kept in /tmp/pswbench-scale).
bench-scale: $(VENV)/.installed
	$(PY) -m benchmarks.bench_scale --scales 1,10,100 --dir /tmp/pswbench-scale --keep --max-build-minutes 60

# Many sessions at once against a writer and two read-only viewers (about 2 minutes).
load: $(VENV)/.installed
	$(PY) -m benchmarks.load_viewers --sessions 1 10 50 --viewer-processes 2

screenshots: $(VENV)/.installed chromium
	$(PY) -m scripts.screenshots

clean:
	rm -rf $(VENV) .pytest_cache
