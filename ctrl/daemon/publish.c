/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Model -> snapshot -> workers.
 *
 * The snapshot is built whole from the model, published with one
 * release store (after the neighbor table, publish_neigh.c, rebuilt with
 * it so that it always matches the model's ports and static entries), and the old one is freed only after
 * rte_rcu_qsbr_synchronize() has seen every worker pass a quiescent state
 * (or be offline), i.e. after no worker can still hold a pointer to it.
 * Workers report a quiescent state once per loop iteration, between
 * bursts, so the wait is a few microseconds when they are busy and nil
 * when they sleep (they go offline first).
 */
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "clock.h"
#include "ctl.h"
#include "log.h"
#include "snapshot6.h"

uint64_t sl_ctl_now_ms(void)
{
	return sl_mono_ms();
}

/* Port p's v6 address and its v6 local addresses, appended to lips6
 * (grouped by port, as the v4 ones). */
static void fill_port6(struct sl_snapshot *s, const struct sl_model *m,
		       uint32_t p)
{
	struct sl_snap_port *sp = &s->ports[p];

	if (m->ports[p].ip6.af == SL_AF_V6) {
		memcpy(sp->ip6, m->ports[p].ip6.v6, 16);
		sp->plen6 = m->ports[p].plen6;
	}
	sp->lip6_first = (uint16_t)s->nlips6;
	for (uint32_t l = 0; l < m->nladdrs6; l++) {
		if (m->laddrs6[l].port != p)
			continue;
		struct sl_snap6_lip *lip = &s->lips6[s->nlips6++];
		memcpy(lip->ip, m->laddrs6[l].ip, 16);
		lip->slot = m->laddrs6[l].slot;
		lip->port = (uint8_t)p;
	}
	sp->nlips6 = (uint8_t)(s->nlips6 - sp->lip6_first);
}

_Static_assert(SL_MAX_PEER_LADDRS <= SL_SNAP_SYNCED_MAX,
	       "every peer local address fits in the snapshot");

/* The peers' local addresses (session sync): replies to them are taken
 * and steered, never answered for (snapshot.h). */
static void fill_synced(struct sl_snapshot *s, const struct sl_model *m)
{
	for (uint32_t i = 0; i < m->npeer_laddrs; i++) {
		const struct sl_addr *a = &m->peer_laddrs[i];
		struct sl_snap_synced *y = &s->synced[i];
		y->v6 = a->af == SL_AF_V6;
		if (y->v6)
			memcpy(y->ip, a->v6, 16);
		else
			memcpy(y->ip, &a->v4, 4);
	}
	s->nsynced = m->npeer_laddrs;
}

static void fill_ports(struct sl_snapshot *s, const struct sl_ctl *ctl,
		       const struct sl_model *m)
{
	uint32_t nl = 0;

	s->nports = m->nports;
	for (uint32_t p = 0; p < m->nports; p++) {
		struct sl_snap_port *sp = &s->ports[p];
		sp->ip = m->ports[p].ip;
		sp->plen = m->ports[p].plen;
		sp->mask = sl_prefix_mask(sp->plen);
		memcpy(sp->mac, ctl->ports[p].mac, 6);
		_Static_assert(SL_SNAP_HOST_ADDRS == SL_HOSTIF_ADDRS, "host addresses");
		sp->nhost = m->ports[p].nhost_addrs;
		for (unsigned i = 0; i < sp->nhost; i++)
			sp->host[i] = m->ports[p].host_addrs[i].ip;
		/* Local addresses grouped by port, so a port's are a range. */
		sp->lip_first = (uint16_t)nl;
		for (uint32_t l = 0; l < m->nladdrs; l++) {
			if (m->laddrs[l].port != p)
				continue;
			s->lips[nl].ip = m->laddrs[l].ip;
			s->lips[nl].slot = m->laddrs[l].slot;
			s->lips[nl].port = (uint8_t)p;
			nl++;
		}
		sp->nlips = (uint8_t)(nl - sp->lip_first);
		fill_port6(s, m, p);
	}
	s->nlips = nl;
}

static void add_route(struct sl_snapshot *s, sl_be32 prefix, uint8_t plen,
		      sl_be32 via, uint8_t port)
{
	/* Insertion keeps the array longest-prefix first (the dataplane
	 * takes the first match); among equals, the earlier one wins. */
	uint32_t i = s->nroutes++;
	while (i > 0 && s->routes[i - 1].plen < plen) {
		s->routes[i] = s->routes[i - 1];
		i--;
	}
	s->routes[i] = (struct sl_snap_route){
		.prefix = prefix & sl_prefix_mask(plen),
		.mask = sl_prefix_mask(plen),
		.via = via,
		.plen = plen,
		.port = port,
	};
}

static void add_route6(struct sl_snapshot *s, const uint8_t prefix[16],
		       uint8_t plen, const uint8_t via[16], uint8_t port)
{
	/* Longest prefix first, as add_route. */
	uint32_t i = s->nroutes6++;
	while (i > 0 && s->routes6[i - 1].plen < plen) {
		s->routes6[i] = s->routes6[i - 1];
		i--;
	}
	struct sl_snap6_route *r = &s->routes6[i];
	memset(r, 0, sizeof(*r));
	for (unsigned b = 0; b < plen; b++)
		r->prefix[b / 8] |= prefix[b / 8] & (uint8_t)(0x80u >> (b % 8));
	if (via)
		memcpy(r->via, via, 16);
	r->plen = plen;
	r->port = port;
}

/* Ports' v6 prefixes (connected), then the configured v6 routes. */
static void fill_routes6(struct sl_snapshot *s, const struct sl_model *m)
{
	for (uint32_t p = 0; p < m->nports; p++)
		if (m->ports[p].ip6.af == SL_AF_V6)
			add_route6(s, m->ports[p].ip6.v6, m->ports[p].plen6,
				   NULL, (uint8_t)p);
	for (uint32_t r = 0; r < m->nroutes6; r++)
		add_route6(s, m->routes6[r].prefix, m->routes6[r].plen,
			   m->routes6[r].via, m->routes6[r].port);
}

static void fill_routes(struct sl_snapshot *s, const struct sl_model *m)
{
	for (uint32_t p = 0; p < m->nports; p++)
		if (m->ports[p].ip)
			add_route(s, m->ports[p].ip, m->ports[p].plen, 0, (uint8_t)p);
	for (uint32_t r = 0; r < m->nroutes; r++)
		add_route(s, m->routes[r].prefix, m->routes[r].plen,
			  m->routes[r].via, m->routes[r].port);
}

/* Services, servers and pick tables (publish_svc.c); the snapshot's
 * references to the tables go into `picks`. */
static void fill_services(struct sl_ctl *ctl, struct sl_snapshot *s,
			  const struct sl_model *m, struct sl_pick_set *picks)
{
	uint32_t nrs = 0;

	s->nsvcs = m->nsvcs;
	sl_pick_cache_begin(&ctl->picks);
	for (uint32_t v = 0; v < m->nsvcs; v++) {
		sl_ctl_svc_fill(ctl, &m->svcs[v], s, v, nrs, &picks->t[v]);
		nrs += m->svcs[v].nrs;
	}
}

static void fill_snat(struct sl_snapshot *s, const struct sl_model *m,
		      uint32_t nworkers)
{
	memcpy(s->snat_timeouts_ms, m->snat_timeouts_ms, sizeof(s->snat_timeouts_ms));
	/* Each worker holds its share of a host's mappings (snat_hosts.h). */
	s->snat_host_limit = (m->snat_host_limit + nworkers - 1) / nworkers;
	s->snat_icmp_on_exhaustion = m->snat_icmp_on_exhaustion;
	for (uint32_t r = 0; r < m->nsnat; r++) {
		const struct sl_model_snat *ms = &m->snat[r];
		struct sl_snap_snat rule = {
			.src = ms->src,
			.mask = sl_prefix_mask(ms->plen),
			.plen = ms->plen,
			.filtering = ms->filtering,
			.port = ms->port,
			.npool = ms->npool,
			.pool_first = (uint16_t)s->npool,
		};
		for (unsigned k = 0; k < ms->npool; k++)
			s->pool[s->npool++] = (struct sl_snap_pool){
				.ip = sl_htonl(sl_ntohl(ms->pool_first) + k),
				.slot = ms->slots[k],
				.port = ms->port,
				.filtering = ms->filtering,
			};
		/* Longest prefix first, like the routes. */
		uint32_t i = s->nsnat++;
		while (i > 0 && s->snat[i - 1].plen < rule.plen) {
			s->snat[i] = s->snat[i - 1];
			i--;
		}
		s->snat[i] = rule;
	}
}

/* One past the highest real-server id: the snapshot's id index is
 * sized to it. */
static uint32_t rs_ids(const struct sl_model *m)
{
	uint32_t n = 0;

	for (uint32_t v = 0; v < m->nsvcs; v++)
		for (uint32_t r = 0; r < m->svcs[v].nrs; r++)
			if (m->svcs[v].rs[r].id >= n)
				n = m->svcs[v].rs[r].id + 1u;
	return n;
}

/* The v6 half's counts: all 0 for a v4-only model, which then pays
 * nothing for it (sl_snap_alloc). */
static void count6(const struct sl_model *m, struct sl_snap_sizes *sz)
{
	for (uint32_t v = 0; v < m->nsvcs; v++)
		sz->nsvcs6 += m->svcs[v].v6;
	sz->nlips6 = m->nladdrs6;
	sz->nroutes6 = m->nroutes6;
	for (uint32_t p = 0; p < m->nports; p++)
		sz->nroutes6 += m->ports[p].ip6.af == SL_AF_V6;
}

static struct sl_snapshot *build(struct sl_ctl *ctl, const struct sl_model *m,
				 struct sl_pick_set *picks, struct sl_err *err)
{
	struct sl_snap_sizes sz = {
		.nsvcs = m->nsvcs,
		.nrs = m->nrs_total,
		.nlips = m->nladdrs,
		.nroutes = m->nports + m->nroutes,
		.nsnat = m->nsnat,
		.nrs_ids = rs_ids(m),
	};
	for (uint32_t r = 0; r < m->nsnat; r++)
		sz.npool += m->snat[r].npool;
	count6(m, &sz);
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	if (s == NULL || sl_pick_set_init(picks, m->nsvcs) != 0) {
		sl_snap_free(s);
		sl_err_set(err, SL_E_INTERNAL, "", "out of memory building the snapshot");
		return NULL;
	}
	s->generation = ++ctl->generation;
	memcpy(s->timeouts_ms, m->timeouts_ms, sizeof(s->timeouts_ms));
	s->icmp_mtu_floor = (uint16_t)m->icmp_mtu_floor;
	s->flush_resets_per_sec = m->flush_resets_per_sec;
	fill_ports(s, ctl, m);
	fill_routes(s, m);
	fill_routes6(s, m);
	fill_services(ctl, s, m, picks);
	fill_snat(s, m, m->workers);
	fill_synced(s, m);
	if (sl_snap_index(s) != 0) {
		sl_err_set(err, SL_E_INTERNAL, "", "inconsistent snapshot");
		sl_pick_set_drop(picks);
		sl_snap_free(s);
		return NULL;
	}
	return s;
}

/* The workers' SNAT host tables are allocated with the first rule, or
 * at start when the file sets snat_options.max_hosts (a node without
 * SNAT pays nothing for them); the workers see them with the snapshot
 * that has the rule, which the exchange publishing it orders after them.
 * Pre-faulting up to 96 MiB a worker holds this thread: at start that is
 * before the control loop, at a first rule added at runtime it delays
 * heartbeats and sync, so it is timed and said. */
static int snat_ready(struct sl_ctl *ctl, const struct sl_model *m, struct sl_err *err)
{
	char why[160];

	if ((m->nsnat == 0 && !m->snat_max_hosts_given) || sl_workers_snat_allocated(ctl->dp))
		return 0; /* every worker's, not the first's: one that failed is tried again */
	uint64_t t0 = sl_mono_ms();
	if (sl_workers_snat_ready(ctl->dp, why, sizeof(why)) != 0)
		return sl_err_set(err, SL_E_INTERNAL, "snat_options.max_hosts", "%s", why);
	uint64_t ms = sl_mono_ms() - t0;
	sl_info("SNAT host tables allocated and pre-faulted in %llu ms (%.1f MiB a "
		"worker, %u workers)", (unsigned long long)ms,
		(double)sl_hosts_mem(&ctl->dp->workers[0]->hosts) / (1 << 20),
		ctl->dp->nworkers);
	if (m->cluster.on && ms > m->cluster.dead_ms / 2)
		sl_warn("the SNAT host tables took %llu ms, over half of "
			"cluster.timers.dead_ms (%u): peers may have taken this node "
			"for dead; set snat_options.max_hosts in the config file to "
			"allocate them at start", (unsigned long long)ms,
			m->cluster.dead_ms);
	return 0;
}

int sl_ctl_publish(struct sl_ctl *ctl, const struct sl_model *m,
		   struct sl_err *err)
{
	struct sl_pick_set picks;
	struct sl_snapshot *fresh = build(ctl, m, &picks, err);
	struct sl_neigh_view *neigh = NULL;
	struct sl_xdp_tables xdp_table = SL_XDP_TABLES_NONE;
	if (fresh == NULL)
		return -1;
	/* What can fail happens before anything is visible. */
	if (snat_ready(ctl, m, err) != 0 || (neigh = sl_ctl_neigh_build(ctl, m, err)) == NULL ||
	    (ctl->xdp_prepare && ctl->xdp_prepare(ctl, fresh, &xdp_table, err) != 0)) {
		sl_neigh_view_free(neigh);
		sl_pick_set_drop(&picks);
		sl_snap_free(fresh);
		return -1;
	}
	/* Neighbors first: a worker that sees this snapshot sees them. */
	sl_ctl_neigh_swap(ctl, neigh);
	struct sl_snapshot *old = __atomic_exchange_n(&ctl->dp->snapshot, fresh,
						      __ATOMIC_ACQ_REL);
	if (old) {
		rte_rcu_qsbr_synchronize(ctl->dp->qsbr, RTE_QSBR_THRID_INVALID);
		sl_snap_free(old);
	}
	/* No worker reads the old snapshot now: drop its tables, and the
	 * cache's of services this snapshot does not have. */
	sl_pick_set_drop(&ctl->picks_live);
	ctl->picks_live = picks;
	sl_pick_cache_sweep(&ctl->picks);
	ctl->publishes++;
	if (ctl->xdp_commit)
		ctl->xdp_commit(ctl, m, xdp_table);
	if (ctl->flow_sync)
		ctl->flow_sync(ctl, m); /* replies to a new address may use its rules */
	sl_debug("published snapshot %lu (%u services, %u real servers)",
		 (unsigned long)fresh->generation, m->nsvcs, m->nrs_total);
	return 0;
}

void sl_ctl_snapshot_free(struct sl_ctl *ctl)
{
	sl_snap_free(ctl->dp->snapshot);
	ctl->dp->snapshot = NULL;
	sl_pick_set_drop(&ctl->picks_live);
	sl_pick_cache_free(&ctl->picks);
}
