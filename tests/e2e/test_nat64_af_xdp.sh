#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_nat64.sh's scenario (NAT64 through a v6 VIP to the lab's v4
# servers: curl -6 split over both, 20 MB intact, UDP, no translation
# refusals) on net_af_xdp with Sluice's XDP program, which must steer the
# client's v6 frames (and NSs about Sluice's v6 addresses) on wan and the
# servers' v4 replies to the v4 local address on lan to Sluice's sockets.
# Here too (nat64_driver_checks, after UDP): the program is on both
# ports, NSs were steered (redirect_ndp), the 20 MB of v4 replies were
# redirected on lan, and nothing of Sluice's passed for want of a socket.
# e2e-timeout: 200
set -euo pipefail

# shellcheck disable=SC2317  # called by test_nat64.sh
nat64_driver_checks() {
  xdp_total() { lab_stats | lab_jget "r['xdp']['totals']['$1']"; }
  xdp_port() { lab_stats | lab_jget "[p for p in r['xdp']['ports'] if p['port'] == '$1'][0]['$2']"; }
  lab_check_eq "XDP program on wan and lan" \
    "$(lab_stats | lab_jget "','.join(p['port'] for p in r['xdp']['ports'])")" "wan,lan"
  lab_check_cmp "NSs for Sluice's v6 addresses steered to it (redirect_ndp)" \
    "$(xdp_total redirect_ndp)" -gt 0
  # 20 MB in 1448-byte segments is over 14000 frames from the servers.
  lab_check_cmp "the v4 servers' replies redirected on lan (> 14000 frames)" \
    "$(xdp_port lan redirect)" -gt 14000
  lab_check_eq "no frame passed for want of a socket" "$(xdp_total pass_no_socket)" 0
}

# shellcheck source=tests/e2e/test_nat64.sh
. "$(dirname "$0")/test_nat64.sh" af_xdp
