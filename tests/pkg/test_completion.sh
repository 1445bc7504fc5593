#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bash completion for sluicectl (conf/sluicectl.bash), sourced and called
# the way bash calls it (COMP_WORDS, COMP_CWORD, then COMPREPLY): verbs,
# subcommands, options of a command, option values, and VIPs and servers
# from `sluicectl --json vip list` (a stand-in sluicectl answers that
# with the daemon's layout, tests/pkg/vip_list.json; tests/e2e/test_service.sh asks a
# real daemon); with no daemon, nothing and no message. The words come
# ready split here; test_completion_pty.sh lets a real shell split them.
# Prints ok / not ok lines; exit 1 when any failed.
set -uo pipefail
# shellcheck source=tests/pkg/pkg_lib.sh
. "$(dirname "$0")/pkg_lib.sh"
pkg_begin compl
CTL=$(realpath "${SLUICECTL:-build/sluicectl}")
compgen -W x >/dev/null 2>&1 || { not_ok "bash has programmable completion"; exit 1; }
# shellcheck source=conf/sluicectl.bash
. conf/sluicectl.bash

# complete WORD...: what completing the last word offers, sorted, on one line.
complete_() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _sluicectl 2>"$T/stderr"
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

pkg_standin_ctl "$T/sluicectl" "$CTL"
F=$T/sluicectl

check_eq "verbs: 'sluicectl s'" "$(complete_ "$F" s)" "snat stats"
check_eq "verbs: 'sluicectl '" "$(complete_ "$F" "")" "blocklist capture cluster config conn laddr neigh node port raw rs snat stats vip xdp"
check_eq "subcommands: 'sluicectl config '" "$(complete_ "$F" config "")" "apply save show"
check_eq "subcommands after global options: 'sluicectl --json -s /x rs l'" "$(complete_ "$F" --json -s /x rs l)" "list"
check_eq "options: 'sluicectl rs del 1.2.3.4:80 5.6.7.8:80 --'" \
  "$(complete_ "$F" rs del 1.2.3.4:80 5.6.7.8:80 --)" "--flush --help --json --proto= --socket= --timeout="
check_eq "options: 'sluicectl vip add X --check-p'" "$(complete_ "$F" vip add X --check-p)" "--check-path= --check-port="
check_eq "value: 'sluicectl vip add X --sched w'" "$(complete_ "$F" vip add X --sched w)" "wlc wrr"
check_eq "options: 'sluicectl capture wan --d'" "$(complete_ "$F" capture wan --d)" "--direction= --duration="
check_eq "value: 'sluicectl capture wan --direction '" "$(complete_ "$F" capture wan --direction "")" "both rx tx"
check_eq "file: 'sluicectl capture wan -w $T/sluicect'" "$(complete_ "$F" capture wan -w "$T/sluicect")" "$T/sluicectl"
check_eq "value: 'sluicectl rs add X --proto '" "$(complete_ "$F" rs add X --proto "")" "tcp udp"
check_eq "VIPs, IPv6 in brackets: 'sluicectl rs list '" "$(complete_ "$F" rs list "")" \
  "198.18.0.100:80 198.18.0.101:53 [2001:db8::100]:80"
check_eq "servers of an IPv6 VIP: 'sluicectl rs del [2001:db8::100]:80 '" \
  "$(complete_ "$F" rs del "[2001:db8::100]:80" "")" "[2001:db8:1::11]:8080"
check_eq "VIPs: 'sluicectl vip del 198.18.0.10'" "$(complete_ "$F" vip del 198.18.0.10)" "198.18.0.100:80 198.18.0.101:53"
check_eq "servers of a VIP: 'sluicectl rs del 198.18.0.100:80 '" \
  "$(complete_ "$F" rs del 198.18.0.100:80 "")" "198.18.1.11:8080 198.18.1.12:8080"
check_eq "servers after an option with a value: 'sluicectl rs set --proto udp 198.18.0.101:53 '" \
  "$(complete_ "$F" rs set --proto udp 198.18.0.101:53 "")" "198.18.1.13:5353"
check_eq "VIPs for --vip: 'sluicectl conn list --vip 198.18.0.101'" \
  "$(complete_ "$F" conn list --vip 198.18.0.101)" "198.18.0.101:53"
# No daemon: the real sluicectl on a socket nobody listens on.
check_eq "no daemon: no VIP offered" "$(complete_ "$CTL" -s "$T/none.sock" rs list "")" ""
check_eq "no daemon: nothing on stderr" "$(cat "$T/stderr")" ""
check_eq "no daemon: verbs still offered" "$(complete_ "$CTL" -s "$T/none.sock" v)" "vip"
pkg_end
