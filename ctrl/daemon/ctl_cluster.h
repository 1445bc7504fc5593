/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's session-sync state (ctl_cluster.c), shared with
 * cluster.status (cmd_cluster.c).
 */
#ifndef SL_CTL_CLUSTER_H
#define SL_CTL_CLUSTER_H

#include <stdint.h>

#include "cluster.h"
#include "ctl.h"

struct sl_ctl_cluster {
	struct sl_cluster *c;
	/* What the callbacks were handed, while they only count. */
	uint64_t installs, dump_requests, refreshes, takeover_calls;
};

#endif
