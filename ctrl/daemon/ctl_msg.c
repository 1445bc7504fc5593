/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control -> worker messages that are never lost (issue 19.7).
 *
 * A worker's control ring holds SL_CTL_RING_SIZE messages, and a worker
 * takes the next one only when the flush or dump it is walking is done,
 * so a burst (200 servers down in one health poll: 200 flushes per
 * worker) overflows it. What the ring has no room for waits here, per
 * worker and in order, and is offered again every loop turn: the ring is
 * the back-pressure, nothing is dropped, and what waits is counted
 * (stats control.messages_waiting, messages_deferred). Memory is the
 * only limit: a message that cannot even be allocated is the caller's
 * to report.
 */
#include <stdlib.h>

#include <rte_ring.h>

#include "ctl.h"
#include "log.h"

/* The backlog of one worker: a growable FIFO of messages. */
struct sl_ctl_backlog {
	struct sl_wmsg **q;
	uint32_t head, n, cap;
};

static int backlog_push(struct sl_ctl_backlog *b, struct sl_wmsg *msg)
{
	if (b->n == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 64;
		struct sl_wmsg **q = malloc(cap * sizeof(*q));
		if (!q)
			return -1;
		for (uint32_t i = 0; i < b->n; i++)
			q[i] = b->q[(b->head + i) % b->cap];
		free(b->q);
		b->q = q;
		b->head = 0;
		b->cap = cap;
	}
	b->q[(b->head + b->n++) % b->cap] = msg;
	return 0;
}

/* Hand waiting messages to the worker's ring, oldest first, while it
 * has room. */
static void backlog_drain(struct sl_ctl *ctl, unsigned w)
{
	struct sl_ctl_backlog *b = ctl->backlog[w];
	struct rte_ring *r = ctl->dp->workers[w]->ctl_ring;

	while (b && b->n && rte_ring_sp_enqueue(r, b->q[b->head]) == 0) {
		b->head = (b->head + 1) % b->cap;
		b->n--;
		ctl->msgs_waiting--;
	}
}

int sl_ctl_send(struct sl_ctl *ctl, unsigned w, struct sl_wmsg *msg)
{
	struct sl_ctl_backlog **b = &ctl->backlog[w];

	backlog_drain(ctl, w); /* keep the order: older messages first */
	if ((!*b || (*b)->n == 0) &&
	    rte_ring_sp_enqueue(ctl->dp->workers[w]->ctl_ring, msg) == 0)
		return 0;
	if (!*b && !(*b = calloc(1, sizeof(**b))))
		return -1;
	if (backlog_push(*b, msg) != 0)
		return -1;
	ctl->msgs_waiting++;
	ctl->msgs_deferred++;
	return 0;
}

void sl_ctl_send_pending(struct sl_ctl *ctl)
{
	if (ctl->msgs_waiting == 0)
		return;
	for (unsigned w = 0; w < ctl->dp->nworkers; w++)
		backlog_drain(ctl, w);
}

void sl_wmsg_free(struct sl_wmsg *msg)
{
	if (msg && msg->type == SL_WMSG_SYNC_WALK)
		return; /* ctl_sync.c's, freed there (sl_ctl_sync_free) */
	if (msg && msg->type == SL_WMSG_CONN_DUMP)
		free(msg->dump.out);
	free(msg);
}

void sl_ctl_backlog_free(struct sl_ctl *ctl)
{
	struct sl_wmsg *msg;

	/* The workers have stopped: what their rings still hold is ours. */
	for (unsigned w = 0; ctl->dp && w < ctl->dp->nworkers; w++)
		while (ctl->dp->workers[w] && ctl->dp->workers[w]->ctl_ring &&
		       rte_ring_sc_dequeue(ctl->dp->workers[w]->ctl_ring,
					   (void **)&msg) == 0)
			sl_wmsg_free(msg);
	for (unsigned w = 0; w < SL_MAX_WORKERS; w++) {
		struct sl_ctl_backlog *b = ctl->backlog[w];
		if (!b)
			continue;
		for (uint32_t i = 0; i < b->n; i++)
			sl_wmsg_free(b->q[(b->head + i) % b->cap]);
		free(b->q);
		free(b);
		ctl->backlog[w] = NULL;
	}
	ctl->msgs_waiting = 0;
}
