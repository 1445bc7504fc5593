/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sluice's numbers on DPDK's telemetry socket, beside ethdev's:
 * /sluice/stats (totals), /sluice/drops (drops by reason),
 * /sluice/workers and /sluice/vips (one array per counter, indexed by
 * worker or VIP), read with dpdk-telemetry.py -f FILE_PREFIX.
 *
 * The callbacks run in DPDK's telemetry thread, so they never look at the
 * model or the workers: the control thread renders `stats` (the same
 * document the control socket answers; shared with /metrics,
 * sl_ctl_stats_doc) at most once a second, and only while commands come
 * (within SL_TELEMETRY_IDLE_MS), and swaps it in under a mutex; a
 * callback holds the mutex only while it copies from the rendered
 * document, or, when that is older than SL_TELEMETRY_STALE_MS, waits at
 * most a second for the render it asked for. Nothing is rendered under
 * --no-telemetry or while nobody asks.
 */
#ifndef SL_TELEMETRY_H
#define SL_TELEMETRY_H

#include "ctl.h"

#define SL_TELEMETRY_EVERY_MS 1000
#define SL_TELEMETRY_IDLE_MS 10000
#define SL_TELEMETRY_STALE_MS 2000

/* Register the /sluice/ commands (after rte_eal_init). `on`: EAL runs
 * its telemetry socket (no --no-telemetry); otherwise nothing is
 * registered or rendered. 0, or -1 with errbuf. */
int sl_telemetry_init(bool on, char *errbuf, size_t errlen);
/* From the control loop: render again when the last is a second old. */
void sl_telemetry_tick(struct sl_ctl *ctl);
/* At the end (the callbacks then answer with an error). */
void sl_telemetry_free(void);

#endif
