/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's session-sync state (ctl_cluster.c), shared with
 * cluster.status (cmd_cluster.c).
 */
#ifndef SL_CTL_CLUSTER_H
#define SL_CTL_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster.h"
#include "ctl.h"

struct sl_ctl_cluster {
	struct sl_cluster *c;
	/* What the callbacks were handed (cluster.status). */
	uint64_t installs, dump_requests, refreshes, takeover_calls;
	/* The workers walk for one dump or refresh at a time (ctl_sync.h):
	 * peers whose dump waits, a refresh that waits, and the peer the
	 * running full walk is for (-1: none, or a refresh). */
	bool dump_wanted[SL_CLUSTER_MAX_PEERS];
	bool refresh_wanted;
	int walk_peer;
};

#endif
