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

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x $(PY) ]; then \
	  python=$$(scripts/find-python.sh); \
	  echo "creating $(VENV) with $$python"; \
	  $$python -m venv $(VENV); \
	fi; \
	$(PY) -m pip install -q --upgrade pip; \
	echo "installing the project and its test tools into $(VENV) (a few minutes on a fresh clone)"; \
	$(PY) -m pip install -e '.[dev]' 2>&1 | tee $(VENV)/pip.log | grep --line-buffered -E '^Collecting' | sed -u 's/^/  /'; \
	test $${PIPESTATUS[0]} -eq 0 || { tail -n 20 $(VENV)/pip.log; exit 1; }; \
	echo "VERL's config schema for the GPU recipe's CPU test (no torch: --no-deps)"; \
	$(PY) -m pip install -q --no-deps 'verl==0.8.0'; \
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tractatus lab demo2

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
