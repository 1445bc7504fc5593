/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 that loads (issue 15): ports' v6 prefixes, v6 routes with the port
 * found from the gateway, v6 local addresses with the port found from
 * their address, and FNAT66 VIPs with every service option, through the
 * config file into the model and back out by config show; the model's
 * own operations for what the file refuses (NAT64), and the v4 lookups
 * blind to v6 services. test_config_v6.c has the refusals.
 *
 * Documents use single quotes, swapped for double quotes before parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_apply.h"
#include "config_fixture.h"
#include "sched.h"

#define DOC                                                                    \
	"{'ports': [{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24', " \
	"'ipv6': '2001:db8::2/64'}, {'name': 'lan', 'devargs': 'net_ring1', "  \
	"'ipv4': '198.18.1.2/24', 'ipv6': '2001:db8:1::2/64'}], "              \
	"'routes': [{'prefix': '2001:db8:40::/44', 'via': '2001:db8:1::fe'}, "  \
	"{'prefix': '::/0', 'via': '2001:db8::1'}, "                           \
	"{'prefix': '10.0.0.0/8', 'via': '198.18.1.254'}], "                   \
	"'local_addresses': [{'ip': '198.18.1.10'}, {'ip': '2001:db8:1::10'}, " \
	"{'ip': '2001:db8:1::11', 'port': 'lan'}], "                           \
	"'vips': [{'vip': '2001:db8::100', 'port': 443, 'scheduler': 'mh', "   \
	"'hash_ports': true, 'persist_s': 60, 'on_down': 'flush', "            \
	"'health_check': {'type': 'tcp', 'interval_ms': 2000}, "               \
	"'real_servers': [{'ip': '2001:db8:1::21', 'port': 8443, 'weight': 3}, " \
	"{'ip': '2001:db8:41::22', 'port': 8443, 'weight': 0, "                \
	"'health_check': {'type': 'http', 'http': {'path': '/ok'}}}]}, "                 \
	"{'vip': '2001:db8::100', 'port': 53, 'proto': 'udp'}, "               \
	"{'vip': '198.18.0.100', 'port': 80, 'real_servers': "                 \
	"[{'ip': '198.18.1.21', 'port': 8080}]}]}"

/* DOC's ports with one v4 VIP: a file without a v6 VIP. */
#define DOC4                                                                   \
	"{'ports': [{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24', " \
	"'ipv6': '2001:db8::2/64'}, {'name': 'lan', 'devargs': 'net_ring1', "  \
	"'ipv4': '198.18.1.2/24', 'ipv6': '2001:db8:1::2/64'}], "              \
	"'vips': [{'vip': '198.18.0.100', 'port': 80, 'real_servers': "        \
	"[{'ip': '198.18.1.21', 'port': 8080}]}]"

static void check_net6(const struct sl_model *m)
{
	struct sl_addr a = A("2001:db8:40::"), via = A("2001:db8:1::fe");
	uint8_t port = 99;

	assert_int_equal(m->nroutes, 1);
	assert_int_equal(m->nroutes6, 2);
	assert_memory_equal(m->routes6[0].prefix, a.v6, 16);
	assert_int_equal(m->routes6[0].plen, 44);
	assert_memory_equal(m->routes6[0].via, via.v6, 16);
	assert_int_equal(m->routes6[0].port, 1);   /* from its gateway */
	assert_int_equal(m->routes6[1].plen, 0);
	assert_int_equal(m->routes6[1].port, 0);
	assert_int_equal(m->nladdrs, 1);
	assert_int_equal(m->nladdrs6, 2);
	assert_int_equal(m->laddrs6[0].port, 1);   /* from its prefix */
	/* One slot space: v4 and v6 local addresses never share one. */
	assert_int_not_equal(m->laddrs6[0].slot, m->laddrs[0].slot);
	assert_int_not_equal(m->laddrs6[1].slot, m->laddrs[0].slot);
	assert_int_not_equal(m->laddrs6[0].slot, m->laddrs6[1].slot);
	/* Longest prefix: the port's /64, the /44 by lan, else the default. */
	a = A("2001:db8:1::99");
	assert_int_equal(sl_model_route6(m, a.v6, &port), 0);
	assert_int_equal(port, 1);
	a = A("2001:db8:4f::1");
	assert_int_equal(sl_model_route6(m, a.v6, &port), 0);
	assert_int_equal(port, 1);
	a = A("2001:db8:50::1");
	assert_int_equal(sl_model_route6(m, a.v6, &port), 0);
	assert_int_equal(port, 0);
}

static void check_fnat66(const struct sl_model *m)
{
	struct sl_addr vip = A("2001:db8::100"), r0 = A("2001:db8:1::21"),
		       r1 = A("2001:db8:41::22");
	const struct sl_model_svc *s =
		sl_model_find_svc_at(m, &vip, sl_htons(443), SL_IPPROTO_TCP);

	assert_non_null(s);
	assert_true(s->v6);
	assert_int_equal(s->vip, 0);
	assert_int_equal(sl_model_svc_mode_of(s), SL_MODE_FNAT66);
	assert_int_equal(s->sched, SL_SCHED_MH);
	assert_true(s->hash_ports);
	assert_int_equal(s->persist_s, 60);
	assert_int_equal(s->hc.type, SL_HC_TCP);
	assert_int_equal(s->hc.interval_ms, 2000);
	assert_int_equal(s->nrs, 2);
	assert_ptr_equal(sl_model_find_rs_at(s, &r0, sl_htons(8443)), &s->rs[0]);
	assert_ptr_equal(sl_model_find_rs_at(s, &r1, sl_htons(8443)), &s->rs[1]);
	assert_int_equal(s->rs[0].ip, 0);
	assert_int_equal(s->rs[0].weight, 3);
	assert_int_equal(s->rs[1].weight, 0);
	struct sl_hc_cfg hc;
	sl_model_rs_check(s, &s->rs[1], &hc);
	assert_int_equal(hc.type, SL_HC_HTTP);
	assert_string_equal(hc.path, "/ok");
	/* The other v6 service, its v4 neighbour, and no v4 lookup of a
	 * v6 service through its 0 word. */
	assert_non_null(sl_model_find_svc_at(m, &vip, sl_htons(53), SL_IPPROTO_UDP));
	assert_null(sl_model_find_svc_at(m, &vip, sl_htons(53), SL_IPPROTO_TCP));
	assert_non_null(sl_model_find_svc(m, A("198.18.0.100").v4, sl_htons(80),
					  SL_IPPROTO_TCP));
	assert_null(sl_model_find_svc(m, 0, sl_htons(443), SL_IPPROTO_TCP));
	assert_false(sl_model_is_rs(m, 0));
}

static void test_v6_loads(void **state)
{
	struct sl_model m;

	(void)state;
	load_ok(DOC, &m);
	check_net6(&m);
	check_fnat66(&m);
	sl_model_free(&m);
}

/* config show writes the v6 entries back in RFC 5952 text, and its
 * output loads to the same model. */
static void test_v6_round_trip(void **state)
{
	struct sl_model m, back;
	struct sl_err e;

	(void)state;
	load_ok(DOC, &m);
	json_t *doc = sl_config_to_json(&m);
	json_t *routes = json_object_get(doc, "routes");
	assert_int_equal(json_array_size(routes), 3);
	json_t *r = json_array_get(routes, 1);
	assert_string_equal(json_string_value(json_object_get(r, "prefix")),
			    "2001:db8:40::/44");
	assert_string_equal(json_string_value(json_object_get(r, "via")),
			    "2001:db8:1::fe");
	assert_string_equal(json_string_value(json_object_get(r, "port")), "lan");
	json_t *l = json_array_get(json_object_get(doc, "local_addresses"), 2);
	assert_string_equal(json_string_value(json_object_get(l, "ip")),
			    "2001:db8:1::11");
	json_t *v = json_array_get(json_object_get(doc, "vips"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "vip")),
			    "2001:db8::100");
	json_t *rs = json_array_get(json_object_get(v, "real_servers"), 1);
	assert_string_equal(json_string_value(json_object_get(rs, "ip")),
			    "2001:db8:41::22");
	assert_non_null(json_object_get(rs, "health_check"));

	if (sl_config_load_json(doc, &back, &e) != 0)
		fail_msg("config show output refused: %s at %s", e.message, e.field);
	check_net6(&back);
	check_fnat66(&back);
	json_t *again = sl_config_to_json(&back);
	assert_true(json_equal(doc, again));
	json_decref(again);
	json_decref(doc);
	sl_model_free(&back);
	sl_model_free(&m);
}

/* What the file refuses the model carries: a v6 VIP with v4 servers is
 * NAT64; its servers stay of one family. */
static void test_nat64_in_model(void **state)
{
	struct sl_model m;
	struct sl_err e;
	struct sl_addr vip = A("2001:db8::200"), r4 = A("198.18.1.31"),
		       r6 = A("2001:db8:1::31");

	(void)state;
	load_ok(DOC, &m);
	assert_int_equal(sl_model_add_svc_at(&m, &vip, sl_htons(80), SL_IPPROTO_TCP,
					     SL_SCHED_WRR, &e), 0);
	struct sl_model_svc *s = sl_model_find_svc_at(&m, &vip, sl_htons(80),
						      SL_IPPROTO_TCP);
	assert_int_equal(sl_model_svc_mode_of(s), SL_MODE_FNAT66); /* none yet */
	assert_int_equal(sl_model_add_rs_at(&m, &vip, sl_htons(80), SL_IPPROTO_TCP,
					    &r4, sl_htons(8080), 1, &e), 0);
	s = sl_model_find_svc_at(&m, &vip, sl_htons(80), SL_IPPROTO_TCP);
	assert_int_equal(sl_model_svc_mode_of(s), SL_MODE_NAT64);
	assert_int_equal(s->rs[0].ip, r4.v4);
	assert_int_equal(sl_model_add_rs_at(&m, &vip, sl_htons(80), SL_IPPROTO_TCP,
					    &r6, sl_htons(8080), 1, &e), -1);
	assert_string_equal(e.field, "ip");
	assert_string_equal(e.message, "real server 2001:db8:1::31 is IPv6 but the "
			    "first is IPv4: a VIP's servers are all of one family");
	/* A v4 VIP takes no v6 server from the model either. */
	struct sl_addr v4 = A("198.18.0.100");
	assert_int_equal(sl_model_add_rs_at(&m, &v4, sl_htons(80), SL_IPPROTO_TCP,
					    &r6, sl_htons(8080), 1, &e), -1);
	assert_string_equal(e.field, "ip");
	sl_model_free(&m);
}

/* The run-time operations sluicectl's vip/rs/laddr commands use, on v6
 * addresses: weight, removal of a server, a service and a local
 * address; each missing one refused at its field; and the rule that
 * refuses NAT64 for the file and for rs add alike. */
static void test_v6_runtime_ops(void **state)
{
	struct sl_model m;
	struct sl_err e;
	struct sl_addr vip = A("2001:db8::100"), r0 = A("2001:db8:1::21"),
		       lip = A("2001:db8:1::11");
	const sl_be16 p443 = sl_htons(443), p8443 = sl_htons(8443);

	(void)state;
	load_ok(DOC, &m);
	assert_int_equal(sl_model_set_rs_weight_at(&m, &vip, p443, SL_IPPROTO_TCP, &r0,
						   p8443, 9, &e), 0);
	struct sl_model_svc *s = sl_model_find_svc_at(&m, &vip, p443, SL_IPPROTO_TCP);
	assert_int_equal(sl_model_find_rs_at(s, &r0, p8443)->weight, 9);
	assert_int_equal(sl_model_del_rs_at(&m, &vip, p443, SL_IPPROTO_TCP, &r0, p8443, &e), 0);
	s = sl_model_find_svc_at(&m, &vip, p443, SL_IPPROTO_TCP);
	assert_int_equal(s->nrs, 1);
	assert_null(sl_model_find_rs_at(s, &r0, p8443));
	assert_int_equal(sl_model_del_rs_at(&m, &vip, p443, SL_IPPROTO_TCP, &r0, p8443, &e), -1);
	assert_string_equal(e.field, "ip");
	assert_string_equal(e.message, "no real server [2001:db8:1::21]:8443 in VIP "
			    "[2001:db8::100]:443/tcp");
	assert_int_equal(sl_model_del_laddr6(&m, lip.v6, &e), 0);
	assert_int_equal(m.nladdrs6, 1);
	assert_int_equal(sl_model_del_laddr6(&m, lip.v6, &e), -1);
	assert_string_equal(e.field, "ip");
	assert_int_equal(sl_model_del_svc_at(&m, &vip, p443, SL_IPPROTO_TCP, &e), 0);
	assert_null(sl_model_find_svc_at(&m, &vip, p443, SL_IPPROTO_TCP));
	assert_non_null(sl_model_find_svc_at(&m, &vip, sl_htons(53), SL_IPPROTO_UDP));
	assert_int_equal(sl_model_del_svc_at(&m, &vip, p443, SL_IPPROTO_TCP, &e), -1);
	assert_string_equal(e.field, "vip");
	sl_model_free(&m);
}

/* The v6 pool follows the file (model_sizes.c): 1/16 of max_connections
 * with a v6 VIP, none without; the first v6 VIP on a node started
 * without a pool is refused at run time (sluicectl) and on reload
 * (config apply, SIGHUP), naming the setting and the restart; given, the
 * size is used as it is. */
static void test_v6_pool_sizing(void **state)
{
	struct sl_model run, next;
	struct sl_err e;
	struct sl_addr vip = A("2001:db8::100");
	(void)state;

	load_ok(DOC, &next);
	assert_int_equal(next.max_conns_v6, 262144 / 16);
	sl_model_free(&next);
	load_ok(DOC4 "}", &run);
	assert_int_equal(run.max_conns_v6, 0);
	assert_int_equal(sl_model_add_svc_at(&run, &vip, sl_htons(443), SL_IPPROTO_TCP,
					     SL_SCHED_WRR, &e), -1);
	assert_string_equal(e.field, "vip");
	assert_non_null(strstr(e.message, "set conn_table.max_v6_connections in the "
				"config file and restart sluice"));
	/* Reloaded with a v6 VIP: not a fixed setting changed (the file
	 * gives none), but no room for it. */
	load_ok(DOC, &next);
	assert_int_equal(sl_config_check_fixed(&run, &next, &e), 0);
	assert_int_equal(sl_model_keep_sizes(&run, &next, &e), -1);
	assert_string_equal(e.field, "conn_table.max_v6_connections");
	assert_non_null(strstr(e.message, "[2001:db8::100]:443 is IPv6"));
	sl_model_free(&next);
	/* Given: used as it is, with or without a v6 VIP. */
	load_ok(DOC4 ", 'conn_table': {'max_v6_connections': 1000}}", &next);
	assert_int_equal(next.max_conns_v6, 1000);
	assert_int_equal(sl_model_add_svc_at(&next, &vip, sl_htons(443), SL_IPPROTO_TCP,
					     SL_SCHED_WRR, &e), 0);
	sl_model_free(&next);
	sl_model_free(&run);
	char zero[sizeof(DOC) + 64];
	snprintf(zero, sizeof(zero), "{'conn_table': {'max_v6_connections': 0}, %s",
		 &DOC[1]);
	assert_int_equal(load(zero, &next, &e), -1);
	assert_string_equal(e.field, "$.vips[0].vip");
	assert_non_null(strstr(e.message, "conn_table.max_v6_connections is 0"));
}

/* A link-local router is a route's via when the route names its port,
 * and config show writes it back as it was. */
static void test_v6_link_local_via(void **state)
{
	struct sl_model m;
	struct sl_addr via = A("fe80::1");
	struct sl_err e;
	uint8_t port = 99;

	(void)state;
	load_ok("{'ports': [{'name': 'wan', 'devargs': 'net_ring0', "
	     "'ipv6': '2001:db8::2/64'}, {'name': 'lan', 'devargs': 'net_ring1', "
	     "'ipv6': '2001:db8:1::2/64'}], 'routes': [{'prefix': '::/0', "
	     "'via': 'fe80::1', 'port': 'lan'}]}", &m);
	assert_int_equal(m.nroutes6, 1);
	assert_memory_equal(m.routes6[0].via, via.v6, 16);
	assert_int_equal(m.routes6[0].port, 1);
	struct sl_addr far = A("2001:db8:77::1");
	assert_int_equal(sl_model_route6(&m, far.v6, &port), 0);
	assert_int_equal(port, 1);
	json_t *doc = sl_config_to_json(&m);
	json_t *r = json_array_get(json_object_get(doc, "routes"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "via")), "fe80::1");
	assert_string_equal(json_string_value(json_object_get(r, "port")), "lan");
	json_decref(doc);
	/* Without a port, a link-local via is refused at "port". */
	far = A("2001:db8:77::");
	assert_int_equal(sl_model_add_route6(&m, far.v6, 48, via.v6, -1, &e), -1);
	assert_string_equal(e.field, "port");
	sl_model_free(&m);
}

#define HS_PORTS "'ports': [{'name': 'lan', 'devargs': 'net_ring1', " \
		 "'ipv4': '198.18.1.2/24', 'ipv6': '2001:db8:1::2/64'}]"

/* health.source takes a v6 address, alone or beside a v4 one, and
 * config show gives back what was loaded; two of one family are
 * refused at the list element. */
static void test_v6_health_source(void **state)
{
	struct sl_model m;
	struct sl_addr s6 = A("2001:db8:1::2");
	struct sl_err e;

	(void)state;
	load_ok("{" HS_PORTS ", 'health': {'source': ['198.18.1.2', '2001:db8:1::2']}}", &m);
	assert_int_equal(m.hc_source, A("198.18.1.2").v4);
	assert_memory_equal(m.hc_source6, s6.v6, 16);
	json_t *doc = sl_config_to_json(&m);
	json_t *src = json_object_get(json_object_get(doc, "health"), "source");
	assert_int_equal(json_array_size(src), 2);
	assert_string_equal(json_string_value(json_array_get(src, 1)), "2001:db8:1::2");
	json_decref(doc);
	sl_model_free(&m);
	load_ok("{" HS_PORTS ", 'health': {'source': '2001:db8:1::2'}}", &m);
	assert_int_equal(m.hc_source, 0);
	assert_memory_equal(m.hc_source6, s6.v6, 16);
	sl_model_free(&m);
	char *bad = dq("{" HS_PORTS ", 'health': {'source': ['2001:db8:1::2', "
		       "'2001:db8:1::3']}}");
	assert_int_equal(sl_config_load_string(bad, &m, &e), -1);
	free(bad);
	assert_string_equal(e.field, "$.health.source[1]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v6_loads),
		cmocka_unit_test(test_v6_round_trip),
		cmocka_unit_test(test_nat64_in_model),
		cmocka_unit_test(test_v6_runtime_ops),
		cmocka_unit_test(test_v6_link_local_via),
		cmocka_unit_test(test_v6_pool_sizing),
		cmocka_unit_test(test_v6_health_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
