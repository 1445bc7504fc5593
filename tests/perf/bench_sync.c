/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync in the benchmark (issue 16): the same scenarios with the
 * workers' sync events on, their rings drained after every loop turn by
 * a consumer standing in for the control thread (on the workers' own
 * thread here, so its cost is in the figures: the ratio is an upper
 * bound). bench_sync(env, false) prints what the scenario reported:
 * records per new connection and their in-memory bytes (the wire's are
 * ctrl/cluster's).
 */
#include <stdio.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "bench.h"
#include "worker_sync.h"

static struct {
	uint64_t drained;
	uint64_t created0;         /* conns_created when sync went on */
	struct sl_sync_conn buf[512];
} consumer;

void bench_sync_consume(struct sl_worker *w)
{
	unsigned n;

	do {
		n = rte_ring_sc_dequeue_burst_elem(w->sync->ring, consumer.buf,
						   sizeof(consumer.buf[0]),
						   SL_ARRAY_SIZE(consumer.buf), NULL);
		consumer.drained += n;
	} while (n == SL_ARRAY_SIZE(consumer.buf));
}

static uint64_t created(const struct bench_env *env)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < env->nworkers; i++)
		sum += env->dp.workers[i]->stats.conns_created;
	return sum;
}

void bench_sync(struct bench_env *env, bool on)
{
	char err[160];

	if (on) {
		if (sl_workers_sync_enable(&env->dp, err, sizeof(err)) != 0) {
			fprintf(stderr, "bench: %s\n", err);
			exit(1);
		}
		consumer.drained = 0;
		consumer.created0 = created(env);
		return;
	}
	uint64_t lost = 0, conns = created(env) - consumer.created0;
	for (unsigned i = 0; i < env->nworkers; i++) {
		bench_sync_consume(env->dp.workers[i]);
		lost += env->dp.workers[i]->sync->stats.ring_full;
	}
	sl_workers_sync_disable(&env->dp);
	printf("    sync: %lu records (%lu lost to a full ring) for %lu new connections:"
	       " %.2f records, %.0f bytes in memory (%zu each) per new connection\n",
	       (unsigned long)consumer.drained, (unsigned long)lost, (unsigned long)conns,
	       conns ? (double)consumer.drained / (double)conns : 0.0,
	       conns ? (double)consumer.drained * sizeof(struct sl_sync_conn) / (double)conns : 0.0,
	       sizeof(struct sl_sync_conn));
}
