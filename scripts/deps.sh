#!/usr/bin/env bash
# Install what Sluice needs to build, test and run its lab, from Debian 12
# packages only. Shared by `make demo`, `make test` and `make bench`.
# Idempotent: when every package is present it does nothing (and needs no
# network), so it is cheap to call before each target.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config make gcc clang llvm libclang-rt-14-dev
  libdpdk-dev dpdk dpdk-dev libpcap-dev
  libjansson-dev libbpf-dev libcmocka-dev bpftool libsystemd-dev libmicrohttpd-dev
  libssl-dev  # libcrypto: HMAC-SHA256 of the cluster's session sync
  iproute2 ethtool curl python3 python3-scapy procps psmisc kmod
  wrk iperf3 nftables tcpdump
  systemd man-db groff-base
  prometheus  # promtool and a server scraping sluice: tests/e2e/test_metrics.sh
  lintian  # checks the .deb: tests/pkg/test_deb.sh
  bash-completion  # the completion tried in a real shell with it: tests/pkg/test_completion_pty.sh
  bird2       # the cluster lab's routers (scripts/lab_cluster.sh); run per
              # namespace with -c/-s/-P, never the package's own service
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
