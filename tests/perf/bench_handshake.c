/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * new_connections_handshake: new connections opened in full, as clients
 * open them (handshake(), bench_conns.c): the client's SYN, the server's
 * SYN+ACK on the lan port, the client's ACK, which makes the connection
 * ESTABLISHED and, with session sync on, makes its NEW record. Where
 * new_connections is SYNs only (a connection that never completes
 * syncs nothing), this row is what a synced node pays per connection.
 *
 * Each run opens batches of HS_BATCH connections from new v4 clients of
 * worker 0 until the pushes' cycles reach env->seconds; building the
 * frames of each phase (from what the last one made come out) is not
 * timed. The workers are cleared between runs (not timed either).
 * Figures per connection: the cycles of its three frames.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "bench.h"
#include "bench_scenarios.h"

#define HS_BATCH 4096

static uint64_t conns_created(const struct bench_env *env)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < env->nworkers; i++)
		sum += env->dp.workers[i]->stats.conns_created;
	return sum;
}

static void handshake_run(struct bench_env *env, struct conn_set *cs,
			  struct bench_seq *seq, struct scen_result *r)
{
	uint64_t budget = (uint64_t)(env->seconds * (double)rte_get_tsc_hz());
	uint64_t cycles = 0, made = 0, next = 0, created;

	reset_workers(env);
	created = conns_created(env);
	while (cycles < budget) {
		for (uint32_t i = 0; i < HS_BATCH; i++)
			owned_client(&next, BENCH_FNAT44, 0, env->nworkers, &cs->client[i], NULL);
		cs->n = HS_BATCH;
		cycles += handshake(env, 0, cs, seq);
		made += HS_BATCH;
	}
	if (conns_created(env) - created != made) {
		fprintf(stderr, "bench: %s: %lu connections made for %lu handshakes\n",
			r->name, (unsigned long)(conns_created(env) - created),
			(unsigned long)made);
		exit(1);
	}
	r->created += made;
	scen_add_run(r, cycles, made, 3 * made);
}

void bench_handshakes(struct bench_env *env, const char *name, struct scen_result *r)
{
	struct conn_set cs;
	struct bench_seq seq;

	snprintf(r->name, sizeof(r->name), "%s", name);
	conn_set_alloc(&cs, HS_BATCH, BENCH_FNAT44);
	seq_alloc_packets(&seq, HS_BATCH);
	for (unsigned i = 0; i < env->runs; i++)
		handshake_run(env, &cs, &seq, r);
	reset_workers(env);
	free(seq.recs);
	conn_set_free(&cs);
}
