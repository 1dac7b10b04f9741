#!/usr/bin/env bash
# Run every Molecule scenario (molecule/*/molecule.yml): create a real, isolated podman instance, converge
# playbooks/servers.yml, converge again (0 changed), verify the live state (and drift reporting:
# molecule/shared/drift.yml), destroy.
# Root only: root podman, debootstrap. Installs what is missing, once:
#   - Debian packages on this machine: podman, runc (LAB.md settings in molecule/containers.conf),
#     debootstrap, zstd;
#   - the image: scripts/build_molecule_image.sh (cached: podman image, then the rootfs tarball in
#     /var/cache/wardnet/molecule, see there).
# The instances are reached with `podman exec` (molecule/shared/plugins/connection/podman_exec.py): no
# Ansible collection is needed.
#
# Usage: scripts/molecule_all.sh [SCENARIO]...   (default: every scenario)
#        MOLECULE_COMMAND=converge scripts/molecule_all.sh server_baseline   (any molecule subcommand)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
APT_PACKAGES=(podman runc debootstrap zstd)
BIN=$ROOT/.venv/bin

if [[ $(id -u) != 0 ]]; then
  echo "molecule_all.sh: run as root (root podman, debootstrap)" >&2
  exit 2
fi

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  # RUNLEVEL=1: no package starts a daemon on this machine.
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[[ -x $BIN/molecule ]] || { echo "molecule_all.sh: no molecule in .venv: run 'make setup' first" >&2; exit 2; }

export CONTAINERS_CONF=$ROOT/molecule/containers.conf
image_start=$SECONDS
scripts/build_molecule_image.sh >/dev/null
echo "=== image ready in $((SECONDS - image_start)) s"

export PATH=$BIN:$PATH
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0} PY_COLORS=${PY_COLORS:-0}
[[ -t 1 ]] || export NO_COLOR=1

scenarios=("$@")
if [[ ${#scenarios[@]} -eq 0 ]]; then
  for file in molecule/*/molecule.yml; do
    scenarios+=("$(basename "$(dirname "$file")")")
  done
fi

# Scenarios run side by side, MOLECULE_JOBS at a time (default: the number of cores): each one mostly waits
# on its own instance, so two at once take little longer than one. Each writes its log to $LOGS/<scenario>.log,
# printed whole when the scenario ends.
JOBS=${MOLECULE_JOBS:-$(nproc)}
LOGS=${MOLECULE_LOG_DIR:-$ROOT/build/molecule-logs}
mkdir -p "$LOGS"
declare -A scenario_of=() started=()
failed=()
passed=0
running=0

finish_one() {
  local pid rc=0
  wait -n -p pid || rc=$?
  local scenario=${scenario_of[$pid]}
  running=$((running - 1))
  cat "$LOGS/$scenario.log"
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1))
    echo "=== $scenario: passed in $((SECONDS - started[$scenario])) s (log: $LOGS/$scenario.log)"
  else
    failed+=("$scenario")
    echo "=== $scenario: FAILED in $((SECONDS - started[$scenario])) s (log: $LOGS/$scenario.log)"
    # A failed test leaves its instance for inspection; remove it so nothing is left behind.
    molecule destroy -s "$scenario" >/dev/null 2>&1 || true
  fi
}

# Interrupted: stop the scenarios this script started (each one's instance is then left: molecule destroy).
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
for scenario in "${scenarios[@]}"; do
  [[ $running -lt $JOBS ]] || finish_one
  echo "=== molecule ${MOLECULE_COMMAND:-test} -s $scenario (started)"
  molecule "${MOLECULE_COMMAND:-test}" -s "$scenario" >"$LOGS/$scenario.log" 2>&1 &
  scenario_of[$!]=$scenario
  started[$scenario]=$SECONDS
  running=$((running + 1))
done
while [[ $running -gt 0 ]]; do
  finish_one
done

[[ ${#failed[@]} -eq 0 ]] || echo "failed scenarios: ${failed[*]}"
echo "molecule: ${passed} passed, ${#failed[@]} failed in $SECONDS s"
[[ ${#failed[@]} -eq 0 ]]
