# The README's quick start is `make demo` and `make test`. Both set up .venv first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Public datasets are read, never committed: ../shared/datasets in development and CI, when it exists.
SHARED_DATA := $(abspath ../shared/datasets)
ifneq ($(wildcard $(SHARED_DATA)),)
export TRACTATUS_DATA_DIR ?= $(SHARED_DATA)
endif

.PHONY: demo test test-all setup lint bench clean

# Setup shows what it is doing (issue 12, item 8: it used to be silent for ~47 s): one line per
# step and pip's "Collecting"/"Successfully installed" lines, not its full log.
$(STAMP): pyproject.toml
	@set -eo pipefail; \
	if [ ! -x $(PY) ]; then \
	  python=$$(scripts/find-python.sh); \
	  echo "[setup 1/3] creating $(VENV) with $$python"; \
	  $$python -m venv $(VENV); \
	fi; \
	echo "[setup 2/3] upgrading pip in $(VENV)"; \
	$(PY) -m pip install -q --upgrade pip; \
	echo "[setup 3/3] installing tractatus and its dev dependencies into $(VENV) (first time: a few minutes; log in $(VENV)/pip.log)"; \
	$(PY) -m pip install -e '.[dev]' 2>&1 | tee $(VENV)/pip.log | { grep --line-buffered -E '^(Collecting|Successfully installed)' || true; }; \
	test $${PIPESTATUS[0]} -eq 0 || { tail -n 20 $(VENV)/pip.log; exit 1; }; \
	echo "[setup] VERL's config schema for the GPU recipe's CPU test (no torch: --no-deps)"; \
	$(PY) -m pip install -q --no-deps 'verl==0.8.0'; \
	touch $(STAMP); \
	echo "[setup] done: $(VENV)/bin/tractatus is ready"

setup: $(STAMP)

# Demo 2, then its HTML report, then the paths to run next (tractatus is in .venv/bin, not on PATH).
demo: $(STAMP)
	@echo "[demo] training the ungoverned and the governed agent (tractatus lab demo2)"
	$(VENV)/bin/tractatus lab demo2
	@set -e; run=$$(ls -dt runs/demo2-* | head -1); \
	echo "[demo] writing the HTML report of $$run"; \
	$(VENV)/bin/tractatus lab report "$$run"; \
	echo ""; \
	echo "Next:"; \
	echo "  open $$run/report.html"; \
	echo "  $(VENV)/bin/tractatus check \"Contact me at someone@example.org\""; \
	echo "  $(VENV)/bin/tractatus serve"; \
	echo "  $(VENV)/bin/tractatus --help"

# The default suite on SQLite, then the database-backed suites again on a throwaway PostgreSQL.
PG_SUITES := tests/service tests/governance/test_audit_postgres.py

test: $(STAMP)
	scripts/system-deps.sh
	$(VENV)/bin/pytest -q -m "not slow" $(PYTEST_ARGS)
	scripts/with-postgres.sh $(VENV)/bin/pytest -q -m "not slow" -p no:cacheprovider $(PG_SUITES)

test-all: $(STAMP)
	scripts/system-deps.sh
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
