#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Port MTU (issue 14): wan (the clients' side) at "mtu": 1280 while the
# client's own link and the servers' are 1500, so a download's 1500-byte
# segments would not fit wan. af_packet gives wan0 the MTU; the client's
# SYN reaches the server with its MSS clamped to 1240 (mss_clamped), so
# the server never sends more than wan carries: the download completes
# byte-equal with no "fragmentation needed" (frag_needed_sent and
# mtu_exceeded_df stay 0), and the server's path MTU towards the local
# address, which every client shares, is not lowered (an error would
# lower it for all; the ICMP itself is the conformance "RFC 1191"
# checks'). An MTU the device refuses (9000 on af_packet, whose
# frames stop at 1518 bytes) stops the start naming the port (with a
# pool small enough for 9000-byte buffers: they are sized for the largest
# port MTU).
# A port without "mtu" keeps its device's (kernel interface's) MTU.
# wan's exception tap (sl-wan) gets wan's MTU, 1280, so the host sends
# nothing longer than wan carries.
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

KIB=${KIB:-4096}

lab_test_begin mtu
lab_up --servers 1 || { lab_not_ok "lab up"; exit 1; }

# A refused MTU: start-up fails, naming the port and the numbers.
bad=$(lab_make_config 'c["ports"][0]["mtu"] = 9000' 'c.setdefault("limits", {})["mbufs"] = 8192')
if lab_sluice_start "$bad" 2>"$T/bad.err"; then
  lab_not_ok "mtu 9000 on af_packet refused at start" "sluice started"
  lab_sluice_stop || true
else
  lab_check "mtu 9000 on af_packet refused at start, naming the port and the limit" \
    grep -q "port wan (.*): mtu 9000 refused: net_af_packet takes .*, frames up to 1518 bytes" \
    "$LAB_RUN/sluice.log"
fi

# A port without "mtu" leaves its device's MTU alone: lan0's kernel MTU
# (1400 here) is not rewritten to 1500.
set_lan0_mtu() { ip -n "$(lab_ns lb)" link set lan0 mtu "$1"; }
set_lan0_mtu 1400
if lab_sluice_start "$(lab_make_config)"; then
  lab_check_eq "no mtu: lan0's kernel MTU left at 1400" \
    "$(ip -n "$(lab_ns lb)" -o link show lan0 | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')" 1400
  # (port list shows what the PMD reports: DPDK 22.11's af_packet says
  # 1500 whatever the kernel interface has.)
  lab_sluice_stop || true
else
  lab_not_ok "sluice started without any port mtu"
fi
set_lan0_mtu 1500

cfg=$(lab_make_config 'c["ports"][0]["mtu"] = 1280' 'c["ports"][0]["exception"] = "net_tap"')
if lab_sluice_start "$cfg"; then
  lab_ok "sluice started with wan at mtu 1280"
else
  lab_not_ok "sluice started with wan at mtu 1280"
  exit 1
fi
lab_check "the device took it: wan0's kernel MTU is 1280" \
  bash -c "ip -n $(lab_ns lb) -o link show wan0 | grep -q ' mtu 1280 '"
lab_check "wan's exception tap sl-wan has the port's MTU, 1280" \
  bash -c "ip -n $(lab_ns lb) -o link show sl-wan | grep -q ' mtu 1280 '"
lab_check_eq "port list shows wan's MTU" \
  "$(slctl --json port list | lab_jget "[p['mtu'] for p in r['ports']]")" "[1280, 1500]"
lab_check_eq "the client's own link stays at 1500" \
  "$(ip -n "$(lab_ns cli)" -o link show cli0 | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')" 1500

lab_check "vip add $LAB_VIP:80, one server" \
  lab_vip_setup "$LAB_VIP:80" rr "$(lab_rs_ip 1):8080:1"

big=$LAB_RUN/files/big.bin
head -c "$((KIB * 1024))" /dev/urandom >"$big"
want=$(sha256sum "$big" | cut -d' ' -f1)
if CURL_MAX_TIME=60 lab_curl -o "$T/down.bin" "http://$LAB_VIP/files/big.bin" 2>"$T/curl.err"; then
  lab_check_eq "download of $KIB KiB through wan at 1280, sha256 equal" \
    "$(sha256sum "$T/down.bin" | cut -d' ' -f1)" "$want"
else
  lab_not_ok "download of $KIB KiB through wan at 1280" "$(cat "$T/curl.err")"
fi

stats=$(lab_stats)
lab_check_cmp "mss_clamped >= 1 (the client's SYN)" \
  "$(lab_jget "r['totals']['mss_clamped']" <<<"$stats")" -ge 1
lab_check_eq "no frag-needed sent" "$(lab_jget "r['totals']['frag_needed_sent']" <<<"$stats")" 0
lab_check_eq "no mtu_exceeded_df" "$(lab_jget "r['drops'].get('mtu_exceeded_df', 0)" <<<"$stats")" 0
# The local address is every client's: its path MTU stays the link's.
lab_check "the server's path MTU towards the local address not lowered" \
  bash -c "! ip -n $(lab_ns rs1) route get $LAB_LIP | grep -q 'mtu 1280'"
echo "# server's route: $(ip -n "$(lab_ns rs1)" route get "$LAB_LIP" | tr '\n' ' ')"
echo "# non-zero drops: $(lab_jget "{k: v for k, v in r['drops'].items() if v}" <<<"$stats")"

lab_test_end
