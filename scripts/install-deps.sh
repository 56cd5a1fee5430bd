#!/usr/bin/env bash
# Installs the Debian 12 packages ikesim builds and runs with.  Idempotent
# and non-interactive: it asks apt only for what is missing.
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc g++ python3 python3-cryptography
  libns3-dev libgsl-dev   # Debian's ns3-core.pc links libgsl.so, which only libgsl-dev ships
  libglib2.0-dev libssl-dev
  libgoogle-perftools-dev # tcmalloc: simulation runs allocate per packet
  gnuplot-nox
  mscgen                  # message sequence charts of a run's trace (ikesim run --msc)
  parallel                # GNU parallel: CI runs a sweep through it (ikesim tasks | parallel)
  tshark                  # validates the wire format and decrypts with exported keys
  strongswan-charon strongswan-swanctl libstrongswan-standard-plugins  # charon, the interop peer
  libcharon-extra-plugins # (kernel-libipsec: userspace ESP for charon)
  iproute2 util-linux     # ip netns, ss and unshare for the interop tests
  iputils-ping            # a ping through charon's kernel-libipsec tunnel (interop)
  clang libclang-rt-14-dev  # libFuzzer targets (make fuzz)
  slurm-wlm munge         # a private single-node SLURM runs sweeps as job arrays (tests/slurm/)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root (sudo $0)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
