/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the session-sync engine's tests share (test_cluster.c,
 * test_cluster_v2.c, test_cluster_takeover.c): a three-node cluster
 * lb1..lb3 on 127.0.0.1..3 without sockets, callbacks that note what
 * they saw (`seen`), datagrams forged as a peer would send them (`fg`
 * says what they carry), and one node's last datagram delivered to
 * another.
 * Header-only and static inline, like frames.h. Include after <cmocka.h>.
 */
#ifndef SL_TEST_CLUSTER_FIXTURE_H
#define SL_TEST_CLUSTER_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include <netinet/in.h>

#include "cluster.h"
#include "conn.h"

#define PORT 8848
static const uint8_t KEY[32] __attribute__((unused)) = "sluice-test-key-sluice-test-key!";

/* What the callbacks saw. */
static struct {
	uint32_t installed, install_calls, dumps, ready_calls, takeover_calls, ntake;
	bool ready;
	char why[160];           /* the last ready_changed's reason */
	uint64_t raised_epoch;   /* the last epoch_raised's */
	uint32_t raise_calls;    /* epoch_raised calls (each a durable write) */
	uint32_t store_fails;    /* the next epoch_raised calls that fail */
	uint8_t refuse_vip_last; /* refuse records whose VIP ends in this byte */
} seen __attribute__((unused));

static inline enum sl_sync_verdict check(void *arg, const struct sl_sync_conn *r)
{
	(void)arg;
	if (seen.refuse_vip_last && r->vip[3] == seen.refuse_vip_last)
		return SL_SYNC_NO_VIP;
	if (r->laddr[3] == 99)
		return SL_SYNC_NO_LADDR;
	return SL_SYNC_ACCEPT;
}

static inline uint32_t install(void *arg, const struct sl_sync_conn *recs, uint32_t n,
			       uint32_t peer)
{
	(void)arg, (void)recs, (void)peer;
	seen.installed += n;
	seen.install_calls++;
	return 0;
}

static inline void dump(void *arg, uint32_t peer)
{
	(void)arg, (void)peer;
	seen.dumps++;
}

static inline void takeover(void *arg, const struct sl_addr *a, uint32_t n)
{
	(void)arg, (void)a;
	seen.takeover_calls++;
	seen.ntake = n;
}

static inline void ready(void *arg, bool r, const char *why)
{
	(void)arg;
	seen.ready_calls++;
	seen.ready = r;
	snprintf(seen.why, sizeof(seen.why), "%s", why);
}

static inline int epoch_raised(void *arg, uint64_t epoch)
{
	(void)arg;
	seen.raised_epoch = epoch;
	seen.raise_calls++;
	return seen.store_fails ? (seen.store_fails--, -1) : 0;
}

static const struct sl_cluster_ops OPS __attribute__((unused)) = {
	.check = check, .install = install, .dump = dump,
	.takeover_changed = takeover, .ready_changed = ready, .epoch_raised = epoch_raised,
};

static inline struct sl_addr v4(uint8_t last)
{
	struct sl_addr a = {.af = SL_AF_V4};
	uint8_t b[4] = {127, 0, 0, last};

	memcpy(&a.v4, b, 4);
	return a;
}

/* Node `self` (1..3) of a three-node cluster on 127.0.0.1..3; each
 * node's local addresses 198.18.N.1..4. */
static inline void conf_of(int self, struct sl_cluster_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->on = true;
	snprintf(c->node, sizeof(c->node), "lb%d", self);
	c->sync_addr = v4((uint8_t)self);
	c->sync_port = PORT;
	memcpy(c->key, KEY, sizeof(KEY));
	c->key_len = sizeof(KEY);
	c->heartbeat_ms = 100;
	c->dead_ms = 500;
	c->refresh_ms = 10000;
	c->dump_timeout_ms = 5000;
	c->unheard_ms = 3000;
	c->share_percent = 50;
	c->max_datagram = 1452;
	c->key_grace_ms = 1000;
	c->sock_buffer = 1u << 20;
	for (int n = 1; n <= 3; n++) {
		struct sl_cluster_peer_conf *p = &c->peers[c->npeers];
		if (n == self)
			continue;
		snprintf(p->name, sizeof(p->name), "lb%d", n);
		p->addr = v4((uint8_t)n);
		p->nladdrs = 4;
		for (int j = 0; j < 4; j++) {
			uint8_t b[4] = {198, 18, (uint8_t)n, (uint8_t)(j + 1)};
			p->laddrs[j].af = SL_AF_V4;
			memcpy(&p->laddrs[j].v4, b, 4);
		}
		c->npeers++;
	}
}

static inline struct sl_cluster *node(int self, uint64_t now)
{
	struct sl_cluster_conf c;
	char err[128];
	struct sl_cluster *cl;

	conf_of(self, &c);
	cl = sl_cluster_new(&c, &OPS, now, 1000 + (uint64_t)self, true, err, sizeof(err));
	if (!cl)
		fail_msg("%s", err);
	return cl;
}

static inline struct sl_sync_conn rec(uint8_t vip_last, uint8_t laddr_last)
{
	struct sl_sync_conn r = {
		.client = {198, 18, 9, 9}, .vip = {198, 18, 0, vip_last},
		.rs = {198, 18, 5, 5}, .laddr = {198, 18, 2, laddr_last},
		.cport = htons(40000), .vport = htons(80), .rsport = htons(80),
		.lport = htons(2000), .timeout_ms = 1000, .family_orig = 4,
		.family_reply = 4, .proto = IPPROTO_TCP, .state = SL_CS_TCP_ESTABLISHED,
		.event = SL_SYNC_NEW,
	};
	return r;
}

/* What forged datagrams say besides their type and records: sent to
 * lb1 at its current epoch (1001) by default, sender epoch 7, the
 * three-node cluster's node-list digest. */
static struct {
	int to;
	uint64_t to_epoch, epoch;
	uint8_t flags;
	uint16_t workers;
	uint32_t dump_id, dump_records, nodes;
} fg __attribute__((unused));

/* The node-list digest of lb1..lb3, as each of them computes it. */
static inline uint32_t nodes_digest3(void)
{
	struct sl_cluster_conf c;
	struct sl_sync_peer p[2];

	conf_of(1, &c);
	for (int i = 0; i < 2; i++)
		sl_sync_peer_init(&p[i], &c.peers[i]);
	return sl_sync_nodes_digest(c.node, p, 2);
}

static inline void forge_defaults(void)
{
	memset(&fg, 0, sizeof(fg));
	fg.to = 1;
	fg.to_epoch = 1001;
	fg.epoch = 7;
	fg.flags = SL_SYNC_F_READY;
	fg.nodes = nodes_digest3();
}

/* A test's start: nothing seen, forged datagrams as by default. */
static inline void fresh(void)
{
	memset(&seen, 0, sizeof(seen));
	forge_defaults();
}

/* A datagram of `type` as node lb`from` would send it, sealed with `key`. */
static inline size_t forge_type(uint8_t *buf, int from, const uint8_t *key, uint8_t type,
				uint64_t seq, const struct sl_sync_conn *recs, uint32_t n)
{
	static struct sl_sync_dgram d;
	struct sl_sync_mac *m = sl_sync_mac_new(key, 32);
	struct sl_sync_hdr h = {
		.type = type, .flags = fg.flags, .key_id = sl_sync_mac_id(m),
		.workers = fg.workers, .epoch = fg.epoch, .rcv_epoch = fg.to_epoch,
		.dump_id = fg.dump_id, .dump_records = fg.dump_records, .nodes = fg.nodes,
	};

	snprintf(h.sender, sizeof(h.sender), "lb%d", from);
	snprintf(h.receiver, sizeof(h.receiver), "lb%d", fg.to);
	sl_sync_dgram_start(&d, 1452, &h);
	for (uint32_t i = 0; i < n; i++)
		sl_sync_dgram_add(&d, &recs[i]);
	sl_sync_dgram_seal(&d, m, seq);
	sl_sync_mac_free(m);
	memcpy(buf, d.buf, d.len);
	return d.len;
}

static inline size_t forge(uint8_t *buf, int from, const uint8_t *key, uint64_t seq,
			   const struct sl_sync_conn *recs, uint32_t n)
{
	return forge_type(buf, from, key, n ? SL_SYNC_T_RECORDS : SL_SYNC_T_HEARTBEAT,
			  seq, recs, n);
}

/* A control message from lb`from` (no records). */
static inline size_t ctl_msg(uint8_t *buf, int from, uint8_t type, uint64_t seq)
{
	return forge_type(buf, from, KEY, type, seq, NULL, 0);
}

/* lb`self` of a two-node cluster (lb1 and lb2 only). */
static inline struct sl_cluster *pair_node(int self)
{
	struct sl_cluster_conf c;
	char err[128];
	struct sl_cluster *cl;

	conf_of(self, &c);
	c.npeers = 1;
	cl = sl_cluster_new(&c, &OPS, 0, 1000 + (uint64_t)self, true, err, sizeof(err));
	if (!cl)
		fail_msg("%s", err);
	return cl;
}

/* What x last sent, input to y (from lb`from`) at `now`. */
static inline void deliver(struct sl_cluster *x, struct sl_cluster *y, int from, uint64_t now)
{
	struct sl_addr a = v4((uint8_t)from);
	size_t len;
	const uint8_t *sent = sl_cluster_last_sent(x, &len, NULL);

	sl_cluster_input(y, sent, len, &a, PORT, now);
}

/* The header of what x last sent. */
static inline struct sl_sync_hdr last_hdr(struct sl_cluster *x)
{
	struct sl_sync_hdr h;
	size_t len;
	const uint8_t *sent = sl_cluster_last_sent(x, &len, NULL);

	assert_int_equal(sl_sync_parse(sent, len, &h), SL_SYNC_OK);
	return h;
}

/* Node a (dump timeout 5000) is not ready before `at`, ready at `at` by
 * the dump timeout (counted), and freed. */
static inline void ready_at_timeout(struct sl_cluster *a, uint64_t at)
{
	sl_cluster_poll(a, at - 1);
	assert_false(sl_cluster_ready(a));
	sl_cluster_poll(a, at);
	assert_true(sl_cluster_ready(a));
	assert_int_equal(sl_cluster_stats(a)->dump_timeouts, 1);
	sl_cluster_free(a);
}

#endif
