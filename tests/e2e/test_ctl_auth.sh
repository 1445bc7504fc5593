#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Who may talk to the control socket (issue 19.12):
# - the sockets appear with their configured modes (control.mode 0660,
#   control.readonly_mode 0666);
# - the read-only socket (control.readonly_socket) answers stats, lists and
#   config show, and refuses `vip add` (exit 1, code read_only, naming both
#   sockets) with nothing changed; stats control.readonly_refused counts it;
# - read-only clients hold at most 16 of the 64 client slots: with 16
#   connected, a 17th `sluicectl -s RO stats` gets a `busy` error at once
#   (exit 1, naming the read-only socket) while the control socket still
#   answers; and at most 3 of the 4 connection dumps: 4 read-only
#   `conn.list` at once (workers sleeping 100 ms) get one `busy`, an
#   admin's beside them is answered; stats control.readonly_busy counts
#   both;
# - a change on the read-write socket is logged with the peer's uid and pid;
# - a socket directory writable by others without the sticky bit is
#   refused at start (exit 1, naming the directory); with the sticky bit
#   sluice starts.
# e2e-timeout: 150
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

lab_test_begin ctl_auth
RO=$LAB_RUN/ro.sock
lab_std_start --servers 1 -- \
  "c['control'].update(mode='0660', readonly_socket='$RO', readonly_mode='0666')" \
  'c["idle"] = {"sleep_us": 100000, "empty_polls": 1}'
rosctl() { timeout 15 "$SLUICECTL" -s "$RO" "$@"; }

lab_check_eq "[mode] control socket 0660" "$(stat -c %a "$LAB_SOCK")" 660
lab_check_eq "[mode] read-only socket 0666" "$(stat -c %a "$RO" 2>&1)" 666
lab_check "[ro] stats on the read-only socket" rosctl stats
lab_check "[ro] vip list on the read-only socket" rosctl vip list
lab_check "[ro] config show on the read-only socket" rosctl config show
rc=0
out=$(rosctl vip add "$LAB_VIP:80" --sched rr 2>&1) || rc=$?
echo "# $out"
lab_check_eq "[ro] vip add refused: exit 1" "$rc" 1
if grep -q "read-only" <<<"$out" && grep -qF "$LAB_SOCK" <<<"$out"; then
  lab_ok "[ro] the refusal says read-only and names the control socket"
else
  lab_not_ok "[ro] the refusal says read-only and names the control socket" "$out"
fi
code=$("$LAB_PY" - "$RO" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(b'{"cmd":"config.save"}\n')
print(json.loads(s.makefile().readline()).get("error", {}).get("code", "none"))
PY
) || code="no answer"
lab_check_eq "[ro] config.save refused with code read_only" "$code" read_only
lab_check_eq "[ro] nothing changed: no VIP" \
  "$(slctl --json vip list | lab_jget "len(r['vips'])")" 0
lab_check_cmp "[ro] stats control.readonly_refused" \
  "$(lab_stats | lab_jget "r['control']['readonly_refused']")" -ge 2

# Read-only clients' share: 16 slots, 3 dump jobs.
"$LAB_PY" - "$RO" "$T/ro.ready" "$T/ro.release" <<'PY' &
import os, socket, sys, time
held = []
for _ in range(16):
    s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
    s.sendall(b'{"cmd":"stats"}\n'); s.makefile().readline()  # served: held
    held.append(s)
open(sys.argv[2], "w").close()
for _ in range(300):  # kept busy: an idle one (1 s) would make room
    if os.path.exists(sys.argv[3]):
        break
    for s in held:
        s.sendall(b'{"cmd":"stats"}\n'); s.makefile().readline()
    time.sleep(0.1)
PY
holder=$!
for _ in $(seq 100); do [ -e "$T/ro.ready" ] && break; sleep 0.1; done
rc=0
out=$(rosctl stats 2>&1) || rc=$?
echo "# ${out:0:300}"
lab_check_eq "[ro cap] a 17th read-only client: exit 1" "$rc" 1
if grep -q "busy" <<<"$out" && grep -qF "$RO" <<<"$out"; then
  lab_ok "[ro cap] it is told busy, naming the read-only socket"
else
  lab_not_ok "[ro cap] it is told busy, naming the read-only socket" "$out"
fi
lab_check "[ro cap] the control socket still answers" slctl stats
touch "$T/ro.release"
wait "$holder" || true
dumps=$("$LAB_PY" - "$RO" "$LAB_SOCK" <<'PY'
import json, socket, sys
def ask(path):
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(path)
    s.sendall(b'{"cmd":"conn.list"}\n'); return s
socks = [ask(sys.argv[1]) for _ in range(4)] + [ask(sys.argv[2])]
ans = [json.loads(s.makefile().readline()) for s in socks]
ro_busy = [a for a in ans[:4] if a.get("error", {}).get("code") == "busy"]
print(json.dumps({"ro_busy": len(ro_busy), "admin_ok": ans[4].get("ok"),
                  "msg": ro_busy[0]["error"]["message"] if ro_busy else ""}))
PY
) || dumps='{"ro_busy": -1, "admin_ok": false, "msg": "script failed"}'
echo "# $dumps"
lab_check_eq "[ro dumps] 4 read-only conn.list at once: one told busy" \
  "$(lab_jget "r['ro_busy']" <<<"$dumps")" 1
if lab_jget "r['msg']" <<<"$dumps" | grep -q "read-only"; then
  lab_ok "[ro dumps] the busy answer says the read-only socket's limit"
else
  lab_not_ok "[ro dumps] the busy answer says the read-only socket's limit" "$dumps"
fi
lab_check_eq "[ro dumps] the admin's conn.list beside them is answered" \
  "$(lab_jget "int(r['admin_ok'] is True)" <<<"$dumps")" 1
lab_check_cmp "[ro] stats control.readonly_busy" \
  "$(lab_stats | lab_jget "r['control']['readonly_busy']")" -ge 2

lab_check "[log] vip add on the control socket" slctl vip add "$LAB_VIP:80" --sched rr
if grep -qE "control: vip.add by uid 0 pid [1-9][0-9]*: done" "$LAB_SLUICE_LOG"; then
  lab_ok "[log] the change is logged with the peer's uid and pid"
else
  lab_not_ok "[log] the change is logged with the peer's uid and pid" \
    "$(grep 'control:' "$LAB_SLUICE_LOG" | tail -n 3)"
fi
lab_check "sluice stopped" lab_sluice_stop
LAB_SLUICE_PID=

# A directory others may write to: refused before anything is served.
D=$LAB_RUN/open
mkdir -p "$D"
chmod 0777 "$D"
cfg=$(lab_make_config "c['control']['socket'] = '$D/sluice.sock'")
rc=0
timeout 90 ip netns exec "$(lab_ns lb)" "$SLUICE" -c "$cfg" >"$T/open.log" 2>&1 || rc=$?
sed 's/^/# /' "$T/open.log" | grep -i "socket" | tail -n 3 || true
lab_check_eq "[dir] a socket directory writable by others: sluice exits 1" "$rc" 1
if grep -q "directory $D .*writable by others" "$T/open.log"; then
  lab_ok "[dir] the error names the directory and who may write to it"
else
  lab_not_ok "[dir] the error names the directory and who may write to it" \
    "$(tail -n 3 "$T/open.log")"
fi
chmod 1777 "$D"
if lab_sluice_start "$cfg"; then
  lab_ok "[dir] the same directory made sticky (1777): sluice starts"
else
  lab_not_ok "[dir] the same directory made sticky (1777): sluice starts"
fi
lab_test_end
