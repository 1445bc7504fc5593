/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config file: the example loads; defaults and settings land in the
 * model; what `config show` writes loads back into the same model.
 * (Mistakes refused: test_config.c.)
 *
 * Documents are written with single quotes for readability and turned
 * into JSON by swapping them for double quotes.
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

#include "config_fixture.h"
#include "addr.h"
#include "config.h"
#include "jsonutil.h"
#include "model.h"
#include "sched.h"

/* Two ports and a default route: enough for VIPs and servers on lan. */
#define PORTS                                                                  \
	"'ports': [{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24'}," \
	" {'name': 'lan', 'devargs': 'net_ring1', 'ipv4': '198.18.1.2/24'}]"
#define ROUTE "'routes': [{'prefix': '0.0.0.0/0', 'via': '198.18.0.1'}]"
#define VIP80 "{'vip': '198.18.0.100', 'port': 80, 'real_servers': "

/* ---- what loads, and what it means ------------------------------------- */

static void test_example_loads(void **state)
{
	struct sl_model m;
	struct sl_err e;

	(void)state;
	if (sl_config_load_file(example_path, &m, &e) != 0)
		fail_msg("%s: %s at %s: %s", example_path, e.code, e.field, e.message);
	assert_int_equal(m.workers, 2);
	assert_int_equal(m.neal, 6);
	assert_string_equal(m.eal[0], "--no-huge");
	assert_string_equal(m.eal[5], "sluice");
	assert_string_equal(m.socket_path, "/run/sluice/sluice.sock");
	assert_int_equal(m.nports, 2);
	assert_string_equal(m.ports[1].name, "lan");
	assert_string_equal(m.ports[0].devargs, "net_af_packet0,iface=veth0,qpairs=2");
	assert_int_equal(m.ports[1].ip, ip("198.18.1.2"));
	assert_int_equal(m.ports[1].plen, 24);
	assert_int_equal(m.nroutes, 1);
	assert_int_equal(m.routes[0].via, ip("198.18.0.1"));
	assert_int_equal(m.routes[0].port, 0);
	assert_int_equal(m.nladdrs, 1);
	assert_int_equal(m.laddrs[0].port, 1);
	assert_int_equal(m.laddrs[0].slot, 0);
	assert_int_equal(m.nneigh, 0);
	assert_int_equal(m.nsvcs, 1);
	assert_int_equal(m.svcs[0].sched, SL_SCHED_WRR);
	assert_int_equal(m.svcs[0].nrs, 2);
	assert_int_equal(m.svcs[0].rs[1].ip, ip("198.18.1.12"));
	assert_int_equal(m.svcs[0].rs[1].port, sl_htons(8080));
	assert_int_equal(m.svcs[0].rs[0].id, 0);
	assert_int_equal(m.svcs[0].rs[1].id, 1);
	assert_int_equal(m.nrs_total, 2);
	sl_model_free(&m);
}

/* The example spells out every setting, so showing it gives it back. */
static void test_show_example_is_example(void **state)
{
	struct sl_model m;
	struct sl_err e;
	json_error_t jerr;
	json_t *file = json_load_file(example_path, 0, &jerr), *doc;

	(void)state;
	assert_non_null(file);
	assert_int_equal(sl_config_load_json(file, &m, &e), 0);
	doc = sl_config_to_json(&m);
	assert_non_null(doc);
	if (!json_equal(file, doc)) {
		char *text = json_dumps(doc, JSON_INDENT(1));
		fail_msg("show differs from the example:\n%s", text);
	}
	json_decref(doc);
	json_decref(file);
	sl_model_free(&m);
}

static void test_defaults(void **state)
{
	static const char *const top[] = {
		"eal", "workers", "log_level", "control", "idle", "conn_table",
		"local_port_range", "checksum", "limits", "timeouts", "persistence", "icmp",
		"flush", "health",
		"ports", "routes", "local_addresses", "neighbors", "vips", "snat",
		"snat_options", "xdp",
	};
	struct sl_model m;

	(void)state;
	load_ok("{" PORTS "}", &m);
	assert_int_equal(m.workers, 1);
	assert_string_equal(m.log_level, "info");
	assert_int_equal(m.max_conns, 262144);
	assert_int_equal(m.idle_empty_polls, 64);
	assert_true(m.verify_l4_csum);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_ESTABLISHED], 900000);
	assert_int_equal(m.icmp_mtu_floor, 1280);
	assert_int_equal(m.flush_resets_per_sec, 50000);
	assert_int_equal(m.persist_max, 262144);
	assert_true(m.ports[0].flow_steering);

	/* Show includes every setting, defaults too. */
	json_t *doc = sl_config_to_json(&m);
	assert_int_equal(json_object_size(doc), SL_ARRAY_SIZE(top));
	for (size_t i = 0; i < SL_ARRAY_SIZE(top); i++)
		assert_non_null(json_object_get(doc, top[i]));
	assert_int_equal(json_object_size(json_object_get(doc, "timeouts")),
			 SL_CS_MAX - 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(doc, "timeouts"), "tcp_time_wait")), 15);
	assert_true(json_is_true(json_object_get(json_object_get(doc, "checksum"),
						 "verify_l4")));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(doc, "control"), "socket")),
			    "/run/sluice/sluice.sock");
	json_decref(doc);
	sl_model_free(&m);
}

static void test_settings_applied(void **state)
{
	struct sl_model m;

	(void)state;
	load_ok("{'workers': 3, 'log_level': 'debug', 'control': {'socket': '/tmp/s'},"
		" 'idle': {'sleep_us': 50, 'empty_polls': 8},"
		" 'conn_table': {'max_connections': 1024},"
		" 'local_port_range': {'min': 2000, 'max': 2002},"
		" 'checksum': {'verify_l4': false},"
		" 'timeouts': {'udp': 42, 'tcp_syn_sent': 1}, " PORTS "}", &m);
	assert_int_equal(m.workers, 3);
	assert_string_equal(m.log_level, "debug");
	assert_string_equal(m.socket_path, "/tmp/s");
	assert_int_equal(m.idle_sleep_us, 50);
	assert_int_equal(m.idle_empty_polls, 8);
	assert_int_equal(m.max_conns, 1024);
	assert_int_equal(m.lport_lo, 2000);
	assert_int_equal(m.lport_hi, 2002);
	assert_false(m.verify_l4_csum);
	/* Seconds in the file, milliseconds in the model; the rest default. */
	assert_int_equal(m.timeouts_ms[SL_CS_UDP], 42000);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_SYN_SENT], 1000);
	assert_int_equal(m.timeouts_ms[SL_CS_ICMP], 60000);
	sl_model_free(&m);
}

static void test_vip_defaults_and_inference(void **state)
{
	struct sl_model m;

	(void)state;
	load_ok("{" PORTS ", " ROUTE ", 'local_addresses': [{'ip': '198.18.1.3'}],"
		" 'neighbors': [{'ip': '198.18.0.1', 'mac': '02:00:00:00:00:01'}],"
		" 'vips': [" VIP80 "[{'ip': '198.18.1.11', 'port': 8080},"
		" {'ip': '198.18.1.12', 'port': 8080, 'weight': 0}]},"
		" {'vip': '198.18.0.100', 'port': 53, 'proto': 'udp', 'scheduler': 'rr'}]}",
		&m);
	assert_int_equal(m.routes[0].port, 0);   /* inferred from via */
	assert_int_equal(m.laddrs[0].port, 1);   /* inferred from its prefix */
	assert_int_equal(m.neigh[0].port, 0);
	assert_int_equal(m.svcs[0].proto, SL_IPPROTO_TCP);
	assert_int_equal(m.svcs[0].sched, SL_SCHED_WRR);
	assert_int_equal(m.svcs[0].rs[0].weight, 1);
	assert_int_equal(m.svcs[0].rs[1].weight, 0);
	assert_int_equal(m.svcs[1].proto, SL_IPPROTO_UDP);
	assert_int_equal(m.svcs[1].sched, SL_SCHED_RR);
	assert_int_equal(m.svcs[1].nrs, 0);
	assert_int_equal(m.svcs[1].id, 1);
	sl_model_free(&m);
}

/* ---- round trips ------------------------------------------------------- */

/* show -> load -> show gives the same document, through text too. */
static void assert_round_trip(const struct sl_model *m)
{
	struct sl_model back;
	struct sl_err e;
	json_t *doc = sl_config_to_json(m), *again;
	char *text;

	assert_non_null(doc);
	if (sl_config_load_json(doc, &back, &e) != 0)
		fail_msg("show output refused: %s at %s: %s", e.code, e.field,
			 e.message);
	again = sl_config_to_json(&back);
	assert_true(json_equal(doc, again));
	assert_int_equal(back.nrs_total, m->nrs_total);
	assert_int_equal(back.neal, m->neal);
	json_decref(again);
	sl_model_free(&back);

	text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);
	assert_int_equal(sl_config_load_string(text, &back, &e), 0);
	again = sl_config_to_json(&back);
	assert_true(json_equal(doc, again));
	json_decref(again);
	sl_model_free(&back);
	free(text);
	json_decref(doc);
}

static void test_round_trip_example(void **state)
{
	struct sl_model m;
	struct sl_err e;

	(void)state;
	assert_int_equal(sl_config_load_file(example_path, &m, &e), 0);
	assert_round_trip(&m);
	sl_model_free(&m);
}

/* A model shaped by run-time changes must still load from its own show. */
static void test_round_trip_after_changes(void **state)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0x01, 0x0b};
	struct sl_model m;
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100");

	(void)state;
	assert_int_equal(sl_config_load_file(example_path, &m, &e), 0);
	assert_int_equal(sl_model_add_svc(&m, vip, sl_htons(53), SL_IPPROTO_UDP,
					  SL_SCHED_RR, &e), 0);
	assert_int_equal(sl_model_add_rs(&m, vip, sl_htons(53), SL_IPPROTO_UDP,
					 ip("198.18.1.20"), sl_htons(53), 7, &e), 0);
	assert_int_equal(sl_model_add_rs(&m, vip, sl_htons(80), SL_IPPROTO_TCP,
					 ip("203.0.113.9"), sl_htons(80), 3, &e), 0);
	assert_int_equal(sl_model_set_rs_weight(&m, vip, sl_htons(80), SL_IPPROTO_TCP,
						ip("198.18.1.11"), sl_htons(8080),
						0, &e), 0);
	assert_int_equal(sl_model_del_rs(&m, vip, sl_htons(80), SL_IPPROTO_TCP,
					 ip("198.18.1.12"), sl_htons(8080), &e), 0);
	assert_int_equal(sl_model_add_laddr(&m, ip("198.18.1.4"), -1, &e), 0);
	assert_int_equal(sl_model_add_laddr(&m, ip("192.0.2.4"), 0, &e), 0);
	assert_int_equal(sl_model_del_laddr(&m, ip("198.18.1.3"), &e), 0);
	assert_int_equal(sl_model_add_neigh(&m, ip("198.18.1.11"), mac, -1, &e), 0);
	assert_int_equal(sl_model_add_svc(&m, ip("198.18.0.101"), sl_htons(443),
					  SL_IPPROTO_TCP, SL_SCHED_WRR, &e), 0);
	assert_int_equal(sl_model_del_svc(&m, vip, sl_htons(53), SL_IPPROTO_UDP, &e), 0);
	m.ports[1].mtu = 9000; /* not the default: written out, read back */
	m.ports[1].vlan = 42;
	m.ports[1].flow_steering = false;
	assert_round_trip(&m);

	json_t *doc = sl_config_to_json(&m);
	assert_true(json_is_false(json_object_get(
		json_array_get(json_object_get(doc, "ports"), 1), "flow_steering")));
	assert_null(json_object_get(json_array_get(json_object_get(doc, "ports"), 0),
				    "flow_steering")); /* the default is not written */
	json_t *laddrs = json_object_get(doc, "local_addresses");
	assert_int_equal(json_array_size(laddrs), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(laddrs, 1), "port")), "wan");
	json_t *vips = json_object_get(doc, "vips");
	assert_int_equal(json_array_size(vips), 2);
	json_t *rs = json_object_get(json_array_get(vips, 0), "real_servers");
	assert_int_equal(json_array_size(rs), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rs, 0),
							    "weight")), 0);
	json_decref(doc);
	sl_model_free(&m);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_loads),
		cmocka_unit_test(test_show_example_is_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_settings_applied),
		cmocka_unit_test(test_vip_defaults_and_inference),
		cmocka_unit_test(test_round_trip_example),
		cmocka_unit_test(test_round_trip_after_changes),
	};

	if (argc > 0)
		find_example(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
