# Set-up and everyday commands; a fresh machine needs only python3 (with venv) and make.
#
#   make demo    synthetic Khon Kaen matched; outputs in demo-output/
#   make test    the test suite (tests/, notebooks included; not the benchmarks), in
#                TEST_WORKERS processes (default 2; TEST_WORKERS=0 runs in one)
#   make lint    ruff check, ruff format --check and mypy (type check of the package)
#   make bench   the benchmarks in benchmarks/ (installs the bench extra, lapx, first)
#   make clean   outputs and caches (make distclean also removes .venv)

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after each install; pip runs again whenever pyproject.toml is newer.
STAMP := $(VENV)/.installed
# pytest-xdist processes for `make test`; each test file runs whole in one of them
TEST_WORKERS ?= 2

.PHONY: demo test lint bench clean distclean install

demo: $(STAMP)
	$(BIN)/kuseo-match demo

test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install -e ".[test,bench]"
	$(BIN)/python benchmarks/bench_match.py
	$(BIN)/python benchmarks/bench_crowded.py
	$(BIN)/python benchmarks/bench_policies.py
	$(BIN)/python benchmarks/bench_living.py
	$(BIN)/python benchmarks/bench_synth.py

install: $(STAMP)

$(BIN)/python:
	$(PY) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "could not create $(VENV) with '$(PY) -m venv' (on Debian/Ubuntu: apt-get install python3-venv)" >&2; \
	  exit 1; }

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[test]"
	touch $@

clean:
	rm -rf demo-output synth-output kuseo-output benchmarks/out build dist src/*.egg-info \
	  .pytest_cache .ruff_cache .mypy_cache .hypothesis
	find src tests benchmarks -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
