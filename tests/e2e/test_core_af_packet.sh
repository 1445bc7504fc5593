#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The core full-NAT scenario (scripts/lab_drivers.sh) on net_af_packet, the
# lab's default driver: the same checks test_core_af_xdp.sh and
# test_core_virtio.sh run on their drivers.
# e2e-timeout: 90
set -euo pipefail
# shellcheck source=scripts/lab_lib.sh
. "$(dirname "$0")/../../scripts/lab_lib.sh"
# shellcheck source=scripts/lab_drivers.sh
. "$(dirname "$0")/../../scripts/lab_drivers.sh"

lab_test_begin core_af_packet
lab_std_start --servers 2
lab_core_scenario 100
lab_test_end
