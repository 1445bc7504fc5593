#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sequential HTTP requests, one connection each, for the namespace lab. Runs
# inside the client namespace (scripts/lab_lib.sh: lab_curl_loop).
#
#   lab_curl_loop.sh COUNT URL [GAP_SECONDS] [--local-port PORT]
#
# Prints one line per request, as soon as it finishes:
#   INDEX START END CURL_RC HTTP_CODE BODY LOCAL_PORT
# START/END are unix times; BODY is the answer with newlines removed and
# spaces as "_" ("-" when empty); LOCAL_PORT the client's port (0 if none). Every curl is bounded (--max-time), so the loop is bounded in time.
set -uo pipefail

count=${1:?count}
url=${2:?url}
gap=${3:-0}
shift $(( $# >= 3 ? 3 : $# ))
extra=("$@")

if [ "$count" -gt 100000 ]; then
  echo "lab_curl_loop.sh: count $count too large" >&2
  exit 2
fi

for (( i = 1; i <= count; i++ )); do
  t0=$EPOCHREALTIME
  out=$(curl -sS --max-time "${CURL_MAX_TIME:-5}" --connect-timeout "${CURL_CONNECT_TIMEOUT:-4}" \
          -H 'Connection: close' -w '\n%{http_code} %{local_port}' "${extra[@]}" "$url" 2>/dev/null)
  rc=$?
  t1=$EPOCHREALTIME
  tail=${out##*$'\n'}
  code=${tail%% *}
  lport=${tail##* }
  body=${out%$'\n'*}
  [ "$body" = "$out" ] && body=""
  body=${body//$'\n'/}
  body=${body// /_}
  echo "$i $t0 $t1 $rc ${code:-000} ${body:--} ${lport:-0}"
  if [ "$gap" != "0" ]; then
    sleep "$gap"
  fi
done
exit 0
