#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Errors from sluicectl and from the control socket, and that none of them
# changes anything: `config show` is identical before and after. Also
# `sluice --check` on broken configs and `sluice --help`.
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin ctl_errors

# --- sluice --help / --check need no lab ------------------------------------
if out=$(timeout 10 "$SLUICE" --help 2>&1); then
  if [ -n "$out" ]; then lab_ok "sluice --help exits 0 and prints usage"
  else lab_not_ok "sluice --help prints usage" "no output"; fi
else
  lab_not_ok "sluice --help exits 0" "status $?: $(head -n 5 <<<"$out")"
fi
if out=$(timeout 10 "$SLUICE" --check -c "$LAB_BASE_CONFIG" 2>&1); then
  lab_ok "sluice --check accepts conf/lab.json"
else
  lab_not_ok "sluice --check accepts conf/lab.json" "$(head -n 5 <<<"$out")"
fi
if out=$(timeout 10 "$SLUICE" --check -c "$LAB_ROOT/conf/sluice.example.json" 2>&1); then
  lab_ok "sluice --check accepts conf/sluice.example.json"
else
  lab_not_ok "sluice --check accepts conf/sluice.example.json" "$(head -n 5 <<<"$out")"
fi
# check_broken DESC NEEDLE STATEMENT: a config variant that must be refused
# with an error containing NEEDLE (the JSON path; for an unknown key, its name).
check_broken() {
  local desc=$1 path=$2 cfg out st=0
  cfg=$(lab_make_config "$3")
  out=$(timeout 10 "$SLUICE" --check -c "$cfg" 2>&1) || st=$?
  if [ "$st" -ne 0 ] && [[ $out == *"$path"* ]]; then
    lab_ok "sluice --check refuses $desc, naming $path (status $st)"
  else
    lab_not_ok "sluice --check refuses $desc, naming $path" "status $st, output: $(head -n 3 <<<"$out")"
  fi
}
mkdir -p "$LAB_RUN"
check_broken "weight 70000" '$.vips[0].real_servers[1].weight' \
  "c['vips'] = [{'vip': '198.18.0.100', 'port': 80, 'real_servers': [
     {'ip': '198.18.1.11', 'port': 8080}, {'ip': '198.18.1.12', 'port': 8080, 'weight': 70000}]}]"
check_broken "an unknown key" 'tcp_establised' \
  "c['timeouts']['tcp_establised'] = 10"
check_broken "a bad address" '$.local_addresses[0].ip' \
  "c['local_addresses'] = [{'ip': '198.18.1.300', 'port': 'lan'}]"
check_broken "workers 0" '$.workers' "c['workers'] = 0"
printf '{"workers": 2,\n "eal": [\n' >"$LAB_RUN/syntax.json"
st=0
out=$(timeout 10 "$SLUICE" --check -c "$LAB_RUN/syntax.json" 2>&1) || st=$?
if [ "$st" -ne 0 ] && [ -n "$out" ]; then
  lab_ok "sluice --check refuses invalid JSON (status $st): $(head -n 1 <<<"$out" | cut -c1-100)"
else
  lab_not_ok "sluice --check refuses invalid JSON" "status $st"
fi

# --- a running sluice --------------------------------------------------------
lab_std_start --servers 2
V=$LAB_VIP:80
lab_check "vip add $V; rs $(lab_rs_ip 1):8080" lab_vip_setup "$V" wrr "$(lab_rs_ip 1):8080:1"
slctl --json config show >"$T/config.before" || lab_not_ok "config show (before)"

# ctl_expect DESC WANT_STATUS [GREP_RE] -- ARGS: run sluicectl; status must be
# WANT_STATUS; stderr must match GREP_RE (case-insensitive) when given.
ctl_expect() {
  local desc=$1 want=$2 re=$3 st=0
  shift 4
  slctl "$@" >"$T/ctl.out" 2>"$T/ctl.err" || st=$?
  if [ "$st" != "$want" ]; then
    lab_not_ok "$desc: exit $want" "got exit $st; stderr: $(head -n 3 "$T/ctl.err")" "stdout: $(head -n 3 "$T/ctl.out")"
  elif [ ! -s "$T/ctl.err" ]; then
    lab_not_ok "$desc: exit $want with a message on stderr" "stderr empty"
  elif [ -n "$re" ] && ! grep -Eqi -- "$re" "$T/ctl.err"; then
    lab_not_ok "$desc: exit $want, message matches /$re/" "stderr: $(head -n 3 "$T/ctl.err")"
  else
    lab_ok "$desc: exit $want ($(head -n 1 "$T/ctl.err" | cut -c1-100))"
  fi
}

ctl_expect "rs add to a VIP that does not exist" 1 '198\.18\.0\.200|vip' -- \
  rs add 198.18.0.200:80 "$(lab_rs_ip 2):8080"
ctl_expect "vip add with a bad address" 2 '' -- vip add 198.18.0.300:80
ctl_expect "rs add with a bad server address" 2 '' -- rs add "$V" not-an-ip:8080
ctl_expect "rs add with a bad port" 2 '' -- rs add "$V" "$(lab_rs_ip 2):70000"
ctl_expect "rs add --weight 70000" 2 'weight|70000' -- rs add "$V" "$(lab_rs_ip 2):8080" --weight 70000
ctl_expect "unknown command" 2 '' -- frobnicate
ctl_expect "vip add --proto sctp" 2 '' -- vip add 198.18.0.101:80 --proto sctp
ctl_expect "rs del of a server that is not there" 1 '' -- rs del "$V" "$(lab_rs_ip 2):8080"
ctl_expect "vip add of an existing VIP" 1 '' -- vip add "$V"
ctl_expect "raw request with weight 70000" 1 '' -- \
  raw '{"cmd":"rs.add","args":{"vip":"198.18.0.100","port":80,"proto":"tcp","rs":{"ip":"198.18.1.12","port":8080,"weight":70000}}}'

# Blocklist prefixes that lock Sluice out (issue 19.10), through every
# path that adds one: refused unless forced, and nothing changes.
"$LAB_PY" -c 'import json, sys
c = json.load(open(sys.argv[1])); c.setdefault("xdp", {})["blocklist"] = ["198.18.1.0/24"]
json.dump(c, open(sys.argv[2], "w"))' "$T/config.before" "$T/lockout.json"
ctl_expect "config apply whose blocklist covers a real server" 1 \
  '198\.18\.1\.0/24 covers 198\.18\.1\.11, a real server.*at args\.config\.xdp\.blocklist' -- config apply "$T/lockout.json"
ctl_expect "blocklist add 0.0.0.0/0" 1 '0\.0\.0\.0/0 covers every source' -- blocklist add 0.0.0.0/0
lab_check "config apply --force takes it" slctl config apply "$T/lockout.json" --force
lab_check_eq "and blocks it" "$(slctl --json blocklist list | lab_jget "r['blocklist'][0]['prefix']")" 198.18.1.0/24
lab_check "config apply of the old file takes it back" slctl config apply "$T/config.before"

# The other way round: a real server inside a prefix already blocked
# would never be reached (its replies dropped): rs add and config apply
# refuse it naming the prefix unless forced.
R2=$(lab_rs_ip 2)
lab_check "blocklist add $R2/32 (no server there yet)" slctl blocklist add "$R2/32"
slctl --json config show >"$T/blocked.json"
"$LAB_PY" -c 'import json, sys
d = json.load(open(sys.argv[1])); c = d.get("config", d)
c["vips"][0]["real_servers"].append({"ip": sys.argv[3], "port": 8080})
json.dump(c, open(sys.argv[2], "w"))' "$T/blocked.json" "$T/rs_blocked.json" "$R2"
ctl_expect "rs add of a server inside a blocked prefix" 1 \
  "real server ${R2//./\\.} is inside blocklist prefix ${R2//./\\.}/32.*at args\.rs\.ip" -- rs add "$V" "$R2:8080"
ctl_expect "config apply adding a server inside a blocked prefix" 1 \
  "real server ${R2//./\\.} is inside blocklist prefix ${R2//./\\.}/32.*real_servers" -- config apply "$T/rs_blocked.json"
lab_check_eq "neither added it" "$(slctl --json vip list | lab_jget "len(r['vips'][0]['real_servers'])")" 1
lab_check "rs add --force takes it" slctl rs add "$V" "$R2:8080" --force
lab_check "config apply of the same state passes (forced before)" slctl config apply "$T/rs_blocked.json"
lab_check "config apply of the old file takes them back" slctl config apply "$T/config.before"

# Straight to the socket (AF_UNIX, one connection, several lines).
mapfile -t ans < <(lab_py_cli unix-raw "$LAB_SOCK" \
  '{"cmd":"rs.add","args":{"vip":"198.18.0.100","port":80,"proto":"tcp","rs":{"ip":"198.18.1.12","port":8080,"weight":70000}}}' \
  '{"cmd": "stats", "args": ' \
  '{"cmd":"stats"}' \
  '{"cmd":"no.such.command"}' \
  '[1,2,3]' \
  '{"cmd":"vip.add","args":{"vip":"198.18.0.101","port":80,"bogus":1}}' \
  '{"cmd":"help"}')
printf '# raw answer: %s\n' "${ans[@]:0:7}" | cut -c1-220
# raw I EXPR: EXPR over answer I as sent (d), or "<unparsable: ...>".
raw() { "$LAB_PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {}, {"d": d}))' "${ans[$1]:-null}" "$2" 2>/dev/null || echo "<unparsable: ${ans[$1]:-none}>"; }
lab_check_eq "raw weight 70000: ok false, invalid_argument, field args.rs.weight" \
  "$(raw 0 '(d["ok"], d["error"]["code"], d["error"]["field"])')" "(False, 'invalid_argument', 'args.rs.weight')"
lab_check_eq "malformed JSON line: ok false, bad_request" \
  "$(raw 1 '(d["ok"], d["error"]["code"])')" "(False, 'bad_request')"
if [ "$(raw 2 'd["ok"]')" = True ]; then
  lab_ok "the same connection still answers after a malformed line"
else
  lab_not_ok "the same connection still answers after a malformed line" "answer: ${ans[2]:-none}"
fi
lab_check_eq "unknown command: ok false, unknown_command" \
  "$(raw 3 '(d["ok"], d["error"]["code"])')" "(False, 'unknown_command')"
lab_check_eq "a JSON array line: ok false, bad_request" \
  "$(raw 4 '(d["ok"], d["error"]["code"])')" "(False, 'bad_request')"
lab_check_eq "an unknown member of args is refused" "$(raw 5 'd["ok"]')" False
lab_check_eq "help answers on the same connection" "$(raw 6 'd["ok"] and "vip.add" in d["result"]["commands"]')" True
if slctl stats >/dev/null 2>&1; then
  lab_ok "the daemon still answers on a new connection"
else
  lab_not_ok "the daemon still answers on a new connection"
fi
lab_check_eq "sluicectl to a socket that does not exist: exit 1" \
  "$(timeout 10 "$SLUICECTL" -s "$LAB_RUN/nope.sock" stats >/dev/null 2>&1; echo $?)" 1

slctl --json config show >"$T/config.after" || lab_not_ok "config show (after)"
if cmp -s "$T/config.before" "$T/config.after" && [ -s "$T/config.before" ]; then
  lab_ok "config show identical before and after the refused requests"
else
  lab_not_ok "config show identical before and after the refused requests" \
    "$(diff "$T/config.before" "$T/config.after" | head -n 10)"
fi
# The running config is one sluice -c accepts.
lab_jget "r['config'] if 'config' in r else r" <"$T/config.after" >"$T/running.json"
if out=$(timeout 10 "$SLUICE" --check -c "$T/running.json" 2>&1); then
  lab_ok "sluice --check accepts what config show printed"
else
  lab_not_ok "sluice --check accepts what config show printed" "$(head -n 3 <<<"$out")"
fi

lab_test_end
