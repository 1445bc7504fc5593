/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tables a worker allocates for one address family or one feature.
 *
 * The connection table's extension pool, which every v6 connection
 * needs (conn_table.max_v6_connections), is allocated at start and
 * cannot grow while the workers run. A size the file gives is used as
 * it is; absent, it follows the file: 1/16 of max_connections when the
 * file has a v6 VIP, none when it has no v6 VIP, so a v4-only node
 * spends nothing on it (a v4 connection stays at 96 bytes, every
 * structure included). Adding the first v6 VIP later (sluicectl, config
 * apply, SIGHUP) to a node started without a pool is refused, naming the
 * setting to put in the file before restarting: never a VIP taken whose
 * every connection is then dropped for want of room.
 *
 * The SNAT host table (snat_options.max_hosts) is allocated with the
 * first SNAT rule, whenever that comes, or at start when the file sets
 * max_hosts (publish.c), so it needs no such care: only its size is
 * fixed at start. It is still counted in what a worker may cost
 * (sl_model_worker_bytes, logged at start): up to 96 MiB a worker at the
 * largest max_hosts, the operator's to plan for. Both are counted as
 * resident, each mapping in whole 2 MiB pages (mem.h).
 */
#include <stdio.h>

#include "addr.h"
#include "mem.h"
#include "model_internal.h"
#include "snat_hosts.h"

static bool has_v6_vip(const struct sl_model *m, uint32_t *which)
{
	for (uint32_t i = 0; i < m->nsvcs; i++)
		if (m->svcs[i].v6) {
			*which = i;
			return true;
		}
	return false;
}

void sl_model_size_tables(struct sl_model *m)
{
	uint32_t i;

	if (!m->max_conns_v6_given)
		m->max_conns_v6 = has_v6_vip(m, &i) ? SL_CT_EXT_DEFAULT(m->max_conns) : 0;
	/* A host with a mapping holds one of the worker's connections at
	 * least: more hosts than connections would never be used. */
	if (!m->snat_max_hosts_given)
		m->snat_max_hosts = m->max_conns < SL_SNAT_HOSTS_DEFAULT ? m->max_conns
									 : SL_SNAT_HOSTS_DEFAULT;
}

struct sl_worker_bytes sl_model_worker_bytes(const struct sl_model *m)
{
	struct sl_worker_bytes b = {
		/* Resident, not requested: each mapping is pre-faulted in
		 * whole 2 MiB pages (mem.h). */
		.conn_table = sl_ct_resident_bytes(m->max_conns, m->max_conns_v6),
		.snat_hosts = sl_mem_resident(sl_hosts_bytes(m->snat_max_hosts)),
	};
	b.total = b.conn_table + b.snat_hosts;
	return b;
}

int sl_model_room_v6(const struct sl_model *m, const struct sl_addr *vip,
		     sl_be16 port, const char *field, struct sl_err *err)
{
	char a[SL_ADDRPORT_STRLEN];

	if (m->max_conns_v6 > 0)
		return 0;
	return sl_err_set(err, SL_E_LIMIT, field,
			  "VIP %s is IPv6, and the workers have no room for v6 "
			  "connections (conn_table.max_v6_connections is 0: sized "
			  "at start, 0 when the config has no v6 VIP); set "
			  "conn_table.max_v6_connections in the config file and "
			  "restart sluice", sl_fmt_addrport(vip, port, a));
}

int sl_model_keep_sizes(const struct sl_model *running, struct sl_model *next,
			struct sl_err *err)
{
	uint32_t i;

	if (!next->max_conns_v6_given)
		next->max_conns_v6 = running->max_conns_v6;
	if (!next->snat_max_hosts_given)
		next->snat_max_hosts = running->snat_max_hosts;
	if (!has_v6_vip(next, &i))
		return 0;
	struct sl_addr vip = sl_model_svc_vip(&next->svcs[i]);
	return sl_model_room_v6(next, &vip, next->svcs[i].port,
				"conn_table.max_v6_connections", err);
}
