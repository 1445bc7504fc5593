#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Prometheus endpoint (issue 17, config metrics.listen):
# - a bad metrics.listen is a config error at $.metrics.listen;
# - GET /metrics answers 200 with the text format, `promtool check
#   metrics` finds nothing wrong, the families stats has are there
#   (drops by reason, servers' state, mbufs, table occupancy, session
#   sync: a short datagram sent from the peer's address is counted as
#   truncated, in /metrics and in `cluster status`); another path is 404;
# - a real Prometheus (Debian's, in sluice's namespace on 127.0.0.1,
#   scraping every second) sees the client's request rate: rate() of
#   the VIP's connections over 20 s is the rate the client produced,
#   within 10%;
# - a scraper reading 1 byte/s, one sending its request 1 byte/s, and 50
#   scrapers in a loop do not stall the control thread: `stats` on the
#   control socket answers in under 50 ms throughout, and the scrapers
#   are served.
# e2e-timeout: 180
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

METRICS=127.0.0.1:9107
PROM=127.0.0.1:9108

lab_test_begin metrics

# 1. A bad listen address is refused by name (no lab needed).
bad=$(lab_make_config 'c["metrics"] = {"listen": "127.0.0.1:99999"}')
out=$("$SLUICE" --check -c "$bad" 2>&1) && st=0 || st=$?
lab_check_eq "[config] a bad metrics.listen is refused" "$st" 1
lab_check "[config] ... at \$.metrics.listen: $out" grep -q '\$\.metrics\.listen' <<<"$out"

# A cluster block (session sync on a veth of sluice's namespace, its one peer never running) puts the sync families in the
# text promtool checks.
head -c 32 /dev/urandom >"$T/sync.key"
chmod 600 "$T/sync.key"
lab_up --servers 2 || { lab_not_ok "lab up"; exit 1; }
ip -n "$(lab_ns lb)" link add sync0 type veth peer name sync1
ip -n "$(lab_ns lb)" link set sync1 up
ip -n "$(lab_ns lb)" addr add 198.18.250.1/32 dev sync0
ip -n "$(lab_ns lb)" addr add 198.18.250.2/32 dev sync0
ip -n "$(lab_ns lb)" link set sync0 up
cfg=$(lab_make_config "c[\"metrics\"] = {\"listen\": \"$METRICS\"}" \
  "c[\"cluster\"] = {\"node\": \"lb1\", \"sync\": {\"address\": \"198.18.250.1\", \"port\": 8848},
    \"peers\": [{\"name\": \"lb2\", \"address\": \"198.18.250.2\"}], \"key_file\": \"$T/sync.key\",
    \"state_dir\": \"$T\"}" "c[\"announce\"] = {\"table\": 100}")
lab_sluice_start "$cfg" || { lab_not_ok "sluice started with metrics and a cluster block"; exit 1; }
lab_ok "sluice started with metrics and a cluster block"
# Bad input from the peer's address: a datagram too short to be one.
lab_exec lb "$LAB_PY" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.250.2", 8848)); s.sendto(b"short", ("198.18.250.1", 8848))'
lab_check "vip + servers" lab_vip_setup "$LAB_VIP:80" rr "$(lab_rs_ip 1):8080:1" "$(lab_rs_ip 2):8080:1"
lab_curl_loop 5 "http://$LAB_VIP/whoami" >/dev/null

# 2. The text and promtool's verdict.
code=$(lab_exec lb curl -sS --max-time 5 -o "$T/m.txt" -D "$T/h.txt" -w '%{http_code}' \
  "http://$METRICS/metrics" || true)
lab_check_eq "[scrape] GET /metrics" "$code" 200
lab_check "[scrape] Content-Type is the text format 0.0.4" \
  grep -qi '^content-type: text/plain; version=0.0.4' "$T/h.txt"
if promtool check metrics <"$T/m.txt" >"$T/promtool.txt" 2>&1; then
  lab_ok "[scrape] promtool check metrics: no problem"
else
  lab_not_ok "[scrape] promtool check metrics: no problem" "$(head -c 600 "$T/promtool.txt")"
fi
for want in 'sluice_drops_total{worker="0",reason="no_service"} ' \
  'sluice_real_server_state{vip="198.18.0.100",vip_port="80",proto="tcp",server="198.18.1.11",server_port="8080",state="up"} 1' \
  'sluice_vip_connections_total{vip="198.18.0.100",vip_port="80",proto="tcp"} ' \
  'sluice_conn_table_capacity{worker="0"} ' 'sluice_mbufs_in_use ' \
  'sluice_port_rx_packets_total{port="' 'sluice_worker_rx_packets_total{worker="1"} ' \
  'sluice_cluster_ready ' 'sluice_cluster_peer_state{peer="lb2",state="' \
  'sluice_cluster_sync_dropped_datagrams_total{peer="lb2",reason="truncated"} 1'; do
  lab_check "[scrape] has ${want:0:60}..." grep -qF "$want" "$T/m.txt"
done
lab_check "[cluster status] names the truncated datagram" \
  bash -c "'$SLUICECTL' -s '$LAB_SOCK' cluster status | grep -q 'lb2: .*truncated 1'"
code=$(lab_exec lb curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://$METRICS/" || true)
lab_check_eq "[scrape] another path is 404" "$code" 404

# 3. Prometheus scraping while the client runs at a steady pace.
mkdir -p "$T/prom"
cat >"$T/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sluice
    static_configs:
      - targets: ['$METRICS']
EOF
lab_exec lb prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom" \
  --web.listen-address="$PROM" --log.level=warn >"$LAB_RUN/prometheus.err" 2>&1 &
# shellcheck disable=SC2317  # called through lab_wait_until
prom_ready() { lab_exec lb curl -sf --max-time 2 "http://$PROM/-/ready" >/dev/null; }
lab_check "[prometheus] ready" lab_wait_until 30 "prometheus ready" prom_ready
promq() { # promq QUERY TIME: the first value, or -1
  lab_exec lb curl -sS --max-time 5 -G "http://$PROM/api/v1/query" \
    --data-urlencode "query=$1" --data-urlencode "time=$2" |
    lab_jget "float(r['data']['result'][0]['value'][1]) if r['data']['result'] else -1"
}
# Targets reach the scrape loop up to 5 s after start: traffic waits for
# the first scrape, so the whole rate() window has samples.
# shellcheck disable=SC2317  # called through lab_wait_until
prom_up() { [ "$(promq 'up{job="sluice"}' "$(date +%s.%N)")" = 1.0 ]; }
lab_check "[prometheus] scraping sluice" lab_wait_until 30 "prometheus scraping" prom_up
lab_py_cli http-loop "$LAB_VIP" 80 /whoami -n 750 --gap 0.03 --timeout 3 >"$T/load.log"
read -r t_end client_rate < <("$LAB_PY" - "$T/load.log" <<'PY'
import sys
ts = [float(l.split()[1]) for l in open(sys.argv[1]) if len(l.split()) >= 5 and l.split()[4] == "200"]
q = ts[-1] - 3                  # inside the traffic, clear of its end
print(f"{q:.3f} {sum(1 for t in ts if q - 20 < t <= q) / 20:.3f}")
PY
)
# The scrapes rate() reads at t_end are in once one is stamped at or past
# it (3 s of traffic went on after t_end: usually at once).
# shellcheck disable=SC2317  # called through lab_wait_until
scraped_past() {
  awk -v ts="$(promq 'timestamp(sluice_vip_connections_total)' "$(date +%s.%N)")" \
    -v t="$t_end" 'BEGIN { exit !(ts >= t) }'
}
lab_wait_until 5 "a scrape at or past $t_end" scraped_past || true
prom_rate=$(promq 'sum(rate(sluice_vip_connections_total[20s]))' "$t_end")
echo "# client: $client_rate requests/s; prometheus rate(): $prom_rate (at $t_end)"
lab_exec lb curl -sS --max-time 5 -G "http://$PROM/api/v1/query" \
  --data-urlencode "query=sluice_vip_connections_total[25s]" --data-urlencode "time=$t_end" |
  lab_jget "[(v[0], v[1]) for v in r['data']['result'][0]['values']]" | sed 's/^/# samples: /'
"$LAB_PY" - "$T/load.log" "$t_end" <<'PY' | sed 's/^/# client: /'
import sys
q = float(sys.argv[2])
ts = [float(l.split()[1]) for l in open(sys.argv[1]) if len(l.split()) >= 5]
print([(int(q) - k, sum(1 for t in ts if t <= int(q) - k)) for k in range(24, -1, -2)])
PY
lab_check "[prometheus] rate() of the VIP's connections is the client's rate within 10%" \
  lab_share_ok "$prom_rate" "$client_rate" 1 0.10

# 4. Slow and many scrapers; stats probed meanwhile.
lab_exec lb "$LAB_PY" - "$LAB_SOCK" "${METRICS%:*}" "${METRICS#*:}" >"$T/stall.json" <<'PY'
import json, multiprocessing, os, socket, sys, threading, time
path, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
stop = time.monotonic() + 8

def scrape():
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    return data.startswith(b"HTTP/1.1 200")

def scrapers(q):
    """50 looping scrapers, a slow reader and a slow writer, in a process
    of their own: the probe below shares no interpreter lock with them.
    Niced, like a load generator should be: on this 2-core machine
    their own CPU use must not be what delays the control thread."""
    os.nice(10)
    res = {"served": 0, "failed": 0, "slow_read": 0, "slow_write": "none"}
    lock = threading.Lock()

    def many():
        while time.monotonic() < stop:
            try:
                ok = scrape()
            except OSError:
                ok = False
            with lock:
                res["served" if ok else "failed"] += 1
            time.sleep(0.05)

    def slow_reader():
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        s.settimeout(15)
        s.connect((host, port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        while time.monotonic() < stop:
            if s.recv(1):
                res["slow_read"] += 1
            time.sleep(1)
        s.close()

    def slow_writer():
        s = socket.create_connection((host, port), timeout=15)
        try:
            for b in b"GET /metrics HTTP/1.1\r\nHost: x\r\n":
                if time.monotonic() > stop:
                    break
                s.send(bytes([b]))
                time.sleep(1)
            res["slow_write"] = "sent"
        except OSError as e:
            res["slow_write"] = "closed by the server: %s" % e
        s.close()

    threads = [threading.Thread(target=f, daemon=True)
               for f in [slow_reader, slow_writer] + [many] * 50]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    q.put(res)

def stats_ms(c):
    t0 = time.monotonic()
    c.sendall(b'{"cmd":"stats"}\n')
    buf = b""
    while not buf.endswith(b"\n"):
        buf += c.recv(1 << 20)
    return (time.monotonic() - t0) * 1000

c = socket.socket(socket.AF_UNIX)
c.settimeout(5)
c.connect(path)
q = multiprocessing.Queue()
proc = multiprocessing.Process(target=scrapers, args=(q,))
proc.start()
lat = []
while time.monotonic() < stop:
    lat.append(stats_ms(c))
    time.sleep(0.02)
res = q.get(timeout=20)
proc.join(5)
res["probes"], res["probe_max_ms"] = len(lat), int(max(lat))
res["probe_median_ms"] = int(sorted(lat)[len(lat) // 2])
res["probe_p99_ms"] = int(sorted(lat)[len(lat) * 99 // 100])
print(json.dumps(res))
PY
raw=$(cat "$T/stall.json")
echo "# $raw"
j() { lab_jget "$1" <<<"$raw"; }
lab_check_cmp "[stall] stats probed while scraped" "$(j "r['probes']")" -ge 100
lab_check_cmp "[stall] slowest stats under 50 ms" "$(j "r['probe_max_ms']")" -lt 50
lab_check_cmp "[stall] 50 looping scrapers served" "$(j "r['served']")" -ge 100
lab_check_cmp "[stall] the slow reader got bytes" "$(j "r['slow_read']")" -ge 3
lab_check_eq "[stall] no scrape failed" "$(j "r['failed']")" 0
lab_check_eq "[stall] the slow writer's bytes all taken (no error)" "$(j "r['slow_write']")" sent
lab_check "[after] a scrape still answers" \
  lab_exec lb curl -sf --max-time 5 -o /dev/null "http://$METRICS/metrics"
lab_test_end
