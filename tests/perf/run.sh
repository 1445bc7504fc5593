#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make bench`: run build/sluice-bench on two lcores and write
# build/bench.json. Extra arguments go to the benchmark, e.g.
#   tests/perf/run.sh --seconds 8 --only baseline,established_1m
# BENCH_SECONDS sets the time per run (default 2; each scenario runs 3
# times, --runs N to change). Exits 3 if a scenario lost frames.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=build/sluice-bench
[ -x "$bin" ] || { echo "run.sh: $bin missing (make bench builds it)" >&2; exit 1; }

cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then lcores="0@0,1@1"; else lcores="(0-1)@0"; fi

# --no-huge: the big tables are the benchmark's own anonymous memory
# (transparent huge pages), not DPDK's heap, so no hugetlbfs is needed.
exec "$bin" --no-huge -m 2048 --no-pci --file-prefix "sl-bench-$$" \
  --no-telemetry --lcores="$lcores" --log-level=notice -- \
  --seconds "${BENCH_SECONDS:-2}" --json build/bench.json "$@"
