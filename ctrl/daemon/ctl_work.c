/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's work beyond the socket and ARP, once per loop:
 *
 *  - health checks (health.c): poll them without waiting; when a server
 *    changes state, republish (a down server is published with weight 0,
 *    so it takes no new connections), then send the flushes its service
 *    asks for (on_down: flush);
 *
 *  - lc/wlc load: every LC_SUM_MS, sum each server's open connections
 *    over the workers and give every worker the sum of the others'. A
 *    worker counts its own connections exactly and the others' as of the
 *    last sum, so what it cannot see is what the other workers opened or
 *    closed in the last LC_SUM_MS plus one loop of this thread (5 ms when
 *    idle; longer while a command or a publish runs);
 *
 *  - persistence (ctl_persist.c): merge the workers' reports, publish.
 *
 * And a server's health state as rs.list and stats (hence /metrics)
 * report it.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_ring.h>

#include "ctl.h"
#include "ctl_sync.h"
#include "log.h"
#include "sched.h"

#define LC_SUM_MS 10u

const struct sl_hc_target *sl_ctl_rs_target(const struct sl_ctl *ctl,
					    const struct sl_model_svc *svc,
					    const struct sl_model_rs *rs)
{
	const struct sl_hc_target *t =
		ctl->health ? sl_health_target(ctl->health, rs->id) : NULL;

	if (t && !sl_hc_target_is(t, svc->id, rs))
		t = NULL; /* not synced with the model yet */
	return t;
}

const char *sl_ctl_rs_state(const struct sl_ctl *ctl, const struct sl_model_svc *svc,
			    const struct sl_model_rs *rs)
{
	const struct sl_hc_target *t = sl_ctl_rs_target(ctl, svc, rs);

	if (t && t->down)
		return sl_health_in_panic(ctl->health, t) ? "down, kept up (panic)" : "down";
	return rs->weight == 0 ? "draining" : "up";
}

int sl_ctl_work_init(struct sl_ctl *ctl, char *errbuf, size_t errlen)
{
	ctl->health = calloc(1, sizeof(*ctl->health));
	if (!ctl->health) {
		snprintf(errbuf, errlen, "health checks: out of memory");
		return -1;
	}
	if (sl_health_init(ctl->health, ctl->model.hc_source, errbuf, errlen) != 0) {
		free(ctl->health);
		ctl->health = NULL;
		return -1;
	}
	/* The v6 checks' source (after init, which clears the struct). */
	memcpy(ctl->health->source6, ctl->model.hc_source6, 16);
	sl_health_sync(ctl->health, &ctl->model);
	return sl_ctl_persist_init(ctl, errbuf, errlen);
}

void sl_ctl_work_free(struct sl_ctl *ctl)
{
	if (ctl->health) {
		sl_health_free(ctl->health);
		free(ctl->health);
		ctl->health = NULL;
	}
	sl_ctl_persist_free(ctl);
	sl_ctl_backlog_free(ctl);
}

int sl_ctl_flush_rs(struct sl_ctl *ctl, uint16_t svc_id, uint16_t rs_id)
{
	int rc = 0;

	for (uint32_t i = 0; i < ctl->dp->nworkers; i++) {
		struct sl_wmsg *msg = calloc(1, sizeof(*msg));
		if (msg) {
			msg->type = SL_WMSG_FLUSH;
			msg->flush.svc_id = svc_id;
			msg->flush.rs_id = rs_id;
		}
		/* The worker frees it once its table is walked. */
		if (!msg || sl_ctl_send(ctl, i, msg) != 0) {
			static struct sl_log_limit lim; /* per flush, per worker */
			free(msg);
			sl_log_limited(&lim, SL_LOG_ERROR, "flush of real server id %u not "
				       "sent to worker %u: out of memory", rs_id, i);
			rc = -1;
		}
	}
	return rc;
}

static bool flush_cb(void *arg, uint16_t svc_id, uint16_t rs_id)
{
	return sl_ctl_flush_rs(arg, svc_id, rs_id) == 0;
}

static void republish(struct sl_ctl *ctl, const char *why)
{
	struct sl_err err;

	if (sl_ctl_publish(ctl, &ctl->model, &err) != 0)
		sl_warn("%s not published: %s", why, err.message);
	if (ctl->health)
		sl_health_take_flushes(ctl->health, flush_cb, ctl);
}

uint32_t sl_ctl_adopted(struct sl_ctl *ctl)
{
	uint32_t unsent = 0;

	/* A change that brings a down server up (its check set to none)
	 * needs its own snapshot; one published already would not know. */
	if (ctl->health && sl_health_sync(ctl->health, &ctl->model))
		republish(ctl, "health state change");
	for (uint32_t i = 0; i < ctl->nflush; i++)
		unsent += sl_ctl_flush_rs(ctl, ctl->flush[i].svc_id,
					  ctl->flush[i].rs_id) != 0;
	ctl->nflush = 0;
	return unsent;
}

void sl_ctl_discarded(struct sl_ctl *ctl)
{
	ctl->nflush = 0;
}

/* Give each worker the other workers' open connections per server. */
static void lc_sums(struct sl_ctl *ctl)
{
	const struct sl_model *m = &ctl->model;
	struct sl_dataplane *dp = ctl->dp;

	for (uint32_t v = 0; v < m->nsvcs; v++) {
		if (m->svcs[v].sched != SL_SCHED_LC && m->svcs[v].sched != SL_SCHED_WLC)
			continue;
		for (uint32_t r = 0; r < m->svcs[v].nrs; r++) {
			uint16_t id = m->svcs[v].rs[r].id;
			uint32_t mine[SL_MAX_WORKERS], total = 0;
			for (uint32_t w = 0; w < dp->nworkers; w++) {
				mine[w] = __atomic_load_n(&dp->workers[w]->rs_active[id],
							  __ATOMIC_RELAXED);
				total += mine[w];
			}
			for (uint32_t w = 0; w < dp->nworkers; w++)
				__atomic_store_n(&dp->workers[w]->lc_others[id],
						 total - mine[w], __ATOMIC_RELAXED);
		}
	}
}

/* The XDP map writes again, from the published snapshot and the model:
 * no new snapshot, no RCU wait. The commit sets the next retry's time
 * (its back-off) and logs the spell's end; a table that cannot even be
 * built fails the attempt the same way (counted, last_error, back-off,
 * logged when it is a new error). */
static void xdp_retry(struct sl_ctl *ctl, uint64_t now)
{
	struct sl_snapshot *s = ctl->dp->snapshot;
	struct sl_ctl_xdp *x = &ctl->xdp;
	struct sl_err err;
	struct sl_xdp_tables tables = SL_XDP_TABLES_NONE;

	x->retries++;
	x->spell_retries++;
	if (s == NULL || ctl->xdp_prepare(ctl, s, &tables, &err) != 0) {
		sl_ctl_xdp_attempt(x);
		sl_ctl_xdp_map_error(x, "%s", s ? err.message : "XDP: no snapshot to retry from");
		sl_ctl_xdp_settle(x, now);
		return;
	}
	ctl->xdp_commit(ctl, &ctl->model, tables);
}

void sl_ctl_work(struct sl_ctl *ctl)
{
	uint64_t now = sl_ctl_now_ms();

	if (ctl->health && sl_health_poll(ctl->health))
		republish(ctl, "health state change");
	if (now - ctl->last_lc_ms >= LC_SUM_MS) {
		ctl->last_lc_ms = now;
		lc_sums(ctl);
	}
	sl_ctl_persist_work(ctl);
	sl_ctl_sync_poll(ctl);
	sl_ctl_send_pending(ctl);
	/* XDP maps out of step after a failed write: reconcile (ctl_xdp.h). */
	if (ctl->xdp_commit && ctl->xdp.n && !ctl->xdp.synced && now >= ctl->xdp.retry_ms)
		xdp_retry(ctl, now);
}
