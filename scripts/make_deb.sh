#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make deb`: build/sluice_VERSION_ARCH.deb with dpkg-deb, holding what
# `make install` installs with Debian's paths (PREFIX=/usr, the unit in
# /lib/systemd/system), man pages gzipped, /etc/sluice/sluice.json a
# conffile (dpkg never replaces an edited one), binaries stripped, lintian
# quiet (its overrides say which tags and why). Depends: the package of
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
# Stripped as dh_strip does (lintian: unstripped-binary-or-object); the
# build tree keeps its symbols for debugging.
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
  "$STAGE/usr/sbin/sluice" "$STAGE/usr/sbin/sluicectl"
gzip -9n "$STAGE"/usr/share/man/man*/*
doc=$STAGE/usr/share/doc/sluice
install -d "$doc"
when=$(git log -1 --format=%ct 2>/dev/null || date +%s)
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: sluice

Files: *
Copyright: $(date -u -d "@$when" +%Y) the Sluice authors
License: BSD-3-Clause

License: BSD-3-Clause
 Redistribution and use in source and binary forms, with or without
 modification, are permitted provided that the following conditions are met:
 .
 1. Redistributions of source code must retain the above copyright notice,
    this list of conditions and the following disclaimer.
 .
 2. Redistributions in binary form must reproduce the above copyright
    notice, this list of conditions and the following disclaimer in the
    documentation and/or other materials provided with the distribution.
 .
 3. Neither the name of the copyright holder nor the names of its
    contributors may be used to endorse or promote products derived from
    this software without specific prior written permission.
 .
 THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
 AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE
 LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
 CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
 SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
 INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
 CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
 ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
 POSSIBILITY OF SUCH DAMAGE.
EOF
# A native package (no Debian revision in VERSION): changelog.gz.
printf 'sluice (%s) unstable; urgency=medium\n\n  * Built from the source tree by make deb.\n\n -- Sluice <sluice@localhost>  %s\n' \
  "$VERSION" "$(date -R -d "@$when")" | gzip -9n >"$doc/changelog.gz"
# lintian overrides, only for what does not apply to a package built
# from a source tree: there is no maintainer with a real address to name
# (Maintainer and the changelog's signature say sluice@localhost).
install -d "$STAGE/usr/share/lintian/overrides"
cat >"$STAGE/usr/share/lintian/overrides/sluice" <<'EOF'
# Built locally by make deb: no maintainer address exists to give.
sluice: bogus-mail-host
sluice: bogus-mail-host-in-debian-changelog
EOF

# lib_packages: the package of each library path on stdin (found under
# the path, its real path, or with /usr added or removed: dpkg's database
# may name either side of a merged /usr), each at least at its installed
# upstream version (epoch kept, Debian revision dropped). One dpkg -S and
# one dpkg-query for all: each reads the whole database (seconds apiece
# on a busy machine, per library).
lib_packages() {
  local lib pkgs
  pkgs=$(while read -r lib; do printf '%s\n' "$lib" "$(realpath "$lib")" "/usr$lib" "${lib#/usr}"; done |
    sort -u | { xargs dpkg -S 2>/dev/null || true; } | sed 's/[:,].*//' | sort -u)
  # shellcheck disable=SC2086  # one package name per word
  dpkg-query -W -f='${Package} (>= ${Version})\n' $pkgs | sed 's/-[^-]*)$/)/'
}
# EAL loads drivers as plugins (no link, ldd cannot see them): the
# mempool and bus drivers every run needs, and the PMDs of the port kinds
# Sluice supports without hardware. A NIC's own PMD (librte-net-ixgbe23,
# ...) is the operator's to install.
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
PLUGINS="mempool_ring bus_pci bus_vdev net_af_packet net_af_xdp net_tap net_virtio"
depends=$({ ldd build/sluice build/sluicectl | awk '/=> \// { print $3 }'
  for p in $PLUGINS; do echo "/usr/lib/$MULTIARCH/librte_$p.so.23"; done; } | sort -u |
  lib_packages | sort -u | paste -sd, | sed 's/,/, /g')

install -d "$STAGE/DEBIAN"
cat >"$STAGE/DEBIAN/control" <<EOF
Package: sluice
Version: $VERSION
Architecture: $ARCH
Maintainer: Sluice <sluice@localhost>
Section: net
Priority: optional
Depends: $depends
Suggests: dpdk, dpdk-dev, bird2
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
Description: L4 load balancer (full NAT) and NAT gateway on DPDK
 Sluice balances TCP and UDP services over real servers (rr, wrr, lc, wlc,
 source hash, Maglev) with full NAT, health checks and persistence, and
 acts as a source NAT gateway, on DPDK ports (PCI, af_packet, af_xdp with
 its own XDP program, virtio-user). sluicectl manages it live.
EOF
echo /etc/sluice/sluice.json >"$STAGE/DEBIAN/conffiles"
# The maintainer scripts are what `dh_installsystemd --no-enable --no-start
# --no-restart-after-upgrade` writes (debhelper 13, bookworm): the unit is
# neither enabled nor started (the example config names interfaces this
# machine may not have), deb-systemd-helper keeps its state so that an
# enable by hand survives upgrades and goes on purge, remove stops it.
# systemctl and deb-systemd-invoke only on a running systemd and not
# under `dpkg --root` ($DPKG_ROOT); deb-systemd-helper honours $DPKG_ROOT
# itself; it is in init-system-helpers, Essential in bookworm, so no
# check that it is there. An upgrade leaves a running sluice on the old binary until
# `systemctl restart sluice` (README.md, Install).
cat >"$STAGE/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
case "$1" in
configure | abort-upgrade | abort-deconfigure | abort-remove)
	# Records the unit's symlinks (none until enabled) for purge.
	deb-systemd-helper update-state 'sluice.service' >/dev/null || true
	if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
	fi
	;;
esac
EOF
cat >"$STAGE/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
	deb-systemd-invoke stop 'sluice.service' >/dev/null || true
fi
EOF
cat >"$STAGE/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = remove ]; then
	deb-systemd-helper mask 'sluice.service' >/dev/null || true
fi
if [ "$1" = purge ]; then
	deb-systemd-helper purge 'sluice.service' >/dev/null || true
	deb-systemd-helper unmask 'sluice.service' >/dev/null || true
fi
EOF
chmod 0755 "$STAGE"/DEBIAN/postinst "$STAGE"/DEBIAN/prerm "$STAGE"/DEBIAN/postrm
mkdir -p "$OUT"
deb=$OUT/sluice_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$deb" >/dev/null
echo "$deb"
