/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * churn: established_1m on one lcore while the other (the control plane)
 * applies 1000 configuration changes a second through clone + publish,
 * to the loaded service's own servers: each in turn is drained (weight
 * 0), given its weight back, removed, added again, and reweighed, and a
 * server comes and goes on an idle second VIP. Removal does not flush by
 * default, so every connection, including one whose server was removed,
 * keeps flowing: every frame that goes in must come out.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "bench.h"
#include "bench_scenarios.h"

#define CHURN_STEPS 8 /* changes per server, one server after another */

struct churn_state {
	unsigned step;
};

static int churn_weight(struct sl_model *m, sl_be32 rs, uint32_t weight,
			struct sl_err *err)
{
	return sl_model_set_rs_weight(m, bench_vip(), sl_htons(80), SL_IPPROTO_TCP,
				      rs, sl_htons(8080), weight, err);
}

static int churn_op(struct sl_model *m, void *arg, struct sl_err *err)
{
	struct churn_state *st = arg;
	unsigned k = st->step++;
	unsigned cycle = k / CHURN_STEPS;
	sl_be32 rs = bench_rs(cycle % 16);

	switch (k % CHURN_STEPS) {
	case 0: /* drain a server of the loaded VIP */
		return churn_weight(m, rs, 0, err);
	case 1: /* and put it back */
		return churn_weight(m, rs, 1, err);
	case 2: /* remove it: its connections keep flowing */
		return sl_model_del_rs(m, bench_vip(), sl_htons(80), SL_IPPROTO_TCP,
				       rs, sl_htons(8080), err);
	case 3: /* add it again */
		return sl_model_add_rs(m, bench_vip(), sl_htons(80), SL_IPPROTO_TCP,
				       rs, sl_htons(8080), 1, err);
	case 4: /* reweigh it */
		return churn_weight(m, rs, 2 + cycle % 4, err);
	case 5:
		return churn_weight(m, rs, 1, err);
	case 6: /* a server comes to the idle VIP */
		return sl_model_add_rs(m, bench_vip2(), sl_htons(80), SL_IPPROTO_TCP,
				       rs, sl_htons(9000), 1, err);
	default: /* and goes */
		return sl_model_del_rs(m, bench_vip2(), sl_htons(80), SL_IPPROTO_TCP,
				       rs, sl_htons(9000), err);
	}
}

void bench_churn(struct bench_env *env, struct scen_result *r)
{
	struct conn_set cs;
	struct bench_seq seq;
	struct churn_state st = {0};
	struct bench_lane *l = &env->lanes[0];
	unsigned remote = rte_get_next_lcore(-1, 1, 0);
	uint64_t hz = rte_get_tsc_hz();
	unsigned changes = 0, failed = 0;
	uint64_t busy = 0; /* cycles spent applying changes */
	double secs = 0;

	reset_workers(env);
	open_connections(env, 0, 1000000, BENCH_FNAT44, &cs);
	established_seq(&seq, &cs, NULL);
	uint64_t injected = l->injected, sent = l->transmitted;
	struct lane_job job = {env, 0, &seq, 0, env->seconds, false, 0, 0};

	snprintf(r->name, sizeof(r->name), "churn");
	for (unsigned i = 0; i < env->runs; i++) {
		/* The worker runs on its own lcore; this one is the control
		 * plane, applying one change per millisecond. */
		rte_eal_remote_launch(lane_job_run, &job, remote);
		uint64_t start = rte_rdtsc(), next = start;
		while (rte_eal_get_lcore_state(remote) != WAIT) {
			if (rte_rdtsc() < next)
				continue;
			next += hz / 1000;
			uint64_t t0 = rte_rdtsc();
			if (bench_env_change(env, churn_op, &st) == 0)
				changes++;
			else
				failed++;
			busy += rte_rdtsc() - t0;
		}
		rte_eal_wait_lcore(remote);
		secs += (double)(rte_rdtsc() - start) / (double)hz;
		scen_add_run(r, job.cycles, job.packets, job.packets);
	}
	/* Finish the cycle under way, so the next scenario finds every
	 * server back at weight 1 and the idle VIP empty. */
	while (st.step % CHURN_STEPS)
		failed += bench_env_change(env, churn_op, &st) != 0;
	r->changes_per_s = (double)changes / secs;
	r->change_ms = changes + failed ? (double)busy * 1e3 / (double)hz / (changes + failed) : 0;
	r->changes_failed = failed;
	r->lost = (int64_t)(l->injected - injected) - (int64_t)(l->transmitted - sent);
	free(seq.recs);
	conn_set_free(&cs);
}
