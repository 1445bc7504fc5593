/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real server of a new connection: the service's scheduler over its
 * pick table (sched.h), behind persistence templates when the service
 * has a persistence timeout (persist.h). Everything here is per worker:
 * cursors, own connection counts, the template cache; the only shared
 * things it reads are the snapshot, the published template view and the
 * other workers' counts as the control thread last summed them.
 */
#include <string.h>

#include <rte_ring.h>

#include "sched.h"
#include "worker.h"

/* The client key the hash schedulers and persistence templates use: a
 * v4 client's address; a v6 client's first `plen6` bits hashed whole
 * into one word (sl_sched_client6): all 128 for sh and mh, the
 * service's persistence netmask for templates, so one /plen6 keeps one
 * template. Two v6 keys alike (odds 2^-32) share a template, as two
 * clients sharing an sh bucket share a server. */
static sl_be32 client_of(const struct sl_pkt *pkt, uint8_t plen6)
{
	if (sl_likely(pkt->kind != SL_PKT_IPV6))
		return pkt->key.saddr;
	return sl_sched_client6(pkt->ip6->saddr, plen6);
}

static uint16_t schedule(struct sl_worker *w, const struct sl_snap_svc *svc,
			 const struct sl_pkt *pkt)
{
	uint32_t h;

	switch (svc->sched) {
	case SL_SCHED_SH:
	case SL_SCHED_MH:
		h = sl_sched_client_hash(client_of(pkt, 128), pkt->key.sport,
					 svc->flags & SL_SVC_HASH_PORTS);
		return svc->seq[sl_sched_scale(h, svc->seq_len)];
	case SL_SCHED_LC:
	case SL_SCHED_WLC:
		return sl_sched_least(svc->rs, svc->seq, svc->seq_len, w->lc_others,
				      w->rs_active, w->sched_cursor[svc->id]++,
				      svc->sched == SL_SCHED_WLC);
	default:
		return svc->seq[w->sched_cursor[svc->id]++ % svc->seq_len];
	}
}

/*
 * A client with no template anywhere: every worker must make the same
 * first choice, since two of its first connections may land on two
 * workers before any template can reach both. Where the pick table is a
 * distribution (rr, wrr: their sequences; sh, mh) it is indexed by the
 * hash of the client's address, as sh does, so every worker picks the
 * same server in proportion to weight. lc and wlc pick by load, which
 * workers see differently: there two first connections may differ, and
 * the merged template settles the client from its next connection.
 */
static uint16_t first_pick(struct sl_worker *w, const struct sl_snap_svc *svc,
			   const struct sl_pkt *pkt, sl_be32 client)
{
	if (svc->sched == SL_SCHED_LC || svc->sched == SL_SCHED_WLC)
		return schedule(w, svc, pkt);
	uint32_t h = sl_sched_client_hash(client, 0, false);
	return svc->seq[sl_sched_scale(h, svc->seq_len)];
}

/* Tell the control thread about a template. A full ring only delays
 * agreement between workers (counted); the cache still holds it. */
static void report(struct sl_worker *w, const struct sl_snap_svc *svc,
		   struct sl_persist_entry *e)
{
	struct rte_ring *r = w->dp->persist_ring;
	struct sl_persist_report rep = {
		.ip = e->ip, .svc_id = e->svc_id, .rs_id = e->rs_id,
		.at_ms = w->now_ms, .persist_ms = svc->persist_ms,
	};

	if (r == NULL)
		return;
	if (rte_ring_mp_enqueue_elem(r, &rep, sizeof(rep)) != 0) {
		w->stats.persist_lost++;
		return;
	}
	e->stamp_ms = w->now_ms;
}

static const struct sl_snap_rs *persistent(struct sl_worker *w,
					   const struct sl_snap_svc *svc,
					   const struct sl_pkt *pkt)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_persist_table *t =
		__atomic_load_n(&w->dp->persist, __ATOMIC_ACQUIRE);
	sl_be32 client = client_of(pkt, svc->persist_plen6);
	const struct sl_snap_rs *rs = NULL;
	uint16_t merged_rs;

	/* The merged choice every worker follows first; then this worker's
	 * own, which the table may not have caught up with. A template whose
	 * server takes no new connections is passed over. */
	if (t && sl_persist_table_find(t, svc->id, client, w->now_ms, &merged_rs))
		rs = sl_snap_svc_rs(s, svc, merged_rs);
	struct sl_persist_entry *e =
		sl_persist_cache_find(&w->persist, svc->id, client, w->now_ms);
	if (!rs && e)
		rs = sl_snap_svc_rs(s, svc, e->rs_id);
	if (!rs)
		rs = &svc->rs[first_pick(w, svc, pkt, client)];

	bool changed = !e || e->rs_id != rs->id;
	if (!e)
		e = sl_persist_cache_slot(&w->persist, svc->id, client, w->now_ms);
	e->rs_id = rs->id;
	e->expire_ms = w->now_ms + svc->persist_ms;
	if (changed || w->now_ms - e->stamp_ms >= SL_PERSIST_REPORT_MS)
		report(w, svc, e);
	return rs;
}

const struct sl_snap_rs *sl_worker_pick(struct sl_worker *w,
					const struct sl_snap_svc *svc,
					const struct sl_pkt *pkt)
{
	if (svc->persist_ms)
		return persistent(w, svc, pkt);
	return &svc->rs[schedule(w, svc, pkt)];
}
