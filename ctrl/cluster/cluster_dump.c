/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's dumps as the receiving node sees them (cluster.h): the
 * requests (at start to every live peer, and later to a peer first
 * heard after this node was ready), each answer checked whole, what a
 * complete one means (this node holds that peer's connections, and
 * those its records relayed), and readiness once every peer is settled.
 */
#include <stdio.h>

#include "cluster_internal.h"

#define DUMP_RETRY_MS 1000      /* ask again a peer that has not answered */

/* The retry interval: DUMP_RETRY_MS, or a quarter of dump_timeout_ms
 * when that is shorter, so a lost request is asked again before the
 * timeout settles readiness without the dump (the timeout may be set
 * down to 100 ms). */
static uint64_t retry_ms(const struct sl_cluster *c)
{
	uint64_t quarter = c->conf.dump_timeout_ms / 4;

	return quarter < DUMP_RETRY_MS ? quarter : DUMP_RETRY_MS;
}

/* Peer i's dump complete: this node holds its connections, and those
 * of the peers its records were of (relayed: they may be dead). */
static void dump_complete(struct sl_cluster *c, uint32_t i)
{
	struct sl_sync_peer *p = &c->peers[i];

	p->dump_done = true;
	p->st.dumps_received++;
	p->holds = true;
	for (uint32_t j = 0; j < c->conf.npeers; j++)
		if (p->relay & (1u << j))
			c->peers[j].holds = true;
}

/* A dump record or end from peer p for our request (DUMP_END says how
 * many records it sent: fewer received, and it is asked again). true
 * when the dump just completed. */
static bool dump_moves(struct sl_sync_peer *p, const struct sl_sync_hdr *h, uint64_t now)
{
	if (h->type == SL_SYNC_T_RECORDS) {
		if (h->dump_id == p->dump_id && !p->dump_done) {
			p->dump_rx += h->count;
			p->dump_asked_ms = now; /* flowing: no need to ask again */
			p->dump_moved_ms = now; /* nor to time it out */
		}
		return false;
	}
	if (h->dump_id != p->dump_id || p->dump_done || p->dump_gave_up) {
		p->st.dump_stale_end++;
		return false;
	}
	p->dump_moved_ms = now;
	if (p->dump_rx >= h->dump_records)
		return true;
	p->st.dump_short++;
	if (p->dump_tries >= SL_SYNC_DUMP_TRIES)
		p->dump_gave_up = true; /* the dump timeout decides */
	else
		p->dump_asked_ms = 0;   /* ask again at this poll */
	return false;
}

bool sl_cluster_dump_input(struct sl_cluster *c, uint32_t i, const struct sl_sync_hdr *h,
			   uint64_t now)
{
	if (!dump_moves(&c->peers[i], h, now))
		return false;
	dump_complete(c, i);
	return true;
}

/* Heard first after this node was ready: it sent us no dump, so its
 * connections from before are not here. Its dump is asked now
 * (sl_cluster_dump_work), counted; held only once that is in. */
void sl_cluster_dump_late(struct sl_sync_peer *p)
{
	p->dump_late = true;
	p->st.late_dumps++;
}

/* Whether every peer's dump is settled (sl_sync_dump_wait): complete,
 * its peer dead, or waited for as long as the timers say; *why set when
 * a timer settled one (the last such peer named). */
static bool dumps_settled(struct sl_cluster *c, uint64_t now, bool *stalled,
			  bool *unheard, char *why, size_t len)
{
	*stalled = *unheard = false;
	for (uint32_t i = 0; i < c->conf.npeers; i++) {
		const char *name = c->peers[i].conf->name;
		switch (sl_sync_dump_wait(&c->peers[i], now, c->start_ms,
					  c->conf.dump_timeout_ms, c->conf.unheard_ms)) {
		case SL_DUMP_WAIT:
			return false;
		case SL_DUMP_DONE:
			break;
		case SL_DUMP_STALLED:
			*stalled = true;
			snprintf(why, len, "dump timeout: peer %s's dump did not move for "
				 "timers.dump_timeout_ms", name);
			break;
		case SL_DUMP_UNHEARD:
			*unheard = true;
			snprintf(why, len, "peer %s not heard within timers.unheard_ms", name);
			break;
		}
	}
	return true;
}

/* Until ready (and after, a peer first heard then, until its dump has
 * not moved for dump_timeout_ms: sl_cluster_dump_late) ask each live
 * peer that has not answered in full, now and then (after retry_ms()
 * without a record of its dump), a new request id each time so a late
 * end of an older answer counts for nothing. Only live peers: they have
 * heard us, so the request is bound to an epoch they know. A new
 * request forgets whose records the last one relayed. Ready once every
 * peer's dump is settled (dumps_settled; a timer settling one is
 * counted); then ready until restart. true when it just became ready
 * (the takeover may change). */
bool sl_cluster_dump_work(struct sl_cluster *c, uint64_t now)
{
	char why[128] = "every live peer sent its dump";
	bool stalled, unheard;

	for (uint32_t i = 0; i < c->conf.npeers; i++) {
		struct sl_sync_peer *p = &c->peers[i];
		if (c->ready && p->dump_late && !p->dump_done &&
		    now - p->dump_moved_ms >= c->conf.dump_timeout_ms)
			p->dump_gave_up = true; /* silent: asked no more, not held */
		if ((c->ready && !p->dump_late) || p->dump_done || p->dump_gave_up ||
		    p->state != SL_PEER_ALIVE ||
		    (p->dump_asked_ms && now - p->dump_asked_ms < retry_ms(c)))
			continue;
		if (p->dump_tries++)
			p->st.dump_retries++;
		p->dump_asked_ms = now;
		p->dump_rx = 0;
		p->relay = 0;
		sl_cluster_send_ctl(c, i, SL_SYNC_T_DUMP_REQ, ++p->dump_id, 0);
	}
	if (c->ready || !dumps_settled(c, now, &stalled, &unheard, why, sizeof(why)))
		return false;
	c->st.dump_timeouts += stalled;
	c->st.ready_unheard += unheard;
	c->ready = true;
	if (c->ops.ready_changed)
		c->ops.ready_changed(c->ops.arg, true, why);
	return true;
}
