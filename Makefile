# wardnet — two commands on a fresh machine: `make demo` (main job) and `make test` (all checks).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo render check test lint unit golden mutation lab-deps lab-test lab-servers-test molecule bench bench-lab wards clean lock

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
	$(BIN)/ruff check wardnet plugins tests benchmarks scripts molecule
	$(BIN)/ruff format --check wardnet plugins tests benchmarks scripts molecule
	$(BIN)/yamllint -s .
	$(BIN)/mypy
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/ansible-lint --offline -q playbooks benchmarks molecule $(wildcard roles/*/)

unit: setup
	$(BIN)/pytest -q -n 2 -m "not lab"

# Rewrite tests/golden/ from the current render (the golden test only reads); review `git diff tests/golden`.
golden: setup
	$(BIN)/python scripts/update_golden.py

# Mutation testing (issue 25): mutmut over the core modules, each against the tests meant to catch its bugs;
# prints the score per module and fails under its threshold. Slow (minutes per module): not part of `make test`.
mutation: setup
	@$(BIN)/python -c "import mutmut" 2>/dev/null || $(BIN)/pip install -q mutmut==3.8.1
	$(BIN)/python scripts/mutation.py

# The live lab (issue 3): real FRR, nftables, Open vSwitch and sshd in network namespaces; needs root.
# RUNLEVEL=1 keeps the packages' init scripts from starting daemons outside the lab's namespaces.
# kea-dhcp6-server and unbound give the unit tests `kea-dhcp6 -t` and `unbound-checkconf` (skipped without);
# isc-dhcp-client is the STAFF endpoint's DHCPv6 client (dhclient -6) in tests/lab/test_dhcpv6_live.py.
LAB_PACKAGES := frr frr-pythontools nftables openvswitch-switch openssh-server openssh-client ethtool \
	netcat-openbsd iproute2 util-linux postgresql chromium isc-dhcp-relay kea-admin dnsperf \
	kea-dhcp6-server unbound isc-dhcp-client conntrack
lab-deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make lab-deps: run as root (apt-get)"; exit 2; fi
	@missing=$$(for p in $(LAB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; apt-get update -qq && \
		RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Lab tests run one at a time (one lab); skipped without root unless WARDNET_REQUIRE_LAB=1 (then they fail).
# LAB_LOCK keeps two lab runs on one machine (two clones, a CI job beside an engineer) from sharing namespaces.
LAB_LOCK ?= /run/wardnet-lab.lock
lab-test: setup
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) -s lab-deps; fi
	flock $(LAB_LOCK) $(BIN)/pytest -q -m "lab and not lab_servers"

# Live tests that boot and converge the ward server (podman) in the lab: minutes each, so not in `make test`.
lab-servers-test: setup
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) -s lab-deps; fi
	flock $(LAB_LOCK) $(BIN)/pytest -q -m lab_servers

# Server roles (issue 6): every Molecule scenario on a real podman instance booted from a locally built,
# cached Debian image (scripts/molecule_all.sh installs podman, runc, debootstrap); needs root.
molecule: setup
	@if [ "$$(id -u)" = 0 ]; then scripts/molecule_all.sh; \
	elif [ "$${WARDNET_REQUIRE_LAB:-0}" = 1 ]; then echo "make molecule: needs root (root podman, debootstrap)"; exit 2; \
	else echo "make molecule: skipped, needs root (root podman, debootstrap)"; fi

test: lint unit lab-test molecule

# Bytecode first, as an installed package has it: with PYTHONDONTWRITEBYTECODE set (this machine sets it)
# every timed process would otherwise compile wardnet's sources again (~0.4 s CPU each).
bench: setup
	$(BIN)/python -m compileall -q wardnet
	$(BIN)/python -m benchmarks.render_city
	$(BIN)/python -m benchmarks.audit_compare
	$(BIN)/python -m benchmarks.check_city

bench-lab: setup lab-deps
	$(BIN)/python -m benchmarks.lab_up
	$(BIN)/python -m benchmarks.deploy_lab
	$(BIN)/python -m benchmarks.audit_lab
	$(BIN)/python -m benchmarks.prove_lab

# Create missing inventories/wards/ files from the official unit list shipped in wardnet/data/
# (committed files stay the source of truth).
wards: setup
	$(BIN)/python scripts/generate_wards.py wardnet/data/hcmc_units.csv inventories/wards

lock: setup
	$(BIN)/pip freeze --exclude-editable | sed '1i # Full resolved environment for requirements.txt (Python 3.11). Regenerate with `make lock`.' > constraints.txt

clean:
	rm -rf build $(VENV) .pytest_cache .ruff_cache .hypothesis
