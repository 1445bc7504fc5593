/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How many SNAT mappings each inside host holds on this worker, so that
 * one host cannot take the whole pool (RFC 4787's concern about port
 * exhaustion by a single host). One table per worker, no sharing: a
 * host's mappings are spread over workers by inside port, so each worker
 * enforces its share of the configured limit.
 *
 * Open addressing with linear probing; a host whose count drops to zero
 * is removed by shifting later entries back, so lookups never meet
 * tombstones and the table never fills with dead hosts.
 */
#ifndef SL_SNAT_HOSTS_H
#define SL_SNAT_HOSTS_H

#include "dp_types.h"

struct sl_host_count {
	sl_be32 ip;        /* 0: empty */
	uint32_t count;
};

struct sl_host_table {
	struct sl_host_count *slots;
	uint32_t mask;
	uint32_t used;
};

/* Room for `hosts` distinct hosts (the table is twice that). 0 or -1. */
int sl_hosts_init(struct sl_host_table *t, uint32_t hosts);
void sl_hosts_free(struct sl_host_table *t);

/* Count one more mapping for `ip` unless it already has `limit` (or the
 * table has no room for a new host). True if counted. */
bool sl_hosts_charge(struct sl_host_table *t, sl_be32 ip, uint32_t limit);
/* One mapping of `ip` is gone. */
void sl_hosts_release(struct sl_host_table *t, sl_be32 ip);
uint32_t sl_hosts_count(const struct sl_host_table *t, sl_be32 ip);

#endif
