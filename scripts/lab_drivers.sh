# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Lab variants for the port drivers, sourced after scripts/lab_lib.sh by
# the driver end-to-end tests (tests/e2e/test_core_*.sh, test_exception.sh):
#
#   lab_core_scenario     the core full-NAT checks every driver must pass
#   lab_cfg_af_xdp        config statements: both ports on net_af_xdp
#   lab_lb_kernel_http    a kernel HTTP server in P-lb on its own address
#   lab_hugepages_ensure  free 2 MiB huge pages for vhost-user
#   lab_vswitch_start     the vhost-user switch (build/sluice-vswitch) in P-lb
#   lab_xdp_map           a map of the XDP program on an interface, by name
#   lab_lpm_prefixes      what an LPM trie (sl_block, sl_snat_src) holds
#   lab_xdp_counter       one of the program's counters, read from sl_stats
#   lab_xdp_addrs         the address table behind sl_addrs, one line each
#   lab_xdp_port_bit      the port bit of one port's copy of sl_config
#
# Same rules as lab_lib.sh: bounded waits, only this prefix's namespaces
# and files, traffic only inside 198.18.0.0/15.

# The kernel's own address in P-lb, next to Sluice's 198.18.0.2 on wan0.
LAB_LB_HOST_IP=198.18.0.5
LAB_LB_HTTP_PORT=8081
LAB_VSWITCH=${LAB_VSWITCH:-$LAB_ROOT/build/sluice-vswitch}

# lab_core_scenario [N]: the full-NAT scenario run on every driver: N HTTP
# requests through a wrr 1:3 VIP (all answered, both servers in ratio,
# servers see only the local address), UDP through a UDP VIP, ICMP echo to
# the VIP. Checks are printed as ok/not ok.
lab_core_scenario() {
  local n=${1:-100} rs1 rs2 tally failed n1 n2 i res
  rs1=$(lab_rs_ip 1) rs2=$(lab_rs_ip 2)
  # What each port was given (queues, RSS, checksum offloads), for the log.
  slctl port list | sed 's/^/# /' || true
  lab_check "vip $LAB_VIP:80 wrr; rs1 weight 1, rs2 weight 3" \
    lab_vip_setup "$LAB_VIP:80" wrr "$rs1:8080:1" "$rs2:8080:3"
  lab_curl_loop "$n" "http://$LAB_VIP/whoami" >"$T/core-curl.log"
  tally=$(lab_tally "$T/core-curl.log")
  failed=$(lab_jget "r['failed']" <<<"$tally")
  n1=$(lab_jget "r['by_body'].get('rs1', 0)" <<<"$tally")
  n2=$(lab_jget "r['by_body'].get('rs2', 0)" <<<"$tally")
  if [ "$failed" -eq 0 ]; then
    lab_ok "core: $n HTTP requests through $LAB_VIP all answered"
  else
    lab_not_ok "core: $n HTTP requests through $LAB_VIP all answered" "$failed failed:" \
      "$(lab_jget "'; '.join(r['failures'][:5])" <<<"$tally")"
  fi
  if lab_share_ok "$n1" "$n" 0.25 0.12 && lab_share_ok "$n2" "$n" 0.75 0.12; then
    lab_ok "core: wrr 1:3 shares (rs1 $n1, rs2 $n2)"
  else
    lab_not_ok "core: wrr 1:3 shares" "rs1 $n1, rs2 $n2 of $n"
  fi
  for i in 1 2; do
    lab_check_eq "core: rs$i saw only the local address $LAB_LIP" \
      "$(lab_served_not_from "$i" "$LAB_LIP")" 0
  done
  lab_check "core: udp vip $LAB_VIP:53 -> :5353" \
    lab_vip_setup "$LAB_VIP:53" rr --proto udp "$rs1:5353:1" "$rs2:5353:1"
  res=$(lab_py_cli udp-burst "$LAB_VIP" 53 -n 40 --tries 3 --timeout 1) || true
  lab_check_eq "core: 40 UDP requests answered from $LAB_VIP:53" \
    "$(lab_jget "r['answered']" <<<"$res")" 40
  # Answered on a retry, or wrong first: at most 2 of 40 (a lost ARP
  # exchange at the start), not one in ten.
  lab_check_cmp "core: UDP retries + wrong answers at most 2 ($(lab_jget "r['errors'][:3]" <<<"$res"))" \
    "$(lab_jget "r['retries'] + r['wrong']" <<<"$res")" -le 2
  if res=$(lab_ping "$LAB_VIP" -c 3 --min 3 2>&1); then
    lab_ok "core: ICMP echo to $LAB_VIP answered 3 of 3"
  else
    lab_not_ok "core: ICMP echo to $LAB_VIP answered 3 of 3" "$res"
  fi
}

# Config statements (for lab_make_config / lab_std_start) putting both
# ports on net_af_xdp. One worker: DPDK 22.11's af_xdp PMD sizes its
# queues from the interface's *combined* channels, which veth does not
# report (ethtool -l: "Combined: n/a"), so on veth it allows one queue.
lab_cfg_af_xdp() {
  printf '%s\n' 'c["workers"] = 1' \
    'c["ports"][0]["devargs"] = "net_af_xdp0,iface=wan0"' \
    'c["ports"][1]["devargs"] = "net_af_xdp1,iface=lan0"'
}

# lab_lb_kernel_http: give P-lb's kernel its own address on wan0 and
# serve HTTP there (a file "hello" -> "kernel"), the way a host keeps SSH
# or health checks on a NIC it shares with Sluice.
lab_lb_kernel_http() {
  local dir=$LAB_RUN/lb-www
  mkdir -p "$dir"
  echo kernel >"$dir/hello"
  ip -n "$(lab_ns lb)" addr add "$LAB_LB_HOST_IP/24" dev wan0 || return 1
  lab_spawn ip netns exec "$(lab_ns lb)" "$LAB_PY" -m http.server --bind "$LAB_LB_HOST_IP" \
    --directory "$dir" "$LAB_LB_HTTP_PORT" </dev/null >"$LAB_RUN/lb-http.err" 2>&1 &
  lab_wait_until 10 "kernel HTTP server in P-lb" lab__lb_http_listening
}

lab__lb_http_listening() {
  [ -n "$(ip netns exec "$(lab_ns lb)" ss -Hltn "sport = :$LAB_LB_HTTP_PORT" 2>/dev/null)" ]
}

# lab_hugepages_ensure MB: at least MB of free 2 MiB huge pages, raising
# vm.nr_hugepages by what is missing (never lowering it: other processes
# on the machine may hold some). Fails when the kernel cannot find them.
lab_hugepages_ensure() {
  local want=$(( $1 / 2 )) free total
  free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
  total=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
  if [ "$free" -lt "$want" ]; then
    echo $(( total + want - free )) >/proc/sys/vm/nr_hugepages
    free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
  fi
  if [ "$free" -lt "$want" ]; then
    lab_log "only $free free 2 MiB huge pages, need $want"
    return 1
  fi
}

# lab_vswitch_start: the vhost-user switch in P-lb: wan0 <-> vhost socket
# $LAB_RUN/wan.sock, lan0 <-> $LAB_RUN/lan.sock (both af_packet towards
# the kernel's veths). Sluice then runs on net_virtio_user ports against
# those sockets. Sets LAB_VSWITCH_PID; waits until both sockets exist.
lab_vswitch_start() {
  local queues=${1:-2}
  [ -x "$LAB_VSWITCH" ] || { lab_log "missing $LAB_VSWITCH (run make)"; return 1; }
  rm -f "$LAB_RUN/wan.sock" "$LAB_RUN/lan.sock"
  lab_spawn ip netns exec "$(lab_ns lb)" "$LAB_VSWITCH" --file-prefix "sl-lab-$LAB_PREFIX-vsw" \
    --queues "$queues" --idle-us 100 \
    --pair "wan0=$LAB_RUN/wan.sock" --pair "lan0=$LAB_RUN/lan.sock" \
    </dev/null >"$LAB_RUN/vswitch.log" 2>&1 &
  LAB_VSWITCH_PID=$!
  lab_wait_until 20 "vswitch sockets" lab__vswitch_ready || {
    tail -n 20 "$LAB_RUN/vswitch.log" >&2
    return 1
  }
}

lab__vswitch_ready() {
  lab_pid_alive "$LAB_VSWITCH_PID" && [ -S "$LAB_RUN/wan.sock" ] && [ -S "$LAB_RUN/lan.sock" ]
}

# Config statements for Sluice on virtio-user ports against the switch:
# huge pages, shared with the switch through file descriptors, which is
# what --in-memory --single-file-segments gives (DESIGN.md, Test lab).
lab_cfg_virtio() {
  local queues=${1:-2}
  printf '%s\n' \
    "c[\"eal\"] = [\"--in-memory\", \"--single-file-segments\", \"-m\", \"256\", \"--no-pci\", \"--no-telemetry\"]" \
    "c[\"workers\"] = $queues" \
    "c[\"ports\"][0][\"devargs\"] = \"net_virtio_user0,path=$LAB_RUN/wan.sock,queues=$queues,queue_size=1024,mac=02:00:00:00:00:02\"" \
    "c[\"ports\"][1][\"devargs\"] = \"net_virtio_user1,path=$LAB_RUN/lan.sock,queues=$queues,queue_size=1024,mac=02:00:00:00:01:02\""
}

# lab_xdp_map NS IFACE NAME: the id of the map NAME of the XDP program
# attached to IFACE in namespace NS (nothing if none).
lab_xdp_map() {
  local prog m
  prog=$(ip -n "$1" -d link show "$2" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -1)
  [ -n "$prog" ] || return 0
  for m in $(bpftool -j prog show id "$prog" | lab_jget "' '.join(map(str, r['map_ids']))"); do
    if [ "$(bpftool -j map show id "$m" | lab_jget "r['name']")" = "$3" ]; then
      echo "$m"
    fi
  done
}

# lab_lpm_prefixes ID: "a.b.c.d/len ..." sorted, from the raw keys of an
# LPM trie of struct sl_xdp_block_key (drivers/xdp/xdp_abi.h).
lab_lpm_prefixes() {
  bpftool -j map dump id "$1" | python3 -c 'import json, sys
keys = [bytes(int(b, 16) for b in e["key"]) for e in json.load(sys.stdin)]
print(" ".join(sorted("%d.%d.%d.%d/%d" % (*k[4:8], k[0]) for k in keys)))'
}

# lab_xdp_addrs ID: the address table swapped into the sl_addrs slot of
# map ID, one "a.b.c.d KINDS HOST_PORTS" line per address (struct
# sl_xdp_addr, drivers/xdp/xdp_abi.h; two hex digits each), sorted.
lab_xdp_addrs() {
  local inner
  inner=$(bpftool -j map lookup id "$1" key 0 0 0 0 | python3 -c 'import json, sys
r = json.load(sys.stdin)
print(r.get("inner_map_id") or int.from_bytes(bytes(int(b, 16) for b in r["value"]), "little"))')
  bpftool -j map dump id "$inner" | python3 -c 'import json, sys
rows = []
for e in json.load(sys.stdin):
    k, v = (bytes(int(b, 16) for b in e[f]) for f in ("key", "value"))
    rows.append((tuple(k), "%d.%d.%d.%d %02x %02x" % (*k, v[0], v[1])))
print("\n".join(r for _, r in sorted(rows)))'
}

# lab_xdp_port_bit ID: the port bit in the sl_config array ID (the
# program's copy on one port knows which port it is).
lab_xdp_port_bit() {
  bpftool -j map lookup id "$1" key 0 0 0 0 | python3 -c 'import json, sys
v = bytes(int(b, 16) for b in json.load(sys.stdin)["value"])
print(int.from_bytes(v[16:20], "little"))'
}

# lab_xdp_counter ID NAME: counter NAME ("drop_snat_no_socket") of the
# per-CPU sl_stats array ID, summed over CPUs; its index is its place in
# SL_XDP_COUNTERS (drivers/xdp/xdp_abi.h), read from there.
lab_xdp_counter() {
  local idx
  idx=$(grep -o 'X([A-Z_]*, "[a-z_]*")' "$LAB_ROOT/drivers/xdp/xdp_abi.h" |
    grep -n "\"$2\"" | cut -d: -f1)
  [ -n "$idx" ] || { echo "lab_xdp_counter: no counter $2" >&2; return 1; }
  bpftool -j map lookup id "$1" key $((idx - 1)) 0 0 0 | python3 -c 'import json, sys
r = json.load(sys.stdin)
print(sum(int.from_bytes(bytes(int(b, 16) for b in v["value"]), "little") for v in r["values"]))'
}
