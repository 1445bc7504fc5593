/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync in the benchmark (issue 16). A sync row runs with the
 * workers' sync on and the control thread's part done as the daemon does
 * it, on the workers' own thread (so its cost is in the row's figures:
 * the ratio to the row without sync is an upper bound). Every
 * BENCH_CTL_TICK_MS, the daemon's control loop tick (LOOP_TICK_MS,
 * ctrl/daemon/sluice.c), or sooner when a worker's ring passed its wake
 * mark (the eventfd that wakes the daemon's loop, read here as the flag
 * behind it), one control turn: the rings drained by ctl_sync.c
 * (sl_ctl_sync_poll: until empty, or its time bound) into a sink handing
 * them to the cluster engine (ctrl/cluster/, one peer), which batches
 * them into datagrams, seals each with its HMAC and sends what waits
 * (sl_cluster_poll); a refresh walk every refresh_ms, as the engine's
 * refresh callback asks in the daemon.
 *
 * What differs from production: the engine has no socket (nosock: a
 * sealed datagram is copied aside, no sendto), and its clock stands
 * still, so it sends one heartbeat when made and none after, and its
 * peer, which never answers, never dies: every datagram a row counts
 * carries records (the peer's tx_dgrams and tx_records), and its bytes
 * are the header, the records and the MAC (sync_wire.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "bench.h"
#include "bench_scenarios.h"
#include "cluster.h"
#include "ctl_sync.h"
#include "sync_wire.h"
#include "worker_sync.h"

#define BENCH_CTL_TICK_MS 5
#define CLUSTER_NOW 1 /* the engine's clock, held still */
/* Each datagram's framing beyond its UDP payload: UDP and IPv4 headers,
 * Ethernet header and FCS. */
#define FRAMING_BYTES (8 + 20 + 14 + 4)

static struct {
	struct bench_env *env;
	struct sl_cluster *c;
	uint64_t tick_cycles, refresh_cycles;
	uint64_t last_tick, last_refresh;
	struct bench_sync_result at_on; /* counters when sync went on */
	uint64_t by_event[SL_SYNC_GONE + 1];
	/* The control turns' drains: how many, how many a wake brought, and
	 * the longest (its cycles and records): what a full ring costs. */
	uint64_t turns, woken, longest, longest_recs;
} S;

static void sink(void *ctx, const struct sl_sync_conn *recs, uint32_t n)
{
	(void)ctx;
	for (uint32_t i = 0; i < n; i++)
		S.by_event[recs[i].event <= SL_SYNC_GONE ? recs[i].event : 0]++;
	if (!S.env->sync_lose)
		sl_cluster_emit(S.c, recs, n);
}

/* The engine of this node ("bench-a") and its one peer, made once. */
static void cluster_make(void)
{
	static struct sl_cluster_conf conf = {
		.on = true, .node = "bench-a", .sync_port = SL_CLUSTER_PORT_DEFAULT,
		.key_len = SL_CLUSTER_KEY_MIN, .heartbeat_ms = SL_CLUSTER_HEARTBEAT_MS_DEFAULT,
		.dead_ms = SL_CLUSTER_DEAD_MS_DEFAULT, .refresh_ms = SL_CLUSTER_REFRESH_MS_DEFAULT,
		.dump_timeout_ms = SL_CLUSTER_DUMP_TIMEOUT_MS_DEFAULT,
		.key_grace_ms = SL_CLUSTER_KEY_GRACE_MS_DEFAULT,
		.share_percent = SL_CLUSTER_SHARE_PERCENT_DEFAULT,
		.total_share_percent = SL_CLUSTER_TOTAL_SHARE_PERCENT_DEFAULT,
		.max_datagram = SL_CLUSTER_DGRAM_DEFAULT, .npeers = 1,
		.peers = {{.name = "bench-b"}},
	};
	const struct sl_cluster_ops ops = {0};
	char err[160];

	memset(conf.key, 0x5a, conf.key_len);
	conf.sync_addr = sl_addr_v4(sl_htonl(0xc6120101u));     /* 198.18.1.1 */
	conf.peers[0].addr = sl_addr_v4(sl_htonl(0xc6120102u)); /* never sent to */
	S.c = sl_cluster_new(&conf, &ops, CLUSTER_NOW, 1, true, err, sizeof(err));
	if (S.c == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	sl_cluster_set_workers(S.c, (uint16_t)S.env->nworkers);
	sl_cluster_poll(S.c, CLUSTER_NOW); /* its one heartbeat, before any count */
}

/* What the sync path has done so far: records by event, datagrams and
 * their bytes, records the rings lost, walks, connections made. */
static struct bench_sync_result counts(void)
{
	const struct sl_sync_peer *p = sl_cluster_peer(S.c, 0);
	struct bench_sync_result s = {.dgrams = p->st.tx_dgrams, .records = p->st.tx_records};

	memcpy(s.by_event, S.by_event, sizeof(s.by_event));
	s.bytes = s.dgrams * (SL_SYNC_HDR_LEN + SL_SYNC_MAC_LEN) + s.records * SL_SYNC_REC_LEN;
	for (unsigned i = 0; i < S.env->nworkers; i++) {
		s.walks += S.env->dp.workers[i]->sync->stats.walks;
		s.ring_lost += S.env->dp.workers[i]->sync->stats.ring_full;
		s.conns += S.env->dp.workers[i]->stats.conns_created;
	}
	return s;
}

static void control_turn(uint64_t now)
{
	struct sl_ctl *ctl = &S.env->ctl;
	uint64_t drained = sl_ctl_sync_stats(ctl)->drained, t = rte_rdtsc();

	sl_ctl_sync_poll(ctl);              /* sl_ctl_work */
	sl_cluster_poll(S.c, CLUSTER_NOW);  /* sl_ctl_cluster_poll */
	t = rte_rdtsc() - t;
	S.turns++;
	if (t > S.longest) {
		S.longest = t;
		S.longest_recs = sl_ctl_sync_stats(ctl)->drained - drained;
	}
	if (now - S.last_refresh >= S.refresh_cycles &&
	    sl_ctl_sync_dump(ctl, -1, false, sl_cluster_conf(S.c)->refresh_ms) == 0)
		S.last_refresh = now;
}

void bench_sync_tick(void)
{
	uint64_t now = rte_rdtsc();

	bool woken = sl_ctl_sync_woken(&S.env->ctl);

	if (now - S.last_tick < S.tick_cycles && !woken)
		return;
	S.woken += woken;
	S.last_tick = now;
	control_turn(now);
}

void bench_sync_on(struct bench_env *env)
{
	char err[160];
	uint64_t hz = rte_get_tsc_hz();

	S.env = env;
	if (S.c == NULL)
		cluster_make();
	if (sl_ctl_sync_init(&env->ctl, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	sl_ctl_sync_set_sink(&env->ctl, sink, NULL, NULL);
	S.tick_cycles = hz * BENCH_CTL_TICK_MS / 1000;
	S.refresh_cycles = hz / 1000 * (env->sync_refresh_ms ? env->sync_refresh_ms
					: sl_cluster_conf(S.c)->refresh_ms);
	S.last_tick = S.last_refresh = rte_rdtsc();
	memset(S.by_event, 0, sizeof(S.by_event));
	S.turns = S.woken = S.longest = S.longest_recs = 0;
	S.at_on = counts();
}

/* Every record the rings hold through the sink, every datagram out. */
static void last_turn(void)
{
	bool left;

	do {
		sl_ctl_sync_poll(&S.env->ctl);
		left = false;
		for (unsigned i = 0; i < S.env->nworkers; i++)
			left |= rte_ring_count(S.env->dp.workers[i]->sync->ring) != 0;
	} while (left);
	sl_cluster_poll(S.c, CLUSTER_NOW);
}

/* The row's figures, and whether they are what its traffic must make:
 * with `expect_new` a NEW sent for every connection made, none lost to a
 * full ring (the drain empties the rings, woken at their mark), and
 * datagrams carrying them; else none. */
void bench_sync_off(struct bench_env *env, bool expect_new, struct scen_result *r)
{
	struct bench_sync_result *s = &r->sync, now;

	last_turn();
	now = counts();
	sl_ctl_sync_free(&env->ctl);
	s->on = true;
	s->records = now.records - S.at_on.records;
	for (unsigned e = 0; e <= SL_SYNC_GONE; e++)
		s->by_event[e] = now.by_event[e] - S.at_on.by_event[e];
	s->dgrams = now.dgrams - S.at_on.dgrams;
	s->bytes = now.bytes - S.at_on.bytes;
	s->frame_bytes = s->bytes + s->dgrams * FRAMING_BYTES;
	s->ring_lost = now.ring_lost - S.at_on.ring_lost;
	s->walks = now.walks - S.at_on.walks;
	s->conns = now.conns - S.at_on.conns;
	s->failed = expect_new ? s->by_event[SL_SYNC_NEW] != s->conns || s->ring_lost != 0 ||
				 s->by_event[SL_SYNC_NEW] == 0 || s->dgrams == 0 || s->bytes == 0
			       : s->by_event[SL_SYNC_NEW] != 0;
	printf("    sync: %lu records (%lu NEW, %lu STATE, %lu REFRESH, %lu GONE) in %lu "
	       "datagrams, %lu bytes, for %lu new connections; %lu lost to a full ring, "
	       "%lu worker walks%s\n", (unsigned long)s->records,
	       (unsigned long)s->by_event[SL_SYNC_NEW], (unsigned long)s->by_event[SL_SYNC_STATE],
	       (unsigned long)s->by_event[SL_SYNC_REFRESH], (unsigned long)s->by_event[SL_SYNC_GONE],
	       (unsigned long)s->dgrams, (unsigned long)s->bytes, (unsigned long)s->conns,
	       (unsigned long)s->ring_lost, (unsigned long)s->walks,
	       s->failed ? expect_new ? "; FAILED: not one NEW sent per connection made"
				      : "; FAILED: records where none are made" : "");
	printf("    sync drain: %lu control turns (%lu woken by a ring past its mark), the "
	       "longest %.0f us for %lu records\n", (unsigned long)S.turns,
	       (unsigned long)S.woken, (double)S.longest * 1e6 / (double)rte_get_tsc_hz(),
	       (unsigned long)S.longest_recs);
}
