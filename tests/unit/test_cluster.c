/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's engine (ctrl/cluster/cluster.c): each kind of bad
 * input on the sync channel is counted under its own name and hands
 * nothing to install; the daemon's check refuses what names a VIP or
 * local address this node does not have; a peer with another worker
 * count has its records refused; the boot counter; two nodes over real
 * UDP. The counters reach /metrics: a datagram sealed with a foreign key
 * (reason bad_key_id) or from an older epoch of its sender (reason
 * stale_epoch) moves sluice_cluster_sync_dropped_datagrams_total, and
 * promtool finds nothing wrong with the cluster's and announcer's
 * families. Binding, dumps, readiness, epochs and rekeys between nodes:
 * test_cluster_v2.c (the shared fixture: cluster_fixture.h).
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

#include "cluster_fixture.h"

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
	"{\"sync\": {\"drained\": 1, \"unsunk\": 0, \"wakes\": 0, \"drain_cut\": 0,"
	" \"install_sent\": 2, \"refused_invalid\": 0,"
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
	fg.epoch = 6; /* lb2's previous run: stale, not a replay */
	len = forge(buf, 2, KEY, 2, r, 1);
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
		"sluice_cluster_sync_dropped_datagrams_total{peer=\"lb2\",reason=\"stale_epoch\"} 1\n",
		"sluice_cluster_sync_dropped_datagrams_total{peer=\"lb2\",reason=\"replay\"} 0\n",
		"sluice_cluster_ready_unheard_total 0\n",
		"sluice_cluster_epoch_raises_total 0\n",
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

/* The boot counter: one more at each start, whatever the clock, and
 * past an epoch stored when a peer raised it; a file that cannot be
 * written or holds no number is a clear error. */
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
	/* A raised epoch kept: the next start goes past it. */
	assert_int_equal(sl_sync_epoch_store(dir, "lb1", 5000, err, sizeof(err)), 0);
	assert_int_equal(sl_sync_epoch_next(dir, "lb1", &e2, err, sizeof(err)), 0);
	assert_int_equal(e2, 5001);
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
		cmocka_unit_test(test_worker_count),
		cmocka_unit_test(test_epoch_counter),
		cmocka_unit_test(test_over_udp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
