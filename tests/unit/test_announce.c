/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The announcer's set (ctrl/daemon/announce_set.c) and its configuration:
 * a VIP's host route is wanted by its policy (any: one healthy server;
 * all: every one), never while drained or gated; local addresses while
 * the gate is open (drained or not), taken-over ones always; one route
 * per address whatever its services; and
 * announce.table / announce_when refused at their JSON paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "announce.h"
#include "health.h"

#define PORTS                                                                  \
	"'ports': [{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24'}," \
	" {'name': 'lan', 'devargs': 'net_ring1', 'ipv4': '198.18.1.2/24'}]"
#define RS2 "'real_servers': [{'ip': '198.18.1.11', 'port': 80}, " \
	"{'ip': '198.18.1.12', 'port': 80}]"

/* Servers down in the test: by address (v4). */
struct downs {
	sl_be32 ip[8];
	unsigned n;
};

static bool up_fn(void *ctx, const struct sl_model_svc *s, const struct sl_model_rs *rs)
{
	const struct downs *d = ctx;
	(void)s;
	for (unsigned i = 0; i < d->n; i++)
		if (d->ip[i] == rs->ip)
			return false;
	return true;
}

static const struct sl_ann_item *item(const struct sl_ann_want *w, const char *a)
{
	struct sl_addr addr;

	assert_int_equal(sl_parse_addr(a, &addr), 0);
	return sl_ann_find(w, &addr);
}

static bool wanted(const struct sl_ann_want *w, const char *a)
{
	const struct sl_ann_item *it = item(w, a);
	if (!it)
		fail_msg("%s not considered", a);
	return it->wanted;
}

static void load_two(struct sl_model *m)
{
	load_ok("{" PORTS ", 'announce': {'table': 100}, "
		"'local_addresses': [{'ip': '198.18.1.3'}], 'vips': ["
		"{'vip': '198.18.0.100', 'port': 80, " RS2 "},"
		"{'vip': '198.18.0.101', 'port': 80, 'announce_when': 'all', " RS2 "}]}",
		m);
}

static void test_policy(void **state)
{
	struct sl_model m;
	struct sl_ann_want w = {0};
	struct downs d = {0};
	struct sl_ann_inputs in = {0};
	(void)state;

	load_two(&m);
	assert_int_equal(m.announce_table, 100);
	assert_int_equal(m.svcs[1].announce_when, SL_ANNOUNCE_ALL);
	assert_int_equal(sl_ann_compute(&w, &m, &in, up_fn, &d), 0);
	assert_int_equal(w.n, 3);
	assert_true(wanted(&w, "198.18.0.100"));
	assert_true(wanted(&w, "198.18.0.101"));
	assert_true(wanted(&w, "198.18.1.3"));
	assert_int_equal(item(&w, "198.18.1.3")->kind, SL_ANN_LADDR);
	/* One server down: any keeps it, all withdraws. */
	d.ip[d.n++] = ip("198.18.1.11");
	assert_int_equal(sl_ann_compute(&w, &m, &in, up_fn, &d), 0);
	assert_true(wanted(&w, "198.18.0.100"));
	assert_false(wanted(&w, "198.18.0.101"));
	assert_non_null(strstr(item(&w, "198.18.0.101")->why, "no service"));
	/* Both down: neither; the local address stays. */
	d.ip[d.n++] = ip("198.18.1.12");
	assert_int_equal(sl_ann_compute(&w, &m, &in, up_fn, &d), 0);
	assert_false(wanted(&w, "198.18.0.100"));
	assert_true(wanted(&w, "198.18.1.3"));
	/* Weight 0 is not healthy. */
	d.n = 0;
	m.svcs[0].rs[0].weight = 0;
	m.svcs[0].rs[1].weight = 0;
	assert_int_equal(sl_ann_compute(&w, &m, &in, up_fn, &d), 0);
	assert_false(wanted(&w, "198.18.0.100"));
	sl_ann_want_free(&w);
	sl_model_free(&m);
}

static void test_drain_gate_extra(void **state)
{
	struct sl_model m;
	struct sl_ann_want w = {0};
	struct downs d = {0};
	struct sl_addr extra[2];
	struct sl_ann_inputs in = {.drained = true};
	(void)state;

	load_two(&m);
	assert_int_equal(sl_ann_compute(&w, &m, &in, up_fn, &d), 0);
	assert_false(wanted(&w, "198.18.0.100"));
	assert_false(wanted(&w, "198.18.0.101"));
	assert_string_equal(item(&w, "198.18.0.100")->why, "node drained");
	assert_true(wanted(&w, "198.18.1.3"));

	in = (struct sl_ann_inputs){.gate_closed = true, .gate_reason = "no full dump yet"};
	assert_int_equal(sl_parse_addr("198.18.1.4", &extra[0]), 0);
	assert_int_equal(sl_parse_addr("2001:db8:1::4", &extra[1]), 0);
	in.extra = extra;
	in.nextra = 2;
	assert_int_equal(sl_ann_compute(&w, &m, &in, up_fn, &d), 0);
	assert_false(wanted(&w, "198.18.0.100"));
	assert_non_null(strstr(item(&w, "198.18.0.100")->why, "no full dump yet"));
	/* The gate holds this node's own local address too: a survivor may
	 * announce it, taken over, until this node has the peers' dump. */
	assert_false(wanted(&w, "198.18.1.3"));
	assert_int_equal(item(&w, "198.18.1.3")->kind, SL_ANN_LADDR);
	assert_string_equal(item(&w, "198.18.1.3")->why, "gate closed: no full dump yet");
	assert_true(wanted(&w, "198.18.1.4"));
	assert_true(wanted(&w, "2001:db8:1::4"));
	assert_int_equal(item(&w, "2001:db8:1::4")->kind, SL_ANN_EXTRA);

	/* Open again: VIPs and the local address come back. */
	in.gate_closed = false;
	assert_int_equal(sl_ann_compute(&w, &m, &in, up_fn, &d), 0);
	assert_true(wanted(&w, "198.18.0.100"));
	assert_true(wanted(&w, "198.18.1.3"));
	sl_ann_want_free(&w);
	sl_model_free(&m);
}

/* Two services on one address: one route, wanted while either is. */
static void test_shared_address(void **state)
{
	struct sl_model m;
	struct sl_ann_want w = {0};
	struct downs d = {.ip = {ip("198.18.1.11")}, .n = 1};
	struct sl_ann_inputs in = {0};
	(void)state;

	load_ok("{'ports': [{'name': 'wan', 'devargs': 'net_ring0', "
		"'ipv4': '198.18.0.2/24', 'ipv6': '2001:db8::2/64'}, {'name': 'lan', "
		"'devargs': 'net_ring1', 'ipv4': '198.18.1.2/24', "
		"'ipv6': '2001:db8:1::2/64'}], 'vips': ["
		"{'vip': '198.18.0.100', 'port': 80, 'real_servers': "
		"[{'ip': '198.18.1.11', 'port': 80}]},"
		"{'vip': '198.18.0.100', 'port': 443, 'real_servers': "
		"[{'ip': '198.18.1.12', 'port': 443}]},"
		"{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
		"[{'ip': '2001:db8:1::11', 'port': 80}]}]}", &m);
	assert_int_equal(sl_ann_compute(&w, &m, &in, up_fn, &d), 0);
	assert_int_equal(w.n, 2);
	assert_true(wanted(&w, "198.18.0.100"));
	assert_int_equal(item(&w, "198.18.0.100")->services, 2);
	assert_int_equal(item(&w, "198.18.0.100")->ready, 1);
	assert_true(wanted(&w, "2001:db8::100"));
	sl_ann_want_free(&w);
	sl_model_free(&m);
}

/* Targets by server id, for sl_ann_server_up. */
static bool target_up(void *ctx, const struct sl_model_svc *s, const struct sl_model_rs *rs)
{
	struct sl_hc_target *const *t = ctx;
	return sl_ann_server_up(t[rs->id], s, rs);
}

/* A server not checked yet is not healthy for announcing: the VIP waits
 * for a passed check (the scheduler does not; health.c). A server with
 * no check needs none. */
static void test_unchecked_server_not_up(void **state)
{
	struct sl_model m;
	struct sl_ann_want w = {0};
	struct sl_ann_inputs in = {0};
	struct sl_hc_target t[2] = {0};
	struct sl_hc_target *by_id[SL_MAX_RS] = {0};
	(void)state;

	load_ok("{" PORTS ", 'announce': {'table': 100}, 'vips': ["
		"{'vip': '198.18.0.100', 'port': 80, 'health_check': {'type': 'tcp'}, "
		"'real_servers': [{'ip': '198.18.1.11', 'port': 80}, "
		"{'ip': '198.18.1.12', 'port': 80}]},"
		"{'vip': '198.18.0.101', 'port': 80, "
		"'real_servers': [{'ip': '198.18.1.13', 'port': 80}]}]}", &m);
	const struct sl_model_svc *s = &m.svcs[0];
	/* No target yet, and new targets (up, nothing passed): not healthy. */
	assert_false(sl_ann_server_up(NULL, s, &s->rs[0]));
	assert_false(sl_ann_server_up(&t[0], s, &s->rs[0]));
	for (unsigned r = 0; r < 2; r++)
		by_id[s->rs[r].id] = &t[r];
	assert_int_equal(sl_ann_compute(&w, &m, &in, target_up, by_id), 0);
	assert_false(wanted(&w, "198.18.0.100"));
	/* Without a check: healthy with no target at all. */
	assert_true(wanted(&w, "198.18.0.101"));
	assert_true(sl_ann_server_up(NULL, &m.svcs[1], &m.svcs[1].rs[0]));
	/* One check passed: healthy, and the VIP is wanted. */
	t[1].passed = 1;
	assert_true(sl_ann_server_up(&t[1], s, &s->rs[1]));
	assert_int_equal(sl_ann_compute(&w, &m, &in, target_up, by_id), 0);
	assert_true(wanted(&w, "198.18.0.100"));
	/* Down after that: not healthy. */
	t[1].down = true;
	assert_false(sl_ann_server_up(&t[1], s, &s->rs[1]));
	sl_ann_want_free(&w);
	sl_model_free(&m);
}

static void test_config_errors(void **state)
{
	static const struct {
		const char *doc, *field, *message;
	} bads[] = {
		{"'announce': {'table': 0}", "$.announce.table", "table must be 1..4294967294, got 0"},
		{"'announce': {'table': 254}", "$.announce.table",
		 "announce.table must not be one of the kernel's own tables "
		 "(253 default, 254 main, 255 local), got 254"},
		{"'announce': {'table': 253}", "$.announce.table", NULL},
		{"'announce': {'table': 255}", "$.announce.table", NULL},
		{"'announce': {'table': 4294967295}", "$.announce.table", NULL},
		{"'announce': {'table': 'main'}", "$.announce.table", NULL},
		{"'announce': {}", "$.announce.table", NULL},
		{"'announce': {'table': 100, 'proto': 5}", "$.announce.proto", NULL},
		{"'announce': 100", "$.announce", NULL},
		{"'vips': [{'vip': '198.18.0.100', 'port': 80, 'announce_when': 'some'}]",
		 "$.vips[0].announce_when", "announce_when must be any or all, got \"some\""},
		{NULL, NULL, NULL},
	};
	char doc[512];
	(void)state;

	for (unsigned i = 0; bads[i].doc; i++) {
		struct sl_model m;
		struct sl_err e;
		snprintf(doc, sizeof(doc), "{" PORTS ", %s}", bads[i].doc);
		int rc = load(doc, &m, &e);
		if (rc != -1 || strcmp(e.field, bads[i].field) != 0 ||
		    (bads[i].message && strcmp(e.message, bads[i].message) != 0))
			fail_msg("%s\n  want %s: %s\n  got  %d %s: %s", doc, bads[i].field,
				 bads[i].message ? bads[i].message : "*", rc, e.field, e.message);
	}
	/* The highest table loads, and shows back. */
	struct sl_model m;
	load_ok("{" PORTS ", 'announce': {'table': 4294967294}}", &m);
	assert_int_equal(m.announce_table, 4294967294u);
	json_t *j = sl_config_to_json(&m);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "announce"),
							    "table")), 4294967294);
	json_decref(j);
	sl_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_drain_gate_extra),
		cmocka_unit_test(test_shared_address),
		cmocka_unit_test(test_unchecked_server_not_up),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
