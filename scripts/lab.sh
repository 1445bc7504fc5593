#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The namespace lab from the command line (the functions live in lab_lib.sh).
#
#   lab.sh up [--servers N] [--prefix P] [--queues Q] [--no-apps] [--ipv6] [--hc]
#   lab.sh down [--prefix P]
#   lab.sh status [--prefix P]
#   lab.sh exec [--prefix P] ROLE CMD...      ROLE: cli, lb, sw, rs1..rsN
#   lab.sh sluice-start [--prefix P] [CONFIG] default: conf/lab.json with
#                                             the prefix's own socket
#                                             (/run/sluice-lab/P/sluice.sock)
#   lab.sh sluice-stop [--prefix P]
#   lab.sh ctl [--prefix P] SLUICECTL-ARGS... sluicectl on the started sluice's socket
#   lab.sh cluster-up [--prefix P]            the cluster lab (lab_cluster.sh): a BIRD
#                                             router, three nodes each running Sluice
#                                             and BIRD, two servers, session sync
#                                             between the nodes; `down` removes it
#   lab.sh cluster-ctl [--prefix P] I ARGS... sluicectl on node I
#   lab.sh cluster-kill [--prefix P] I        kill -9 of everything in node I's
#                                             namespace (Sluice and BIRD): a node lost
#
# Example:
#   scripts/lab.sh up --servers 2
#   scripts/lab.sh sluice-start
#   scripts/lab.sh ctl vip add 198.18.0.100:80
#   scripts/lab.sh ctl rs add 198.18.0.100:80 198.18.1.11:8080
#   scripts/lab.sh exec cli curl -s http://198.18.0.100/whoami
#   scripts/lab.sh down
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/lab_lib.sh"

usage() { sed -n '3,28s/^# \{0,1\}//p' "$0"; }

cmd=${1:-}
[ -n "$cmd" ] || { usage >&2; exit 2; }
shift
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) lab_set_prefix "$2"; shift 2 ;;
    --prefix=*) lab_set_prefix "${1#--prefix=}"; shift ;;
    *) if [ "$cmd" = exec ] || [ "$cmd" = ctl ] || [ "$cmd" = cluster-ctl ]; then args+=("$@"); break; fi
       args+=("$1"); shift ;;
  esac
done

case $cmd in
  # A lab that failed to come up leaves nothing running (its servers).
  up) lab_up "${args[@]}" || { lab_down; exit 1; } ;;
  down) lab_down; lab_log "down" ;;
  status)
    echo "prefix $LAB_PREFIX, run dir $LAB_RUN"
    mapfile -t nss < <(lab_namespaces)
    if [ ${#nss[@]} -eq 0 ]; then echo "no namespaces"; exit 0; fi
    for ns in "${nss[@]}"; do
      echo "== $ns (pids: $(ip netns pids "$ns" | tr '\n' ' '))"
      ip -n "$ns" -br addr show | grep -v '^lo ' || true
    done
    if lab_sluice_env; then echo "sluice pid ${LAB_SLUICE_PID:-?} socket ${LAB_SOCK:-?}"; fi
    ;;
  exec)
    [ ${#args[@]} -ge 2 ] || { echo "lab.sh exec ROLE CMD..." >&2; exit 2; }
    lab_exec "${args[@]}" ;;
  sluice-start)
    [ -d "$LAB_RUN" ] || { echo "lab.sh: no lab with prefix $LAB_PREFIX (lab.sh up first)" >&2; exit 1; }
    cfg=${args[0]:-}
    # Default: conf/lab.json with this prefix's own socket and EAL prefix.
    [ -n "$cfg" ] || cfg=$(lab_make_config)
    lab_sluice_start "$cfg"
    echo "sluice pid $LAB_SLUICE_PID, socket $LAB_SOCK, log $LAB_SLUICE_LOG" ;;
  sluice-stop) lab_sluice_stop ;;
  cluster-up)
    lab_cluster_up
    for i in $(seq "$LAB_CL_NODES"); do lab_cluster_node_start "$i"; done
    echo "router: birdc -s $(lab_cl_dir rt)/bird.ctl; nodes: lab.sh cluster-ctl I ..." ;;
  cluster-ctl)
    [ ${#args[@]} -ge 2 ] || { echo "lab.sh cluster-ctl I SLUICECTL-ARGS..." >&2; exit 2; }
    lab_cl_ctl "${args[@]}" ;;
  cluster-kill)
    [ ${#args[@]} -eq 1 ] || { echo "lab.sh cluster-kill I" >&2; exit 2; }
    lab_cluster_kill "${args[0]}" ;;
  ctl)
    lab_sluice_env || { echo "lab.sh: no sluice started with lab.sh sluice-start" >&2; exit 1; }
    slctl "${args[@]}" ;;
  -h | --help | help) usage ;;
  *) echo "lab.sh: unknown command $cmd" >&2; usage >&2; exit 2 ;;
esac
