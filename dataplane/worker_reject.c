/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ending connections cleanly:
 *
 *  - refusing: a new connection to a service no server takes (all down,
 *    drained or removed) is answered at once, a TCP SYN with an RST and a
 *    UDP datagram with ICMP port unreachable, so clients fail fast instead
 *    of timing out (counted as conns_refused; beyond the reply rate limit
 *    it is a no_real_server drop);
 *
 *  - flushing: the control thread asks every worker to end the
 *    connections of a server (removed with --flush, or down in a service
 *    whose on_down is flush). A worker walks its table a slice per loop
 *    (as dumps do, so a million connections never stall forwarding). UDP
 *    flows are removed at once: the next datagram is a new flow and is
 *    scheduled afresh. A TCP connection is marked flushed and a probe is
 *    sent to each side (reject.h); from then on every segment either
 *    side sends, the probe's answer first, is answered with an exact RST
 *    instead of being forwarded. When both sides have had theirs, or
 *    after the tcp_close timeout, the entry goes.
 */
#include <stdlib.h>

#include <rte_ethdev.h>

#include "reject.h"
#include "worker.h"

#define FLUSH_SLICE 4096 /* table entries examined per loop iteration */

/* The frame now holds a reset built in place: cut it to size, send it. */
static void send_reset(struct sl_worker *w, struct rte_mbuf *m,
		       struct sl_pkt *pkt)
{
	uint32_t keep = SL_ETH_HLEN + SL_TCP_BARE_LEN;

	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - keep));
	pkt->eth->type = sl_htons(SL_ETHERTYPE_IPV4);
	sl_worker_output(w, m, pkt->key.daddr);
}

void sl_worker_refuse(struct sl_worker *w, struct rte_mbuf *m,
		      struct sl_pkt *pkt, const struct sl_snap_svc *svc)
{
	bool sent = false;

	if (pkt->proto == SL_IPPROTO_TCP) {
		if (m->nb_segs == 1 && sl_worker_reply_allowed(w)) {
			sl_tcp_rst_reply(pkt);
			send_reset(w, m, pkt);
			sent = true;
		}
	} else {
		sent = sl_worker_icmp_error_try(w, m, pkt, svc->vip,
						SL_ICMP_DEST_UNREACH,
						3 /* port unreachable */);
	}
	if (!sent) {
		sl_worker_drop(w, m, SL_DROP_NO_REAL_SERVER);
		return;
	}
	w->stats.conns_refused++;
	w->svc_stats[svc->id].refused++;
}

void sl_worker_flushed(struct sl_worker *w, struct rte_mbuf *m,
		       struct sl_pkt *pkt, struct sl_conn *c, enum sl_dir dir)
{
	const uint8_t both = SL_CONN_F_RESET_ORIG | SL_CONN_F_RESET_REPLY;
	uint8_t side = dir == SL_DIR_ORIG ? SL_CONN_F_RESET_ORIG
					  : SL_CONN_F_RESET_REPLY;

	if (pkt->proto != SL_IPPROTO_TCP || (pkt->tcp_flags & SL_TCP_RST) ||
	    m->nb_segs != 1 || !sl_worker_reply_allowed(w)) {
		/* A side that resets is gone already: nothing to answer. */
		if (pkt->proto == SL_IPPROTO_TCP && (pkt->tcp_flags & SL_TCP_RST))
			c->flags |= side;
		sl_worker_drop(w, m, SL_DROP_CONN_FLUSHED);
	} else {
		sl_tcp_rst_reply(pkt);
		send_reset(w, m, pkt);
		c->flags |= side;
		w->stats.resets_sent++;
	}
	if ((c->flags & both) == both)
		sl_ct_set_expire(&w->ct, c, w->now_ms);
}

/* A bare ACK from src:sport to dst:dport, to be answered (reject.h). */
static void probe(struct sl_worker *w, sl_be32 src, sl_be16 sport,
		  sl_be32 dst, sl_be16 dport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->dp->pool);
	uint8_t *f = m ? (uint8_t *)rte_pktmbuf_append(m, SL_ETH_HLEN +
							   SL_TCP_BARE_LEN)
		       : NULL;

	if (f == NULL) {
		rte_pktmbuf_free(m); /* NULL-safe */
		return;
	}
	((struct sl_ether_hdr *)f)->type = sl_htons(SL_ETHERTYPE_IPV4);
	sl_tcp_probe_build(f + SL_ETH_HLEN, src, sport, dst, dport);
	sl_worker_output(w, m, dst);
}

static void flush_one(struct sl_worker *w, struct sl_conn *c)
{
	const struct sl_v4key *o = &c->key[SL_DIR_ORIG], *r = &c->key[SL_DIR_REPLY];

	if (c->proto != SL_IPPROTO_TCP) {
		sl_worker_on_expire(w, c); /* counts it expired */
		sl_ct_remove(&w->ct, c);
		w->stats.conns_flushed++;
		return;
	}
	/* Closing already: it ends by itself, nothing to reset. */
	if (c->state == SL_CS_TCP_TIME_WAIT || c->state == SL_CS_TCP_CLOSE)
		return;
	c->flags = (uint8_t)((c->flags & ~(SL_CONN_F_RESET_ORIG | SL_CONN_F_RESET_REPLY)) |
			     SL_CONN_F_FLUSHED);
	sl_ct_set_expire(&w->ct, c, w->now_ms + w->snap->timeouts_ms[SL_CS_TCP_CLOSE]);
	w->stats.conns_flushed++;
	probe(w, o->daddr, o->dport, o->saddr, o->sport); /* VIP -> client */
	probe(w, r->daddr, r->dport, r->saddr, r->sport); /* LIP -> server */
}

void sl_worker_flush_continue(struct sl_worker *w)
{
	struct sl_wmsg *msg = w->flush;
	uint32_t end = msg->flush.cursor + FLUSH_SLICE;

	if (end > w->ct.max_conns)
		end = w->ct.max_conns;
	for (uint32_t i = msg->flush.cursor; i < end; i++) {
		struct sl_conn *c = &w->ct.conns[i];
		/* Full-NAT connections only: SNAT entries have no server. */
		if (c->state == SL_CS_FREE || (c->flags & SL_CONN_F_KIND) ||
		    c->svc_id != msg->flush.svc_id || c->rs_id != msg->flush.rs_id ||
		    (c->flags & SL_CONN_F_FLUSHED))
			continue;
		flush_one(w, c);
	}
	sl_worker_flush(w);
	msg->flush.cursor = end;
	if (end == w->ct.max_conns) {
		w->flush = NULL;
		free(msg);
	}
}
