/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Learned and static neighbors -> the workers' neighbor table
 * (neigh_view.h), published apart from the snapshot: an ARP change
 * costs a table of neighbors, not the services' Maglev tables. The old
 * table goes to DPDK's QSBR defer queue and is freed once every worker
 * has passed a quiescent state, so the control loop never waits for
 * the workers on a neighbor change.
 */
/* The defer queue (rte_rcu_qsbr_dq_*) is still experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <stdio.h>
#include <stdlib.h>

#include <rte_rcu_qsbr.h>

#include "ctl.h"
#include "log.h"

#define DEFER_SLOTS 256

static void free_views(void *p, void *e, unsigned int n)
{
	struct sl_neigh_view **views = e;

	(void)p;
	for (unsigned int i = 0; i < n; i++)
		sl_neigh_view_free(views[i]);
}

/* NULL when it cannot be made (then old tables are freed after a
 * synchronous grace period, as snapshots are). */
static struct rte_rcu_qsbr_dq *defer_queue(struct sl_ctl *ctl)
{
	static unsigned made;
	char name[RTE_RING_NAMESIZE];

	if (ctl->neigh_dq != NULL)
		return ctl->neigh_dq;
	snprintf(name, sizeof(name), "sl_nv%u", made++);
	struct rte_rcu_qsbr_dq_parameters params = {
		.name = name,
		.size = DEFER_SLOTS,
		.esize = sizeof(struct sl_neigh_view *),
		.trigger_reclaim_limit = 1,
		.max_reclaim_size = DEFER_SLOTS,
		.free_fn = free_views,
		.v = ctl->dp->qsbr,
	};
	ctl->neigh_dq = rte_rcu_qsbr_dq_create(&params);
	return ctl->neigh_dq;
}

bool sl_ctl_static_neigh(const struct sl_model *m, const struct sl_addr *a)
{
	return a->af == SL_AF_V6 ? sl_model_find_neigh6(m, a->v6) != NULL
				 : sl_model_find_neigh(m, a->v4) != NULL;
}

/* A learned entry into the view, in its family's table. */
static int add_learned(struct sl_ctl *ctl, struct sl_neigh_view *v,
		       const struct sl_neigh_entry *e)
{
	const uint8_t *port_mac = ctl->ports[e->port].mac;

	if (e->addr.af == SL_AF_V6)
		return sl_neigh_view_add6(v, e->addr.v6, e->mac, e->port, port_mac);
	return sl_neigh_view_add(v, e->ip, e->mac, e->port, port_mac);
}

struct sl_neigh_view *sl_ctl_neigh_build(struct sl_ctl *ctl, const struct sl_model *m,
					 struct sl_err *err)
{
	uint32_t n = m->nneigh, n6 = m->nneigh6;
	int rc = 0;

	for (uint32_t i = 0; i < ctl->neigh.n; i++) {
		const struct sl_neigh_entry *e = &ctl->neigh.e[i];
		if (sl_neigh_resolved(e))
			*(e->addr.af == SL_AF_V6 ? &n6 : &n) += 1;
	}
	struct sl_neigh_view *v = sl_neigh_view_alloc6(n, n6);
	if (v == NULL)
		goto fail;
	for (uint32_t i = 0; i < ctl->neigh.n; i++) {
		const struct sl_neigh_entry *e = &ctl->neigh.e[i];
		if (sl_neigh_resolved(e) && e->port < m->nports)
			rc |= add_learned(ctl, v, e);
	}
	/* Static entries last: they replace learned ones. */
	for (uint32_t i = 0; i < m->nneigh; i++)
		if (m->neigh[i].port < m->nports)
			rc |= sl_neigh_view_add(v, m->neigh[i].ip, m->neigh[i].mac,
						m->neigh[i].port,
						ctl->ports[m->neigh[i].port].mac);
	for (uint32_t i = 0; i < m->nneigh6; i++)
		if (m->neigh6[i].port < m->nports)
			rc |= sl_neigh_view_add6(v, m->neigh6[i].ip, m->neigh6[i].mac,
						 m->neigh6[i].port,
						 ctl->ports[m->neigh6[i].port].mac);
	if (rc != 0)
		goto fail;
	v->generation = ++ctl->generation;
	return v;
fail:
	sl_neigh_view_free(v);
	sl_err_set(err, SL_E_INTERNAL, "", "neighbor table not built");
	return NULL;
}

void sl_ctl_neigh_swap(struct sl_ctl *ctl, struct sl_neigh_view *fresh)
{
	struct sl_neigh_view *old = __atomic_exchange_n(&ctl->dp->neigh, fresh,
							__ATOMIC_ACQ_REL);
	if (old == NULL)
		return;
	struct rte_rcu_qsbr_dq *dq = defer_queue(ctl);
	if (dq == NULL || rte_rcu_qsbr_dq_enqueue(dq, &old) != 0) {
		/* No queue, or every slot still waits for a worker. */
		rte_rcu_qsbr_synchronize(ctl->dp->qsbr, RTE_QSBR_THRID_INVALID);
		sl_neigh_view_free(old);
	}
}

int sl_ctl_publish_neigh(struct sl_ctl *ctl, const struct sl_model *m,
			 struct sl_err *err)
{
	struct sl_neigh_view *fresh = sl_ctl_neigh_build(ctl, m, err);
	if (fresh == NULL)
		return -1;
	sl_ctl_neigh_swap(ctl, fresh);
	return 0;
}

void sl_ctl_neigh_reclaim(struct sl_ctl *ctl)
{
	if (ctl->neigh_dq != NULL)
		rte_rcu_qsbr_dq_reclaim(ctl->neigh_dq, DEFER_SLOTS, NULL, NULL, NULL);
}

void sl_ctl_neigh_free(struct sl_ctl *ctl)
{
	/* Workers have stopped: every deferred table can go now. */
	if (ctl->neigh_dq != NULL && rte_rcu_qsbr_dq_delete(ctl->neigh_dq) != 0)
		sl_warn("neighbor tables still deferred at exit");
	ctl->neigh_dq = NULL;
	sl_neigh_view_free(ctl->dp->neigh);
	ctl->dp->neigh = NULL;
}
