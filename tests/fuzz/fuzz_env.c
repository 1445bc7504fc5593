/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_malloc.h>

#include "config.h"
#include "fuzz_env.h"

static void die(const char *what)
{
	fprintf(stderr, "fuzz env: %s\n", what);
	exit(1);
}

void fuzz_eal_init(unsigned lcores)
{
	char lc[32], *argv[16];
	int argc = 0;

	/* Every lcore floats over every CPU: the machine may have fewer
	 * CPUs than lcores. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (lcores > 1)
		snprintf(lc, sizeof(lc), "--lcores=(0-%u)@(0-%ld)", lcores - 1, cpus - 1);
	else
		snprintf(lc, sizeof(lc), "--lcores=0@(0-%ld)", cpus - 1);
	argv[argc++] = "fuzz";
	argv[argc++] = "--no-huge";
	argv[argc++] = "-m";
	argv[argc++] = "256";
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--no-shconf";
	argv[argc++] = "--log-level=error";
	argv[argc++] = lc;
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0)
		die("EAL init failed");
}

void fuzz_default_flag(int *argc, char ***argv, const char *name, const char *value)
{
	size_t nlen = strlen(name);

	for (int i = 1; i < *argc; i++)
		if (strncmp((*argv)[i], name, nlen) == 0 && (*argv)[i][nlen] == '=')
			return;
	/* Kept for the life of the process: libFuzzer holds on to argv. */
	char **next = calloc((size_t)*argc + 2, sizeof(*next));
	char *flag = malloc(nlen + strlen(value) + 2);
	if (next == NULL || flag == NULL)
		die("out of memory");
	sprintf(flag, "%s=%s", name, value);
	memcpy(next, *argv, (size_t)*argc * sizeof(*next));
	next[(*argc)++] = flag;
	*argv = next;
}

/* The pool has no per-lcore cache, so it hands mbufs out in FIFO order:
 * a frame freed in a step is not reused in the same step, which the
 * packet fuzzer relies on when it poisons the tail of injected frames.
 * 1,023 is far more than a step allocates (a burst and the rings'
 * frames, each answered at most once, beside the 2 x SL_HOLD_MAX held)
 * and leaves each worker's hold limit at SL_HOLD_MAX (a quarter of the
 * pool caps it below that); each buffer handed out is one not touched
 * for the last thousand, so fewer is less time in cache misses. */
#define FUZZ_MBUFS 1023
static void make_dataplane(struct fuzz_env *e)
{
	struct sl_dataplane *dp = &e->dp;
	const struct sl_model *m = &e->ctl.model;

	dp->nworkers = FUZZ_WORKERS;
	dp->steer_ring_size = e->steer_ring;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->pool = rte_pktmbuf_pool_create("fz_pool", FUZZ_MBUFS, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	dp->learn_ring = rte_ring_create_elem("fz_learn", sizeof(struct sl_learn_msg),
					      SL_LEARN_RING_SIZE, 0, RING_F_SC_DEQ);
	dp->qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(FUZZ_WORKERS), 64);
	if (!dp->pool || !dp->learn_ring || !dp->qsbr ||
	    rte_rcu_qsbr_init(dp->qsbr, FUZZ_WORKERS) != 0)
		die("out of DPDK memory");
	memset(dp->port_of_ethdev, 0xff, sizeof(dp->port_of_ethdev));
	for (unsigned p = 0; p < m->nports; p++) {
		if (ringport_open(&e->ports[p], m->ports[p].name, FUZZ_WORKERS,
				  dp->pool, RINGPORT_TX_ROOMY) != 0)
			die("cannot create a ring port");
		/* Ring ports have no MAC of their own; give each one, so a
		 * frame that leaves with the wrong port's MAC shows. */
		uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0xf0, (uint8_t)p};
		memcpy(e->ports[p].mac, mac, 6);
		dp->ethdev[p] = e->ports[p].ethdev;
		dp->port_of_ethdev[e->ports[p].ethdev] = (uint8_t)p;
		/* Port 0 as one given RX checksum offload (its flags read),
		 * port 1 as one given none (its flags ignored). */
		dp->csum_trust[e->ports[p].ethdev] =
			p == 0 ? SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM : 0;
		memcpy(e->ctl.ports[p].mac, e->ports[p].mac, 6);
		e->ctl.ports[p].ethdev = e->ports[p].ethdev;
	}
	dp->nports = m->nports;
}

#define FUZZ_IDLE_SLEEP_US 2000
#define FUZZ_SNAT_HOSTS 1024u

static void make_workers(struct fuzz_env *e)
{
	const struct sl_model *m = &e->ctl.model;
	char errbuf[160];

	for (unsigned i = 0; i < FUZZ_WORKERS; i++) {
		struct sl_worker_params p = {
			.id = (uint16_t)i,
			.max_conns = e->max_conns ? e->max_conns : m->max_conns,
			.max_conns_v6 = e->max_conns ? SL_CT_EXT_DEFAULT(e->max_conns)
						     : m->max_conns_v6,
			/* Few: a reset clears the whole table. */
			.snat_hosts = m->snat_max_hosts < FUZZ_SNAT_HOSTS ? m->snat_max_hosts
									  : FUZZ_SNAT_HOSTS,
			.lport_lo = m->lport_lo,
			.lport_hi = m->lport_hi,
			/* Live workers here only pass quiescent states and
			 * read control messages; they sleep offline (a grace
			 * period does not wait for them), so a long nap costs
			 * a request no wall time, and wake-ups at 100 us were
			 * a third of fuzz_ctl's CPU. */
			.idle_sleep_us = e->live ? FUZZ_IDLE_SLEEP_US : 0,
			.idle_empty_polls = 16,
			.verify_l4_csum = m->verify_l4_csum,
		};
		e->dp.workers[i] = sl_worker_create(&e->dp, &p, errbuf, sizeof(errbuf));
		if (e->dp.workers[i] == NULL)
			die(errbuf);
	}
	if (sl_workers_connect(&e->dp, errbuf, sizeof(errbuf)) != 0)
		die(errbuf);
}

void fuzz_env_init(struct fuzz_env *e, const char *config, bool live)
{
	struct sl_err err;
	uint32_t max_conns = e->max_conns, steer_ring = e->steer_ring;

	memset(e, 0, sizeof(*e));
	e->live = live;
	e->max_conns = max_conns;
	e->steer_ring = steer_ring;
	if (sl_config_load_string(config, &e->ctl.model, &err) != 0) {
		fprintf(stderr, "fuzz env config: %s: %s\n", err.field, err.message);
		exit(1);
	}
	if (sl_model_clone(&e->base, &e->ctl.model) != 0)
		die("out of memory");
	e->ctl.dp = &e->dp;
	e->ctl.start_ms = sl_ctl_now_ms();
	make_dataplane(e);
	make_workers(e);
	if (sl_neigh_init(&e->ctl.neigh) != 0 ||
	    sl_ctl_publish(&e->ctl, &e->ctl.model, &err) != 0)
		die("initial publish failed");
	if (live) {
		unsigned lcore, i = 0;
		RTE_LCORE_FOREACH_WORKER(lcore) {
			if (i < FUZZ_WORKERS &&
			    rte_eal_remote_launch(sl_worker_main, e->dp.workers[i], lcore) != 0)
				die("cannot launch a worker");
			i++;
		}
		if (i < FUZZ_WORKERS)
			die("not enough lcores for live workers");
		return;
	}
	for (unsigned i = 0; i < FUZZ_WORKERS; i++) {
		memcpy(e->cursor0[i], e->dp.workers[i]->sched_cursor,
		       sizeof(e->cursor0[i]));
		rte_rcu_qsbr_thread_register(e->dp.qsbr, i);
		rte_rcu_qsbr_thread_online(e->dp.qsbr, i);
		sl_worker_begin(e->dp.workers[i]);
	}
}

/* Hand-driven workers live in this thread: a grace period would wait for
 * ourselves, so they go offline around a publish (they hold no snapshot
 * pointer between steps). */
static void workers_online(struct fuzz_env *e, bool on)
{
	for (unsigned i = 0; !e->live && i < FUZZ_WORKERS; i++) {
		if (on)
			rte_rcu_qsbr_thread_online(e->dp.qsbr, i);
		else
			rte_rcu_qsbr_thread_offline(e->dp.qsbr, i);
	}
}

int fuzz_env_adopt(struct fuzz_env *e, struct sl_model *next, struct sl_err *err)
{
	workers_online(e, false);
	int rc = sl_ctl_publish(&e->ctl, next, err);
	workers_online(e, true);
	if (rc != 0) {
		sl_model_free(next);
		return -1;
	}
	sl_ctl_rebase_ids(&e->ctl, &e->ctl.model, next);
	sl_model_free(&e->ctl.model);
	e->ctl.model = *next;
	e->dirty = true;
	return 0;
}

void fuzz_env_restore(struct fuzz_env *e)
{
	struct sl_model next;
	struct sl_err err;

	if (e->dirty) {
		if (sl_model_clone(&next, &e->base) != 0 ||
		    fuzz_env_adopt(e, &next, &err) != 0)
			die("cannot restore the base configuration");
	} else if (e->neigh_dirty) {
		/* The model is the base's: only the neighbor table, built
		 * from it and what the control thread learned, is new, as
		 * the daemon's own neighbor work publishes it. */
		workers_online(e, false);
		int rc = sl_ctl_publish_neigh(&e->ctl, &e->ctl.model, &err);
		workers_online(e, true);
		if (rc != 0)
			die("cannot restore the neighbor table");
	}
	e->dirty = e->neigh_dirty = false;
	/* The neighbor tables the requests and the restore replaced wait in
	 * a defer queue the daemon's loop empties a turn later: empty it
	 * here, once the workers' grace period is over (offline, it is;
	 * live, they pass through it in their loop). */
	workers_online(e, false);
	if (e->live)
		rte_rcu_qsbr_synchronize(e->dp.qsbr, RTE_QSBR_THRID_INVALID);
	sl_ctl_neigh_reclaim(&e->ctl);
	workers_online(e, true);
}

void fuzz_env_step(struct fuzz_env *e, unsigned wid, struct rte_mbuf **pkts,
		   unsigned n)
{
	struct sl_worker *w = e->dp.workers[wid % FUZZ_WORKERS];

	sl_worker_begin(w);
	if (n)
		sl_worker_burst(w, pkts, (uint16_t)n);
	/* Then every worker's steered frames and tail; w's begin stands
	 * (nothing publishes within a step), as in sl_worker_poll(). */
	for (unsigned i = 0; i < FUZZ_WORKERS; i++) {
		struct sl_worker *x = e->dp.workers[i];
		if (x != w)
			sl_worker_begin(x);
		sl_worker_drain_steered(x);
		sl_worker_tail(x);
		rte_rcu_qsbr_quiescent(e->dp.qsbr, i);
	}
}

static void drain_ring(struct rte_ring *r)
{
	void *m;

	while (r && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

/* Learned neighbors, ARP probes not yet sent, ARP not yet read. */
static void forget_neighbors(struct fuzz_env *e)
{
	struct sl_learn_msg msg;
	void *probe;

	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		while (rte_ring_dequeue(e->dp.workers[i]->ctl_ring, &probe) == 0)
			free(probe);
	while (rte_ring_dequeue_elem(e->dp.learn_ring, &msg, sizeof(msg)) == 0)
		;
	if (e->ctl.neigh.n) {
		sl_neigh_clear(&e->ctl.neigh);
		e->neigh_dirty = true;
	}
}

void fuzz_env_reset(struct fuzz_env *e)
{
	for (unsigned i = 0; i < FUZZ_WORKERS; i++) {
		struct sl_worker *w = e->dp.workers[i];
		for (unsigned j = 0; j < FUZZ_WORKERS; j++) {
			drain_ring(w->steer_in[j]);
			drain_ring(w->snat_in[j]);
			drain_ring(w->flow_in[j]);
		}
		for (uint32_t h = 0; h < w->nhold; h++)
			rte_pktmbuf_free(w->hold[h].m);
		w->nhold = 0;
		for (uint32_t h = 0; h < w->nhold6; h++)
			rte_pktmbuf_free(w->hold6[h].m);
		w->nhold6 = 0;
		if (sl_worker_reset(w) != 0)
			die("cannot reset a worker");
		/* Scheduling and address choices start where they did, so an
		 * input replays the same way. */
		memcpy(w->sched_cursor, e->cursor0[i], sizeof(e->cursor0[i]));
		w->lip_rr = 0;
		memset(w->arp_asked, 0, sizeof(w->arp_asked));
		memset(w->ns_asked, 0, sizeof(w->ns_asked));
	}
	for (unsigned p = 0; p < e->dp.nports; p++)
		for (unsigned q = 0; q < FUZZ_WORKERS; q++)
			drain_ring(e->ports[p].tx[q]);
	forget_neighbors(e);
	fuzz_env_restore(e);
}

static unsigned ring_count(struct rte_ring *r)
{
	return r ? rte_ring_count(r) : 0;
}

static void worker_state(FILE *f, struct fuzz_env *e, unsigned i)
{
	struct sl_worker *w = e->dp.workers[i];
	unsigned queued = ring_count(w->ctl_ring), lips_used = 0, active = 0, asked = 0;

	for (unsigned j = 0; j < FUZZ_WORKERS; j++)
		queued += ring_count(w->steer_in[j]) + ring_count(w->snat_in[j]) +
			  ring_count(w->flow_in[j]);
	for (unsigned l = 0; l < SL_MAX_LIPS; l++)
		lips_used += w->lips[l].pm.nfree != w->lips[l].pm.nbits ||
			     w->lips[l].pm.cursor != 0;
	for (unsigned r = 0; r < SL_MAX_RS; r++)
		active += w->rs_active[r];
	for (unsigned a = 0; a < SL_ARRAY_SIZE(w->arp_asked); a++)
		asked += !!memcmp(&w->arp_asked[a], &(typeof(w->arp_asked[a])){0},
				  sizeof(w->arp_asked[a]));
	fprintf(f, "worker %u: conns %u ext %u held %u queued %u lips in use %u "
		"hosts %u rs active %u cursors %s lip_rr %u arp asked %u\n",
		i, w->ct.nconns, w->ct.ext_used, w->nhold, queued, lips_used,
		w->hosts.used, active,
		memcmp(w->sched_cursor, e->cursor0[i], sizeof(e->cursor0[i])) ? "moved" : "as started",
		w->lip_rr, asked);
}

char *fuzz_env_state(struct fuzz_env *e)
{
	size_t len = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &len);
	json_t *doc = sl_config_to_json(&e->ctl.model);
	char *conf = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(doc);
	if (f == NULL || conf == NULL)
		die("out of memory describing the state");
	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		worker_state(f, e, i);
	unsigned tx = 0;
	for (unsigned p = 0; p < e->dp.nports; p++)
		for (unsigned q = 0; q < FUZZ_WORKERS; q++)
			tx += ring_count(e->ports[p].tx[q]);
	fprintf(f, "tx queued %u, learn queued %u, learned neighbors %u, mbufs in use %u, "
		"dirty %d/%d\nconfig %s\n", tx, ring_count(e->dp.learn_ring),
		e->ctl.neigh.n, rte_mempool_in_use_count(e->dp.pool), e->dirty,
		e->neigh_dirty, conf);
	free(conf);
	if (fclose(f) != 0)
		die("out of memory describing the state");
	return text;
}
