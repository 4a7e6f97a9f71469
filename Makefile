# IMC Hub — the two commands that matter: `make run` and `make test`.
# Everything is installed by these targets; downloads and builds are cached in
# $(IMC_CACHE_DIR) (default ~/.cache/imc-hub), outside the clone, so the second run is fast.

SHELL := /bin/bash
PYTHON ?= python3.11
export IMC_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/imc-hub
export PIP_CACHE_DIR ?= $(IMC_CACHE_DIR)/pip
export UV_CACHE_DIR ?= $(IMC_CACHE_DIR)/uv
export PIP_DISABLE_PIP_VERSION_CHECK := 1
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := contracts runtime services/registry services/roadmaps services/notifications deploy/local
STAMP := $(VENV)/.installed

.PHONY: help install run test test-fast test-faults bench lint format schemas docs lock fetch clean

help:
	@echo "make run      bring up Kafka, FerretDB, Mailpit and the three services, load the programme"
	@echo "make test     every test, on its own infrastructure (started and stopped by the tests)"
	@echo "make lint     ruff and mypy --strict"
	@echo "make test-faults  the long fault-injection run (thousands of reports per scenario)"
	@echo "make bench   every benchmark on its own stack (under 10 min); bench/results/<date>.json"
	@echo "make clean    wipe local data (.data/)"

# uv (pinned with hashes in requirements/bootstrap.txt, installed by pip) installs the lock:
# from its cache, a fresh clone's .venv takes seconds, where pip took a minute and a half.
$(STAMP): requirements/lock.txt requirements/bootstrap.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/bootstrap.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes --no-deps -r requirements/lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation $(addprefix -e ,$(PACKAGES))
	@touch $@

install: $(STAMP)

fetch: install
	$(BIN)/python -m imc_devstack fetch

run: install
	$(BIN)/python -m imc_devstack run

# Two workers (pytest-xdist): most of the suite waits on servers, not on the cores. A file's
# tests stay on one worker, the web's together and last (conftest.py).
TEST_WORKERS ?= 2

test: install
	$(BIN)/python -m imc_devstack fetch
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=20

test-faults: install
	$(BIN)/python -m imc_devstack fetch
	@mkdir -p .data
	$(BIN)/python -m imc_devstack.faults --long --json .data/faults-long.json

bench: install
	$(BIN)/python -m imc_devstack fetch
	$(BIN)/python -m bench.run

test-fast: install
	$(BIN)/pytest -m "not infra and not process"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(foreach p,$(PACKAGES),$(p)/src $(p)/tests) tests bench conftest.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schemas: install
	$(BIN)/python -m imc_contracts.schemas write
	$(BIN)/python -m imc_contracts.asyncapi write

docs: install
	$(BIN)/python -m imc_devstack.configuration write

lock: install
	PIP_FIND_LINKS= $(BIN)/pip-compile --quiet --no-emit-find-links --no-header --generate-hashes --allow-unsafe --no-emit-index-url --strip-extras \
		--output-file requirements/lock.txt requirements/dev.in
	PIP_FIND_LINKS= $(BIN)/pip-compile --quiet --no-emit-find-links --no-header --generate-hashes --allow-unsafe --no-emit-index-url --strip-extras \
		--output-file requirements/bootstrap.txt requirements/bootstrap.in

clean:
	rm -rf .data
