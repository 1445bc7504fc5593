#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sluice --cleanup -c CONFIG (issue 19.10) on net_af_xdp: refused while
# the instance runs (exit 1, the lock named; its XDP program, socket and
# traffic intact); after SIGKILL the XDP program stays attached, and
# --cleanup removes it from both interfaces, the stale control socket, the EAL runtime directory of the file prefix, one line
# each; the lock files stay, empty; a second run removes nothing (exit
# 0); another XDP program is kept, and so is a hugepage file a process
# holds or of a sibling prefix (others of the prefix go), and with a
# file in use the runtime directory stays too; once free, the files go
# before the runtime directory (under its lock); a stale read-only socket
# is removed, and a live one refuses the cleanup and keeps a stale
# control socket beside it; a symlink at the socket path or the
# runtime directory is not followed, and the hugepage files are then kept;
# --file-prefix "../x" is refused; a runtime directory whose config a
# process holds stays, and so do the prefix's hugepage files; a new sluice
# starts from the same file and serves;
# killed again, --cleanup without CAP_NET_ADMIN fails (exit 1) to remove
# its program, an error, not "kept".
# e2e-timeout: 120
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin cleanup
mapfile -t cfg < <(lab_cfg_af_xdp)
lab_up --servers 1 --queues 1 || { lab_not_ok "lab up"; exit 1; }
config=$(lab_make_config "${cfg[@]}")
lab_sluice_start "$config" || { lab_not_ok "sluice started on af_xdp"; exit 1; }
lab_ok "sluice started on af_xdp"
lab_check "vip add $LAB_VIP:80" lab_vip_setup "$LAB_VIP:80" rr "$(lab_rs_ip 1):8080:1"
prog_id() { ip -n "$(lab_ns lb)" -d link show "$1" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -1; }
cleanup() { ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config"; }
prefix=$(lab_jget "r['eal'][r['eal'].index('--file-prefix') + 1]" <"$config")
rundir=/var/run/dpdk/$prefix
wan_id=$(prog_id wan0) lan_id=$(prog_id lan0)
wan_lock=$(lab_lock_name wan0) lan_lock=$(lab_lock_name lan0)
lab_check "wan0 ($wan_id) and lan0 ($lan_id) run sluice_xdp" test -n "$wan_id" -a -n "$lan_id"
lab_check "sluice --help names --cleanup" eval '"$SLUICE" --help | grep -q -- "--cleanup"'

# While it runs: refused, nothing touched.
st=0
out=$(cleanup 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "--cleanup while sluice runs: exit 1" "$st" 1
lab_check "it names the interface, the pid and the lock" \
  grep -qF "interface $wan_lock is in use by sluice pid $LAB_SLUICE_PID (lock /run/sluice/$wan_lock.lock)" <<<"$out"
lab_check_eq "nothing reported removed" "$(grep -c '^removed' <<<"$out" || true)" 0
lab_check_eq "wan0 keeps its XDP program" "$(prog_id wan0)" "$wan_id"
lab_check_eq "lan0 keeps its XDP program" "$(prog_id lan0)" "$lan_id"
lab_check "the control socket is still there" test -S "$LAB_SOCK"
lab_check "the runtime directory $rundir is still there" test -d "$rundir"
lab_check "the lock file is still there" test -e "/run/sluice/$wan_lock.lock"
lab_curl_loop 5 "http://$LAB_VIP/whoami" >"$T/live.log"
lab_check_eq "traffic still flows" "$(lab_tally "$T/live.log" | lab_jget "r['failed']")" 0

# SIGKILL: the leftovers.
kill -KILL "$LAB_SLUICE_PID"
wait "$LAB_SLUICE_PID" 2>/dev/null || true
LAB_SLUICE_PID=
lab_check_eq "after SIGKILL wan0 still has the XDP program" "$(prog_id wan0)" "$wan_id"
lab_check "... and the socket file" test -S "$LAB_SOCK"
cat >"$T/other.bpf.c" <<'C'
struct xdp_md;
__attribute__((section("xdp"), used)) int other_pass(struct xdp_md *ctx) { return 2; /* XDP_PASS */ }
char _license[] __attribute__((section("license"), used)) = "GPL";
C
clang -O2 -target bpf -c "$T/other.bpf.c" -o "$T/other.bpf.o"
st=0
out=$(cleanup 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "--cleanup after SIGKILL: exit 0" "$st" 0
lab_check "it says it removed the program from wan0" \
  grep -q "^removed sluice_xdp (id $wan_id) left on wan0" <<<"$out"
lab_check "... and from lan0" grep -q "^removed sluice_xdp (id $lan_id) left on lan0" <<<"$out"
lab_check "... the stale socket" grep -qx "removed stale control socket $LAB_SOCK" <<<"$out"
lab_check "... the runtime directory" grep -qx "removed EAL runtime directory $rundir" <<<"$out"
lab_check_eq "no XDP program on wan0" "$(prog_id wan0)" ""
lab_check_eq "no XDP program on lan0" "$(prog_id lan0)" ""
lab_check "no socket file" test ! -e "$LAB_SOCK"
lab_check "no runtime directory" test ! -e "$rundir"
lab_check "the lock files stay, naming no pid" \
  test -e "/run/sluice/$wan_lock.lock" -a ! -s "/run/sluice/$wan_lock.lock" -a ! -s "/run/sluice/$lan_lock.lock"
st=0
out=$(cleanup 2>&1) || st=$?
lab_check_eq "a second --cleanup: exit 0" "$st" 0
lab_check_eq "... nothing to remove" "$out" "nothing to remove"

# Someone else's XDP program on lan0 stays; hugepage files of the prefix
# go unless a process holds them (planted in a --huge-dir the cleanup's
# copy of the config names: the lab runs with --no-huge), while the
# runtime directory's lock is held (so before that directory goes); a
# sibling prefix's stay. A symlink at the socket path (to a stale socket)
# is not followed; a stale read-only socket goes.
RO=$LAB_RUN/ro.sock
mkdir -p "$T/huge" "$T/victim" "$rundir"
touch "$T/huge/${prefix}map_0" "$T/huge/${prefix}map_12" "$T/huge/${prefix}map_x" \
  "$T/huge/other-${prefix}map_0" "$T/huge/${prefix}map_3" "$T/huge/${prefix}2map_0" \
  "$T/victim/keep" "$rundir/config"
# The holder itself holds the flock, so killing it frees the file.
/usr/bin/python3 -c 'import fcntl,sys,time; f=open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_SH); time.sleep(30)' \
  "$T/huge/${prefix}map_3" & holder=$!
stale_sock() { /usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"; }
stale_sock "$T/stale.sock"
stale_sock "$RO"
ln -s "$T/stale.sock" "$LAB_SOCK"
lab_check "another XDP program attached to lan0" \
  ip -n "$(lab_ns lb)" link set dev lan0 xdpgeneric obj "$T/other.bpf.o" sec xdp
other_id=$(prog_id lan0)
sleep 0.2
config_h=$(lab_make_config "${cfg[@]}" "c['eal'] += ['--huge-dir', '$T/huge']" \
  "c['control']['readonly_socket'] = '$RO'")
st=0
out=$(ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config_h" 2>"$T/err") || st=$?
{ echo "$out"; cat "$T/err"; } | sed 's/^/# /'
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
lab_check_eq "--cleanup with another program on lan0: exit 0" "$st" 0
lab_check_eq "lan0 keeps the other program" "$(prog_id lan0)" "$other_id"
lab_check "it says so" grep -q "kept: lan0 already has an XDP program (id $other_id, \"other_pass\")" "$T/err"
lab_check_eq "it removed the prefix's free hugepage files, only those" \
  "$(grep '^removed hugepage file' <<<"$out" | sed 's|.*/||' | LC_ALL=C sort | tr '\n' ' ')" \
  "${prefix}map_0 ${prefix}map_12 "
lab_check "it kept the one in use" grep -q "kept $T/huge/${prefix}map_3: in use" "$T/err"
lab_check_eq "what is left in the huge dir" "$(cd "$T/huge" && ls | LC_ALL=C sort | tr '\n' ' ')" \
  "$(printf '%s\n' "${prefix}map_3" "${prefix}map_x" "other-${prefix}map_0" "${prefix}2map_0" | LC_ALL=C sort | tr '\n' ' ')"
lab_check "the symlink at the socket path and its target stay" test -L "$LAB_SOCK" -a -S "$T/stale.sock"
lab_check "... the stale read-only socket" grep -qx "removed stale read-only socket $RO" <<<"$out"
lab_check "no read-only socket file" test ! -e "$RO"
lab_check "a hugepage file in use keeps the runtime directory" \
  grep -qF "kept $rundir: hugepage files of prefix $prefix are in use" "$T/err"
lab_check "... which is still there, with its config" test -d "$rundir" -a -e "$rundir/config"
lab_check "... not said removed" eval '! grep -q "^removed EAL runtime directory" <<<"$out"'
# The holder gone: its file, then the directory, under the lock.
st=0
out=$(ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config_h" 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "--cleanup once the hugepage file is free: exit 0" "$st" 0
last_huge=$(grep -n '^removed hugepage file' <<<"$out" | tail -n 1 | cut -d: -f1)
rt_gone=$(grep -nx "removed EAL runtime directory $rundir" <<<"$out" | cut -d: -f1)
lab_check "the hugepage file went under the runtime directory's lock (line ${last_huge:-none} before ${rt_gone:-none})" \
  test -n "$last_huge" -a -n "$rt_gone" -a "${last_huge:-0}" -lt "${rt_gone:-0}"
rm -f "$LAB_SOCK"

# A runtime directory that is a symlink is not followed, and is kept: so
# are the prefix's free hugepage files.
ln -s "$T/victim" "$rundir"
touch "$T/huge/${prefix}map_7"
out=$(ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config_h" 2>&1) || true
echo "$out" | sed 's/^/# /'
lab_check "the runtime directory's symlink is not followed" test -L "$rundir" -a -e "$T/victim/keep"
lab_check "... and the prefix's hugepage file stays with it" test -e "$T/huge/${prefix}map_7"
lab_check "... it says so" grep -qF "kept the hugepage files of prefix $prefix: its runtime directory $rundir stays" <<<"$out"
rm -f "$rundir"

# A live read-only socket: a live instance, nothing cleaned, not even a
# stale control socket beside it (probed both before removing either).
stale_sock "$LAB_SOCK"
/usr/bin/python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(30)' \
  "$RO" & holder=$!
for _ in $(seq 50); do [ -S "$RO" ] && break; sleep 0.1; done
st=0
out=$(ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config_h" 2>&1) || st=$?
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
echo "$out" | sed 's/^/# /'
lab_check_eq "--cleanup with a process answering on the read-only socket: exit 1" "$st" 1
lab_check "... naming it" grep -qF "a process answers on $RO" <<<"$out"
lab_check "... nothing removed: the hugepage file stays" test -e "$T/huge/${prefix}map_7"
lab_check "... nor the stale control socket" test -S "$LAB_SOCK"
lab_check_eq "... nothing said removed" "$(grep -c '^removed' <<<"$out" || true)" 0
rm -f "$RO" "$LAB_SOCK"
ip -n "$(lab_ns lb)" link set dev lan0 xdpgeneric off
st=0
config_p=$(lab_make_config "${cfg[@]}" "c['eal'][c['eal'].index('--file-prefix') + 1] = '../x'")
out=$(ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config_p" 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "--file-prefix ../x: exit 1" "$st" 1
lab_check "... refused as not a plain name, where the config is read" grep -qF -- '--file-prefix must be a plain name' <<<"$out"

# A runtime directory whose "config" a process holds (fcntl write lock, as
# the EAL's primary does; here one sharing the prefix) stays, whole.
mkdir -p "$rundir" && touch "$rundir/config" "$rundir/mp_socket"
/usr/bin/python3 -c 'import fcntl,sys,time; f=open(sys.argv[1],"r+"); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(30)' \
  "$rundir/config" & holder=$!
sleep 0.3
out=$(ip netns exec "$(lab_ns lb)" timeout 20 "$SLUICE" --cleanup -c "$config_h" 2>&1) || true
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
echo "$out" | sed 's/^/# /'
lab_check "a held runtime directory is kept" grep -qF "kept $rundir: a DPDK process of prefix $prefix still runs" <<<"$out"
lab_check "... with its files" test -e "$rundir/config" -a -e "$rundir/mp_socket"
lab_check "... and the prefix's free hugepage file (in use by that process)" test -e "$T/huge/${prefix}map_7"
rm -rf "$rundir"

# A new instance from the same file.
lab_sluice_start "$config" || { lab_not_ok "a new sluice started"; exit 1; }
lab_ok "a new sluice started"
lab_check "its XDP program on wan0" test -n "$(prog_id wan0)"
lab_check "vip add $LAB_VIP:80" lab_vip_setup "$LAB_VIP:80" rr "$(lab_rs_ip 1):8080:1"
lab_curl_loop 5 "http://$LAB_VIP/whoami" >"$T/again.log"
lab_check_eq "it serves" "$(lab_tally "$T/again.log" | lab_jget "r['failed']")" 0

# Killed again: without CAP_NET_ADMIN our program cannot be detached: an
# error and exit 1, not "kept" like another's program.
kill -KILL "$LAB_SLUICE_PID"
wait "$LAB_SLUICE_PID" 2>/dev/null || true
LAB_SLUICE_PID=
wan_id=$(prog_id wan0)
st=0
out=$(ip netns exec "$(lab_ns lb)" timeout 20 capsh --drop=cap_net_admin -- \
  -c '"$0" --cleanup -c "$1"' "$SLUICE" "$config" 2>&1) || st=$?
echo "$out" | sed 's/^/# /'
lab_check_eq "--cleanup without CAP_NET_ADMIN: exit 1" "$st" 1
lab_check "... an error naming our program on wan0" \
  grep -q "error: cannot remove sluice_xdp (id $wan_id) from wan0: Operation not permitted" <<<"$out"
lab_check_eq "... which is still there" "$(prog_id wan0)" "$wan_id"
lab_check "with it, --cleanup removes it" eval 'cleanup >/dev/null 2>&1 && test -z "$(prog_id wan0)"'

lab_test_end
