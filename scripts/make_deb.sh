#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make deb`: build/sluice_VERSION_ARCH.deb with dpkg-deb, holding what
# `make install` installs with Debian's paths (PREFIX=/usr, the unit in
# /lib/systemd/system), man pages gzipped, /etc/sluice/sluice.json a
# conffile (dpkg never replaces an edited one). Depends: the package of
# every shared library sluice and sluicectl load (DPDK 22.11, jansson,
# libbpf, libsystemd, libpcap for capture filters, libmicrohttpd for
# /metrics, libcrypto (libssl3) for the cluster's sync HMAC, libc...) and of the DPDK drivers EAL loads as
# plugins, each at least at its installed upstream version. The service is not enabled or started on install: the example
# config names interfaces this machine may not have (README.md, Install).
#
#   scripts/make_deb.sh [OUTDIR]     VERSION=... overrides the version
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build}
VERSION=${VERSION:-0.1+git$(git rev-list --count HEAD 2>/dev/null || echo 0).$(git rev-parse --short HEAD 2>/dev/null || echo local)}
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d /tmp/sluice-deb.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT

make -s install DESTDIR="$STAGE" PREFIX=/usr UNITDIR=/lib/systemd/system SYSCONFDIR=/etc >/dev/null
gzip -9n "$STAGE"/usr/share/man/man*/*
doc=$STAGE/usr/share/doc/sluice
install -d "$doc"
cat >"$doc/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: sluice

Files: *
Copyright: the Sluice authors
License: BSD-3-Clause
 On Debian systems the full text of the license is in
 /usr/share/common-licenses/BSD.
EOF
printf 'sluice (%s) unstable; urgency=medium\n\n  * Built from the source tree by make deb.\n\n -- Sluice <sluice@localhost>  %s\n' \
  "$VERSION" "$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")" | gzip -9n >"$doc/changelog.Debian.gz"

# The package of each library the binaries load, at least its installed
# upstream version (epoch kept, Debian revision dropped).
lib_package() {
  local f=$1 p
  p=$(dpkg -S "$f" 2>/dev/null || dpkg -S "$(realpath "$f")" 2>/dev/null ||
      dpkg -S "/usr${f}" 2>/dev/null || dpkg -S "${f#/usr}" 2>/dev/null) || return 0
  p=${p%%:*}
  echo "$p (>= $(dpkg-query -W -f='${Version}' "$p" | sed 's/-[^-]*$//'))"
}
# EAL loads drivers as plugins (no link, ldd cannot see them): the
# mempool and bus drivers every run needs, and the PMDs of the port kinds
# Sluice supports without hardware. A NIC's own PMD (librte-net-ixgbe23,
# ...) is the operator's to install.
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
PLUGINS="mempool_ring bus_pci bus_vdev net_af_packet net_af_xdp net_tap net_virtio"
depends=$({ ldd build/sluice build/sluicectl | awk '/=> \// { print $3 }'
  for p in $PLUGINS; do echo "/usr/lib/$MULTIARCH/librte_$p.so.23"; done; } | sort -u |
  while read -r lib; do lib_package "$lib"; done | sort -u | paste -sd, | sed 's/,/, /g')

install -d "$STAGE/DEBIAN"
cat >"$STAGE/DEBIAN/control" <<EOF
Package: sluice
Version: $VERSION
Architecture: $ARCH
Maintainer: Sluice <sluice@localhost>
Section: net
Priority: optional
Depends: $depends
Suggests: dpdk
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
Description: L4 load balancer (full NAT) and NAT gateway on DPDK
 Sluice balances TCP and UDP services over real servers (rr, wrr, lc, wlc,
 source hash, Maglev) with full NAT, health checks and persistence, and
 acts as a source NAT gateway, on DPDK ports (PCI, af_packet, af_xdp with
 its own XDP program, virtio-user). sluicectl manages it live.
EOF
echo /etc/sluice/sluice.json >"$STAGE/DEBIAN/conffiles"
cat >"$STAGE/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
EOF
cat >"$STAGE/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
	systemctl --system stop sluice.service >/dev/null 2>&1 || true
fi
EOF
cat >"$STAGE/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
EOF
chmod 0755 "$STAGE"/DEBIAN/postinst "$STAGE"/DEBIAN/prerm "$STAGE"/DEBIAN/postrm
mkdir -p "$OUT"
deb=$OUT/sluice_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$deb" >/dev/null
echo "$deb"
