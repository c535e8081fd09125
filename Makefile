# keystoretool — set-up, demo, tests, lint, benchmark. Every target creates the venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all venv demo test test-long lint bench bench-batch-full fixtures clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# compat: a plain path in a .pth (not an import hook), so mypy finds the editable
	# install (tests/test_api_typing.py runs mypy --strict on the README's snippet)
	$(PY) -m pip install -q -e '.[test]' --config-settings editable_mode=compat
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	bash fixtures/demo.sh

# Tests run in parallel (pytest-xdist): TEST_JOBS workers, one per core by default. Tests that
# share a costly module/session fixture stay on one worker (tests/conftest.py, --dist loadgroup).
TEST_JOBS ?= auto
PYTEST := $(PY) -m pytest -q -n $(TEST_JOBS) --dist loadgroup

# make test: everything but the long runs (crash, fuzz, race campaigns, packaging), <= 3 min.
test: $(STAMP)
	$(PYTEST) -m "not slow"

# make test-long: the long runs marked slow; CI (.ci/run) runs both.
test-long: $(STAMP)
	$(PYTEST) -m slow

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
