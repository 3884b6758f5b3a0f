# powerstack: two commands for a newcomer, `make app` and `make test`.
# Each target (re)creates .venv when it is missing, built with another Python, or older than
# pyproject.toml / constraints.txt (the pinned dependency set), then does its job.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS := dev,grids,cluster,validation,docs,analysis
# First interpreter >= 3.12 on PATH (pyenv honours .python-version = 3.12).
PYTHON := $(shell for p in python3.12 python3.13 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
PORT ?= 8765
# Python caches compiled modules in __pycache__ (gitignored) unless PYTHONDONTWRITEBYTECODE is
# set, as it is on some sandboxes and CI images: then every test worker and every interpreter a
# test starts compiles abm/, viz/ and the rewritten test modules again (collection 11 s instead of
# 5 s a worker, measured). The targets here let Python keep its cache.
unexport PYTHONDONTWRITEBYTECODE
HOST ?= 127.0.0.1

.PHONY: app run test test-ci test-pages test-full test-fast lint bench docs docs-check docs-site clean-venv help
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml constraints.txt
	@if [ -z "$(PYTHON)" ]; then echo "error: Python >= 3.12 not found on PATH (install it, e.g. with pyenv)" >&2; exit 2; fi
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "recreating $(VENV): it was built with an older Python"; rm -rf $(VENV); fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]"
	@touch $(STAMP)

app: $(STAMP)  ## open the app on the baseline scenario (http://127.0.0.1:8765)
	$(BIN)/powerstack app --host $(HOST) --port $(PORT) --open

run: $(STAMP)  ## run the baseline from the command line into runs/baseline-s1/
	$(BIN)/powerstack run baseline

# The slow tier's size is POWERSTACK_SLOW_SCALE (default 0.25, set in tests/conftest.py). Every
# test target runs on every core (pytest-xdist, `--dist loadgroup`: one group per test file so
# module fixtures are built once, the lever test and the docs pages cut into groups of their own,
# longest groups first; tests/conftest.py). `make test` checks the model-running docs pages by
# fingerprint; `make test-ci` (CI) and `make test-full` regenerate them in the same session.
XDIST := -n auto --dist loadgroup --no-loadscope-reorder
test: $(STAMP)  ## whole suite on every core, slow tier at 0.25 size, browser included; pages by fingerprint
	$(BIN)/python -m pytest $(XDIST) -m "not pages"

test-ci: $(STAMP)  ## what CI runs: make test plus the model-running docs pages, one session on every core
	$(BIN)/python -m pytest $(XDIST)

test-pages: $(STAMP)  ## regenerate the model-running docs pages byte for byte (make test-ci includes them)
	$(BIN)/python -m pytest $(XDIST) -m pages

test-full: $(STAMP)  ## whole suite with the slow tier at full size, pages regenerated too
	POWERSTACK_SLOW_SCALE=1 $(BIN)/python -m pytest $(XDIST)

test-fast: $(STAMP)  ## tests without the slow and browser tiers
	$(BIN)/python -m pytest $(XDIST) -m "not slow and not browser"

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check abm viz tests benchmarks docs/scripts
	$(BIN)/ruff format --check abm viz tests benchmarks docs/scripts

bench: $(STAMP)  ## run all benchmarks, write benchmarks/results.json and docs/performance.md
	$(BIN)/python benchmarks/run_all.py

docs: $(STAMP)  ## regenerate every generated docs page (registry: docs/scripts/pages.py)
	$(BIN)/python docs/scripts/pages.py

docs-check: $(STAMP)  ## regenerate every page into a temp folder; fail if a committed byte differs
	$(BIN)/python docs/scripts/pages.py --check

docs-site: $(STAMP)  ## build every page under docs/ into one offline site: site/index.html
	$(BIN)/python -m mkdocs build --strict --site-dir site

clean-venv:  ## remove the environment
	rm -rf $(VENV)
