/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync on the control thread (ctl_sync.h): the workers' rings
 * drained into the cluster code's sink, peers' records checked against
 * the model and installed, walks started and followed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "ctl.h"
#include "ctl_sync.h"
#include "sync_conv.h"
#include "worker_sync.h"

struct sl_ctl_sync {
	sl_ctl_sync_sink_fn sink;
	sl_ctl_sync_walked_fn walked;
	sl_ctl_sync_room_fn room;
	void *ctx;
	unsigned share_percent, total_percent;
	/* The walk in progress: one message per worker, the control
	 * thread's until done. */
	struct sl_wmsg *walk[SL_MAX_WORKERS];
	bool walking, walk_full;
	bool walk_partial;        /* a worker could not be asked: no dump end */
	int walk_peer;
	/* Install messages being filled, one per worker. */
	struct sl_wmsg *fill[SL_MAX_WORKERS];
	struct sl_ctl_sync_stats stats;
	int wake_fd;               /* the workers' wake (eventfd), -1 if none */
	struct sl_sync_conn buf[SL_CTL_SYNC_BURST];
};

int sl_ctl_sync_init(struct sl_ctl *ctl, char *errbuf, size_t errlen)
{
	if (ctl->sync)
		return 0;
	ctl->sync = calloc(1, sizeof(*ctl->sync));
	if (ctl->sync == NULL) {
		snprintf(errbuf, errlen, "session sync: out of memory");
		return -1;
	}
	ctl->sync->share_percent = SL_CTL_SYNC_SHARE_DEFAULT;
	ctl->sync->total_percent = SL_CTL_SYNC_TOTAL_SHARE_DEFAULT;
	/* Without it the workers' rings are drained at the loop's tick only:
	 * slower to go out, but nothing else changes. */
	ctl->sync->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint32_t ring = ctl->model.cluster.sync_ring ? ctl->model.cluster.sync_ring
						     : SL_CLUSTER_RING_DEFAULT;
	if (sl_workers_sync_enable(ctl->dp, ring, ctl->sync->wake_fd, errbuf, errlen) != 0) {
		sl_ctl_sync_free(ctl);
		return -1;
	}
	return 0;
}

void sl_ctl_sync_free(struct sl_ctl *ctl)
{
	struct sl_ctl_sync *y = ctl->sync;

	if (y == NULL)
		return;
	/* Workers stopped, and the rings and backlogs emptied
	 * (sl_ctl_backlog_free, which leaves walks to us): a walk message
	 * is ours whether done or not. */
	for (unsigned w = 0; w < SL_MAX_WORKERS; w++) {
		free(y->walk[w]);
		free(y->fill[w]);
	}
	sl_workers_sync_disable(ctl->dp);
	if (y->wake_fd >= 0)
		close(y->wake_fd);
	free(y);
	ctl->sync = NULL;
}

void sl_ctl_sync_set_sink(struct sl_ctl *ctl, sl_ctl_sync_sink_fn sink,
			  sl_ctl_sync_walked_fn walked, void *ctx)
{
	if (ctl->sync == NULL)
		return;
	ctl->sync->sink = sink;
	ctl->sync->walked = walked;
	ctl->sync->ctx = ctx;
}

void sl_ctl_sync_set_room(struct sl_ctl *ctl, sl_ctl_sync_room_fn room)
{
	if (ctl->sync)
		ctl->sync->room = room;
}

void sl_ctl_sync_set_share(struct sl_ctl *ctl, unsigned percent, unsigned total_percent)
{
	if (ctl->sync && percent >= 1 && percent <= 100)
		ctl->sync->share_percent = percent;
	if (ctl->sync && total_percent >= 1 && total_percent <= 100)
		ctl->sync->total_percent = total_percent;
}

/* `percent` of worker w's table, at least 1. */
static uint32_t table_share(const struct sl_ctl *ctl, unsigned w, unsigned percent)
{
	uint64_t cap = (uint64_t)ctl->dp->workers[w]->ct.max_conns * percent / 100;
	return cap ? (uint32_t)cap : 1;
}

const struct sl_ctl_sync_stats *sl_ctl_sync_stats(const struct sl_ctl *ctl)
{
	return ctl->sync ? &ctl->sync->stats : NULL;
}

/* The next worker's sync state from worker *i on (workers without one
 * skipped), *i moved past it; NULL after the last, or with sync off:
 * the one walk both sums below make. */
static const struct sl_worker_sync *next_worker_sync(const struct sl_ctl *ctl, unsigned *i)
{
	while (ctl->sync && *i < ctl->dp->nworkers) {
		const struct sl_worker_sync *y = ctl->dp->workers[(*i)++]->sync;
		if (y)
			return y;
	}
	return NULL;
}

/* The workers' counters are theirs to write: read here without a lock,
 * each a whole aligned word, at most a turn behind. */
void sl_ctl_sync_worker_stats(const struct sl_ctl *ctl, struct sl_sync_stats *sum)
{
	const struct sl_worker_sync *y;

	memset(sum, 0, sizeof(*sum));
	for (unsigned i = 0; (y = next_worker_sync(ctl, &i)) != NULL;) {
		/* every member a uint64_t counter (worker_sync.h) */
		const uint64_t *from = (const uint64_t *)&y->stats;
		uint64_t *to = (uint64_t *)sum;
		for (size_t k = 0; k < sizeof(*sum) / sizeof(uint64_t); k++)
			to[k] += from[k];
	}
}

void sl_ctl_sync_peer_sums(const struct sl_ctl *ctl, unsigned peer, uint64_t *refused_share,
			   uint64_t *conns)
{
	const struct sl_worker_sync *y;

	*refused_share = *conns = 0;
	for (unsigned i = 0; peer < SL_SYNC_MAX_PEERS && (y = next_worker_sync(ctl, &i));) {
		*refused_share += y->refused_share_of[peer];
		*conns += y->peer_conns[peer];
	}
}

/* Up to `max` records of worker w's ring through the sink: how many. */
static unsigned take(struct sl_ctl *ctl, unsigned w, uint64_t max)
{
	struct sl_ctl_sync *y = ctl->sync;
	unsigned n = rte_ring_sc_dequeue_burst_elem(ctl->dp->workers[w]->sync->ring, y->buf,
						    sizeof(y->buf[0]),
						    max < SL_CTL_SYNC_BURST ? (unsigned)max
									    : SL_CTL_SYNC_BURST,
						    NULL);

	y->stats.drained += n;
	if (n && y->sink)
		y->sink(y->ctx, y->buf, n);
	else
		y->stats.unsunk += n;
	return n;
}

static bool rings_empty(const struct sl_ctl *ctl)
{
	for (unsigned i = 0; i < ctl->dp->nworkers; i++)
		if (!rte_ring_empty(ctl->dp->workers[i]->sync->ring))
			return false;
	return true;
}

/* The rings through the sink until all are empty: a burst from each in
 * turn, so one busy worker does not hold back the others' records. At
 * most SL_CTL_SYNC_TURN_US (the wake brings the loop back for the rest)
 * and, during a dump walk, no more than the sender's pace takes (a walk
 * waits on a full ring, so a slower drain slows it, it loses nothing).
 * True when every ring was left empty. */
static bool drain(struct sl_ctl *ctl)
{
	struct sl_ctl_sync *y = ctl->sync;
	uint64_t max = UINT64_MAX, got;
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * SL_CTL_SYNC_TURN_US / 1000000;

	if (y->room && y->walking && y->walk_full)
		max = y->room(y->ctx);
	do {
		got = 0;
		for (unsigned i = 0; i < ctl->dp->nworkers && max; i++) {
			unsigned n = take(ctl, i, max);
			got += n;
			max -= n;
		}
	} while (got && max && rte_get_timer_cycles() < end);
	bool empty = rings_empty(ctl);
	y->stats.drain_cut += !empty && max && got;
	return empty;
}

/* Clear the eventfd, count the workers whose wake asked for this drain,
 * and (after it) re-arm them: a ring still past its mark wakes the loop
 * again at its worker's next loop turn. */
static void wake_clear(struct sl_ctl *ctl)
{
	uint64_t count;

	if (ctl->sync->wake_fd >= 0)
		(void)!read(ctl->sync->wake_fd, &count, sizeof(count));
	for (unsigned i = 0; i < ctl->dp->nworkers; i++)
		ctl->sync->stats.wakes +=
			!__atomic_load_n(&ctl->dp->workers[i]->sync->wake_armed, __ATOMIC_RELAXED);
}

/* Stored only where a worker disarmed it: a store every turn would take
 * the line from the worker's cache each time for nothing. */
static void wake_arm(struct sl_ctl *ctl)
{
	for (unsigned i = 0; i < ctl->dp->nworkers; i++) {
		uint32_t *armed = &ctl->dp->workers[i]->sync->wake_armed;
		if (!__atomic_load_n(armed, __ATOMIC_RELAXED))
			__atomic_store_n(armed, 1, __ATOMIC_RELEASE);
	}
}

int sl_ctl_sync_fd(const struct sl_ctl *ctl)
{
	return ctl->sync ? ctl->sync->wake_fd : -1;
}

bool sl_ctl_sync_woken(const struct sl_ctl *ctl)
{
	for (unsigned i = 0; ctl->sync && i < ctl->dp->nworkers; i++)
		if (!__atomic_load_n(&ctl->dp->workers[i]->sync->wake_armed, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* Is every worker's walk done? Read before draining, so that what a
 * worker put on its ring before saying done is drained the same turn. */
static bool walk_done(const struct sl_ctl *ctl)
{
	for (unsigned i = 0; i < ctl->dp->nworkers; i++)
		if (!__atomic_load_n(&ctl->sync->walk[i]->done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static void walk_finish(struct sl_ctl *ctl)
{
	struct sl_ctl_sync *y = ctl->sync;

	for (unsigned i = 0; i < ctl->dp->nworkers; i++) {
		free(y->walk[i]);
		y->walk[i] = NULL;
	}
	y->walking = false;
	y->stats.walks++;
	if (y->walked)
		y->walked(y->ctx, y->walk_peer, y->walk_full && !y->walk_partial);
}

void sl_ctl_sync_poll(struct sl_ctl *ctl)
{
	if (ctl->sync == NULL)
		return;
	bool done = ctl->sync->walking && walk_done(ctl);
	wake_clear(ctl);
	bool empty = drain(ctl);
	wake_arm(ctl);
	if (empty && done)
		walk_finish(ctl);
}

int sl_ctl_sync_dump(struct sl_ctl *ctl, int peer, bool full, uint32_t horizon_ms)
{
	struct sl_ctl_sync *y = ctl->sync;
	unsigned nw = ctl->dp->nworkers;

	if (y == NULL || y->walking)
		return -1;
	y->walk_partial = false;
	for (unsigned i = 0; i < nw; i++)
		if (!(y->walk[i] = calloc(1, sizeof(struct sl_wmsg)))) {
			for (unsigned j = 0; j <= i; j++) {
				free(y->walk[j]);
				y->walk[j] = NULL;
			}
			y->stats.no_memory++;
			return -1;
		}
	for (unsigned i = 0; i < nw; i++) {
		y->walk[i]->type = SL_WMSG_SYNC_WALK;
		y->walk[i]->walk.horizon_ms = full ? 0 : (horizon_ms ? horizon_ms : 1);
		/* Out of memory for the backlog: that worker has nothing to
		 * say, the others go on, and a dump ends without its end (a
		 * complete-looking dump without that worker's table would let
		 * the peer count this node's connections held): the peer
		 * asks again. */
		if (sl_ctl_send(ctl, i, y->walk[i]) != 0) {
			y->stats.no_memory++;
			y->walk[i]->done = 1;
			y->walk_partial = true;
		}
	}
	y->walking = true;
	y->walk_full = full;
	y->walk_peer = peer;
	return 0;
}

/* ---- installs ---- */

static struct sl_addr rec_addr(const uint8_t ip[16], uint8_t family)
{
	struct sl_addr a = {.af = family == 6 ? SL_AF_V6 : SL_AF_V4};

	if (family == 6)
		memcpy(a.v6, ip, 16);
	else
		memcpy(&a.v4, ip, 4);
	return a;
}

/* The record checked against the model, with this node's ids in *in;
 * false (counted) when refused. */
static bool resolve(struct sl_ctl *ctl, const struct sl_sync_conn *r,
		    struct sl_sync_install *in)
{
	struct sl_ctl_sync_stats *st = &ctl->sync->stats;
	const struct sl_model *m = &ctl->model;

	if (!sl_sync_rec_valid(r)) {
		st->refused_invalid++;
		return false;
	}
	struct sl_addr vip = rec_addr(r->vip, r->family_orig);
	const struct sl_model_svc *svc = sl_model_find_svc_at(m, &vip, r->vport, r->proto);
	if (svc == NULL) {
		st->refused_vip++;
		return false;
	}
	struct sl_addr rsa = rec_addr(r->rs, r->family_reply);
	const struct sl_model_rs *rs = sl_model_find_rs_at(svc, &rsa, r->rsport);
	if (rs == NULL) {
		st->refused_rs++;
		return false;
	}
	struct sl_addr la = rec_addr(r->laddr, r->family_reply);
	if (!sl_model_is_own_laddr(m, &la) && !sl_model_is_peer_laddr(m, &la)) {
		st->refused_laddr++;
		return false;
	}
	unsigned nw = ctl->dp->nworkers;
	if (sl_flow_owner(sl_sync_orig_hash(r), nw) != sl_port_owner(sl_ntohs(r->lport), nw)) {
		st->refused_owner++;
		return false;
	}
	in->rec = *r;
	in->svc_id = svc->id;
	in->rs_id = rs->id;
	return true;
}

/* Send worker w's install message as it stands. */
static void send_fill(struct sl_ctl *ctl, unsigned w)
{
	struct sl_ctl_sync *y = ctl->sync;
	struct sl_wmsg *msg = y->fill[w];

	y->fill[w] = NULL;
	if (sl_ctl_send(ctl, w, msg) != 0) {
		y->stats.no_memory++;
		free(msg);
		return;
	}
	y->stats.install_sent += msg->install.n;
}

/* Worker w's install message being filled, made if need be. */
static struct sl_wmsg *fill_of(struct sl_ctl *ctl, unsigned w, unsigned peer)
{
	struct sl_ctl_sync *y = ctl->sync;
	struct sl_wmsg *msg = y->fill[w];

	if (msg)
		return msg;
	msg = malloc(sizeof(*msg) + SL_SYNC_INSTALL_MAX * sizeof(struct sl_sync_install));
	if (msg == NULL)
		return NULL;
	memset(msg, 0, sizeof(*msg));
	msg->type = SL_WMSG_SYNC_INSTALL;
	msg->install.recs = (const struct sl_sync_install *)(msg + 1);
	msg->install.peer = (uint8_t)peer;
	msg->install.cap = table_share(ctl, w, y->share_percent);
	msg->install.total_cap = table_share(ctl, w, y->total_percent);
	y->fill[w] = msg;
	return msg;
}

uint32_t sl_ctl_sync_install(struct sl_ctl *ctl, const struct sl_sync_conn *recs,
			     uint32_t n, unsigned peer)
{
	struct sl_ctl_sync *y = ctl->sync;
	unsigned nw = ctl->dp->nworkers;
	uint32_t sent = 0;

	if (y == NULL)
		return 0;
	if (peer >= SL_SYNC_MAX_PEERS) {
		y->stats.refused_peer += n;
		return 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct sl_sync_install in;
		if (!resolve(ctl, &recs[i], &in))
			continue;
		unsigned w = sl_port_owner(sl_ntohs(recs[i].lport), nw);
		struct sl_wmsg *msg = fill_of(ctl, w, peer);
		if (msg == NULL) {
			y->stats.no_memory++;
			continue;
		}
		((struct sl_sync_install *)(msg + 1))[msg->install.n++] = in;
		sent++;
		if (msg->install.n == SL_SYNC_INSTALL_MAX)
			send_fill(ctl, w);
	}
	for (unsigned w = 0; w < nw; w++)
		if (y->fill[w])
			send_fill(ctl, w);
	return sent;
}
