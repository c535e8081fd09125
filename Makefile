# keystoretool — set-up, demo, tests, lint, benchmark. Every target creates the venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all venv demo test test-fast lint bench bench-batch-full fixtures clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	bash fixtures/demo.sh

test: $(STAMP)
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check keystoretool tests
	$(VENV)/bin/mypy keystoretool

bench: $(STAMP)
	$(PY) tests/benchmarks/bench.py
	$(PY) tests/benchmarks/bench_batch.py
	$(PY) tests/benchmarks/hostile.py

bench-batch-full: $(STAMP)
	$(PY) tests/benchmarks/bench_batch.py --ops 1000

fixtures: $(STAMP)
	PATH="$$PATH" bash fixtures/make_fixtures.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
