/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync and announcements as Prometheus text (metrics_cluster.c),
 * part of sl_metrics_render. Pure (jansson only).
 */
#ifndef SL_METRICS_CLUSTER_H
#define SL_METRICS_CLUSTER_H

#include <jansson.h>

#include "metrics_text.h"

/* The families of stats "cluster" and "announce" (none without them). */
void sl_metrics_cluster(struct sl_text *t, const json_t *stats);

#endif
