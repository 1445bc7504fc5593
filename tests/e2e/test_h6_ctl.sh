#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The control plane under hostile and careless use:
#   socket      mode 0600 by default; control.owner/group/mode applied;
#               a world-writable mode refused by --check
#   requests    over 64 KiB, invalid UTF-8, 100 levels of nesting, unknown
#               fields, wrong types: each a clear error, nothing changed
#   clients     a silent client and one that never reads do not hold up
#               others; 100 clients at once are all answered
#   config      apply --dry-run changes nothing; apply changes exactly the
#               listed objects while a transfer to an unchanged VIP runs
#               (it completes, its connection and counters carry on); a
#               change to a fixed setting is refused; save writes the file
#               sluice started with (atomically), save FILE a copy; SIGHUP
#               applies an edited file and refuses a broken one
# e2e-timeout: 150
# lab-prefix: h6-ctl
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

H6=$LAB_ROOT/scripts/h6_tool.py
LAB_TEST_PREFIX=${LAB_TEST_PREFIX:-h6-ctl}
lab_test_begin h6_ctl
lab_std_start --servers 2

V=$LAB_VIP:80
RS1=$(lab_rs_ip 1) RS2=$(lab_rs_ip 2)
lab_check "vip $V with rs1, rs2" lab_vip_setup "$V" wrr "$RS1:8080:1" "$RS2:8080:1"

# --- the socket's permissions ------------------------------------------------
lab_check_eq "control socket is mode 600, owned by root" \
  "$(stat -c '%a %U' "$LAB_SOCK")" "600 root"
cfg=$(lab_make_config 'c["control"]["mode"] = "0666"')
if out=$(timeout 10 "$SLUICE" --check -c "$cfg" 2>&1); then
  lab_not_ok "--check refuses control.mode 0666" "$out"
else
  lab_ok "--check refuses control.mode 0666: $(cut -c1-90 <<<"$out")"
fi

# raw LINE: one request line straight to the socket, the answer line.
raw() { "$LAB_PY" "$LAB_TOOL" unix-raw "$LAB_SOCK" "$@"; }
# expect_error DESC CODE NEEDLE LINE: the answer is that error.
expect_error() {
  local ans
  ans=$("$LAB_PY" "$H6" raw "$LAB_SOCK" "$4")
  if [[ $ans == *'"ok":false'* && $ans == *"\"code\":\"$2\""* && $ans == *"$3"* ]]; then
    lab_ok "$1: $2 ($(grep -o '"message":"[^"]*"' <<<"$ans" | cut -c1-80))"
  else
    lab_not_ok "$1: $2 mentioning '$3'" "answer: $(cut -c1-200 <<<"$ans")"
  fi
}

# --- hostile requests ---------------------------------------------------------
slctl --json config show >"$T/config.before"
big=$("$LAB_PY" -c 'print("{\"cmd\":\"help\",\"id\":\"" + "x" * 70000 + "\"}")')
ans=$(raw "$big" '{"cmd":"help"}')
if [[ $(head -n 1 <<<"$ans") == *"longer than 64 KiB"* ]] && [[ $(tail -n 1 <<<"$ans") == "<closed>" ]]; then
  lab_ok "a 70 KB request line: bad_request, connection closed"
else
  lab_not_ok "a 70 KB request line: bad_request, connection closed" "$(cut -c1-200 <<<"$ans")"
fi
fits=$("$LAB_PY" -c 'print("{\"cmd\":\"help\",\"id\":\"" + "x" * 60000 + "\"}")')
if [[ $(raw "$fits") == *'"ok":true'* ]]; then
  lab_ok "a 60 KB request line is answered"
else
  lab_not_ok "a 60 KB request line is answered"
fi
expect_error "invalid UTF-8" bad_request "UTF-8" $'{"cmd":"vip.add","args":{"vip":"\xff\xfe"}}'
deep=$("$LAB_PY" -c 'print("{\"cmd\":\"help\",\"id\":" + "[" * 100 + "]" * 100 + "}")')
expect_error "100 levels of nesting" bad_request "deeper than 32" "$deep"
expect_error "an unknown field" invalid_argument "unknown field" \
  '{"cmd":"vip.add","args":{"vip":"198.18.0.101","port":80,"colour":"red"}}'
expect_error "a wrong type" invalid_argument "must be" \
  '{"cmd":"vip.add","args":{"vip":"198.18.0.101","port":"eighty"}}'
expect_error "a lone surrogate escape" bad_request "" '{"cmd":"help","id":"\ud800"}'
slctl --json config show >"$T/config.after"
if cmp -s "$T/config.before" "$T/config.after"; then
  lab_ok "none of them changed the configuration"
else
  lab_not_ok "none of them changed the configuration" "$(diff "$T/config.before" "$T/config.after" | head -n 5)"
fi

# --- slow, greedy and many clients --------------------------------------------
fair=$("$LAB_PY" "$H6" ctl-fairness "$LAB_SOCK" --requests 20)
lab_check_eq "with a silent and a non-reading client, 20 requests answered" \
  "$(lab_jget "r['answered']" <<<"$fair")" 20
lab_check_cmp "... the slowest within 2000 ms ($fair)" \
  "$(lab_jget "int(r['max_ms'])" <<<"$fair")" -lt 2000
many=$("$LAB_PY" "$H6" many-clients "$LAB_SOCK" -n 100)
lab_check_eq "100 clients at once: all answered ($many)" "$(lab_jget "r['ok']" <<<"$many")" 100

# --- config apply / save -------------------------------------------------------
head -c $((24 * 1024 * 1024)) /dev/urandom >"$LAB_RUN/files/slow.bin"
want=$(sha256sum "$LAB_RUN/files/slow.bin" | cut -d' ' -f1)
CURL_MAX_TIME=60 lab_curl --limit-rate 4M -o "$T/slow.bin" "http://$LAB_VIP/files/slow.bin" \
  2>"$T/slow.err" &
dl=$!
sleep 1
conns_before=$(lab_stats | lab_jget "r['vips'][0]['conns']")
# The new file: VIP :80 unchanged; a new UDP VIP; rs2's weight on a new
# VIP :8080; a local address more; a shorter UDP timeout.
slctl --json config show >"$T/running.json"
"$LAB_PY" - "$T/running.json" "$T/new.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["vips"].append({"vip": "198.18.0.100", "port": 53, "proto": "udp", "scheduler": "rr",
                  "real_servers": [{"ip": "198.18.1.11", "port": 5353, "weight": 1}]})
c["vips"].append({"vip": "198.18.0.101", "port": 8080, "proto": "tcp", "scheduler": "wrr",
                  "real_servers": [{"ip": "198.18.1.12", "port": 8080, "weight": 7}]})
c["local_addresses"].append({"ip": "198.18.1.4", "port": "lan"})
c["timeouts"]["udp"] = 4
json.dump(c, open(sys.argv[2], "w"), indent=1)
EOF
if out=$(slctl config apply "$T/new.json" --dry-run); then
  lab_check_eq "apply --dry-run lists 6 changes" "$(grep -c '^  [-+~]' <<<"$out")" 6
else
  lab_not_ok "apply --dry-run" "$out"
fi
lab_check_eq "--dry-run changed nothing" "$(slctl --json vip list | lab_jget "len(r['vips'])")" 1
if out=$(slctl --json config apply "$T/new.json"); then
  lab_check_eq "apply: added vip :53, vip :8080 with its server, local address .4" \
    "$(lab_jget "len(r['added'])" <<<"$out")" 5
  lab_check_eq "apply: modified timeouts.udp, removed nothing" \
    "$(lab_jget "[len(r['modified']), len(r['removed'])]" <<<"$out")" "[1, 0]"
else
  lab_not_ok "config apply" "$out"
fi
lab_check_eq "the running configuration is the file's" \
  "$(slctl --json config show | lab_jget "sorted((v['vip'], v['port']) for v in r['vips'])")" \
  '[["198.18.0.100", 53], ["198.18.0.100", 80], ["198.18.0.101", 8080]]'
bad=$("$LAB_PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); c["workers"]=3; print(json.dumps(c))' "$T/new.json")
echo "$bad" >"$T/bad.json"
if out=$(slctl config apply "$T/bad.json" 2>&1); then
  lab_not_ok "apply with workers changed is refused" "$out"
else
  lab_ok "apply with workers changed is refused: $(cut -c1-100 <<<"$out")"
fi
if wait "$dl"; then
  lab_check_eq "the transfer through the unchanged VIP completed byte-identical" \
    "$(sha256sum "$T/slow.bin" | cut -d' ' -f1)" "$want"
else
  lab_not_ok "the transfer through the unchanged VIP completed" "$(cat "$T/slow.err")"
fi
conns_after=$(lab_stats | lab_jget "[v['conns'] for v in r['vips'] if v['port'] == 80 and v['vip'] == '198.18.0.100'][0]")
lab_check_cmp "VIP :80's connection counter carried on ($conns_before -> $conns_after)" \
  "$conns_after" -ge "$conns_before"

cp "$LAB_CONFIG" "$T/started.json"
chmod 640 "$LAB_CONFIG"
if out=$(slctl config save); then
  lab_ok "config save: $out"
else
  lab_not_ok "config save" "$out"
fi
lab_check_eq "the saved file is the running configuration" \
  "$(lab_jget "sorted(v['port'] for v in r['vips'])" <"$LAB_CONFIG")" "[53, 80, 8080]"
lab_check_eq "... and kept its mode" "$(stat -c %a "$LAB_CONFIG")" 640
lab_check_eq "... and no temporary file is left" "$(find "$(dirname "$LAB_CONFIG")" -name '*.tmp.*' | wc -l)" 0
if slctl config save "$T/copy.json" >/dev/null && timeout 10 "$SLUICE" --check -c "$T/copy.json" >/dev/null; then
  lab_ok "config save FILE writes a copy sluice --check accepts"
else
  lab_not_ok "config save FILE writes a copy sluice --check accepts"
fi

# --- SIGHUP ---------------------------------------------------------------------
"$LAB_PY" - "$LAB_CONFIG" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["vips"] = [v for v in c["vips"] if v["port"] != 8080]
json.dump(c, open(sys.argv[1], "w"))
EOF
kill -HUP "$LAB_SLUICE_PID"
vips() { slctl --json vip list | lab_jget "sorted(v['port'] for v in r['vips'])"; }
# shellcheck disable=SC2317  # called through lab_wait_until
reloaded() { [ "$(vips)" = "[53, 80]" ]; }
if lab_wait_until 5 "SIGHUP applied" reloaded; then
  lab_ok "SIGHUP applied the edited file (VIP :8080 gone)"
else
  lab_not_ok "SIGHUP applied the edited file" "vips now $(vips)"
fi
echo '{"workers": 2, "vips": [' >"$LAB_CONFIG"
kill -HUP "$LAB_SLUICE_PID"
sleep 1
lab_check_eq "SIGHUP with a broken file changes nothing" "$(vips)" "[53, 80]"
if grep -q 'SIGHUP: .* refused' "$LAB_SLUICE_LOG"; then
  lab_ok "... and says so in the log"
else
  lab_not_ok "... and says so in the log" "$(tail -n 3 "$LAB_SLUICE_LOG")"
fi
cp "$T/started.json" "$LAB_CONFIG"
lab_check_eq "a request through the VIP still works" "$(lab_curl "http://$LAB_VIP/whoami" | cut -c1-2)" rs

# --- owner, group, mode -----------------------------------------------------------
if lab_sluice_stop; then lab_ok "sluice stopped"; else lab_not_ok "sluice stopped"; fi
cfg=$(lab_make_config 'c["control"].update({"owner": "daemon", "group": "adm", "mode": "0660"})')
if lab_sluice_start "$cfg"; then
  lab_check_eq "control.owner/group/mode applied to the socket" \
    "$(stat -c '%a %U %G' "$LAB_SOCK")" "660 daemon adm"
else
  lab_not_ok "sluice started with control owner/group/mode"
fi

lab_test_end
