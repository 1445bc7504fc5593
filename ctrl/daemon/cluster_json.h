/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The session-sync engine's state as JSON (cluster_json.c): the part of
 * cluster.status and of stats "cluster" that the engine knows.
 */
#ifndef SL_CLUSTER_JSON_H
#define SL_CLUSTER_JSON_H

#include <stdint.h>

#include <jansson.h>

#include "cluster.h"
#include "cluster_counters.h"

/* A counter of a list (cluster_counters.h) as a member of json_t *o,
 * read from the list's struct at `s`: what the JSON builders expand. */
#define SL_JSON_COUNTER(key, field, ...) \
	json_object_set_new(o, key, json_integer((json_int_t)s->field));

/* {"node", "sync_address", "sync_port", "ready", "peers": [{"name",
 * "address", "state", "ready", "dump_received", "last_heard_ms_ago",
 * "last_record_ms_ago", "local_addresses", "epoch", "workers", "workers_differ", "has_current_key", "counters": {...}}], "takeover":
 * [...], "counters": {...}}; `now` in ms, the engine's clock. NULL out
 * of memory. */
json_t *sl_cluster_json(const struct sl_cluster *c, uint64_t now);

#endif
