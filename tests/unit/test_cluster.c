/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's engine (ctrl/cluster/cluster.c) without sockets: each
 * kind of bad input on the sync channel is counted under its own name
 * and hands nothing to install; records go from one node to another and
 * are installed there; the daemon's check refuses what names a VIP or
 * local address this node does not have; a starting node is ready (and
 * takes anything over) only once every live peer sent its dump, or the
 * dump timeout passed (counted). The counters reach /metrics: a datagram sealed with a
 * foreign key (reason bad_key_id) moves
 * sluice_cluster_sync_dropped_datagrams_total, and promtool
 * finds nothing wrong with the cluster's and announcer's families.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "cluster.h"
#include "cluster_json.h"
#include "conn.h"
#include "metrics_text.h"
#include "sync_epoch.h"

#define PORT 8848
static const uint8_t KEY[32] = "sluice-test-key-sluice-test-key!";

/* What the callbacks saw. */
static struct {
	uint32_t installed, install_calls, dumps, ready_calls, takeover_calls, ntake;
	bool ready;
	uint8_t refuse_vip_last; /* refuse records whose VIP ends in this byte */
} seen;

static enum sl_sync_verdict check(void *arg, const struct sl_sync_conn *r)
{
	(void)arg;
	if (seen.refuse_vip_last && r->vip[3] == seen.refuse_vip_last)
		return SL_SYNC_NO_VIP;
	if (r->laddr[3] == 99)
		return SL_SYNC_NO_LADDR;
	return SL_SYNC_ACCEPT;
}

static uint32_t install(void *arg, const struct sl_sync_conn *recs, uint32_t n, uint32_t peer)
{
	(void)arg, (void)recs, (void)peer;
	seen.installed += n;
	seen.install_calls++;
	return 0;
}

static void dump(void *arg, uint32_t peer)
{
	(void)arg, (void)peer;
	seen.dumps++;
}

static void takeover(void *arg, const struct sl_addr *a, uint32_t n)
{
	(void)arg, (void)a;
	seen.takeover_calls++;
	seen.ntake = n;
}

static void ready(void *arg, bool r, const char *why)
{
	(void)arg, (void)why;
	seen.ready_calls++;
	seen.ready = r;
}

static const struct sl_cluster_ops OPS = {
	.check = check, .install = install, .dump = dump,
	.takeover_changed = takeover, .ready_changed = ready,
};

static struct sl_addr v4(uint8_t last)
{
	struct sl_addr a = {.af = SL_AF_V4};
	uint8_t b[4] = {127, 0, 0, last};

	memcpy(&a.v4, b, 4);
	return a;
}

/* Node `self` (1..3) of a three-node cluster on 127.0.0.1..3; each
 * node's local addresses 198.18.N.1..4. */
static void conf_of(int self, struct sl_cluster_conf *c)
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

static struct sl_cluster *node(int self, uint64_t now)
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

static struct sl_sync_conn rec(uint8_t vip_last, uint8_t laddr_last)
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
 * lb1 at its current epoch (1001) by default, sender epoch 7. */
static struct {
	int to;
	uint64_t to_epoch, epoch;
	uint8_t flags;
	uint16_t workers;
	uint32_t dump_id, dump_records;
} fg;

static void forge_defaults(void)
{
	memset(&fg, 0, sizeof(fg));
	fg.to = 1;
	fg.to_epoch = 1001;
	fg.epoch = 7;
	fg.flags = SL_SYNC_F_READY;
}

/* A test's start: nothing seen, forged datagrams as by default. */
static void fresh(void)
{
	memset(&seen, 0, sizeof(seen));
	forge_defaults();
}

/* A datagram of `type` as node lb`from` would send it, sealed with `key`. */
static size_t forge_type(uint8_t *buf, int from, const uint8_t *key, uint8_t type,
			 uint64_t seq, const struct sl_sync_conn *recs, uint32_t n)
{
	static struct sl_sync_dgram d;
	struct sl_sync_mac *m = sl_sync_mac_new(key, 32);
	struct sl_sync_hdr h = {
		.type = type, .flags = fg.flags, .key_id = sl_sync_mac_id(m),
		.workers = fg.workers, .epoch = fg.epoch, .rcv_epoch = fg.to_epoch,
		.dump_id = fg.dump_id, .dump_records = fg.dump_records,
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

static size_t forge(uint8_t *buf, int from, const uint8_t *key, uint64_t seq,
		    const struct sl_sync_conn *recs, uint32_t n)
{
	return forge_type(buf, from, key, n ? SL_SYNC_T_RECORDS : SL_SYNC_T_HEARTBEAT,
			  seq, recs, n);
}

static void test_bad_input_installs_nothing(void **state)
{
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	struct sl_sync_conn r[3] = {rec(1, 1), rec(1, 2), rec(1, 3)};
	static const uint8_t bad_key[32] = "not the cluster's key, not it!!!";
	static uint8_t buf[2048];
	struct sl_addr from = v4(2), stranger = v4(9);
	size_t len;
	(void)state;

	fresh();
	len = forge(buf, 2, KEY, 1, r, 3);
	sl_cluster_input(a, buf, len, &stranger, PORT, 10); /* unknown peer */
	sl_cluster_input(a, buf, len, &from, PORT + 1, 10); /* right host, wrong port */
	assert_int_equal(sl_cluster_stats(a)->unknown_peer, 2);

	len = forge(buf, 2, bad_key, 1, r, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.bad[SL_SYNC_BAD_KEY_ID], 1); /* another key's id */
	len = forge(buf, 2, KEY, 1, r, 3);
	buf[len - 1] ^= 1;
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.bad[SL_SYNC_BAD_MAC], 1);

	len = forge(buf, 2, KEY, 1, r, 3);
	buf[4] = SL_SYNC_VERSION + 1; /* a version this node does not speak */
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.bad[SL_SYNC_BAD_VERSION], 1);

	len = forge(buf, 2, KEY, 1, r, 3);
	sl_cluster_input(a, buf, 50, &from, PORT, 10);        /* cut in the header */
	sl_cluster_input(a, buf, len - 40, &from, PORT, 10);  /* a record cut short */
	assert_int_equal(p2->st.bad[SL_SYNC_BAD_TRUNCATED], 2);

	r[1].proto = IPPROTO_ICMP; /* one bad record spoils the datagram */
	len = forge(buf, 2, KEY, 1, r, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.bad[SL_SYNC_BAD_RECORD], 1);
	r[1].proto = IPPROTO_TCP;

	len = forge(buf, 3, KEY, 1, r, 3); /* lb3's name from lb2's address */
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.bad_sender, 1);
	assert_int_equal(seen.install_calls, 0);
	assert_int_equal(p2->state, SL_PEER_UNKNOWN); /* none of that was a sign of life */

	/* The good one, once; then its replay. */
	len = forge(buf, 2, KEY, 1, r, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(seen.installed, 3);
	assert_int_equal(p2->st.installed, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 20);
	assert_int_equal(p2->st.replays, 1);
	assert_int_equal(seen.installed, 3);

	/* Records naming a VIP or a local address this node does not have. */
	seen.refuse_vip_last = 7;
	r[0] = rec(7, 1);
	r[1] = rec(1, 99);
	len = forge(buf, 2, KEY, 2, r, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 30);
	assert_int_equal(p2->st.refused_vip, 1);
	assert_int_equal(p2->st.refused_laddr, 1);
	assert_int_equal(seen.installed, 4); /* only the third */
	sl_cluster_free(a);
}

/* The daemon's additions to cluster.status (cmd_cluster.c) and stats
 * "announce", every member present, so promtool sees every family. */
static const char *DAEMON_PART =
	"{\"sync\": {\"drained\": 1, \"unsunk\": 0, \"install_sent\": 2, \"refused_invalid\": 0,"
	" \"refused_vip\": 0, \"refused_rs\": 0, \"refused_laddr\": 0, \"refused_peer\": 0,"
	" \"refused_owner\": 3, \"no_memory\": 0, \"walks\": 1},"
	" \"counters\": {\"installs_counted\": 1, \"dump_requests\": 0, \"refreshes\": 0,"
	" \"takeover_calls\": 0},"
	" \"workers\": {\"emitted\": 5, \"ring_full\": 0, \"installed\": 2, \"updated\": 0,"
	" \"removed\": 0, \"refused_share\": 0, \"refused_table\": 0, \"walks\": 2,"
	" \"late\": 1, \"backwards\": 0, \"conflicts\": 0, \"gone_ignored\": 0,"
	" \"replaced\": 0, \"reopened\": 0},"
	" \"announce\": {\"table\": 100, \"drained\": false, \"gate_open\": true,"
	" \"in_step\": true, \"routes\": {\"vip\": 1, \"local\": 2, \"takeover\": 4},"
	" \"counters\": {\"routes_added\": 7, \"routes_removed\": 0, \"errors\": 0,"
	" \"table_reads\": 1, \"found_at_last_read\": 0, \"answers_lost\": 0,"
	" \"out_of_memory\": 0}}}";

/* /metrics of node a as the daemon renders it (its part faked). */
static char *metrics_of(struct sl_cluster *a, uint64_t now)
{
	json_t *extra = json_loads(DAEMON_PART, 0, NULL);
	json_t *cl = sl_cluster_json(a, now);
	struct sl_text t;

	assert_non_null(extra);
	assert_non_null(cl);
	json_object_set(cl, "sync", json_object_get(extra, "sync"));
	json_object_set(cl, "workers", json_object_get(extra, "workers"));
	json_object_update(json_object_get(cl, "counters"), json_object_get(extra, "counters"));
	json_object_set_new(json_array_get(json_object_get(cl, "peers"), 0),
			    "connections_held", json_integer(2));
	json_t *stats = json_pack("{s:o, s:O}", "cluster", cl, "announce",
				  json_object_get(extra, "announce"));
	assert_int_equal(sl_metrics_render(stats, &t), 0);
	json_decref(stats);
	json_decref(extra);
	return t.buf;
}

static void promtool_ok(const char *text)
{
	char path[] = "/tmp/sl-test-cluster-XXXXXX", cmd[160];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics <%s", path);
	int st = system(cmd);
	unlink(path);
	assert_int_equal(st, 0);
}

static void test_counters_in_metrics(void **state)
{
	struct sl_cluster *a = node(1, 0);
	struct sl_sync_conn r[1] = {rec(1, 1)};
	static const uint8_t bad_key[32] = "not the cluster's key, not it!!!";
	static uint8_t buf[2048];
	struct sl_addr from = v4(2), stranger = v4(9);
	const char *bad_key_line =
		"sluice_cluster_sync_dropped_datagrams_total{peer=\"lb2\",reason=\"bad_key_id\"} ";
	size_t len;
	(void)state;
	fresh();

	char *before = metrics_of(a, 10);
	assert_non_null(strstr(before, "sluice_cluster_ready 0\n"));
	assert_non_null(strstr(before, "sluice_cluster_peer_state{peer=\"lb2\",state=\"unknown\"} 1\n"));
	const char *at = strstr(before, bad_key_line);
	assert_non_null(at);
	assert_int_equal(strncmp(at + strlen(bad_key_line), "0\n", 2), 0);
	free(before);

	len = forge(buf, 2, bad_key, 1, r, 1);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	sl_cluster_input(a, buf, len, &stranger, PORT, 10);
	len = forge(buf, 2, KEY, 1, r, 1);
	sl_cluster_input(a, buf, len, &from, PORT, 20);

	char *after = metrics_of(a, 1520);
	const char *want[] = {
		"sluice_cluster_sync_dropped_datagrams_total{peer=\"lb2\",reason=\"bad_key_id\"} 1\n",
		"sluice_cluster_sync_dropped_datagrams_total{peer=\"lb3\",reason=\"bad_key_id\"} 0\n",
		"sluice_cluster_sync_unknown_peer_datagrams_total 1\n",
		"sluice_cluster_sync_records_received_total{peer=\"lb2\"} 1\n",
		"sluice_cluster_peer_up{peer=\"lb2\"} 1\n",
		"sluice_cluster_peer_last_heard_seconds{peer=\"lb2\"} 1.5\n",
		"sluice_cluster_peer_connections{peer=\"lb2\"} 2\n",
		"sluice_cluster_sync_install_refused_records_total{reason=\"owner\"} 3\n",
		"sluice_announce_routes{kind=\"takeover\"} 4\n",
		"sluice_node_drained 0\n",
		"sluice_cluster_sync_records_to_install_total 1\n",
		"sluice_cluster_sync_ignored_records_total{reason=\"late\"} 1\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(after, want[i]))
			fail_msg("no %s in:\n%s", want[i], after);
	/* lb3 was never heard: no last-heard sample rather than a made-up one */
	assert_null(strstr(after, "sluice_cluster_peer_last_heard_seconds{peer=\"lb3\"}"));
	if (getenv("SL_TEST_PRINT_METRICS"))
		fputs(after, stderr);
	promtool_ok(after);
	free(after);
	sl_cluster_free(a);
}

/* A control message from lb`from` (no records). */
static size_t ctl_msg(uint8_t *buf, int from, uint8_t type, uint64_t seq)
{
	return forge_type(buf, from, KEY, type, seq, NULL, 0);
}

/* lb`self` of a two-node cluster (lb1 and lb2 only). */
static struct sl_cluster *pair_node(int self)
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
static void deliver(struct sl_cluster *x, struct sl_cluster *y, int from, uint64_t now)
{
	struct sl_addr a = v4((uint8_t)from);
	size_t len;
	const uint8_t *sent = sl_cluster_last_sent(x, &len, NULL);

	sl_cluster_input(y, sent, len, &a, PORT, now);
}

/* The header of what x last sent. */
static struct sl_sync_hdr last_hdr(struct sl_cluster *x)
{
	struct sl_sync_hdr h;
	size_t len;
	const uint8_t *sent = sl_cluster_last_sent(x, &len, NULL);

	assert_int_equal(sl_sync_parse(sent, len, &h), SL_SYNC_OK);
	return h;
}

/* Node a (made at 0, dump timeout 5000) is ready at 5000 by the
 * timeout (counted), and freed. */
static void ready_at_timeout(struct sl_cluster *a)
{
	sl_cluster_poll(a, 5000);
	assert_true(sl_cluster_ready(a));
	assert_int_equal(sl_cluster_stats(a)->dump_timeouts, 1);
	sl_cluster_free(a);
}

/* lb2 (b) asks lb1 (a) for its dump; a dump's records arrive and are
 * installed, but its end says 20 records and 6 were lost: b is not
 * done, it asks again (a new id), and the next dump, whole, completes
 * it; the old dump's end, late, counts for nothing. */
static void test_dump_between_nodes(void **state)
{
	struct sl_cluster *a = pair_node(1), *b = pair_node(2);
	const struct sl_sync_peer *pa = sl_cluster_peer(b, 0);
	static uint8_t stale[2048];
	struct sl_sync_conn r[20];
	struct sl_addr from1 = v4(1);
	size_t stale_len = 0;
	(void)state;

	fresh();
	for (int i = 0; i < 20; i++)
		r[i] = rec(1, (uint8_t)(i + 1));
	sl_cluster_poll(a, 0);       /* hellos: receiver epoch 0 */
	assert_int_equal(last_hdr(a).rcv_epoch, 0);
	sl_cluster_poll(b, 0);
	deliver(a, b, 1, 0);
	deliver(b, a, 2, 0);
	assert_int_equal(pa->state, SL_PEER_UNKNOWN); /* learnt, not alive */
	assert_int_equal(pa->heard_epoch, 1001);
	sl_cluster_poll(a, 100);     /* a heartbeat bound to b's epoch */
	assert_int_equal(last_hdr(a).rcv_epoch, 1002);
	deliver(a, b, 1, 100);
	assert_int_equal(pa->state, SL_PEER_ALIVE);
	sl_cluster_poll(b, 100);     /* b asks a for its dump, id 1 */
	assert_int_equal(last_hdr(b).type, SL_SYNC_T_DUMP_REQ);
	assert_int_equal(last_hdr(b).dump_id, 1);
	deliver(b, a, 2, 100);
	assert_int_equal(seen.dumps, 1);

	/* 20 records: 14 fill one datagram (sent at once), 6 wait; lost. */
	sl_cluster_dump_begin(a, 0);
	sl_cluster_emit_to(a, 0, r, 20);
	assert_true(last_hdr(a).flags & SL_SYNC_F_DUMP);
	deliver(a, b, 1, 5);
	assert_int_equal(seen.installed, 14);
	sl_cluster_dump_end(a, 0); /* flushes the 6, then the end */
	assert_int_equal(sl_cluster_peer(a, 0)->st.tx_records, 20);
	assert_int_equal(last_hdr(a).dump_records, 20);
	const uint8_t *end = sl_cluster_last_sent(a, &stale_len, NULL);
	memcpy(stale, end, stale_len);
	deliver(a, b, 1, 6);
	assert_false(pa->dump_done);
	assert_int_equal(pa->st.dump_short, 1);
	assert_int_equal(pa->st.lost, 1); /* the 6 never delivered */

	sl_cluster_poll(b, 7); /* asked again at once, a new id */
	assert_int_equal(last_hdr(b).type, SL_SYNC_T_DUMP_REQ);
	assert_int_equal(last_hdr(b).dump_id, 2);
	assert_int_equal(pa->st.dump_retries, 1);
	deliver(b, a, 2, 7);
	sl_cluster_dump_begin(a, 0);
	sl_cluster_emit_to(a, 0, r, 14); /* one full datagram, sent */
	deliver(a, b, 1, 8);
	sl_cluster_dump_end(a, 0);
	assert_int_equal(last_hdr(a).dump_id, 2);
	deliver(a, b, 1, 9);
	assert_true(pa->dump_done);
	assert_int_equal(pa->st.dumps_received, 1);
	sl_cluster_input(b, stale, stale_len, &from1, PORT, 10); /* a replay: refused */
	assert_int_equal(pa->st.replays, 1);
	sl_cluster_free(a);
	sl_cluster_free(b);
}

/* A dump asked for SL_SYNC_DUMP_TRIES times and short each time is
 * asked for no more, and the node is ready only at the dump timeout
 * (counted), never on a partial dump. */
static void test_short_dumps_give_up(void **state)
{
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	static uint8_t buf[2048];
	struct sl_addr from2 = v4(2), from3 = v4(3);
	uint64_t seq = 1, t;
	size_t len;
	(void)state;

	fresh();
	for (t = 0; t < 5000; t += 100) {
		len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		fg.to_epoch = 1001;
		len = ctl_msg(buf, 3, SL_SYNC_T_HEARTBEAT, seq);
		sl_cluster_input(a, buf, len, &from3, PORT, t);
		sl_cluster_poll(a, t);
		if (p2->dump_id && !p2->dump_gave_up) { /* one record short, each time */
			fg.dump_id = p2->dump_id;
			fg.dump_records = 1;
			len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_END, seq++);
			sl_cluster_input(a, buf, len, &from2, PORT, t);
			fg.dump_id = fg.dump_records = 0;
		}
		if (sl_cluster_peer(a, 1)->dump_id == 1) { /* lb3's whole (empty) dump */
			fg.dump_id = 1;
			len = ctl_msg(buf, 3, SL_SYNC_T_DUMP_END, seq++);
			sl_cluster_input(a, buf, len, &from3, PORT, t);
			fg.dump_id = 0;
		}
		assert_false(sl_cluster_ready(a));
	}
	assert_true(p2->dump_gave_up);
	assert_int_equal(p2->st.dump_short, SL_SYNC_DUMP_TRIES);
	assert_int_equal(p2->dump_id, SL_SYNC_DUMP_TRIES);
	assert_true(sl_cluster_peer(a, 1)->dump_done);
	ready_at_timeout(a);
}

/* The dump sender's pace: SL_CLUSTER_DUMP_PACE datagrams a turn, what
 * dump_room says is left; the next poll gives a new turn. */
static void test_dump_pace(void **state)
{
	struct sl_cluster *a = node(1, 0);
	struct sl_sync_conn r[14];
	uint32_t per = sl_sync_recs_per_dgram(1452);

	static uint8_t buf[2048];
	struct sl_addr from = v4(2);
	size_t len;

	forge_defaults();
	for (int i = 0; i < 14; i++)
		r[i] = rec(1, (uint8_t)(i + 1));
	sl_cluster_poll(a, 0);
	fg.dump_id = 1;
	len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_REQ, 1); /* lb2 asks */
	sl_cluster_input(a, buf, len, &from, PORT, 0);
	assert_int_equal(sl_cluster_dump_room(a), SL_CLUSTER_DUMP_PACE * per);
	sl_cluster_dump_begin(a, 0);
	for (int i = 0; i < 5; i++)
		sl_cluster_emit_to(a, 0, r, 14);
	assert_int_equal(sl_cluster_dump_room(a), (SL_CLUSTER_DUMP_PACE - 5) * per);
	sl_cluster_emit(a, r, 14); /* live records are not the dump's pace */
	assert_int_equal(sl_cluster_dump_room(a), (SL_CLUSTER_DUMP_PACE - 5) * per);
	for (int i = 0; i < SL_CLUSTER_DUMP_PACE; i++)
		sl_cluster_emit_to(a, 0, r, 14);
	assert_int_equal(sl_cluster_dump_room(a), 0);
	sl_cluster_poll(a, 1);
	assert_int_equal(sl_cluster_dump_room(a), SL_CLUSTER_DUMP_PACE * per);
	assert_int_equal(sl_cluster_stats(a)->dump_dgrams, 5 + SL_CLUSTER_DUMP_PACE);
	sl_cluster_free(a);
	(void)state;
}


/* lb1 starts: lb2 answers its dump; lb3 is alive but never does, then
 * dies: lb1 is ready only then, and only then takes anything over. */
static void test_ready_waits_for_dumps(void **state)
{
	struct sl_cluster *a = node(1, 0);
	static uint8_t buf[2048];
	struct sl_addr from2 = v4(2), from3 = v4(3);
	const struct sl_addr *l;
	struct sl_addr want[8];
	uint64_t seq = 1;
	size_t len;
	(void)state;

	fresh();
	sl_cluster_poll(a, 0);
	assert_false(sl_cluster_ready(a));
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
	sl_cluster_input(a, buf, len, &from2, PORT, 10);
	sl_cluster_poll(a, 10); /* lb2 alive: asked for its dump (id 1) */
	assert_int_equal(sl_cluster_peer(a, 0)->dump_id, 1);
	fg.dump_id = 1;
	len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_END, seq++);
	fg.dump_id = 0;
	sl_cluster_input(a, buf, len, &from2, PORT, 50);
	assert_true(sl_cluster_peer(a, 0)->dump_done);
	for (uint64_t t = 100; t <= 4400; t += 100) {
		if (t < 4000) { /* lb3's heartbeats stop at 3900 */
			len = ctl_msg(buf, 3, SL_SYNC_T_HEARTBEAT, seq);
			sl_cluster_input(a, buf, len, &from3, PORT, t);
		}
		len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		sl_cluster_poll(a, t);
		assert_false(sl_cluster_ready(a));
		assert_int_equal(seen.ntake, 0);
	}
	assert_int_equal(seen.ready_calls, 0);
	sl_cluster_poll(a, 4401); /* lb3 silent 501 ms: dead, need not answer */
	assert_true(sl_cluster_ready(a));
	assert_int_equal(sl_cluster_stats(a)->dump_timeouts, 0);
	assert_int_equal(seen.ready_calls, 1);
	assert_true(seen.ready);
	assert_int_equal(sl_cluster_peer(a, 1)->state, SL_PEER_DEAD);
	/* lb3's addresses split between lb1 and lb2 by the rule. */
	assert_int_equal(sl_cluster_takeover_list(a, &l, NULL),
			 sl_sync_takeover("lb1", true, sl_cluster_peer(a, 0), 2, want, NULL, 8));
	assert_int_equal(seen.ntake, sl_cluster_takeover_list(a, &l, NULL));
	sl_cluster_free(a);
}

static void test_dump_timeout(void **state)
{
	struct sl_cluster *a = node(1, 0);
	static uint8_t buf[2048];
	struct sl_addr from2 = v4(2), from3 = v4(3);
	uint64_t seq = 1;
	size_t len;
	(void)state;

	fresh();
	for (uint64_t t = 0; t < 5000; t += 100) {
		len = forge(buf, 2, KEY, seq, NULL, 0);
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		len = forge(buf, 3, KEY, seq++, NULL, 0);
		sl_cluster_input(a, buf, len, &from3, PORT, t);
		sl_cluster_poll(a, t);
		assert_false(sl_cluster_ready(a));
	}
	assert_true(sl_cluster_stats(a)->unknown_peer == 0);
	ready_at_timeout(a);
}

/* Made at 0, first polled at 2000 (the daemon starts its workers in
 * between): no peer is dead for that, nothing is taken over, and the
 * dump wait starts then too. */
static void test_clock_starts_at_first_poll(void **state)
{
	struct sl_cluster *a = node(1, 0);
	(void)state;

	fresh();
	sl_cluster_poll(a, 2000);
	assert_int_equal(sl_cluster_peer(a, 0)->state, SL_PEER_UNKNOWN);
	assert_int_equal(sl_cluster_peer(a, 1)->state, SL_PEER_UNKNOWN);
	assert_false(sl_cluster_ready(a));
	sl_cluster_poll(a, 2500);
	assert_false(sl_cluster_ready(a));
	sl_cluster_poll(a, 2501); /* both silent 501 ms since the first poll */
	assert_int_equal(sl_cluster_peer(a, 0)->state, SL_PEER_DEAD);
	assert_true(sl_cluster_ready(a));
	sl_cluster_free(a);
}

/* Two nodes on real UDP sockets (127.0.0.1 and 127.0.0.2, a port of
 * this process's own): each hears the other, asks for and gets the
 * (empty) dump, and is ready; records emitted on one are installed on
 * the other. Bounded by a number of turns, not timed. */
static uint32_t dump_from;
static struct sl_cluster *dumper;
static void dump_now(void *arg, uint32_t peer)
{
	(void)arg;
	dump_from++;
	sl_cluster_dump_begin(dumper, peer);
	sl_cluster_dump_end(dumper, peer);
}

static void test_over_udp(void **state)
{
	struct sl_cluster_ops ops = OPS;
	struct sl_cluster_conf c1, c2;
	struct sl_cluster *a, *b;
	struct sl_sync_conn r = rec(1, 1);
	uint16_t port = (uint16_t)(20000 + getpid() % 20000);
	char err[160];
	(void)state;

	fresh();
	ops.dump = dump_now;
	conf_of(1, &c1);
	conf_of(2, &c2);
	c1.npeers = c2.npeers = 1; /* lb1 and lb2 only */
	c1.sync_port = c2.sync_port = port;
	a = sl_cluster_new(&c1, &ops, 0, 1, false, err, sizeof(err));
	if (!a)
		skip(); /* no loopback here */
	b = sl_cluster_new(&c2, &ops, 0, 2, false, err, sizeof(err));
	if (!b)
		fail_msg("%s", err);
	assert_true(sl_cluster_fd(a) >= 0);
	{ /* don't-fragment, and the buffers asked (root may pass rmem_max) */
		int v = 0;
		socklen_t l = sizeof(v);
		assert_int_equal(getsockopt(sl_cluster_fd(a), IPPROTO_IP, IP_MTU_DISCOVER,
					    &v, &l), 0);
		assert_int_equal(v, IP_PMTUDISC_DO);
		assert_true(sl_cluster_stats(a)->rcvbuf_bytes > 0);
		assert_true(sl_cluster_stats(a)->sndbuf_bytes > 0);
		if (geteuid() == 0)
			assert_true(sl_cluster_stats(a)->rcvbuf_bytes >= (int)c1.sock_buffer);
	}
	for (uint64_t t = 0; t < 2000 && !(sl_cluster_ready(a) && sl_cluster_ready(b)); t++) {
		dumper = a;
		sl_cluster_poll(a, t);
		dumper = b;
		sl_cluster_poll(b, t);
		usleep(1000);
	}
	assert_true(sl_cluster_ready(a));
	assert_true(sl_cluster_ready(b));
	assert_int_equal(sl_cluster_peer(a, 0)->state, SL_PEER_ALIVE);
	assert_int_equal(sl_cluster_stats(a)->dump_timeouts, 0);
	assert_true(dump_from >= 2);
	sl_cluster_emit(a, &r, 1);
	for (int i = 0; i < 2000 && seen.installed == 0; i++) {
		dumper = a;
		sl_cluster_poll(a, 3000);
		dumper = b;
		sl_cluster_poll(b, 3000);
		usleep(1000);
	}
	assert_int_equal(seen.installed, 1);
	assert_int_equal(sl_cluster_stats(b)->unknown_peer, 0);
	sl_cluster_free(a);
	sl_cluster_free(b);
}

/* Binding: lb2's datagram to lb3, captured and replayed to lb1, is
 * refused (and does not move lb1's window for lb2); so is one bound to
 * an old epoch of lb1 (a restart). Unbound hellos teach lb2's epoch and
 * nothing else: no sign of life, no records, no dump end; a replayed
 * older hello does not lower the epoch learnt. */
static void test_binding(void **state)
{
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	struct sl_sync_conn r[2] = {rec(1, 1), rec(1, 2)};
	static uint8_t buf[2048];
	struct sl_addr from = v4(2);
	size_t len;
	(void)state;

	fresh();
	fg.to = 3, fg.to_epoch = 1003;
	len = forge(buf, 2, KEY, 1000, r, 2); /* lb2 -> lb3, far ahead */
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.wrong_receiver, 1);
	fg.to = 1, fg.to_epoch = 999; /* lb1's previous incarnation */
	len = forge(buf, 2, KEY, 1001, r, 2);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.wrong_epoch, 1);
	fg.to_epoch = 0;
	fg.dump_id = 0;
	len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_END, 1002);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	len = forge(buf, 2, KEY, 1003, r, 2);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.unbound, 2);
	assert_int_equal(seen.installed, 0);
	assert_false(p2->dump_done);
	assert_int_equal(p2->state, SL_PEER_UNKNOWN);
	assert_int_equal(p2->heard_epoch, 7);
	assert_int_equal(p2->rx.epoch, 0); /* the window untouched */
	fg.epoch = 5; /* an older incarnation's hello, replayed */
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 1);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->heard_epoch, 7);
	/* Bound to lb1's epoch now, with a low sequence: accepted. */
	fg.epoch = 7, fg.to_epoch = 1001;
	len = forge(buf, 2, KEY, 1, r, 2);
	sl_cluster_input(a, buf, len, &from, PORT, 20);
	assert_int_equal(seen.installed, 2);
	assert_int_equal(p2->state, SL_PEER_ALIVE);
	/* lb1 sends to lb2 bound to the epoch it learnt. */
	sl_cluster_emit_to(a, 0, r, 1);
	sl_cluster_dump_end(a, 0);
	assert_int_equal(last_hdr(a).rcv_epoch, 7);
	assert_string_equal(last_hdr(a).receiver, "lb2");
	sl_cluster_free(a);
}

/* Worker counts: every datagram says the sender's; a peer with another
 * count has its records refused up front (counted), reported once, and
 * accepted again once it agrees. */
static uint32_t differ_calls;
static uint16_t differ_theirs;
static void on_differ(void *arg, uint32_t peer, uint16_t theirs, uint16_t ours)
{
	(void)arg, (void)peer, (void)ours;
	differ_calls++;
	differ_theirs = theirs;
}

static void test_worker_count(void **state)
{
	struct sl_cluster_ops ops = OPS;
	struct sl_cluster_conf c;
	struct sl_cluster *a;
	struct sl_sync_conn r[3] = {rec(1, 1), rec(1, 2), rec(1, 3)};
	static uint8_t buf[2048];
	struct sl_addr from = v4(2);
	char err[128];
	size_t len;
	(void)state;

	fresh();
	ops.workers_differ = on_differ;
	conf_of(1, &c);
	a = sl_cluster_new(&c, &ops, 0, 1001, true, err, sizeof(err));
	assert_non_null(a);
	sl_cluster_set_workers(a, 2);
	sl_cluster_poll(a, 0);
	assert_int_equal(last_hdr(a).workers, 2);
	fg.workers = 3;
	len = forge(buf, 2, KEY, 1, r, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	len = forge(buf, 2, KEY, 2, r, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 20);
	assert_int_equal(sl_cluster_peer(a, 0)->st.refused_workers, 6);
	assert_true(sl_cluster_peer(a, 0)->workers_differ);
	assert_int_equal(sl_cluster_peer(a, 0)->workers, 3);
	assert_int_equal(seen.installed, 0);
	assert_int_equal(differ_calls, 1); /* once, not per datagram */
	assert_int_equal(sl_cluster_peer(a, 0)->state, SL_PEER_ALIVE);
	fg.workers = 2;
	len = forge(buf, 2, KEY, 3, r, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 30);
	assert_int_equal(seen.installed, 3);
	assert_int_equal(differ_calls, 2);
	assert_int_equal(differ_theirs, 2);
	/* The records datagram waiting since sl_cluster_new(), before the
	 * worker count was set, goes out with the count as it is now: a
	 * stale 0 made peers refuse the first 14 records (the cluster lab's
	 * failover lost those connections). */
	struct sl_sync_conn full[14];
	for (unsigned i = 0; i < 14; i++)
		full[i] = rec(1, 1);
	sl_cluster_emit(a, full, 14);
	assert_int_equal(last_hdr(a).type, SL_SYNC_T_RECORDS);
	assert_int_equal(last_hdr(a).workers, 2);
	sl_cluster_free(a);
}

/* A rolling rekey: after a reload with a new key, datagrams sealed with
 * the previous one are still accepted for key_grace_ms (counted), and
 * lb1 seals with the previous key for a peer until that peer has shown
 * it holds the new one; after the grace, the old key is refused. The
 * same key again is no change. */
static void test_rekey_grace(void **state)
{
	static const uint8_t KEY2[32] = "the next cluster key, the next!!";
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	struct sl_sync_mac *old = sl_sync_mac_new(KEY, 32), *new = sl_sync_mac_new(KEY2, 32);
	static uint8_t buf[2048];
	struct sl_addr from = v4(2);
	size_t len;
	(void)state;

	fresh();
	sl_cluster_poll(a, 0);
	assert_int_equal(sl_cluster_set_key(a, KEY, 32, 50), 0);
	assert_int_equal(sl_cluster_set_key(a, KEY2, 32, 100), 1);
	sl_cluster_dump_end(a, 0); /* lb2 has not shown the new key yet */
	assert_int_equal(last_hdr(a).key_id, sl_sync_mac_id(old));
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 1); /* old key, in the grace */
	sl_cluster_input(a, buf, len, &from, PORT, 500);
	assert_int_equal(p2->st.rx_previous_key, 1);
	assert_int_equal(p2->state, SL_PEER_ALIVE);
	len = forge_type(buf, 2, KEY2, SL_SYNC_T_HEARTBEAT, 2, NULL, 0);
	sl_cluster_input(a, buf, len, &from, PORT, 600);
	assert_true(p2->has_key);
	sl_cluster_dump_end(a, 0);
	assert_int_equal(last_hdr(a).key_id, sl_sync_mac_id(new));
	sl_cluster_dump_end(a, 1); /* lb3 still unproven: the old key */
	assert_int_equal(last_hdr(a).key_id, sl_sync_mac_id(old));
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 1100); /* grace over */
	assert_int_equal(p2->st.bad[SL_SYNC_BAD_KEY_ID], 1);
	sl_cluster_poll(a, 1100);
	sl_cluster_dump_end(a, 1);
	assert_int_equal(last_hdr(a).key_id, sl_sync_mac_id(new));
	sl_sync_mac_free(old);
	sl_sync_mac_free(new);
	sl_cluster_free(a);
}

/* The boot counter: one more at each start, whatever the clock; a file
 * that cannot be written or holds no number is a clear error. */
static void test_epoch_counter(void **state)
{
	char dir[64] = "/tmp/i16p-epoch-XXXXXX", path[256], err[300];
	uint64_t e1 = 0, e2 = 0;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(sl_sync_epoch_next(dir, "lb1", &e1, err, sizeof(err)), 0);
	assert_true(e1 > 1000000000); /* a missing file starts from the clock */
	assert_int_equal(sl_sync_epoch_next(dir, "lb1", &e2, err, sizeof(err)), 0);
	assert_int_equal(e2, e1 + 1);
	sl_sync_epoch_path(dir, "lb1", path, sizeof(path));
	f = fopen(path, "w");
	fputs("41\n", f); /* a counter behind the clock: it still only grows */
	fclose(f);
	assert_int_equal(sl_sync_epoch_next(dir, "lb1", &e2, err, sizeof(err)), 0);
	assert_int_equal(e2, 42);
	f = fopen(path, "w");
	fputs("junk\n", f);
	fclose(f);
	assert_int_equal(sl_sync_epoch_next(dir, "lb1", &e2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	unlink(path);
	rmdir(dir); /* made again when missing */
	assert_int_equal(sl_sync_epoch_next(dir, "lb1", &e2, err, sizeof(err)), 0);
	unlink(path);
	rmdir(dir);
	strcat(dir, "/not/there"); /* nor its parent: an error naming the key */
	assert_int_equal(sl_sync_epoch_next(dir, "lb1", &e2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cluster.state_dir"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input_installs_nothing),
		cmocka_unit_test(test_counters_in_metrics),
		cmocka_unit_test(test_dump_between_nodes),
		cmocka_unit_test(test_short_dumps_give_up),
		cmocka_unit_test(test_dump_pace),
		cmocka_unit_test(test_binding),
		cmocka_unit_test(test_worker_count),
		cmocka_unit_test(test_rekey_grace),
		cmocka_unit_test(test_epoch_counter),
		cmocka_unit_test(test_ready_waits_for_dumps),
		cmocka_unit_test(test_dump_timeout),
		cmocka_unit_test(test_clock_starts_at_first_poll),
		cmocka_unit_test(test_over_udp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
