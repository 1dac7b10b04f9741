#!/usr/bin/env bash
# Build (or reuse) the local podman image the Molecule scenarios boot: Debian bookworm from a debootstrap
# rootfs with systemd and every package the server roles install. The instances run with `--network none`,
# so nothing can be fetched inside them: what a role installs must already be in the image.
#
# Cached twice, keyed by a hash of the suite, the package list and RECIPE:
#   1. `podman image exists` → nothing to do (≈0.1 s);
#   2. $CACHE/rootfs-<suite>-<hash>.tar.zst → `podman import` only (≈10 s);
#   3. otherwise debootstrap (≈1 min), tar, import.
# $CACHE is $WARDNET_MOLECULE_CACHE, else $XDG_CACHE_HOME/wardnet/molecule, else /var/cache/wardnet/molecule:
# outside the checkout, so `make clean` and a fresh clone keep it; a CI job caches that one folder.
# Prints the image name on stdout (last line). Root only (root podman, debootstrap).
#
# Usage: scripts/build_molecule_image.sh [--print-name] [--rebuild]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUITE=bookworm
MIRROR=${WARDNET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${WARDNET_MOLECULE_CACHE:-${XDG_CACHE_HOME:-/var/cache}/wardnet/molecule}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/molecule/containers.conf}

# Every role's <role>_packages default (roles/*/defaults/main.yml): the instances have no network, so what a
# role installs must be in the image; reading the roles keeps the two lists from drifting apart.
mapfile -t ROLE_PACKAGES < <("$PYTHON" - "$ROOT/roles" <<'PY'
import sys
from pathlib import Path

import yaml

for defaults in sorted(Path(sys.argv[1]).glob("*/defaults/main.yml")):
    role = defaults.parent.parent.name
    for name in yaml.safe_load(defaults.read_text()).get(f"{role}_packages", []):
        if not isinstance(name, str) or "{" in name:
            sys.exit(f"{defaults}: {role}_packages must list plain package names, not {name!r}")
        print(name)
PY
)
[[ ${#ROLE_PACKAGES[@]} -gt 0 ]] || { echo "build_molecule_image.sh: no <role>_packages in roles/" >&2; exit 2; }

# Base of a Debian server, what the roles install, the verifiers' tools (pamtester) and one unused service
# (rpcbind) for the baseline to disable.
mapfile -t PACKAGES < <(printf '%s\n' \
  systemd systemd-sysv python3 python3-apt iproute2 procps ca-certificates openssh-client \
  "${ROLE_PACKAGES[@]}" \
  pamtester rpcbind | sort -u)

# Bump RECIPE when the rootfs steps below change: the hash (image tag, tarball name) then changes too.
RECIPE=1
HASH=$(printf '%s\n' "$SUITE" "$RECIPE" "${PACKAGES[@]}" | sha256sum | cut -c1-12)
IMAGE=localhost/wardnet-molecule:$SUITE-$HASH
TARBALL=$CACHE/rootfs-$SUITE-$HASH.tar.zst

if [[ ${1:-} == --print-name ]]; then
  echo "$IMAGE"
  exit 0
fi
if [[ ${1:-} == --rebuild ]]; then
  podman image rm -f "$IMAGE" >/dev/null 2>&1 || true
  rm -f "$TARBALL"
fi
if [[ $(id -u) != 0 ]]; then
  echo "build_molecule_image.sh: run as root (debootstrap, root podman)" >&2
  exit 2
fi

if podman image exists "$IMAGE"; then
  echo "image $IMAGE exists" >&2
  echo "$IMAGE"
  exit 0
fi

mkdir -p "$CACHE"
if [[ ! -s $TARBALL ]]; then
  for tool in debootstrap zstd; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scripts/molecule_all.sh installs it)" >&2; exit 2; }
  done
  WORK=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  echo "debootstrap $SUITE with ${#PACKAGES[@]} extra packages into $WORK" >&2
  includes=$(IFS=,; echo "${PACKAGES[*]}")
  # RUNLEVEL=1 and the chroot keep package scripts from starting any daemon on this machine.
  RUNLEVEL=1 debootstrap --variant=minbase --include="$includes" "$SUITE" "$WORK" "$MIRROR" >&2

  # The instance is a clean server: no host keys, no machine id, no package cache baked in.
  rm -f "$WORK"/etc/ssh/ssh_host_*
  : >"$WORK/etc/machine-id"
  rm -f "$WORK/var/lib/dbus/machine-id"
  rm -rf "$WORK"/var/cache/apt/archives/*.deb "$WORK"/var/log/*.log
  echo "wardnet-molecule" >"$WORK/etc/hostname"
  cat >"$WORK/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://security.debian.org/debian-security $SUITE-security main
EOF
  # No console in a container: no getty on it.
  ln -sf /dev/null "$WORK/etc/systemd/system/console-getty.service"
  ln -sf /dev/null "$WORK/etc/systemd/system/getty@tty1.service"

  tar --numeric-owner --xattrs -C "$WORK" -c . | zstd -q -T0 -3 -o "$TARBALL.part"
  mv "$TARBALL.part" "$TARBALL"
  rm -rf "$WORK"
  trap - EXIT
  # Older rootfs tarballs of this suite are superseded by this one.
  find "$CACHE" -maxdepth 1 -name "rootfs-$SUITE-*.tar.zst" ! -name "$(basename "$TARBALL")" -delete
fi

echo "podman import $TARBALL" >&2
zstd -q -d -c "$TARBALL" | podman import \
  --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' --change 'ENV container=podman' \
  - "$IMAGE" >&2
# Images of this suite built from another package list are superseded (kept while a container uses one).
for old in $(podman images --format '{{.Repository}}:{{.Tag}}' --filter "reference=${IMAGE%%:*}"); do
  [[ $old == "$IMAGE" || $old != *":$SUITE-"* ]] || podman image rm "$old" >/dev/null 2>&1 || true
done
echo "$IMAGE"
