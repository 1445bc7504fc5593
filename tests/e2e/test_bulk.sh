#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bulk transfer through the VIP, both directions: a 64 MiB random file
# downloaded and uploaded, sha256 equal on both sides.
# e2e-timeout: 150
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"

MIB=${MIB:-64}

lab_test_begin bulk
lab_std_start --servers 2

lab_check "vip add $LAB_VIP:80, two real servers" \
  lab_vip_setup "$LAB_VIP:80" wrr "$(lab_rs_ip 1):8080:1" "$(lab_rs_ip 2):8080:1"

big=$LAB_RUN/files/big.bin
head -c "$((MIB * 1024 * 1024))" /dev/urandom >"$big"
want=$(sha256sum "$big" | cut -d' ' -f1)
size=$(stat -c %s "$big")

# Download: server -> client.
t0=$EPOCHREALTIME
if CURL_MAX_TIME=150 lab_curl -o "$T/down.bin" "http://$LAB_VIP/files/big.bin" 2>"$T/curl.err"; then
  t1=$EPOCHREALTIME
  got=$(sha256sum "$T/down.bin" | cut -d' ' -f1)
  gsize=$(stat -c %s "$T/down.bin")
  rate=$(awk -v s="$size" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f MB/s", s/1e6/(b-a)}')
  lab_check_eq "download of $MIB MiB complete ($rate)" "$gsize" "$size"
  lab_check_eq "download sha256 equal on both sides" "$got" "$want"
else
  lab_not_ok "download of $MIB MiB through the VIP" "$(cat "$T/curl.err")"
fi
rm -f "$T/down.bin"

# Upload: client -> server; the server answers "rsI SHA256 LENGTH".
t0=$EPOCHREALTIME
if ans=$(CURL_MAX_TIME=150 lab_curl -H 'Expect:' -T "$big" "http://$LAB_VIP/sha256" 2>"$T/curl.err"); then
  t1=$EPOCHREALTIME
  rate=$(awk -v s="$size" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f MB/s", s/1e6/(b-a)}')
  read -r who gsum glen <<<"$ans"
  lab_check_eq "upload of $MIB MiB complete, answered by ${who:-?} ($rate)" "${glen:-}" "$size"
  lab_check_eq "upload sha256 equal on both sides" "${gsum:-}" "$want"
else
  lab_not_ok "upload of $MIB MiB through the VIP" "$(cat "$T/curl.err")"
fi

stats=$(lab_stats)
bin=$(lab_jget "r['vips'][0]['bytes_in']" <<<"$stats")
bout=$(lab_jget "r['vips'][0]['bytes_out']" <<<"$stats")
lab_check_cmp "stats vips[0].bytes_out (server to client) >= file size" "$bout" -ge "$size"
lab_check_cmp "stats vips[0].bytes_in (client to server) >= file size" "$bin" -ge "$size"
echo "# non-zero drops: $(lab_jget "{k: v for k, v in r['drops'].items() if v}" <<<"$stats")"
echo "# per worker: $(lab_jget "[(w['worker'], w['rx_packets'], w['steered_in'], w['steered_out'], {k: v for k, v in w['drops'].items() if v}) for w in r['workers']]" <<<"$stats")"

lab_test_end
