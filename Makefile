# wardnet — two commands on a fresh machine: `make demo` (main job) and `make test` (all checks).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo render check test lint unit bench wards clean lock

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $(STAMP)

# The main job on the built-in defaults: validate the city inventory, render every site, check the result.
demo: setup
	$(BIN)/wardnet render
	$(BIN)/wardnet check

render: setup
	$(BIN)/wardnet render

check: setup
	$(BIN)/wardnet check

lint: setup
	$(BIN)/ruff check wardnet plugins tests benchmarks scripts
	$(BIN)/ruff format --check wardnet plugins tests benchmarks scripts
	$(BIN)/yamllint -s .
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/ansible-lint --offline -q playbooks benchmarks $(wildcard roles/*/)

unit: setup
	$(BIN)/pytest -q -n 2

test: lint unit

bench: setup
	$(BIN)/python -m benchmarks.render_city

# Regenerate inventories/wards/ from the official unit list (committed files stay the source of truth).
wards: setup
	$(BIN)/python scripts/generate_wards.py ../shared/data/hcmc_units.csv inventories/wards

lock: setup
	$(BIN)/pip freeze --exclude-editable | sed '1i # Full resolved environment for requirements.txt (Python 3.11). Regenerate with `make lock`.' > constraints.txt

clean:
	rm -rf build $(VENV) .pytest_cache .ruff_cache .hypothesis
