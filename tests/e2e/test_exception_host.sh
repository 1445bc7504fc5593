#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The host's side of the exception path carried by the config (issue
# 19.11): wan's "exception" is an object with the host's address and a
# route. Sluice gives them to the kernel when it creates the tap sl-wan;
# the tap dies with the process, and after a restart they are back
# (before, whatever an operator had put on it by hand was lost). `config
# show` writes the object back out. A blocklist prefix covering the
# host's gateway there is refused (issue 19.10).
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin exception_host
lab_std_start --servers 1 -- 'c["ports"][0]["exception"] = {"device": "net_tap",
  "addresses": ["198.18.0.5/24", "198.18.0.6/24"],
  "routes": [{"prefix": "198.19.77.0/24", "via": "198.18.0.1"}]}'
LB=$(lab_ns lb)

host_side_ok() {
  local tag=$1 addrs route
  addrs=$(ip -n "$LB" -o -4 addr show dev sl-wan 2>/dev/null | awk '{print $4}' | sort | tr '\n' ' ')
  route=$(ip -n "$LB" -4 route show 198.19.77.0/24 2>/dev/null)
  lab_check_eq "[$tag] sl-wan has the host's addresses" "$addrs" "198.18.0.5/24 198.18.0.6/24 "
  lab_check_eq "[$tag] and the route through it" "$route" \
    "198.19.77.0/24 via 198.18.0.1 dev sl-wan "
  lab_check "[$tag] sl-wan is up" eval "ip -n '$LB' -o link show sl-wan | grep -q ',UP'"
}
host_side_ok start

# Issue 19.10: blocking the host's gateway through the tap locks it out.
st=0
out=$(slctl blocklist add 198.18.0.1 2>&1) || st=$?
lab_check_eq "blocklist add 198.18.0.1 (the host's gateway on sl-wan): exit 1" "$st" 1
lab_check "the error names the host's route and the port" grep -q \
  "198.18.0.1/32 covers 198.18.0.1, the host's gateway of route 198.19.77.0/24 on port wan's exception device" <<<"$out"
lab_check_eq "nothing was blocked" "$(slctl --json blocklist list | lab_jget "len(r['blocklist'])")" 0

shown=$(slctl --json config show | lab_jget "r.get('config', r)['ports'][0]['exception']")
lab_check_eq "config show writes the exception object back" "$shown" \
  '{"addresses": ["198.18.0.5/24", "198.18.0.6/24"], "device": "net_tap", "routes": [{"prefix": "198.19.77.0/24", "via": "198.18.0.1"}]}'

lab_check "sluice stopped on SIGTERM" lab_sluice_stop
lab_check "the tap went with it" eval "! ip -n '$LB' link show sl-wan >/dev/null 2>&1"
if lab_sluice_start "$LAB_CONFIG"; then
  lab_ok "sluice started again from the same file"
else
  lab_not_ok "sluice started again from the same file"
  exit 1
fi
host_side_ok restart
lab_test_end
