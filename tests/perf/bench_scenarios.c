/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scenarios. Connections are opened as clients open them
 * (bench_conns.c); the measured traffic is then ACK segments spread
 * uniformly at random over the connections, half each way, each side in
 * its own family.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "bench.h"
#include "bench_scenarios.h"
#include "pkt.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t seq_len_for(uint32_t nconns)
{
	uint64_t len = (uint64_t)nconns * 2;
	if (len < (1u << 21))
		len = 1u << 21;
	if (len > (1u << 23))
		len = 1u << 23;
	return len;
}

/* ACKs, uniformly over `own` connections, alternating directions; with
 * `other`, every second reply belongs to the other lane's connections
 * (it arrives on this lane and must be steered). */
void established_seq(struct bench_seq *seq, const struct conn_set *own,
		     const struct conn_set *other)
{
	uint64_t packets = seq_len_for(own->n);

	seq_alloc_packets(seq, packets);
	for (uint64_t j = 0; j < packets; j++) {
		struct bench_rec *r = &seq->recs[seq->len];
		if ((j & 1) == 0) {
			seq->len += side_rec(r, own, false, (uint32_t)(rng() % own->n),
					     SL_TCP_ACK);
			continue;
		}
		const struct conn_set *cs = other && (j & 2) ? other : own;
		seq->len += side_rec(r, cs, true, (uint32_t)(rng() % cs->n), SL_TCP_ACK);
	}
}

/* SYNs from clients of families `fam` never seen before, for worker 0
 * (wrapping after 2^23, by when the first ones have long expired). */
static void new_conn_seq(struct bench_seq *seq, uint64_t first, unsigned nworkers,
			 struct bench_fam fam)
{
	struct conn_set one = {.fam = fam, .n = 1};
	uint64_t next = (8ull << 24) + first;
	struct sl_v4key k4;
	struct sl_v6key k6;

	one.client = &k4;
	one.client6 = &k6;
	seq_alloc_packets(seq, 1u << 23);
	for (uint64_t j = 0; j < (1u << 23); j++) {
		owned_client(&next, fam, 0, nworkers, &k4, &k6);
		seq->len += side_rec(&seq->recs[seq->len], &one, false, 0, SL_TCP_SYN);
	}
}

/* Replace every tenth record with a new connection's SYN. */
static void mix_in_new(struct bench_seq *seq, const struct bench_seq *syns)
{
	for (uint64_t j = 0; j < seq->len; j += 10)
		seq->recs[j] = syns->recs[(j / 10) % syns->len];
}

/* ---- running ---- */

int lane_job_run(void *arg)
{
	struct lane_job *job = arg;
	struct rte_rcu_qsbr *qs = job->env->dp.qsbr;
	unsigned id = job->env->lanes[job->lane].w->id;

	rte_rcu_qsbr_thread_register(qs, id);
	rte_rcu_qsbr_thread_online(qs, id);
	job->packets = bench_run_lane(job->env, job->lane, job->seq, &job->pos,
				      job->seconds, job->baseline, &job->cycles);
	bench_drain(job->env, job->lane, job->baseline);
	rte_rcu_qsbr_thread_offline(qs, id);
	rte_rcu_qsbr_thread_unregister(qs, id);
	return 0;
}

void scen_add_run(struct scen_result *r, uint64_t cycles, uint64_t units,
		  uint64_t packets)
{
	if (r->runs < BENCH_MAX_RUNS && units)
		r->cpp[r->runs++] = (double)cycles / (double)units;
	r->packets += packets;
	r->seconds += (double)cycles / (double)rte_get_tsc_hz();
}

/* env->runs runs of `seq` on lane 0, each from where the last stopped. */
static void run_one(struct bench_env *env, const char *name,
		    const struct bench_seq *seq, bool baseline, struct scen_result *r)
{
	struct lane_job job = {env, 0, seq, 0, env->seconds, baseline, 0, 0};

	snprintf(r->name, sizeof(r->name), "%s", name);
	for (unsigned i = 0; i < env->runs; i++) {
		lane_job_run(&job);
		scen_add_run(r, job.cycles, job.packets, job.packets);
	}
}

void reset_workers(struct bench_env *env)
{
	for (unsigned i = 0; i < env->nworkers; i++)
		if (sl_worker_reset(env->dp.workers[i]) != 0) {
			fprintf(stderr, "bench: cannot reset worker tables\n");
			exit(1);
		}
}

void bench_baseline(struct bench_env *env, struct scen_result *r)
{
	struct conn_set cs;
	struct bench_seq seq;

	reset_workers(env);
	open_connections(env, 0, 1000, BENCH_FNAT44, &cs);
	established_seq(&seq, &cs, NULL);
	run_one(env, "baseline", &seq, true, r);
	free(seq.recs);
	conn_set_free(&cs);
}

void bench_established(struct bench_env *env, const char *name, uint32_t nconns,
		       bool cold, struct bench_fam fam, struct scen_result *r)
{
	struct conn_set cs;
	struct bench_seq seq;

	reset_workers(env);
	open_connections(env, 0, nconns, fam, &cs);
	established_seq(&seq, &cs, NULL);
	bench_set_cold(env, cold);
	run_one(env, name, &seq, false, r);
	bench_set_cold(env, false);
	free(seq.recs);
	conn_set_free(&cs);
}

static int short_syn_timeout(struct sl_model *m, void *arg, struct sl_err *err)
{
	(void)arg, (void)err;
	m->timeouts_ms[SL_CS_TCP_SYN_SENT] = 1000;
	return 0;
}

static int long_syn_timeout(struct sl_model *m, void *arg, struct sl_err *err)
{
	(void)arg, (void)err;
	m->timeouts_ms[SL_CS_TCP_SYN_SENT] = 600000;
	return 0;
}

/* Figures per new connection: each run's cycles over the connections it
 * created. */
void bench_new_connections(struct bench_env *env, const char *name, bool cold,
			   struct bench_fam fam, struct scen_result *r)
{
	struct bench_seq seq;
	struct sl_worker *w = env->dp.workers[0];
	struct lane_job job = {env, 0, &seq, 0, env->seconds, false, 0, 0};

	reset_workers(env);
	bench_env_change(env, short_syn_timeout, NULL);
	new_conn_seq(&seq, 0, env->nworkers, fam);
	bench_set_cold(env, cold);
	snprintf(r->name, sizeof(r->name), "%s", name);
	for (unsigned i = 0; i < env->runs; i++) {
		uint64_t created = w->stats.conns_created;
		lane_job_run(&job);
		created = w->stats.conns_created - created;
		r->created += created;
		scen_add_run(r, job.cycles, created, job.packets);
	}
	bench_set_cold(env, false);
	bench_env_change(env, long_syn_timeout, NULL);
	free(seq.recs);
}

void bench_mixed(struct bench_env *env, struct scen_result *r)
{
	struct conn_set cs;
	struct bench_seq seq, syns;

	reset_workers(env);
	open_connections(env, 0, 1000000, BENCH_FNAT44, &cs);
	bench_env_change(env, short_syn_timeout, NULL);
	/* A long sequence, so a client's SYN comes round again only after
	 * its first connection has expired. */
	seq_alloc(&seq, 1u << 24);
	struct bench_seq est;
	established_seq(&est, &cs, NULL);
	for (uint64_t j = 0; j < seq.len; j++)
		seq.recs[j] = est.recs[j % est.len];
	free(est.recs);
	new_conn_seq(&syns, 0, env->nworkers, BENCH_FNAT44); /* a record a packet */
	mix_in_new(&seq, &syns);
	uint64_t created = env->dp.workers[0]->stats.conns_created;
	run_one(env, "mixed", &seq, false, r);
	r->created = env->dp.workers[0]->stats.conns_created - created;
	bench_env_change(env, long_syn_timeout, NULL);
	free(seq.recs);
	free(syns.recs);
	conn_set_free(&cs);
}

void bench_cross_worker(struct bench_env *env, struct scen_result *r)
{
	struct conn_set cs[2];
	struct bench_seq seq[2];
	struct lane_job jobs[2];
	unsigned remote = rte_get_next_lcore(-1, 1, 0);

	reset_workers(env);
	for (unsigned l = 0; l < 2; l++)
		open_connections(env, l, 100000, BENCH_FNAT44, &cs[l]);
	for (unsigned l = 0; l < 2; l++) {
		established_seq(&seq[l], &cs[l], &cs[1 - l]);
		jobs[l] = (struct lane_job){env, l, &seq[l], 0, env->seconds, false, 0, 0};
	}
	snprintf(r->name, sizeof(r->name), "cross_worker");
	for (unsigned i = 0; i < env->runs; i++) {
		rte_eal_remote_launch(lane_job_run, &jobs[1], remote);
		lane_job_run(&jobs[0]);
		rte_eal_wait_lcore(remote);
		/* Per worker: the sum of both over twice the time. */
		uint64_t packets = jobs[0].packets + jobs[1].packets;
		scen_add_run(r, jobs[0].cycles + jobs[1].cycles, packets, packets / 2);
	}
	/* Each lane drained itself; what the other steered to it after
	 * that is still on its rings. */
	for (unsigned l = 0; l < 2; l++)
		bench_drain(env, l, false);
	/* A worker that is not running (on this shared VM, descheduled for
	 * a millisecond) lets the other fill its steering ring (2048 frames)
	 * and drop; these drops are counted and shown, not failed. */
	r->may_drop_reason[SL_DROP_STEER_RING_FULL] = true;
	r->steered = env->dp.workers[0]->stats.steered_out +
		     env->dp.workers[1]->stats.steered_out;
	for (unsigned l = 0; l < 2; l++) {
		free(seq[l].recs);
		conn_set_free(&cs[l]);
	}
}

/* ---- one local address ---- */

#define ONE_LIP_CONNS 1000000

static int one_lip_only(struct sl_model *m, void *arg, struct sl_err *err)
{
	(void)arg;
	for (unsigned l = 1; l < BENCH_NLIPS; l++)
		if (sl_model_del_laddr(m, bench_lip(l), err) != 0)
			return -1;
	return 0;
}

static int all_lips_back(struct sl_model *m, void *arg, struct sl_err *err)
{
	(void)arg;
	for (unsigned l = 1; l < BENCH_NLIPS; l++)
		if (sl_model_add_laddr(m, bench_lip(l), -1, err) != 0)
			return -1;
	return 0;
}

struct bench_counts bench_counts(const struct bench_env *env)
{
	struct bench_counts c = {0};

	for (unsigned i = 0; i < env->nworkers; i++) {
		const struct sl_worker_stats *st = &env->dp.workers[i]->stats;
		c.in += env->lanes[i].injected;
		c.out += env->lanes[i].transmitted;
		for (unsigned d = 0; d < SL_DROP_MAX; d++)
			c.drops[d] += st->drops[d];
	}
	return c;
}

void bench_account(const struct bench_env *env, const struct bench_counts *before,
		   struct scen_result *r)
{
	struct bench_counts now = bench_counts(env);

	r->in = now.in - before->in;
	r->out = now.out - before->out;
	r->dropped = r->may_drop = 0;
	for (unsigned d = 0; d < SL_DROP_MAX; d++) {
		r->drops[d] = now.drops[d] - before->drops[d];
		r->dropped += r->drops[d];
		if (r->may_drop_reason[d])
			r->may_drop += r->drops[d];
	}
	r->failed = r->out + r->may_drop < r->in || r->sync.failed;
}

/* The translated SYNs all left from the one local address, none with a
 * local port another connection to its server has; the number of
 * distinct local ports they used. */
static uint32_t lports_checked(const struct conn_set *cs)
{
	static uint8_t used[16][65536], any[65536];
	uint32_t distinct = 0;

	memset(used, 0, sizeof(used));
	memset(any, 0, sizeof(any));
	for (uint32_t i = 0; i < cs->n; i++) {
		const struct sl_v4key *k = &cs->server[i];
		uint32_t rs = sl_ntohl(k->saddr) - sl_ntohl(bench_rs(0));
		uint16_t lport = sl_ntohs(k->dport);
		if (k->daddr != bench_lip(0) || rs >= 16 || used[rs][lport]++) {
			fprintf(stderr, "bench: connection %u: wrong address, server or a "
				"local port given twice\n", i);
			exit(1);
		}
		distinct += !any[lport]++;
	}
	return distinct;
}

static void one_lip_run(struct bench_env *env, struct scen_result *r)
{
	struct conn_set cs = {.fam = BENCH_FNAT44, .cap = ONE_LIP_CONNS};
	struct bench_seq syns[2], replies;
	uint32_t half = ONE_LIP_CONNS / 2;

	reset_workers(env);
	if (bench_env_change(env, one_lip_only, NULL) != 0) {
		fprintf(stderr, "bench: cannot remove the other local addresses\n");
		exit(1);
	}
	cs.server = malloc(cs.cap * sizeof(*cs.server));
	for (unsigned l = 0; l < 2; l++) {
		seq_alloc(&syns[l], half);
		for (uint32_t i = 0; i < half; i++) {
			struct sl_v4key k = client_key(l, i);
			rec_of(&syns[l].recs[i], &k, SL_TCP_SYN, BENCH_PORT_WAN);
		}
	}
	struct bench_counts before = bench_counts(env);
	uint64_t steered = env->dp.workers[0]->stats.steered_out +
			   env->dp.workers[1]->stats.steered_out;
	uint64_t start = rte_rdtsc();
	for (unsigned l = 0; l < 2; l++)
		bench_push_all(env, l, &syns[l], collect_server_key, &cs);
	uint64_t cycles = rte_rdtsc() - start;

	seq_alloc(&replies, cs.n ? cs.n : 1);
	replies.len = cs.n;
	for (uint32_t i = 0; i < cs.n; i++)
		rec_of(&replies.recs[i], &cs.server[i], SL_TCP_SYN | SL_TCP_ACK,
		       BENCH_PORT_LAN);
	bench_push_all(env, 0, &replies, NULL, NULL);

	struct bench_counts after = bench_counts(env);
	r->created += cs.n;
	r->port_exhausted += after.drops[SL_DROP_PORT_EXHAUSTED] -
			     before.drops[SL_DROP_PORT_EXHAUSTED];
	r->steered += env->dp.workers[0]->stats.steered_out +
		      env->dp.workers[1]->stats.steered_out - steered;
	r->lports_used = lports_checked(&cs);
	scen_add_run(r, cycles, cs.n, after.in - before.in);

	if (bench_env_change(env, all_lips_back, NULL) != 0) {
		fprintf(stderr, "bench: cannot restore the local addresses\n");
		exit(1);
	}
	reset_workers(env);
	for (unsigned l = 0; l < 2; l++)
		free(syns[l].recs);
	free(replies.recs);
	free(cs.server);
}

/* ONE_LIP_CONNS connections to the 16 servers through one local address,
 * half opened by each worker (each from its own share of the ports: some
 * 31,250 per server out of 32,256), then every server's SYN+ACK arriving
 * on worker 0, so half are steered to the worker owning their port. The
 * figures are for the SYNs: new connections per second, cycles each. */
void bench_one_lip(struct bench_env *env, struct scen_result *r)
{
	snprintf(r->name, sizeof(r->name), "one_lip_1m");
	for (unsigned i = 0; i < env->runs; i++)
		one_lip_run(env, r);
}
