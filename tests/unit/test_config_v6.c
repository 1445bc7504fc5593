/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 in the config file (issue 15): a port's "ipv6" beside its "ipv4",
 * every other address field read as either family, and each family
 * mistake refused at its exact JSON path. Ports, routes, local addresses
 * and FNAT66 VIPs load (test_config_v6_load.c); static v6 neighbors are
 * taken (test_v6_neighbors); NAT64 VIPs are refused with "NAT64 data
 * path not built yet" after their syntax and families are checked: the
 * tests pin both the checks and the refusals, so neither can be dropped
 * quietly.
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

#include "quoted.h"
#include "addr.h"
#include "config.h"
#include "jsonutil.h"
#include "model.h"

#define PORTS                                                                  \
	"'ports': [{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24', " \
	"'ipv6': '2001:db8::2/64'}, {'name': 'lan', 'devargs': 'net_ring1', "  \
	"'ipv4': '198.18.1.2/24', 'ipv6': '2001:db8:1::2/64'}]"
#define NOT_BUILT SL_V6_NOT_BUILT

struct bad_case {
	const char *doc;
	const char *field;
	const char *message;  /* exact */
};

static const struct bad_case bad_cases[] = {
	/* A port's ipv6: syntax, family, kind, overlap. */
	{"{'ports': [{'name': 'a', 'devargs': 'x', 'ipv6': '2001:db8::2'}]}",
	 "$.ports[0].ipv6", "ipv6 must be a prefix a.b.c.d/len or v6addr/len, got "
	 "\"2001:db8::2\""},
	{"{'ports': [{'name': 'a', 'devargs': 'x', 'ipv6': '2001:db8:::2/64'}]}",
	 "$.ports[0].ipv6", "ipv6 must be a prefix a.b.c.d/len or v6addr/len, got "
	 "\"2001:db8:::2/64\""},
	{"{'ports': [{'name': 'a', 'devargs': 'x', 'ipv6': '198.18.0.2/24'}]}",
	 "$.ports[0].ipv6", "ipv6 must be an IPv6 address/len, got the IPv4 address "
	 "198.18.0.2 (that goes in \"ipv4\")"},
	{"{'ports': [{'name': 'a', 'devargs': 'x', 'ipv6': 'fe80::1/64'}]}",
	 "$.ports[0].ipv6", "ipv6 must be a global unicast address (not ::, ::1, "
	 "multicast, link-local or v4-mapped), got fe80::1"},
	{"{'ports': [{'name': 'a', 'devargs': 'x', 'ipv6': '2001:db8::2/0'}]}",
	 "$.ports[0].ipv6", "ipv6 prefix length must be 1..128, got 0"},
	{"{'ports': [{'name': 'a', 'devargs': 'x', 'ipv6': '2001:db8::2/64'}, "
	 "{'name': 'b', 'devargs': 'y', 'ipv6': '2001:db8::3/64'}]}",
	 "$.ports[1].ipv6", "ipv6 2001:db8::3/64 overlaps port a's prefix "
	 "2001:db8::2/64"},
	{"{'ports': [{'name': 'a', 'devargs': 'x', 'ipv6': '2001:db8::2/64'}, "
	 "{'name': 'b', 'devargs': 'y', 'ipv6': '2001:db8::2/128'}]}",
	 "$.ports[1].ipv6", "ipv6 2001:db8::2 is port a's address"},
	/* Routes: the families of prefix and via agree, then v6 waits. */
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/48', 'via': '198.18.0.1'}]}",
	 "$.routes[0].via", "via 198.18.0.1 is IPv4 but prefix 2001:db8:5:: is IPv6"},
	{"{" PORTS ", 'routes': [{'prefix': '10.0.0.0/8', 'via': '2001:db8::1'}]}",
	 "$.routes[0].via", "via 2001:db8::1 is IPv6 but prefix 10.0.0.0 is IPv4"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/48', 'via': '2001:db8:9::1'}]}",
	 "$.routes[0].via", "via 2001:db8:9::1 is not inside any port's IPv6 prefix"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/48', 'via': '2001:db8::1', "
	 "'port': 'lan'}]}", "$.routes[0].via",
	 "via 2001:db8::1 is not inside port lan's IPv6 prefix"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/48', 'via': '2001:db8::2'}]}",
	 "$.routes[0].via", "via 2001:db8::2 is port wan's own address"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/48', 'via': 'fe80::1'}]}",
	 "$.routes[0].port", "via fe80::1 is link-local: name the route's port "
	 "(the link it is on)"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/48', 'via': 'ff02::1', "
	 "'port': 'lan'}]}", "$.routes[0].via",
	 "via must be a global unicast or a link-local address, got ff02::1"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::1/48', 'via': '2001:db8::1'}]}",
	 "$.routes[0].prefix", "prefix 2001:db8:5::1/48 has host bits set"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/48'}]}",
	 "$.routes[0].via", "a route needs via, port or both"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/48', 'via': '2001:db8::1'}, "
	 "{'prefix': '2001:db8:5::/48', 'via': '2001:db8:1::1'}]}",
	 "$.routes[1].prefix", "a route to 2001:db8:5::/48 exists"},
	{"{" PORTS ", 'routes': [{'prefix': '2001:db8:5::/129', 'via': '2001:db8::1'}]}",
	 "$.routes[0].prefix", "prefix must be a prefix a.b.c.d/len or v6addr/len, "
	 "got \"2001:db8:5::/129\""},
	{"{" PORTS ", 'routes': [{'prefix': '10.0.0.0/8', 'via': '2001:db8::1::'}]}",
	 "$.routes[0].via", "via must be an IPv4 address a.b.c.d or an IPv6 "
	 "address, got \"2001:db8::1::\""},
	/* Local addresses and neighbors. */
	{"{" PORTS ", 'local_addresses': [{'ip': '2001:db8:7::10'}]}",
	 "$.local_addresses[0].port", "no port's IPv6 prefix holds 2001:db8:7::10; "
	 "name the port"},
	{"{" PORTS ", 'local_addresses': [{'ip': '2001:db8:1::2'}]}",
	 "$.local_addresses[0].ip", "2001:db8:1::2 is port lan's address"},
	{"{" PORTS ", 'local_addresses': [{'ip': 'ff02::1'}]}",
	 "$.local_addresses[0].ip", "ip must be a global unicast address, got ff02::1"},
	{"{" PORTS ", 'local_addresses': [{'ip': '2001:db8:1::10'}, "
	 "{'ip': '2001:db8:1::10'}]}",
	 "$.local_addresses[1].ip", "local address 2001:db8:1::10 exists"},
	/* A static v6 neighbor: on a port's v6 prefix, that port if named. */
	{"{" PORTS ", 'neighbors': [{'ip': '2001:db8:7::11', 'mac': "
	 "'02:00:00:00:01:0b'}]}", "$.neighbors[0].ip",
	 "neighbor 2001:db8:7::11 is on no port's IPv6 prefix"},
	{"{" PORTS ", 'neighbors': [{'ip': '2001:db8:1::11', 'mac': "
	 "'02:00:00:00:01:0b', 'port': 'wan'}]}", "$.neighbors[0].port",
	 "neighbor 2001:db8:1::11 is on port lan's IPv6 prefix"},
	{"{" PORTS ", 'neighbors': [{'ip': 'fe80::11', 'mac': "
	 "'02:00:00:00:01:0b'}]}", "$.neighbors[0].ip",
	 "neighbor fe80::11 is not a unicast host address"},
	{"{" PORTS ", 'neighbors': [{'ip': '2001:db8:1::2', 'mac': "
	 "'02:00:00:00:01:0b'}]}", "$.neighbors[0].ip",
	 "2001:db8:1::2 is a port's own address"},
	{"{" PORTS ", 'neighbors': [{'ip': '2001:db8:1::11', 'mac': "
	 "'02:00:00:00:01:0b'}, {'ip': '2001:db8:1::11', 'mac': "
	 "'02:00:00:00:01:0c'}]}", "$.neighbors[1].ip",
	 "neighbor 2001:db8:1::11 exists"},
	/* VIPs and their servers. */
	{"{" PORTS ", 'vips': [{'vip': '198.18.0.100', 'port': 80, 'real_servers': "
	 "[{'ip': '198.18.1.11', 'port': 80}, {'ip': '2001:db8:1::11', 'port': 80}]}]}",
	 "$.vips[0].real_servers[1].ip", "real server 2001:db8:1::11 is IPv6 but VIP "
	 "198.18.0.100 is IPv4: a v4 VIP takes v4 servers only"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'ip': '2001:db8:1::11', 'port': 80}, {'ip': '198.18.1.11', 'port': 80}]}]}",
	 "$.vips[0].real_servers[1].ip", "real server 198.18.1.11 is IPv4 but the "
	 "first is IPv6: a VIP's servers are all of one family"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'ip': '198.18.1.11', 'port': 80}, {'ip': '198.18.1.12', 'port': 80}, "
	 "{'ip': '2001:db8:1::11', 'port': 80}]}]}", "$.vips[0].real_servers[2].ip",
	 "real server 2001:db8:1::11 is IPv6 but the first is IPv4: a VIP's servers "
	 "are all of one family"},
	/* FNAT66: each of a v6 VIP's and v6 server's checks at its path. */
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'ip': '2001:db8:9::11', 'port': 80}]}]}", "$.vips[0].real_servers[0].ip",
	 "no route to 2001:db8:9::11"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'ip': '2001:db8:1::11', 'port': 80}, {'ip': '2001:db8:1::11', 'port': 80}]}]}",
	 "$.vips[0].real_servers[1].ip",
	 "real server [2001:db8:1::11]:80 exists in VIP [2001:db8::100]:80/tcp"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'ip': '2001:db8:1::2', 'port': 80}]}]}", "$.vips[0].real_servers[0].ip",
	 "2001:db8:1::2 is port lan's address"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'ip': '2001:db8::100', 'port': 80}]}]}", "$.vips[0].real_servers[0].ip",
	 "2001:db8::100 is a VIP"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80}, "
	 "{'vip': '2001:db8::100', 'port': 80}]}", "$.vips[1].vip",
	 "VIP [2001:db8::100]:80/tcp exists"},
	{"{" PORTS ", 'local_addresses': [{'ip': '2001:db8:1::10'}], 'vips': "
	 "[{'vip': '2001:db8:1::10', 'port': 80}]}", "$.vips[0].vip",
	 "2001:db8:1::10 is a local address"},
	{"{" PORTS ", 'vips': [{'vip': 'ff05::1', 'port': 80}]}", "$.vips[0].vip",
	 "vip must be a global unicast address, got ff05::1"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'ip': '2001:db8:1::11', 'port': 80, 'weight': 100000}]}]}",
	 "$.vips[0].real_servers[0].weight", "weight must be 0..65535, got 100000"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'ip': '2001:db8:1::11', 'port': 80, 'health_check': {'type': 'http', 'timeout_ms': 3000, 'interval_ms': 1000}}]}]}",
	 "$.vips[0].real_servers[0].health_check.timeout_ms", "timeout_ms (3000) must not "
	 "exceed interval_ms (1000): a check ends before the next starts"},
	{"{" PORTS ", 'health': {'path': 'data'}, 'vips': [{'vip': '2001:db8::100', "
	 "'port': 80, 'health_check': {'type': 'tcp'}, 'real_servers': "
	 "[{'ip': '2001:db8:1::11', 'port': 80}]}]}", "$.health.path",
	 "health.path \"data\" checks IPv4 servers only: real server "
	 "[2001:db8:1::11]:80 of [2001:db8::100]:80/tcp is IPv6 (its check would "
	 "need the kernel path, health.path \"kernel\")"},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100::', 'port': 80}]}", "$.vips[0].vip",
	 "vip must be an IPv4 address a.b.c.d or an IPv6 address, got "
	 "\"2001:db8::100::\""},
	{"{" PORTS ", 'vips': [{'vip': '198.18.0.100', 'port': 80, 'real_servers': "
	 "[{'ip': '2001:db8:1::11:80', 'port': 80}, {'ip': '[2001:db8:1::12]', "
	 "'port': 80}]}]}", "$.vips[0].real_servers[0].ip", "real server "
	 "2001:db8:1::11:80 is IPv6 but VIP 198.18.0.100 is IPv4: a v4 VIP takes v4 "
	 "servers only"},
	{"{" PORTS ", 'vips': [{'vip': '198.18.0.100', 'port': 80, 'real_servers': "
	 "[{'ip': '[2001:db8:1::12]', 'port': 80}]}]}", "$.vips[0].real_servers[0].ip",
	 "ip must be an IPv4 address a.b.c.d or an IPv6 address, got "
	 "\"[2001:db8:1::12]\""},
	/* ... named before a NAT64 VIP is refused, and past servers with no ip. */
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'port': 80}, 5, {'ip': '2001:db8:1::11', 'port': 80}, {'ip': '2001:db8:1::1g', "
	 "'port': 80}]}]}", "$.vips[0].real_servers[3].ip",
	 "ip must be an IPv4 address a.b.c.d or an IPv6 address, got "
	 "\"2001:db8:1::1g\""},
	{"{" PORTS ", 'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
	 "[{'port': 80}, {'ip': '2001:db8:1::11', 'port': 80}, {'ip': '198.18.1.11', "
	 "'port': 80}]}]}", "$.vips[0].real_servers[2].ip",
	 "real server 198.18.1.11 is IPv4 but the first is IPv6: a VIP's servers are "
	 "all of one family"},
	/* health.source: one address of each family at most. */
	{"{" PORTS ", 'health': {'source': ['2001:db8::2', '2001:db8::3']}}",
	 "$.health.source[1]", "source[1] is a second IPv6 source: one of each "
	 "family at most"},
	{NULL, NULL, NULL},
};

static void test_v6_refusals(void **state)
{
	(void)state;
	for (const struct bad_case *c = bad_cases; c->doc; c++) {
		struct sl_model m;
		struct sl_err e;
		char *json = dq(c->doc);

		if (sl_config_load_string(json, &m, &e) == 0)
			fail_msg("accepted: %s", json);
		if (strcmp(e.code, SL_E_INVALID) && strcmp(e.code, SL_E_EXISTS) &&
		    strcmp(e.code, SL_E_MISSING))
			fail_msg("code %s for %s", e.code, json);
		if (strcmp(e.field, c->field) != 0)
			fail_msg("field %s, want %s, for %s", e.field, c->field, json);
		if (strcmp(e.message, c->message) != 0)
			fail_msg("message \"%s\"\n want \"%s\"\n for %s", e.message,
				 c->message, json);
		free(json);
	}
}

/* Mixed families load: v4 VIPs, routes and servers beside v6 ports; the
 * port's v6 address survives config show and a load of its output. */
static void test_v6_ports_mixed(void **state)
{
	struct sl_model m, back;
	struct sl_err e;
	char *json = dq("{" PORTS ", 'routes': [{'prefix': '0.0.0.0/0', 'via': "
			"'198.18.0.1'}], 'vips': [{'vip': '198.18.0.100', 'port': 80, "
			"'real_servers': [{'ip': '198.18.1.11', 'port': 80}]}]}");
	struct sl_addr want;

	(void)state;
	if (sl_config_load_string(json, &m, &e) != 0)
		fail_msg("refused: %s at %s: %s", e.code, e.field, e.message);
	assert_int_equal(sl_parse_addr("2001:db8:1::2", &want), 0);
	assert_int_equal(m.ports[1].ip6.af, SL_AF_V6);
	assert_true(sl_addr_eq(&m.ports[1].ip6, &want));
	assert_int_equal(m.ports[1].plen6, 64);
	assert_int_equal(m.nsvcs, 1);
	assert_int_equal(m.nroutes, 1);

	json_t *doc = sl_config_to_json(&m);
	json_t *p1 = json_array_get(json_object_get(doc, "ports"), 1);
	assert_string_equal(json_string_value(json_object_get(p1, "ipv6")),
			    "2001:db8:1::2/64");
	assert_int_equal(sl_config_load_json(doc, &back, &e), 0);
	assert_true(sl_addr_eq(&back.ports[1].ip6, &want));
	assert_int_equal(back.ports[1].plen6, 64);
	/* A port without ipv6 writes none. */
	json_object_del(json_array_get(json_object_get(doc, "ports"), 0), "ipv6");
	sl_model_free(&back);
	assert_int_equal(sl_config_load_json(doc, &back, &e), 0);
	assert_int_equal(back.ports[0].ip6.af, SL_AF_NONE);
	json_t *again = sl_config_to_json(&back);
	assert_null(json_object_get(json_array_get(json_object_get(again, "ports"), 0),
				    "ipv6"));
	json_decref(again);
	json_decref(doc);
	sl_model_free(&back);
	sl_model_free(&m);
	free(json);
}

/* A v6 VIP with v4 servers loads as NAT64 (it was refused while the
 * workers could not translate), and keeps its mode through config show
 * and a load of its output. */
static void test_nat64_loads(void **state)
{
	struct sl_model m, back;
	struct sl_err e;
	char *json = dq("{" PORTS ", 'local_addresses': [{'ip': '198.18.1.200'}], "
			"'vips': [{'vip': '2001:db8::100', 'port': 80, 'real_servers': "
			"[{'ip': '198.18.1.11', 'port': 80}, {'ip': '198.18.1.12', "
			"'port': 80}]}]}");

	(void)state;
	if (sl_config_load_string(json, &m, &e) != 0)
		fail_msg("refused: %s at %s: %s", e.code, e.field, e.message);
	assert_int_equal(m.nsvcs, 1);
	assert_int_equal(sl_model_svc_mode_of(&m.svcs[0]), SL_MODE_NAT64);
	json_t *doc = sl_config_to_json(&m);
	assert_int_equal(sl_config_load_json(doc, &back, &e), 0);
	assert_int_equal(sl_model_svc_mode_of(&back.svcs[0]), SL_MODE_NAT64);
	json_decref(doc);
	sl_model_free(&back);
	sl_model_free(&m);
	free(json);
}

static void test_svc_mode(void **state)
{
	struct sl_addr vip6, vip4, rs[3];
	enum sl_svc_mode mode;
	uint32_t bad = 99;
	struct sl_err e;

	(void)state;
	assert_int_equal(sl_parse_addr("2001:db8::100", &vip6), 0);
	assert_int_equal(sl_parse_addr("198.18.0.100", &vip4), 0);
	assert_int_equal(sl_parse_addr("198.18.1.11", &rs[0]), 0);
	assert_int_equal(sl_parse_addr("198.18.1.12", &rs[1]), 0);
	assert_int_equal(sl_parse_addr("2001:db8:1::11", &rs[2]), 0);
	assert_int_equal(sl_model_svc_mode(&vip6, rs, 2, &mode, &bad, &e), 0);
	assert_int_equal(mode, SL_MODE_NAT64);
	assert_string_equal(sl_svc_mode_name(mode), "nat64");
	assert_int_equal(sl_model_svc_mode(&vip6, &rs[2], 1, &mode, &bad, &e), 0);
	assert_int_equal(mode, SL_MODE_FNAT66);
	assert_int_equal(sl_model_svc_mode(&vip6, rs, 0, &mode, &bad, &e), 0);
	assert_int_equal(mode, SL_MODE_FNAT66);
	assert_int_equal(sl_model_svc_mode(&vip4, rs, 2, &mode, &bad, &e), 0);
	assert_int_equal(mode, SL_MODE_FNAT44);
	assert_int_equal(sl_model_svc_mode(&vip6, rs, 3, &mode, &bad, &e), -1);
	assert_int_equal(bad, 2);
	assert_string_equal(e.field, "ip");
	assert_int_equal(sl_model_svc_mode(&vip4, &rs[2], 1, &mode, &bad, &e), -1);
	assert_int_equal(bad, 0);
}

/* Static v6 neighbors beside v4 ones: the port found from the v6
 * prefix, and both kept through config show and a load of its output. */
static void test_v6_neighbors(void **state)
{
	struct sl_model m, back;
	struct sl_err e;
	char *json = dq("{" PORTS ", 'neighbors': [{'ip': '198.18.1.11', 'mac': "
			"'02:00:00:00:01:0a'}, {'ip': '2001:db8:1::11', 'mac': "
			"'02:00:00:00:01:0b'}, {'ip': '2001:db8::1', 'mac': "
			"'02:00:00:00:00:01', 'port': 'wan'}]}");
	struct sl_addr a;

	(void)state;
	if (sl_config_load_string(json, &m, &e) != 0)
		fail_msg("refused: %s at %s: %s", e.code, e.field, e.message);
	assert_int_equal(m.nneigh, 1);
	assert_int_equal(m.nneigh6, 2);
	assert_int_equal(sl_parse_addr("2001:db8:1::11", &a), 0);
	const struct sl_model_neigh6 *n = sl_model_find_neigh6(&m, a.v6);
	assert_non_null(n);
	assert_int_equal(n->port, 1);
	assert_int_equal(n->mac[5], 0x0b);
	assert_int_equal(sl_parse_addr("2001:db8::1", &a), 0);
	assert_int_equal(sl_model_find_neigh6(&m, a.v6)->port, 0);

	json_t *doc = sl_config_to_json(&m);
	json_t *l = json_object_get(doc, "neighbors");
	assert_int_equal(json_array_size(l), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 1), "ip")),
			    "2001:db8:1::11");
	assert_int_equal(sl_config_load_json(doc, &back, &e), 0);
	assert_int_equal(back.nneigh6, 2);
	assert_memory_equal(back.neigh6, m.neigh6, 2 * sizeof(m.neigh6[0]));
	json_decref(doc);
	sl_model_free(&back);
	sl_model_free(&m);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v6_refusals),
		cmocka_unit_test(test_v6_ports_mixed),
		cmocka_unit_test(test_nat64_loads),
		cmocka_unit_test(test_svc_mode),
		cmocka_unit_test(test_v6_neighbors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
