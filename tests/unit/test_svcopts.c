/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service options and health checks, in the config file and the model:
 * every new key loads and shows back the same; each bad value is refused
 * at its JSON path with a clear message; partial updates change only what
 * they name; a server's overrides merge over its service's check, and an
 * update that would make any server's check invalid is refused whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "addr.h"
#include "config.h"
#include "maglev.h"
#include "model.h"
#include "sched.h"

#define PORTS                                                                  \
	"'ports': [{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24'}," \
	" {'name': 'lan', 'devargs': 'net_ring1', 'ipv4': '198.18.1.2/24'}]"

static void test_load_and_show(void **state)
{
	struct sl_model m, back;
	struct sl_err e;
	(void)state;

	int rc = load("{" PORTS ", 'health': {'source': '198.18.1.250', "
		      "'panic_percent': 40}, 'vips': ["
		      "{'vip': '198.18.0.100', 'port': 80, 'scheduler': 'mh',"
		      " 'hash_ports': true, 'persist_s': 300, 'persist_netmask6': 64,"
		      " 'mh_table_size': 251,"
		      " 'on_down': 'flush', 'panic_percent': 60,"
		      " 'health_check': {'type': 'http', 'interval_ms': 500,"
		      "   'timeout_ms': 200, 'rise': 1, 'fall': 2,"
		      "   'http': {'path': '/healthz', 'expect_status': 204}},"
		      " 'real_servers': [{'ip': '198.18.1.11', 'port': 8080},"
		      "  {'ip': '198.18.1.12', 'port': 8080,"
		      "   'health_check': {'type': 'tcp', 'port': 9000}}]}]}",
		      &m, &e);
	if (rc != 0)
		fail_msg("%s: %s", e.field, e.message);
	assert_int_equal(m.hc_source, ip("198.18.1.250"));
	assert_int_equal(m.hc_panic_percent, 40);
	const struct sl_model_svc *s = &m.svcs[0];
	assert_int_equal(s->sched, SL_SCHED_MH);
	assert_true(s->hash_ports);
	assert_int_equal(s->persist_s, 300);
	assert_int_equal(s->persist_plen6, 64);
	assert_int_equal(s->mh_size, 251);
	assert_int_equal(s->on_down, SL_ON_DOWN_FLUSH);
	assert_int_equal(s->panic_percent, 60);
	assert_int_equal(s->hc.type, SL_HC_HTTP);
	assert_int_equal(s->hc.interval_ms, 500);
	assert_int_equal(s->hc.timeout_ms, 200);
	assert_int_equal(s->hc.expect_status, 204);
	assert_string_equal(s->hc.path, "/healthz");
	assert_int_equal(s->rs[0].hc_set, 0);
	assert_int_equal(s->rs[1].hc_set, SL_HC_F_TYPE | SL_HC_F_PORT);

	struct sl_hc_cfg eff;
	sl_model_rs_check(s, &s->rs[1], &eff);
	assert_int_equal(eff.type, SL_HC_TCP);
	assert_int_equal(eff.port, 9000);
	assert_int_equal(eff.interval_ms, 500); /* the service's */

	/* Show loads back into the same document. */
	json_t *doc = sl_config_to_json(&m);
	assert_int_equal(sl_config_load_json(doc, &back, &e), 0);
	json_t *again = sl_config_to_json(&back);
	assert_true(json_equal(doc, again));
	json_t *rs1 = json_array_get(json_object_get(json_array_get(
					     json_object_get(doc, "vips"), 0),
					     "real_servers"), 1);
	assert_int_equal(json_object_size(json_object_get(rs1, "health_check")), 2);
	json_decref(doc);
	json_decref(again);
	sl_model_free(&back);
	sl_model_free(&m);
}

static void test_defaults(void **state)
{
	struct sl_model m;
	struct sl_err e;
	(void)state;

	assert_int_equal(load("{" PORTS ", 'vips': [{'vip': '198.18.0.100', "
			      "'port': 80}]}", &m, &e), 0);
	const struct sl_model_svc *s = &m.svcs[0];
	assert_int_equal(s->sched, SL_SCHED_WRR);
	assert_false(s->hash_ports);
	assert_int_equal(s->persist_s, 0);
	assert_int_equal(s->persist_plen6, 128);
	assert_int_equal(s->mh_size, SL_MH_DEFAULT_SIZE);
	assert_int_equal(s->on_down, SL_ON_DOWN_KEEP);
	assert_int_equal(s->panic_percent, 0);  /* off */
	assert_int_equal(m.hc_panic_percent, 0);
	assert_int_equal(s->hc.type, SL_HC_NONE);
	assert_int_equal(s->hc.interval_ms, SL_HC_DEF_INTERVAL_MS);
	assert_int_equal(s->hc.rise, SL_HC_DEF_RISE);
	assert_int_equal(s->hc.fall, SL_HC_DEF_FALL);
	assert_string_equal(s->hc.path, "/");
	assert_int_equal(m.hc_source, 0);
	sl_model_free(&m);
}

struct bad {
	const char *vip_extra; /* members added to the VIP object */
	const char *field;
	const char *message;   /* NULL: any */
};

static const struct bad bads[] = {
	{"'scheduler': 'maglev'", "$.vips[0].scheduler",
	 "scheduler must be rr, wrr, lc, wlc, sh or mh, got \"maglev\""},
	{"'hash_ports': true", "$.vips[0].hash_ports",
	 "hash_ports applies to the sh and mh schedulers, not wrr"},
	{"'hash_ports': 1", "$.vips[0].hash_ports", NULL},
	{"'persist_s': 86401", "$.vips[0].persist_s",
	 "persist_s must be 0..86400, got 86401"},
	{"'persist_netmask6': 0", "$.vips[0].persist_netmask6",
	 "persist_netmask6 must be 1..128, got 0"},
	{"'persist_netmask6': 129", "$.vips[0].persist_netmask6", NULL},
	{"'mh_table_size': 65536", "$.vips[0].mh_table_size",
	 "mh_table_size must be a prime (65537, 131071, 262139, ...), got 65536"},
	{"'mh_table_size': 7", "$.vips[0].mh_table_size", NULL},
	{"'on_down': 'reset'", "$.vips[0].on_down",
	 "on_down must be keep or flush, got \"reset\""},
	{"'panic_percent': 101", "$.vips[0].panic_percent",
	 "panic_percent must be 0..100, got 101"},
	{"'panic_percent': '50%'", "$.vips[0].panic_percent", NULL},
	{"'health_check': {'type': 'icmp'}", "$.vips[0].health_check.type",
	 "type must be tcp, http, udp or none, got \"icmp\""},
	{"'health_check': {'interval_ms': 50}", "$.vips[0].health_check.interval_ms",
	 "interval_ms must be 100..3600000, got 50"},
	{"'health_check': {'interval_ms': 1000, 'timeout_ms': 1001}",
	 "$.vips[0].health_check.timeout_ms",
	 "timeout_ms (1001) must not exceed interval_ms (1000): a check ends "
	 "before the next starts"},
	{"'health_check': {'rise': 0}", "$.vips[0].health_check.rise", NULL},
	{"'health_check': {'fall': 101}", "$.vips[0].health_check.fall", NULL},
	{"'health_check': {'port': 70000}", "$.vips[0].health_check.port", NULL},
	{"'health_check': {'http': {'path': 'x'}}", "$.vips[0].health_check.http.path",
	 NULL},
	{"'health_check': {'http': {'path': '/a b'}}",
	 "$.vips[0].health_check.http.path", NULL},
	{"'health_check': {'http': {'expect_status': 99}}",
	 "$.vips[0].health_check.http.expect_status", NULL},
	{"'health_check': {'http': {'body': 'x'}}", "$.vips[0].health_check.http.body",
	 NULL},
	{"'health_check': {'typo': 1}", "$.vips[0].health_check.typo", NULL},
	{"'health_check': 'tcp'", "$.vips[0].health_check", NULL},
	{"'real_servers': [{'ip': '198.18.1.11', 'port': 80, 'health_check': "
	 "{'timeout_ms': 5000}}]", "$.vips[0].real_servers[0].health_check.timeout_ms",
	 "timeout_ms (5000) must not exceed interval_ms (2000): a check ends "
	 "before the next starts"},
	{"'real_servers': [{'ip': '198.18.1.11', 'port': 80, 'health_check': "
	 "{'type': 'ping'}}]", "$.vips[0].real_servers[0].health_check.type", NULL},
	{NULL, NULL, NULL},
};

static void test_bad_values(void **state)
{
	char doc[1024];
	(void)state;

	for (const struct bad *b = bads; b->vip_extra; b++) {
		struct sl_model m;
		struct sl_err e;
		snprintf(doc, sizeof(doc), "{" PORTS ", 'vips': [{'vip': "
			 "'198.18.0.100', 'port': 80, %s}]}", b->vip_extra);
		int rc = load(doc, &m, &e);
		if (rc != -1 || strcmp(e.field, b->field) != 0 ||
		    strcmp(e.code, SL_E_INVALID) != 0 ||
		    (b->message && strcmp(e.message, b->message) != 0))
			fail_msg("%s\n  want %s: %s\n  got  %s %s: %s", doc, b->field,
				 b->message ? b->message : "*", e.code, e.field,
				 e.message);
	}
	/* The health section. */
	struct sl_model m;
	struct sl_err e;
	assert_int_equal(load("{" PORTS ", 'health': {'source': 'x'}}", &m, &e), -1);
	assert_string_equal(e.field, "$.health.source");
	assert_int_equal(load("{" PORTS ", 'health': {'from': '1.2.3.4'}}", &m, &e), -1);
	assert_string_equal(e.field, "$.health.from");
	assert_int_equal(load("{" PORTS ", 'health': {'panic_percent': 150}}", &m, &e),
			 -1);
	assert_string_equal(e.field, "$.health.panic_percent");
}

/* Partial updates through the model, as vip.set and rs.set make them. */
static void test_partial_updates(void **state)
{
	struct sl_model m;
	struct sl_err e;
	struct sl_svc_opts o;
	sl_be32 vip = ip("198.18.0.100");
	sl_be16 p80 = sl_htons(80);
	(void)state;

	assert_int_equal(load("{" PORTS ", 'vips': [{'vip': '198.18.0.100', "
			      "'port': 80, 'scheduler': 'sh', 'hash_ports': true, "
			      "'real_servers': [{'ip': '198.18.1.11', 'port': 80}]}]}",
			      &m, &e), 0);
	struct sl_model_svc *s = &m.svcs[0];

	/* Only the check's type and interval change. */
	memset(&o, 0, sizeof(o));
	o.set = SL_SVC_F_CHECK;
	o.hc.type = SL_HC_TCP;
	o.hc.interval_ms = 300;
	o.hc_set = SL_HC_F_TYPE | SL_HC_F_INTERVAL;
	/* The default timeout (1000) is over the new interval: refused. */
	assert_int_equal(sl_model_set_svc(&m, vip, p80, SL_IPPROTO_TCP, &o, &e), -1);
	assert_string_equal(e.field, "health_check.timeout_ms");
	assert_int_equal(s->hc.type, SL_HC_NONE); /* unchanged */
	o.hc.timeout_ms = 100;
	o.hc_set |= SL_HC_F_TIMEOUT;
	assert_int_equal(sl_model_set_svc(&m, vip, p80, SL_IPPROTO_TCP, &o, &e), 0);
	assert_int_equal(s->hc.type, SL_HC_TCP);
	assert_int_equal(s->hc.interval_ms, 300);
	assert_int_equal(s->hc.rise, SL_HC_DEF_RISE);
	assert_int_equal(s->sched, SL_SCHED_SH);
	assert_true(s->hash_ports);

	/* A server override, then a service change it would break. */
	struct sl_hc_cfg hc;
	sl_hc_defaults(&hc);
	hc.timeout_ms = 250;
	assert_int_equal(sl_model_set_rs_check(&m, vip, p80, SL_IPPROTO_TCP,
					       ip("198.18.1.11"), p80, &hc,
					       SL_HC_F_TIMEOUT, false, &e), 0);
	memset(&o, 0, sizeof(o));
	o.set = SL_SVC_F_CHECK;
	o.hc.interval_ms = 200;
	o.hc_set = SL_HC_F_INTERVAL;
	assert_int_equal(sl_model_set_svc(&m, vip, p80, SL_IPPROTO_TCP, &o, &e), -1);
	assert_string_equal(e.field, "health_check");
	assert_non_null(strstr(e.message, "198.18.1.11:80"));
	assert_int_equal(s->hc.interval_ms, 300);
	/* Clearing the override puts the service's check back. */
	assert_int_equal(sl_model_set_rs_check(&m, vip, p80, SL_IPPROTO_TCP,
					       ip("198.18.1.11"), p80, &hc, 0,
					       true, &e), 0);
	assert_int_equal(s->rs[0].hc_set, 0);

	/* Leaving a hashing scheduler drops hash_ports. */
	memset(&o, 0, sizeof(o));
	o.set = SL_SVC_F_SCHED;
	o.sched = SL_SCHED_LC;
	assert_int_equal(sl_model_set_svc(&m, vip, p80, SL_IPPROTO_TCP, &o, &e), 0);
	assert_false(s->hash_ports);
	o.set = SL_SVC_F_SCHED | SL_SVC_F_HASH_PORTS;
	o.sched = SL_SCHED_MH;
	o.hash_ports = true;
	assert_int_equal(sl_model_set_svc(&m, vip, p80, SL_IPPROTO_TCP, &o, &e), 0);
	assert_true(s->hash_ports);

	/* Unknown service / server. */
	assert_int_equal(sl_model_set_svc(&m, vip, sl_htons(81), SL_IPPROTO_TCP, &o,
					  &e), -1);
	assert_string_equal(e.code, SL_E_NOT_FOUND);
	assert_int_equal(sl_model_set_rs_check(&m, vip, p80, SL_IPPROTO_TCP,
					       ip("198.18.1.99"), p80, &hc, 0,
					       false, &e), -1);
	assert_string_equal(e.code, SL_E_NOT_FOUND);

	/* Clones carry it all. */
	struct sl_model c;
	assert_int_equal(sl_model_clone(&c, &m), 0);
	assert_int_equal(c.svcs[0].hc.interval_ms, 300);
	assert_int_equal(c.svcs[0].sched, SL_SCHED_MH);
	sl_model_free(&c);
	sl_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_show),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_partial_updates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
