/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's life outside the packet path: creation, the rings that join
 * it to the other workers and to the control thread, adopting a new
 * snapshot, and answering control messages (connection dumps, ARP
 * probes). Dumps are done a slice per loop iteration so that listing a
 * million connections never stalls forwarding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "arp.h"
#include "conn6.h"
#include "mem.h"
#include "worker6.h"
#include "worker_sync.h"

#define DUMP_SLICE 4096 /* pool entries scanned per loop iteration */

struct sl_worker *sl_worker_create(struct sl_dataplane *dp,
				   const struct sl_worker_params *p,
				   char *errbuf, size_t errlen)
{
	struct sl_worker *w = aligned_alloc(SL_CACHE_LINE, sizeof(*w));
	if (w == NULL)
		goto nomem;
	memset(w, 0, sizeof(*w));
	w->dp = dp;
	w->id = p->id;
	w->nworkers = (uint16_t)dp->nworkers;
	w->idle_sleep_us = p->idle_sleep_us;
	w->idle_empty_polls = p->idle_empty_polls;
	w->parse_verify = SL_PARSE_VERIFY_IP_CSUM |
			  (p->verify_l4_csum ? SL_PARSE_VERIFY_L4_CSUM : 0);
	w->tsc_per_ms = rte_get_tsc_hz() / 1000;
	w->snap_generation = UINT64_MAX;
	w->ip_id = sl_worker_ip_id_seed(p->ip_id_base, w->id, w->nworkers);
	/* Packets waiting for ARP keep their buffers: all workers' together
	 * may take half the pool at most, or a flood towards a next hop that
	 * never answers (SYNs to a VIP whose server is gone, spread over every
	 * worker by their flows' owners) would leave nothing to receive with
	 * until they time out. Only a pool set small (limits.mbufs) is short
	 * of SL_HOLD_MAX per worker. */
	w->hold_max = dp->pool->size / (2 * dp->nworkers);
	if (w->hold_max > SL_HOLD_MAX)
		w->hold_max = SL_HOLD_MAX;
	if (w->hold_max == 0)
		w->hold_max = 1;

	w->svc_stats = calloc(SL_MAX_SVC, sizeof(*w->svc_stats));
	w->rs_stats = calloc(SL_MAX_RS, sizeof(*w->rs_stats));
	w->sched_cursor = calloc(SL_MAX_SVC, sizeof(*w->sched_cursor));
	w->rs_active = calloc(SL_MAX_RS, sizeof(*w->rs_active));
	w->lc_others = calloc(SL_MAX_RS, sizeof(*w->lc_others));
	w->lips = calloc(SL_MAX_LIPS, sizeof(*w->lips));
	/* Room for the widest range a slot can have: a pool's 1-65535. */
	w->lip_words = sl_portmap_words(1, 65535, w->nworkers);
	w->lip_bits = calloc((size_t)SL_MAX_LIPS * w->lip_words, sizeof(uint64_t));
	if (!w->svc_stats || !w->rs_stats || !w->sched_cursor || !w->lips ||
	    !w->lip_bits || !w->rs_active || !w->lc_others ||
	    sl_persist_cache_init(&w->persist, SL_PERSIST_CACHE) != 0)
		goto nomem;
	for (uint32_t s = 0; s < SL_MAX_SVC; s++)
		w->sched_cursor[s] = w->id; /* workers start apart */
	for (unsigned l = 0; l < SL_MAX_LIPS; l++)
		if (sl_portmap_init(&w->lips[l].pm, w->lip_bits + l * w->lip_words,
				    p->lport_lo, p->lport_hi, w->nworkers, w->id) != 0) {
			snprintf(errbuf, errlen,
				 "local port range %u-%u leaves worker %u no port",
				 p->lport_lo, p->lport_hi, w->id);
			goto fail;
		}
	sl_port_share_init(&w->lports, p->lport_lo, p->lport_hi, w->nworkers, w->id);
	sl_hosts_plan(&w->hosts, p->snat_hosts); /* allocated with the first SNAT rule */
	int rc = sl_ct_init_ext(&w->ct, p->max_conns, p->max_conns_v6,
				(uint32_t)(rte_rdtsc() / w->tsc_per_ms));
	if (rc != 0) {
		snprintf(errbuf, errlen,
			 "worker %u: cannot allocate a table for %u connections "
			 "(%u of them v6)", w->id, p->max_conns, p->max_conns_v6);
		goto fail;
	}
	return w;
nomem:
	snprintf(errbuf, errlen, "worker %u: out of memory", p->id);
fail:
	sl_worker_destroy(w);
	return NULL;
}

int sl_worker_reset(struct sl_worker *w)
{
	/* Only the maps with a port taken: each is 8 KB of bits, and the
	 * fuzzer resets between every two inputs (nfree counts the bits
	 * set, so a map with every port free has none set). */
	for (unsigned l = 0; l < SL_MAX_LIPS; l++) {
		struct sl_portmap *pm = &w->lips[l].pm;
		if (pm->nfree != pm->nbits)
			sl_portmap_reset(pm);
		pm->cursor = 0;
	}
	/* The per-host SNAT mapping counts and the per-server connection
	 * counts went with the connections. */
	sl_hosts_clear(&w->hosts);
	memset(w->rs_active, 0, SL_MAX_RS * sizeof(*w->rs_active));
	if (w->sync)
		sl_worker_sync_reset(w);
	sl_ct_clear(&w->ct, (uint32_t)(rte_rdtsc() / w->tsc_per_ms) + w->clock_skew_ms);
	return 0;
}

void sl_worker_destroy(struct sl_worker *w)
{
	if (w == NULL)
		return;
	if (w->ct.conns)
		sl_ct_destroy(&w->ct);
	for (unsigned j = 0; j < SL_MAX_WORKERS; j++) {
		rte_ring_free(w->steer_in[j]);
		rte_ring_free(w->snat_in[j]);
		rte_ring_free(w->flow_in[j]);
	}
	rte_ring_free(w->ctl_ring);
	sl_worker_sync_free(w);
	free(w->svc_stats);
	free(w->rs_stats);
	free(w->sched_cursor);
	free(w->rs_active);
	free(w->lc_others);
	sl_persist_cache_free(&w->persist);
	free(w->lips);
	free(w->lip_bits);
	sl_hosts_free(&w->hosts);
	free(w);
}

/* A steering ring, `kind` from worker `from` to worker `to`. */
static struct rte_ring *make_ring(const struct sl_dataplane *dp, const char *kind,
				  unsigned from, unsigned to, char *name)
{
	snprintf(name, RTE_RING_NAMESIZE, "sl_%s_%u_%u", kind, from, to);
	return rte_ring_create(name, dp->steer_ring_size ? dp->steer_ring_size
							 : SL_STEER_RING_SIZE,
			       SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

int sl_workers_connect(struct sl_dataplane *dp, char *errbuf, size_t errlen)
{
	char name[RTE_RING_NAMESIZE];

	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct sl_worker *w = dp->workers[i];
		snprintf(name, sizeof(name), "sl_ctl_%u", i);
		w->ctl_ring = rte_ring_create(name, SL_CTL_RING_SIZE, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->ctl_ring == NULL)
			goto fail;
		/* Steering: three single-producer rings per (from, to)
		 * pair (worker.h says what each carries). */
		for (unsigned j = 0; j < dp->nworkers; j++) {
			if (i == j)
				continue;
			w->steer_in[j] = make_ring(dp, "steer", j, i, name);
			if (w->steer_in[j] == NULL)
				goto fail;
			w->snat_in[j] = make_ring(dp, "snat", j, i, name);
			if (w->snat_in[j] == NULL)
				goto fail;
			w->flow_in[j] = make_ring(dp, "flow", j, i, name);
			if (w->flow_in[j] == NULL)
				goto fail;
		}
	}
	for (unsigned i = 0; i < dp->nworkers; i++)
		for (unsigned j = 0; j < dp->nworkers; j++)
			if (i != j) {
				dp->workers[i]->steer_out[j] = dp->workers[j]->steer_in[i];
				dp->workers[i]->snat_out[j] = dp->workers[j]->snat_in[i];
				dp->workers[i]->flow_out[j] = dp->workers[j]->flow_in[i];
			}
	return 0;
fail:
	snprintf(errbuf, errlen, "cannot create ring %s: %s", name,
		 rte_strerror(rte_errno));
	return -1;
}

bool sl_workers_snat_allocated(const struct sl_dataplane *dp)
{
	for (unsigned i = 0; i < dp->nworkers; i++)
		if (dp->workers[i]->hosts.slots == NULL && dp->workers[i]->hosts.max != 0)
			return false; /* (a table of no hosts is never allocated) */
	return true;
}

int sl_workers_snat_ready(struct sl_dataplane *dp, char *errbuf, size_t errlen)
{
	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct sl_host_table *t = &dp->workers[i]->hosts;
		if (sl_hosts_alloc(t) != 0) {
			snprintf(errbuf, errlen,
				 "worker %u: out of memory for the SNAT host table "
				 "(%zu bytes for snat_options.max_hosts %u)",
				 i, sl_hosts_bytes(t->max), t->max);
			return -1;
		}
	}
	return 0;
}

/* Point a slot's port allocator at an SNAT pool address: every port
 * (RFC 4787 keeps a mapping in the inside port's range, 1-1023 or
 * 1024-65535). Full-NAT local addresses need none: the connection table
 * is the record of their ports (worker_lport.c).
 *
 * The map is kept only if this worker's previous snapshot (`prev`) had
 * the same address in the same slot: then every mapping that ended since
 * gave its port back here. Otherwise it starts empty: a slot new to the
 * address, or an address coming back after a snapshot without it, during
 * which its ending mappings found no slot to give their ports back to
 * (worker_snat.c), so bits left set would be ports lost for good. Ports
 * of mappings still alive are then clear, but take_pool_port checks each
 * port against the table before handing it out. */
static void adopt_pool_slot(struct sl_worker *w, uint8_t slot, sl_be32 ip,
			    uint64_t prev, uint64_t now)
{
	struct sl_lip_state *ls = &w->lips[slot];

	if (ls->ip == ip && (ls->seen == prev || ls->seen == now)) {
		ls->seen = now;
		return;
	}
	ls->ip = ip;
	ls->seen = now;
	sl_portmap_init(&ls->pm, w->lip_bits + slot * w->lip_words, 1, 65535,
			w->nworkers, w->id);
}

/* A new snapshot: point each pool address's slot at it. Called before
 * anything else the worker does under the new snapshot (sl_worker_begin),
 * so the worker gives ports back only to slots it has adopted. */
void sl_worker_sync_snapshot(struct sl_worker *w)
{
	const struct sl_snapshot *s = w->snap;

	for (uint32_t i = 0; i < s->npool; i++)
		adopt_pool_slot(w, s->pool[i].slot, s->pool[i].ip,
				w->snap_generation, s->generation);
	w->snap_generation = s->generation;
}

/* Does connection c match the dump's filter? A v6 ORIG key is read
 * from the extension only when a v6 VIP is asked for. */
static bool dump_matches(const struct sl_worker *w, const struct sl_wmsg *msg,
			 const struct sl_conn *c)
{
	const struct sl_v4key *k = &c->key[SL_DIR_ORIG];
	uint8_t kind = c->flags & SL_CONN_F_KIND;
	struct sl_v6key o6;

	if (msg->dump.snat ? kind != SL_CONN_F_SNAT : kind != 0)
		return false;
	if (msg->dump.vport != 0 && msg->dump.vport != k->dport)
		return false;
	if (!sl_conn_v6(c, SL_DIR_ORIG)) /* v4, as it always was */
		return !msg->dump.vip_is_v6 &&
		       (msg->dump.src == 0 || msg->dump.src == k->saddr) &&
		       (msg->dump.vip == 0 || msg->dump.vip == k->daddr);
	/* A v6 client: an SNAT source (v4 only) or a v4 VIP never matches. */
	if (msg->dump.src != 0 || msg->dump.vip != 0)
		return false;
	if (!msg->dump.vip_is_v6)
		return true;
	sl_ct_get_v6key(&w->ct, c, SL_DIR_ORIG, &o6);
	return memcmp(o6.daddr, msg->dump.vip6, 16) == 0;
}

static void dump_one(struct sl_worker *w, struct sl_wmsg *msg,
		     const struct sl_conn *c)
{
	struct sl_conn_info *ci = &msg->dump.out[msg->dump.count++];

	memset(ci, 0, sizeof(*ci));
	for (unsigned d = SL_DIR_ORIG; d <= SL_DIR_REPLY; d++) {
		ci->key[d] = c->key[d];
		ci->v6[d] = sl_conn_v6(c, (enum sl_dir)d);
		if (ci->v6[d])
			sl_ct_get_v6key(&w->ct, c, (enum sl_dir)d, &ci->key6[d]);
	}
	ci->proto = c->proto;
	ci->state = c->state;
	ci->flags = c->flags;
	ci->svc_id = c->svc_id;
	ci->rs_id = c->rs_id;
	ci->age_ms = w->now_ms - sl_ct_created(&w->ct, c);
	ci->expires_in_ms = sl_time_before(w->now_ms, c->expire)
				    ? c->expire - w->now_ms : 0;
}

static void dump_continue(struct sl_worker *w)
{
	struct sl_wmsg *msg = w->dump;
	uint32_t end = msg->dump.cursor + DUMP_SLICE;

	if (end > w->ct.max_conns)
		end = w->ct.max_conns;
	for (uint32_t i = msg->dump.cursor; i < end; i++) {
		const struct sl_conn *c = &w->ct.conns[i];
		if (c->state == SL_CS_FREE || !dump_matches(w, msg, c))
			continue;
		if (msg->dump.count < msg->dump.limit)
			dump_one(w, msg, c);
		msg->dump.matched++;
	}
	msg->dump.cursor = end;
	if (end == w->ct.max_conns) {
		w->dump = NULL;
		__atomic_store_n(&msg->done, 1, __ATOMIC_RELEASE);
	}
}

static void arp_probe(struct sl_worker *w, struct sl_wmsg *msg)
{
	const struct sl_snapshot *s = w->snap;
	uint8_t port = msg->probe.port;
	sl_be32 src = port < s->nports ? sl_worker_port_source(s, port) : 0;
	struct rte_mbuf *m = src ? rte_pktmbuf_alloc(w->dp->pool) : NULL;
	uint8_t *frame = m ? (uint8_t *)rte_pktmbuf_append(m, SL_ARP_FRAME_LEN) : NULL;

	if (src && m == NULL)
		w->stats.drops[SL_DROP_NO_MBUF]++; /* a probe the dry pool cost */
	if (frame) {
		sl_arp_build_request(frame, s->ports[port].mac, src, msg->probe.ip);
		w->stats.arp_requests++;
		sl_worker_tx(w, port, m);
		sl_worker_flush(w);
	} else if (m) {
		rte_pktmbuf_free(m);
	}
	free(msg);
}

void sl_worker_control(struct sl_worker *w)
{
	struct sl_wmsg *msg;

	if (w->dump) {
		dump_continue(w);
		return;
	}
	if (w->flush) {
		sl_worker_flush_continue(w);
		return;
	}
	if (rte_ring_sc_dequeue(w->ctl_ring, (void **)&msg) != 0)
		return;
	switch (msg->type) {
	case SL_WMSG_CONN_DUMP:
		w->dump = msg;
		dump_continue(w);
		break;
	case SL_WMSG_ARP_PROBE:
		if (msg->probe.ip == 0) { /* a v6 neighbor's */
			sl_worker_ns_probe(w, msg->probe.ip6, msg->probe.port);
			free(msg);
			break;
		}
		arp_probe(w, msg);
		break;
	case SL_WMSG_FLUSH:
		sl_worker_flush_start(w, msg);
		break;
	case SL_WMSG_SYNC_WALK:
	case SL_WMSG_SYNC_INSTALL:
		sl_worker_sync_msg(w, msg); /* worker_sync.c */
		break;
	}
}
