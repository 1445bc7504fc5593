/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config's "cluster" block (ctrl/config/config_cluster.c): a good
 * one loads with its defaults and comes back through `config show`;
 * each mistake is refused at its JSON path; the key file is refused when
 * group or others may read it, or when it is shorter than 32 bytes; a
 * reload may change the key and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "config_internal.h"

static char dir[64];
static char key_path[128];

static void write_key(const char *path, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < len; i++)
		fputc((int)('a' + i % 26), f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sl-cluster-test.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(key_path, sizeof(key_path), "%s/key", dir);
	write_key(key_path, 32, 0600);
	return 0;
}

static int teardown(void **state)
{
	char p[160];
	(void)state;
	for (const char *n = "key\0short\0open\0"; *n; n += strlen(n) + 1) {
		snprintf(p, sizeof(p), "%s/%s", dir, n);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

#define PORTS "'ports': [{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24'}]," \
	" 'local_addresses': [{'ip': '198.18.0.50'}]"
#define BASE PORTS ", 'announce': {'table': 100}"
#define PEERS "[{'name': 'lb2', 'address': '198.18.9.2', 'local_addresses': ['198.18.0.60']}," \
	" {'name': 'lb3', 'address': '198.18.9.3', 'local_addresses': ['198.18.0.70', '2001:db8::70']}]"

/* The document with `cluster` members `members` (key_file added). */
static int load_cluster(const char *members, const char *keyfile, struct sl_model *m,
			struct sl_err *e)
{
	char doc[2048];

	snprintf(doc, sizeof(doc), "{" BASE ", 'cluster': {%s%s'key_file': '%s'}}",
		 members, members[0] ? ", " : "", keyfile);
	return load(doc, m, e);
}

static void refused_at(const char *members, const char *field, const char *words)
{
	struct sl_model m;
	struct sl_err e;

	if (load_cluster(members, key_path, &m, &e) == 0)
		fail_msg("loaded: %s", members);
	assert_string_equal(e.field, field);
	if (!strstr(e.message, words))
		fail_msg("\"%s\" does not say \"%s\"", e.message, words);
}

static void test_good_block_and_show(void **state)
{
	struct sl_model m, back;
	struct sl_err e;
	json_t *doc;
	char *text;
	(void)state;

	if (load_cluster("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS,
			 key_path, &m, &e) != 0)
		fail_msg("%s: %s", e.field, e.message);
	assert_true(m.cluster.on);
	assert_string_equal(m.cluster.node, "lb1");
	assert_int_equal(m.cluster.sync_port, 8848);
	assert_int_equal(m.cluster.heartbeat_ms, 100);
	assert_int_equal(m.cluster.dead_ms, 500);
	assert_int_equal(m.cluster.unheard_ms, 3000);
	assert_int_equal(m.cluster.max_datagram, 1452);
	assert_int_equal(m.cluster.key_grace_ms, 600000);
	assert_int_equal(m.cluster.sock_buffer, 4u << 20);
	assert_string_equal(m.cluster.state_dir, "/var/lib/sluice");
	assert_int_equal(m.cluster.npeers, 2);
	assert_int_equal(m.cluster.peers[1].nladdrs, 2);
	assert_int_equal(m.cluster.peers[1].laddrs[1].af, SL_AF_V6);
	/* Every peer's local addresses reach the model (installs, snapshot). */
	struct sl_addr a;
	assert_int_equal(m.npeer_laddrs, 3);
	assert_int_equal(sl_parse_addr("198.18.0.60", &a), 0);
	assert_true(sl_model_is_peer_laddr(&m, &a));
	assert_int_equal(sl_parse_addr("2001:db8::70", &a), 0);
	assert_true(sl_model_is_peer_laddr(&m, &a));
	assert_int_equal(sl_parse_addr("198.18.0.50", &a), 0);
	assert_false(sl_model_is_peer_laddr(&m, &a));
	assert_int_equal(m.cluster.key_len, 32);
	assert_memory_equal(m.cluster.key, "abcdefghijklmnopqrstuvwxyzabcdef", 32);

	doc = sl_config_to_json(&m);
	text = json_dumps(doc, 0);
	assert_int_equal(sl_config_load_string(text, &back, &e), 0);
	assert_false(sl_config_cluster_differs(&m.cluster, &back.cluster));
	assert_int_equal(back.cluster.key_len, 32);
	assert_int_equal(back.npeer_laddrs, 3);
	/* A reload may change the key, and only the key. */
	back.cluster.key[0] ^= 1;
	assert_false(sl_config_cluster_differs(&m.cluster, &back.cluster));
	back.cluster.dead_ms++;
	assert_true(sl_config_cluster_differs(&m.cluster, &back.cluster));
	back.cluster.dead_ms--;
	back.cluster.unheard_ms++;
	assert_true(sl_config_cluster_differs(&m.cluster, &back.cluster));
	free(text);
	json_decref(doc);
	sl_model_free(&back);
	sl_model_free(&m);
}

/* The keys of session sync's protocol fixes: the boot counter's
 * directory, the socket buffers, the workers' sync rings, the rekey
 * grace; shown back as read. */
static void test_state_buffer_grace(void **state)
{
	struct sl_model m, back;
	struct sl_err e;
	json_t *doc;
	char *text;
	(void)state;

	if (load_cluster("'node': 'lb1', 'sync': {'address': '198.18.9.1', 'buffer_bytes': "
			 "1048576, 'ring_records': 5000}, 'peers': " PEERS ", "
			 "'state_dir': '/run/sl-state', 'timers': {'key_grace_ms': 30000}",
			 key_path, &m, &e) != 0)
		fail_msg("%s: %s", e.field, e.message);
	assert_string_equal(m.cluster.state_dir, "/run/sl-state");
	assert_int_equal(m.cluster.sock_buffer, 1048576);
	assert_int_equal(m.cluster.sync_ring, 5000);
	assert_int_equal(m.cluster.key_grace_ms, 30000);
	doc = sl_config_to_json(&m);
	text = json_dumps(doc, 0);
	assert_int_equal(sl_config_load_string(text, &back, &e), 0);
	assert_false(sl_config_cluster_differs(&m.cluster, &back.cluster));
	free(text);
	json_decref(doc);
	sl_model_free(&back);
	sl_model_free(&m);
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS
		   ", 'state_dir': 'var/lib'", "$.cluster.state_dir", "absolute");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1', 'buffer_bytes': 10}, "
		   "'peers': " PEERS, "$.cluster.sync.buffer_bytes", "65536");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1', 'ring_records': 1000}, "
		   "'peers': " PEERS, "$.cluster.sync.ring_records", "1024");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS
		   ", 'timers': {'key_grace_ms': -1}", "$.cluster.timers.key_grace_ms", "");
}

static void test_errors_at_their_paths(void **state)
{
	(void)state;
	refused_at("'node': 'lb 1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS,
		   "$.cluster.node", "letters");
	refused_at("'node': 'lb1', 'peers': " PEERS, "$.cluster.sync", "required");
	refused_at("'node': 'lb1', 'sync': {'address': '224.0.0.1'}, 'peers': " PEERS,
		   "$.cluster.sync.address", "unicast");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1', 'port': 0}, 'peers': " PEERS,
		   "$.cluster.sync.port", "port");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': []",
		   "$.cluster.peers", "1..16");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': "
		   "[{'name': 'lb1', 'address': '198.18.9.2'}]",
		   "$.cluster.peers[0].name", "this node's own");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': "
		   "[{'name': 'lb2', 'address': '198.18.9.2'}, {'name': 'lb2', 'address': '198.18.9.3'}]",
		   "$.cluster.peers[1].name", "twice");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': "
		   "[{'name': 'lb2', 'address': '198.18.9.2'}, {'name': 'lb3', 'address': '198.18.9.2'}]",
		   "$.cluster.peers[1].address", "lb2");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': "
		   "[{'name': 'lb2', 'address': '2001:db8::2'}]",
		   "$.cluster.peers[0].address", "family");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': "
		   "[{'name': 'lb2', 'address': '198.18.9.1'}]",
		   "$.cluster.peers[0].address", "sync.address");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': "
		   "[{'name': 'lb2', 'address': '198.18.9.2', 'local_addresses': ['198.18.0.50']}]",
		   "$.cluster.peers[0].local_addresses[0]", "this node's own local address");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': "
		   "[{'name': 'lb2', 'address': '198.18.9.2', 'local_addresses': ['198.18.0.60']},"
		   " {'name': 'lb3', 'address': '198.18.9.3', 'local_addresses': ['198.18.0.60']}]",
		   "$.cluster.peers[1].local_addresses[0]", "lb2");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': "
		   "[{'name': 'lb2', 'address': '198.18.9.2', 'local_addresses': ['x']}]",
		   "$.cluster.peers[0].local_addresses[0]", "address");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS
		   ", 'timers': {'heartbeat_ms': 200, 'dead_ms': 500}",
		   "$.cluster.timers.dead_ms", "3 heartbeats");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS
		   ", 'timers': {'dead': 500}", "$.cluster.timers.dead", "unknown");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS
		   ", 'timers': {'unheard_ms': 99}", "$.cluster.timers.unheard_ms", "100");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS
		   ", 'max_datagram': 100", "$.cluster.max_datagram", "512");
	refused_at("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS
		   ", 'secret': 'x'", "$.cluster.secret", "unknown");
}

/* A cluster announces (its VIPs, its local addresses, a dead peer's):
 * without announce.table it is refused, at that path. */
static void test_cluster_needs_announce_table(void **state)
{
	struct sl_model m;
	struct sl_err e;
	char doc[1024];
	(void)state;

	snprintf(doc, sizeof(doc), "{" PORTS ", 'cluster': {'node': 'lb1', 'sync': "
		 "{'address': '198.18.9.1'}, 'peers': " PEERS ", 'key_file': '%s'}}", key_path);
	if (load(doc, &m, &e) == 0)
		fail_msg("a cluster without announce.table loaded");
	assert_string_equal(e.field, "$.announce.table");
	if (!strstr(e.message, "a cluster needs announce.table"))
		fail_msg("\"%s\" does not say why", e.message);
}

static void key_refused(const char *path, const char *words)
{
	struct sl_model m;
	struct sl_err e;

	if (load_cluster("'node': 'lb1', 'sync': {'address': '198.18.9.1'}, 'peers': " PEERS,
			 path, &m, &e) == 0)
		fail_msg("key %s accepted", path);
	assert_string_equal(e.field, "$.cluster.key_file");
	if (!strstr(e.message, words))
		fail_msg("\"%s\" does not say \"%s\"", e.message, words);
}

static void test_key_file_refusals(void **state)
{
	char p[160];
	(void)state;

	snprintf(p, sizeof(p), "%s/open", dir);
	write_key(p, 32, 0640); /* group may read */
	key_refused(p, "group or others");
	write_key(p, 32, 0604); /* others may read */
	key_refused(p, "group or others");
	snprintf(p, sizeof(p), "%s/short", dir);
	write_key(p, 31, 0600);
	key_refused(p, "too few");
	snprintf(p, sizeof(p), "%s/none", dir);
	key_refused(p, "No such file");
	key_refused(dir, "regular file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_block_and_show),
		cmocka_unit_test(test_state_buffer_grace),
		cmocka_unit_test(test_errors_at_their_paths),
		cmocka_unit_test(test_cluster_needs_announce_table),
		cmocka_unit_test(test_key_file_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
