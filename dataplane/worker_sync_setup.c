/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's set-up in the workers (worker_sync.h): each worker's
 * ring to the control thread and the arrays beside its table, made when
 * the control thread turns sync on, freed when it turns it off, cleared
 * when the peers are forgotten. Nothing here runs on the packet path.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "worker_sync.h"

/* The peers know nothing yet: no UDP entry may say they were told (left
 * from an earlier time sync was on), or its first reply would not make
 * its NEW (sl_worker_sync_reply). */
static void forget_udp_told(struct sl_conn_table *ct)
{
	for (uint32_t i = 0; i < ct->max_conns; i++) {
		struct sl_conn *c = &ct->conns[i];
		if (c->state == SL_CS_UDP && !(c->flags & SL_CONN_F_KIND))
			c->flags &= (uint8_t)~SL_CONN_F_UDP_TOLD;
	}
}

int sl_workers_sync_enable(struct sl_dataplane *dp, uint32_t ring_records, int wake_fd,
			   char *errbuf, size_t errlen)
{
	static unsigned made; /* ring names are process-wide */
	char name[RTE_RING_NAMESIZE];

	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct sl_worker *w = dp->workers[i];
		if (w->sync)
			continue;
		struct sl_worker_sync *y = calloc(1, sizeof(*y));
		w->sync = y;
		snprintf(name, sizeof(name), "sl_sync_%u_%u", i, made++);
		if (y == NULL || !(y->peer_of = calloc(w->ct.max_conns, 1)) ||
		    !(y->agreed = calloc(w->ct.max_conns, sizeof(uint32_t))) ||
		    !(y->local_until = calloc(w->ct.max_conns, sizeof(uint32_t))) ||
		    !(y->ring = rte_ring_create_elem(name, sizeof(struct sl_sync_conn),
						     ring_records, SOCKET_ID_ANY,
						     RING_F_SP_ENQ | RING_F_SC_DEQ |
						     RING_F_EXACT_SZ))) {
			snprintf(errbuf, errlen, "worker %u: cannot set up session sync (ring "
				 "%s, %u records): out of memory", i, name, ring_records);
			sl_workers_sync_disable(dp);
			return -1;
		}
		y->wake_fd = wake_fd, y->wake_armed = 1;
		y->wake_at = ring_records / SL_SYNC_WAKE_DIV + 1;
		forget_udp_told(&w->ct);
	}
	return 0;
}

void sl_worker_sync_free(struct sl_worker *w)
{
	struct sl_worker_sync *y = w->sync;

	if (y == NULL)
		return;
	w->sync = NULL;
	rte_ring_free(y->ring);
	free(y->peer_of);
	free(y->agreed);
	free(y->local_until);
	free(y);
}

void sl_workers_sync_disable(struct sl_dataplane *dp)
{
	for (unsigned i = 0; i < dp->nworkers; i++)
		if (dp->workers[i])
			sl_worker_sync_free(dp->workers[i]);
}

void sl_worker_sync_reset(struct sl_worker *w)
{
	struct sl_worker_sync *y = w->sync;

	memset(y->peer_of, 0, w->ct.max_conns);
	memset(y->local_until, 0, w->ct.max_conns * sizeof(uint32_t));
	memset(y->peer_conns, 0, sizeof(y->peer_conns));
	y->peers_total = 0;
	y->nbuf = 0;
}
