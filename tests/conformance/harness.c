/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "config.h"
#include "config_apply.h"
#include "frames.h"
#include "harness.h"
#include "port.h"
#include "ringport.h"

static struct ringport ports[H_MAX_PORTS];

static int make_dataplane(struct harness *h)
{
	struct sl_dataplane *dp = &h->dp;

	dp->nworkers = h->nworkers;
	dp->tsc_hz = rte_get_tsc_hz();
	/* Room for full steering rings (the flood checks fill them). */
	dp->pool = rte_pktmbuf_pool_create("h_pool", 16383, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	dp->learn_ring = rte_ring_create_elem("h_learn", sizeof(struct sl_learn_msg),
					      1024, 0, RING_F_SC_DEQ);
	dp->qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(h->nworkers), 64);
	if (!dp->pool || !dp->learn_ring || !dp->qsbr ||
	    rte_rcu_qsbr_init(dp->qsbr, h->nworkers) != 0)
		return -1;
	for (unsigned p = 0; p < h->ctl.model.nports; p++) {
		/* TX as deep as a real port's (drivers/port.h): a burst that
		 * would overrun a NIC's descriptors is refused here too. */
		if (ringport_open(&ports[p], h->ctl.model.ports[p].name, h->nworkers,
				  dp->pool, SL_PORT_TX_DESC) != 0)
			return -1;
		dp->ethdev[p] = ports[p].ethdev;
		dp->port_of_ethdev[ports[p].ethdev] = (uint8_t)p;
		memcpy(h->ctl.ports[p].mac, ports[p].mac, 6);
	}
	dp->nports = h->ctl.model.nports;
	return 0;
}

int h_init(struct harness *h, const char *config)
{
	struct sl_err err;
	char errbuf[128];

	memset(h, 0, sizeof(*h));
	if (sl_config_load_string(config, &h->ctl.model, &err) != 0) {
		fprintf(stderr, "harness config: %s: %s\n", err.field, err.message);
		return -1;
	}
	h->ctl.dp = &h->dp;
	h->nworkers = h->ctl.model.workers;
	if (make_dataplane(h) != 0 || sl_neigh_init(&h->ctl.neigh) != 0)
		return -1;
	h->ctl.neigh.nports = (uint8_t)h->ctl.model.nports;
	h->ctl.neigh.keep = sl_ctl_neigh_keep;
	h->ctl.neigh.keep_ctx = &h->ctl;
	for (unsigned i = 0; i < h->nworkers; i++) {
		struct sl_worker_params p = {
			.id = (uint16_t)i,
			.max_conns = h->ctl.model.max_conns,
			.max_conns_v6 = h->ctl.model.max_conns_v6,
			.snat_hosts = h->ctl.model.snat_max_hosts,
			.lport_lo = h->ctl.model.lport_lo,
			.lport_hi = h->ctl.model.lport_hi,
			.verify_l4_csum = true,
		};
		h->dp.workers[i] = sl_worker_create(&h->dp, &p, errbuf, sizeof(errbuf));
		if (h->dp.workers[i] == NULL)
			return -1;
		rte_rcu_qsbr_thread_register(h->dp.qsbr, i);
		rte_rcu_qsbr_thread_online(h->dp.qsbr, i);
	}
	h->w = h->dp.workers[0];
	if (sl_workers_connect(&h->dp, errbuf, sizeof(errbuf)) != 0 ||
	    sl_ctl_publish(&h->ctl, &h->ctl.model, &err) != 0)
		return -1;
	return 0;
}

/* One loop iteration of worker `i`, `n` frames arriving on its queue. */
static void run_worker(struct harness *h, unsigned i, struct rte_mbuf **m, unsigned n)
{
	struct sl_worker *w = h->dp.workers[i];

	sl_worker_begin(w);
	if (n) /* as the loop hands a port's burst over: captured, VLANs told apart */
		sl_worker_received(w, h->dp.port_of_ethdev[m[0]->port], m, (uint16_t)n);
	sl_worker_drain_steered(w);
	sl_worker_tail(w);
	rte_rcu_qsbr_quiescent(h->dp.qsbr, i);
}

/* One iteration of every worker, worker `on` getting the frames; then
 * more rounds so that what one worker steered to another is handled too. */
static void step(struct harness *h, unsigned on, struct rte_mbuf **m, unsigned n)
{
	for (unsigned round = 0; round < (h->nworkers > 1 ? 3u : 1u); round++)
		for (unsigned i = 0; i < h->nworkers; i++)
			run_worker(h, i, m, round == 0 && i == on ? n : 0);
}

/* An mbuf holding `frame` as received on `port`, or NULL (pool dry). */
static struct rte_mbuf *received(struct harness *h, unsigned port,
				 const uint8_t *frame, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->dp.pool);
	if (m == NULL)
		return NULL;
	uint8_t *f = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	memcpy(f, frame, len);
	/* Frames built for "the box" (frames.h's fr_mac_b) go to the port's
	 * own MAC, as a neighbor's would: Sluice drops unicast for others. */
	if (len >= 6 && memcmp(f, fr_mac_b, 6) == 0)
		memcpy(f, ports[port].mac, 6);
	m->port = ports[port].ethdev;
	return m;
}

void h_send(struct harness *h, unsigned port, const uint8_t *frame, uint32_t len)
{
	h_send_on(h, port, 0, frame, len);
}

void h_send_on(struct harness *h, unsigned port, unsigned worker,
	       const uint8_t *frame, uint32_t len)
{
	struct rte_mbuf *m = received(h, port, frame, len);
	if (m != NULL && worker < h->nworkers)
		step(h, worker, &m, 1);
	else
		rte_pktmbuf_free(m);
}

void h_send_flags(struct harness *h, unsigned port, const uint8_t *frame,
		  uint32_t len, uint64_t ol_flags)
{
	struct rte_mbuf *m = received(h, port, frame, len);
	if (m == NULL)
		return;
	m->ol_flags = ol_flags;
	step(h, 0, &m, 1);
}

void h_csum_trust(struct harness *h, unsigned port, uint8_t layers)
{
	h->dp.csum_trust[ports[port].ethdev] = layers;
}

void h_arrive(struct harness *h, unsigned port, unsigned worker,
	      uint8_t (*frames)[FR_MAX], const uint32_t *lens, unsigned n)
{
	struct rte_mbuf *m[H_BURST];
	unsigned got = 0;

	for (unsigned i = 0; i < n && i < H_BURST; i++)
		if ((m[got] = received(h, port, frames[i], lens[i])) != NULL)
			got++;
	run_worker(h, worker, m, got);
}

void h_send_burst(struct harness *h, unsigned port, const uint8_t (*frames)[FR_MAX],
		  const uint32_t *lens, unsigned n)
{
	struct rte_mbuf *m[SL_BURST];
	unsigned got = 0;

	for (unsigned i = 0; i < n && i < SL_BURST; i++)
		if ((m[got] = received(h, port, frames[i], lens[i])) != NULL)
			got++;
	step(h, 0, m, got);
}

void h_run(struct harness *h, unsigned worker)
{
	run_worker(h, worker, NULL, 0);
}

void h_settle(struct harness *h)
{
	/* Each step drains three bursts from every ring: enough of them to
	 * empty the fullest. */
	unsigned ring = h->dp.steer_ring_size ? h->dp.steer_ring_size : SL_STEER_RING_SIZE;
	for (unsigned i = 0; i < ring / (3 * SL_BURST) + 2; i++)
		step(h, 0, NULL, 0);
}

uint32_t h_recv(struct harness *h, unsigned port, uint8_t *buf)
{
	struct rte_mbuf *m = NULL;
	unsigned q = 0;

	while (q < h->nworkers && rte_ring_dequeue(ports[port].tx[q], (void **)&m) != 0)
		q++;
	if (q == h->nworkers)
		return 0;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	if (len > FR_MAX)
		len = FR_MAX;
	memcpy(buf, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	return len;
}

void h_flush(struct harness *h)
{
	uint8_t buf[FR_MAX];
	for (unsigned p = 0; p < h->dp.nports; p++)
		while (h_recv(h, p, buf))
			;
}

void h_advance(struct harness *h, uint32_t seconds)
{
	for (unsigned i = 0; i < h->nworkers; i++)
		h->dp.workers[i]->clock_skew_ms += seconds * 1000;
	/* Expiry is budgeted per iteration: run enough of them. */
	for (unsigned i = 0; i < 4096; i++)
		step(h, 0, NULL, 0);
}

void h_tick(struct harness *h, uint32_t ms)
{
	for (unsigned i = 0; i < h->nworkers; i++)
		h->dp.workers[i]->clock_skew_ms += ms;
	step(h, 0, NULL, 0);
}

/* The workers run on this thread, between steps: offline, they hold up
 * no grace period. */
static int publish_offline(struct harness *h, const struct sl_model *m, struct sl_err *err,
			   int (*publish)(struct sl_ctl *, const struct sl_model *,
					  struct sl_err *))
{
	for (unsigned i = 0; i < h->nworkers; i++)
		rte_rcu_qsbr_thread_offline(h->dp.qsbr, i);
	int rc = publish(&h->ctl, m, err);
	/* The daemon's loop frees replaced neighbor tables a turn later;
	 * with every worker offline their grace period is already over. */
	sl_ctl_neigh_reclaim(&h->ctl);
	for (unsigned i = 0; i < h->nworkers; i++)
		rte_rcu_qsbr_thread_online(h->dp.qsbr, i);
	return rc;
}

int h_publish(struct harness *h, const struct sl_model *m, struct sl_err *err)
{
	return publish_offline(h, m, err, sl_ctl_publish);
}

int h_publish_neigh(struct harness *h, struct sl_err *err)
{
	return publish_offline(h, &h->ctl.model, err, sl_ctl_publish_neigh);
}

uint64_t h_drops(const struct harness *h, enum sl_drop why)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < h->nworkers; i++)
		sum += h->dp.workers[i]->stats.drops[why];
	return sum;
}

int h_apply(struct harness *h, const char *config)
{
	struct sl_model next;
	struct sl_fresh_ids fresh;
	struct sl_err err;

	if (sl_config_load_string(config, &next, &err) != 0) {
		fprintf(stderr, "h_apply: %s: %s\n", err.field, err.message);
		return -1;
	}
	if (sl_config_check_fixed(&h->ctl.model, &next, &err) != 0 ||
	    sl_config_carry_ids(&h->ctl.model, &next, &fresh, &err) != 0)
		goto refused;
	if (h_publish(h, &next, &err) != 0)
		goto refused;
	sl_model_free(&h->ctl.model);
	h->ctl.model = next;
	step(h, 0, NULL, 0); /* the workers adopt the snapshot */
	return 0;
refused:
	fprintf(stderr, "h_apply: %s: %s\n", err.field, err.message);
	sl_model_free(&next);
	return -1;
}
