#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_v6.sh's scenario (FNAT66 through a v6 VIP: curl -6 split over two
# servers, 20 MB intact, UDP, ping6, PMTU discovery through a 1280-byte
# hop) on net_af_xdp with Sluice's XDP program, which must steer v6
# frames to Sluice's addresses and NSs about them to its socket and pass
# the rest. Here too (v6_driver_checks, after ping6): NSs were steered
# (redirect_ndp), nothing of Sluice's passed for want of a socket; a v6
# blocklist prefix over the client's gateway is refused (lock-out), and
# forced it drops the client in XDP (drop_blocklist and the prefix's hits
# grow, curl -6 fails) until it is deleted.
# e2e-timeout: 200
set -euo pipefail

# shellcheck disable=SC2317  # called by test_v6.sh
v6_driver_checks() {
  local drop0 out
  xdp_total() { lab_stats | lab_jget "r['xdp']['totals']['$1']"; }
  lab_check_eq "XDP program on wan and lan" \
    "$(lab_stats | lab_jget "','.join(p['port'] for p in r['xdp']['ports'])")" "wan,lan"
  lab_check_cmp "NSs for Sluice's v6 addresses steered to it (redirect_ndp)" \
    "$(xdp_total redirect_ndp)" -gt 0
  lab_check_eq "no frame passed for want of a socket" "$(xdp_total pass_no_socket)" 0

  if out=$(slctl blocklist add "$CLI6" 2>&1); then
    lab_not_ok "v6 gateway's prefix refused (lock-out)" "$out"
  else
    lab_check "v6 gateway's prefix refused (lock-out), naming the route" \
      grep -q "gateway of route 2001:db8:5::/64" <<<"$out"
  fi
  drop0=$(xdp_total drop_blocklist)
  lab_check "blocklist add $CLI6/128 --force" slctl blocklist add "$CLI6/128" --force
  out=$(lab_exec cli curl -6 -s --max-time 2 "http://[$VIP6]/whoami" 2>&1 || echo failed)
  lab_check_eq "blocked v6 client: curl -6 fails" "$out" failed
  lab_check_cmp "drop_blocklist grew (v6 frames dropped in XDP)" \
    "$(xdp_total drop_blocklist)" -gt "$drop0"
  lab_check_cmp "blocklist list shows the v6 prefix's hits" \
    "$(slctl --json blocklist list | lab_jget "[b['hits'] for b in r['blocklist'] if b['prefix'] == '$CLI6/128'][0]")" -gt 0
  lab_check "blocklist del $CLI6/128" slctl blocklist del "$CLI6/128"
  lab_check "unblocked: both servers answer again within 15 s" \
    lab_wait_until 15 "v6 client unblocked" both_answer
}

# shellcheck source=tests/e2e/test_v6.sh
. "$(dirname "$0")/test_v6.sh" af_xdp
