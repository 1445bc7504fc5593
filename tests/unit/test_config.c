/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config file: each kind of mistake is refused with its code, its
 * exact JSON path and (where it matters) its exact message. What loads
 * and round trips: test_config_load.c.
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

/* ---- errors ------------------------------------------------------------ */

struct bad_case {
	const char *doc;      /* single-quoted; NULL ends the table */
	const char *code;
	const char *field;
	const char *message;  /* exact, or NULL */
};

static const struct bad_case bad_cases[] = {
	/* Unknown keys at every level. */
	{"{'wrokers': 2, " PORTS "}", SL_E_INVALID, "$.wrokers",
	 "unknown field \"wrokers\""},
	{"{'timeouts': {'tcp_est': 5}, " PORTS "}", SL_E_INVALID,
	 "$.timeouts.tcp_est", NULL},
	{"{'control': {'sock': '/x'}, " PORTS "}", SL_E_INVALID,
	 "$.control.sock", NULL},
	{"{'ports': [{'name': 'a', 'devargs': 'x'}, {'name': 'b', 'devargs': 'y',"
	 " 'ipv6': '::1'}]}", SL_E_INVALID, "$.ports[1].ipv6", NULL},
	{"{" PORTS ", " ROUTE ", 'vips': [" VIP80 "[{'ip': '198.18.1.11', "
	 "'port': 80, 'wieght': 1}]}]}", SL_E_INVALID,
	 "$.vips[0].real_servers[0].wieght", "unknown field \"wieght\""},
	/* The SNAT host table's bound (snat_options.max_hosts). */
	{"{" PORTS ", 'snat_options': {'max_hosts': 0}}", SL_E_INVALID,
	 "$.snat_options.max_hosts", "max_hosts must be 1..4194304, got 0"},
	{"{" PORTS ", 'snat_options': {'max_hosts': 4194305}}", SL_E_INVALID,
	 "$.snat_options.max_hosts", NULL},
	{"{" PORTS ", 'snat_options': {'max_hosts': '1k'}}", SL_E_INVALID,
	 "$.snat_options.max_hosts", NULL},
	/* More hosts than connections (262,144 by default) is refused. */
	{"{" PORTS ", 'snat_options': {'max_hosts': 262145}}", SL_E_INVALID,
	 "$.snat_options.max_hosts",
	 "max_hosts 262145 is above conn_table.max_connections 262144: a host "
	 "with a mapping holds one of a worker's connections, so the rest of the "
	 "table would never be used; lower max_hosts or raise max_connections"},
	/* Addresses and numbers. */
	{"{" PORTS ", 'vips': [{'vip': '198.18.0', 'port': 80}]}", SL_E_INVALID,
	 "$.vips[0].vip", "vip must be an IPv4 address a.b.c.d or an IPv6 address, "
	 "got \"198.18.0\""},
	{"{" PORTS ", 'vips': [{'vip': '224.0.0.5', 'port': 80}]}", SL_E_INVALID,
	 "$.vips[0].vip", "vip must be a unicast address, got 224.0.0.5"},
	{"{" PORTS ", 'vips': [{'vip': '198.18.0.100', 'port': 0}]}", SL_E_INVALID,
	 "$.vips[0].port", "port must be 1..65535, got 0"},
	{"{" PORTS ", 'vips': [{'vip': '198.18.0.100'}]}", SL_E_MISSING,
	 "$.vips[0].port", "port is required"},
	{"{" PORTS ", " ROUTE ", 'vips': [" VIP80 "[{'ip': '198.18.1.11', "
	 "'port': 80}, {'ip': '198.18.1.12', 'port': 80, 'weight': 70000}]}]}",
	 SL_E_INVALID, "$.vips[0].real_servers[1].weight",
	 "weight must be 0..65535, got 70000"},
	{"{" PORTS ", 'vips': [" VIP80 "[{'ip': '198.18.1.11', 'port': 80, "
	 "'weight': -1}]}]}", SL_E_INVALID, "$.vips[0].real_servers[0].weight",
	 "weight must be 0..65535, got -1"},
	{"{" PORTS ", 'vips': [" VIP80 "[{'ip': '198.18.1.11', 'port': 80, "
	 "'weight': '1'}]}]}", SL_E_INVALID, "$.vips[0].real_servers[0].weight",
	 "weight must be an integer 0..65535, got \"1\""},
	{"{" PORTS ", 'vips': [" VIP80 "[{'ip': '198.18.1.11'}]}]}", SL_E_MISSING,
	 "$.vips[0].real_servers[0].port", NULL},
	{"{" PORTS ", 'vips': [{'vip': '198.18.0.100', 'port': 80, "
	 "'scheduler': 'maglev'}]}", SL_E_INVALID, "$.vips[0].scheduler",
	 "scheduler must be rr, wrr, lc, wlc, sh or mh, got \"maglev\""},
	{"{" PORTS ", 'vips': [{'vip': '198.18.0.100', 'port': 80, "
	 "'proto': 'icmp'}]}", SL_E_INVALID, "$.vips[0].proto", NULL},
	{"{" PORTS ", 'vips': [" VIP80 "{}}]}", SL_E_INVALID,
	 "$.vips[0].real_servers", NULL},
	{"{" PORTS ", 'vips': [5]}", SL_E_INVALID, "$.vips[0]", NULL},
	{"{" PORTS ", 'vips': {}}", SL_E_INVALID, "$.vips", NULL},
	/* Model rules, reported at the element's path. */
	{"{" PORTS ", 'vips': [{'vip': '198.18.0.100', 'port': 80}, "
	 "{'vip': '198.18.0.100', 'port': 80, 'proto': 'tcp'}]}", SL_E_EXISTS,
	 "$.vips[1].vip", "VIP 198.18.0.100:80/tcp exists"},
	{"{" PORTS ", 'vips': [" VIP80 "[{'ip': '203.0.113.5', 'port': 80}]}]}",
	 SL_E_INVALID, "$.vips[0].real_servers[0].ip", "no route to 203.0.113.5"},
	{"{" PORTS ", " ROUTE ", 'vips': [" VIP80 "[{'ip': '198.18.1.11', "
	 "'port': 80}, {'ip': '198.18.1.11', 'port': 80}]}]}", SL_E_EXISTS,
	 "$.vips[0].real_servers[1].ip", NULL},
	{"{" PORTS ", 'local_addresses': [{'ip': '198.18.0.100'}], 'vips': "
	 "[{'vip': '198.18.0.100', 'port': 80}]}", SL_E_INVALID, "$.vips[0].vip",
	 "198.18.0.100 is a local address"},
	{"{" PORTS ", 'local_addresses': [{'ip': '198.18.1.2'}]}", SL_E_INVALID,
	 "$.local_addresses[0].ip", "198.18.1.2 is port lan's address"},
	{"{" PORTS ", 'local_addresses': [{'ip': '10.1.1.1'}]}", SL_E_INVALID,
	 "$.local_addresses[0].port", NULL},
	{"{" PORTS ", 'local_addresses': [{'ip': '10.1.1.1', 'port': 'dmz'}]}",
	 SL_E_NOT_FOUND, "$.local_addresses[0].port", "no port named \"dmz\""},
	{"{" PORTS ", 'neighbors': [{'ip': '198.18.1.11', 'mac': '02:00:00:00:01'}]}",
	 SL_E_INVALID, "$.neighbors[0].mac", NULL},
	{"{" PORTS ", 'neighbors': [{'ip': '198.18.1.11'}]}", SL_E_MISSING,
	 "$.neighbors[0].mac", NULL},
	/* Ports and routes. */
	{"{'workers': 1}", SL_E_MISSING, "$.ports", "ports is required"},
	{"{'ports': []}", SL_E_INVALID, "$.ports", NULL},
	{"{'ports': {}}", SL_E_INVALID, "$.ports", NULL},
	{"{'ports': [{'name': 'wan', 'devargs': 'a'}, {'name': 'w an', "
	 "'devargs': 'b'}]}", SL_E_INVALID, "$.ports[1].name", NULL},
	{"{'ports': [{'name': 'wan', 'devargs': 'a'}, {'name': 'wan', "
	 "'devargs': 'b'}]}", SL_E_EXISTS, "$.ports[1].name",
	 "a port named \"wan\" exists"},
	{"{'ports': [{'name': 'wan'}]}", SL_E_MISSING, "$.ports[0].devargs", NULL},
	{"{'ports': [{'name': 'wan', 'devargs': 'a', 'ipv4': '198.18.0.2'}]}",
	 SL_E_INVALID, "$.ports[0].ipv4", NULL},
	{"{'ports': [{'name': 'wan', 'devargs': 'a', 'ipv4': '0.0.0.0/0'}]}",
	 SL_E_INVALID, "$.ports[0].ipv4", NULL},
	{"{'ports': [{'name': 'wan', 'devargs': 'a'}, {'name': 'lan', 'devargs': 'b',"
	 " 'mtu': 9001}]}", SL_E_INVALID, "$.ports[1].mtu", NULL},
	{"{'ports': [{'name': 'wan', 'devargs': 'a', 'mtu': 575}]}",
	 SL_E_INVALID, "$.ports[0].mtu", NULL},
	{"{'ports': [{'name': 'wan', 'devargs': 'a', 'mtu': '1500'}]}",
	 SL_E_INVALID, "$.ports[0].mtu", NULL},
	{"{'ports': [{'name': 'wan', 'devargs': 'a', 'flow_steering': 'no'}]}",
	 SL_E_INVALID, "$.ports[0].flow_steering", NULL},
	/* VLANs: ports sharing devargs, one per VLAN, one device's settings. */
	{"{'ports': [{'name': 'v10', 'devargs': 'd', 'vlan': 10}, {'name': 'u', "
	 "'devargs': 'd'}, {'name': 'v10b', 'devargs': 'd', 'vlan': 10}]}",
	 SL_E_EXISTS, "$.ports[2].vlan", "port v10 has vlan 10 on the same device"},
	{"{'ports': [{'name': 'u', 'devargs': 'd'}, {'name': 'v', 'devargs': 'd', "
	 "'vlan': 3}, {'name': 'u2', 'devargs': 'd'}]}", SL_E_EXISTS, "$.ports[2].devargs",
	 NULL},
	{"{'ports': [{'name': 'v', 'devargs': 'd', 'vlan': 0}]}", SL_E_INVALID,
	 "$.ports[0].vlan", NULL},
	{"{'ports': [{'name': 'v', 'devargs': 'd', 'vlan': 4095}]}", SL_E_INVALID,
	 "$.ports[0].vlan", NULL},
	{"{'ports': [{'name': 'v', 'devargs': 'd', 'vlan': 5}, {'name': 'w', "
	 "'devargs': 'd', 'vlan': 6, 'offloads': false}]}", SL_E_INVALID,
	 "$.ports[1].offloads", NULL},
	{"{'ports': [{'name': 'v', 'devargs': 'net_af_xdp0,iface=x', 'vlan': 5}]}",
	 SL_E_INVALID, "$.ports[0].vlan", NULL},
	{"{'ports': [{'name': 'p0', 'devargs': '0'}, {'name': 'p1', 'devargs': '1'},"
	 " {'name': 'p2', 'devargs': '2'}, {'name': 'p3', 'devargs': '3'},"
	 " {'name': 'p4', 'devargs': '4'}, {'name': 'p5', 'devargs': '5'},"
	 " {'name': 'p6', 'devargs': '6'}, {'name': 'p7', 'devargs': '7'},"
	 " {'name': 'p8', 'devargs': '8'}]}", SL_E_LIMIT, "$.ports[8]", NULL},
	{"{" PORTS ", 'routes': [{'prefix': '0.0.0.0/0', 'via': '198.18.0.1', "
	 "'port': 'dmz'}]}", SL_E_NOT_FOUND, "$.routes[0].port",
	 "no port named \"dmz\""},
	{"{" PORTS ", 'routes': [{'prefix': '10.0.0.1/8', 'via': '198.18.0.1'}]}",
	 SL_E_INVALID, "$.routes[0].prefix", "prefix 10.0.0.1/8 has host bits set"},
	{"{" PORTS ", 'routes': [{'via': '198.18.0.1'}]}", SL_E_MISSING,
	 "$.routes[0].prefix", NULL},
	{"{" PORTS ", 'routes': [{'prefix': '10.0.0.0/8', 'via': '198.18.0.1', "
	 "'port': 'lan'}]}", SL_E_INVALID, "$.routes[0].via", NULL},
	{"{" PORTS ", 'routes': [" "{'prefix': '10.0.0.0/8', 'via': '198.18.0.1'}, "
	 "{'prefix': '10.0.0.0/8', 'via': '198.18.1.1'}]}", SL_E_EXISTS,
	 "$.routes[1].prefix", NULL},
	/* Process settings. */
	{"{'workers': 17, " PORTS "}", SL_E_INVALID, "$.workers",
	 "workers must be 1..16, got 17"},
	{"{'workers': 0, " PORTS "}", SL_E_INVALID, "$.workers", NULL},
	{"{'workers': 1.5, " PORTS "}", SL_E_INVALID, "$.workers", NULL},
	{"{'log_level': 'verbose', " PORTS "}", SL_E_INVALID, "$.log_level",
	 "log_level must be error, warn, info or debug, got \"verbose\""},
	{"{'timeouts': {'udp': 0}, " PORTS "}", SL_E_INVALID, "$.timeouts.udp",
	 "udp must be 1..604800, got 0"},
	{"{'timeouts': {'tcp_established': 604801}, " PORTS "}", SL_E_INVALID,
	 "$.timeouts.tcp_established", NULL},
	{"{'timeouts': {'icmp': '60'}, " PORTS "}", SL_E_INVALID,
	 "$.timeouts.icmp", NULL},
	{"{'timeouts': [], " PORTS "}", SL_E_INVALID, "$.timeouts", NULL},
	{"{'local_port_range': {'min': 2000, 'max': 1000}, " PORTS "}",
	 SL_E_INVALID, "$.local_port_range.max",
	 "max must be at least min (2000), got 1000"},
	{"{'local_port_range': {'min': 0}, " PORTS "}", SL_E_INVALID,
	 "$.local_port_range.min", NULL},
	{"{'workers': 4, 'local_port_range': {'min': 2000, 'max': 2002}, " PORTS "}",
	 SL_E_INVALID, "$.local_port_range", NULL},
	{"{'conn_table': {'max_connections': 100}, " PORTS "}", SL_E_INVALID,
	 "$.conn_table.max_connections", NULL},
	{"{'conn_table': {'max_connections': 2048, 'max_v6_connections': 2049}, " PORTS "}",
	 SL_E_INVALID, "$.conn_table.max_v6_connections", NULL},
	/* A rule's src never holds a pool address (issue 12.3: "NAT everything"
	 * re-SNATed its own output until the TTL ran out). */
	{"{'snat': [{'src': '0.0.0.0/0', 'pool': '198.18.0.50'}], " PORTS "}",
	 SL_E_INVALID, "$.snat[0].src", "src 0.0.0.0/0 holds the rule's own pool "
	 "address 198.18.0.50: a rule's src must not hold a pool address"},
	{"{'snat': [{'src': '198.18.1.0/24', 'pool': '198.18.0.50'},"
	 " {'src': '198.18.0.0/24', 'pool': '198.18.0.60'}], " PORTS "}",
	 SL_E_INVALID, "$.snat[1].src", NULL},
	{"{'snat': [{'src': '198.18.0.128/25', 'pool': '198.18.1.200'},"
	 " {'src': '198.18.1.0/24', 'pool': '198.18.0.200'}], " PORTS "}",
	 SL_E_INVALID, "$.snat[1].pool", "pool address 198.18.0.200 is inside the "
	 "src of SNAT rule 198.18.0.128/25: a rule's src must not hold a pool address"},
	/* ... nor the address of the port its pool is on, where outside
	 * hosts arrive (issue 12.3). */
	{"{'snat': [{'src': '198.18.0.0/26', 'pool': '198.18.0.100', 'port': 'wan'}], "
	 PORTS "}", SL_E_INVALID, "$.snat[0].src", "src 198.18.0.0/26 holds 198.18.0.2, "
	 "the address of port wan where the rule's pool is: a rule's src is the "
	 "inside network"},
	{"{'snat': [{'src': '198.18.0.128/26', 'pool': '198.18.0.100', 'port': 'wan'}], "
	 PORTS "}", SL_E_INVALID, "$.snat[0].src", "src 198.18.0.128/26 is reached through "
	 "port wan, where the rule's pool is: inside hosts must be behind another port"},
	{"{'icmp': {'mtu_floor': 67}, " PORTS "}", SL_E_INVALID,
	 "$.icmp.mtu_floor", "mtu_floor must be 68..9216, got 67"},
	{"{'icmp': {'mtu': 1280}, " PORTS "}", SL_E_INVALID, "$.icmp.mtu", NULL},
	{"{'flush': {'resets_per_sec': 99}, " PORTS "}", SL_E_INVALID,
	 "$.flush.resets_per_sec", "resets_per_sec must be 100..10000000, got 99"},
	{"{'flush': {'rate': 1000}, " PORTS "}", SL_E_INVALID, "$.flush.rate", NULL},
	{"{'idle': {'sleep_us': 100001}, " PORTS "}", SL_E_INVALID,
	 "$.idle.sleep_us", NULL},
	{"{'idle': {'empty_polls': 0}, " PORTS "}", SL_E_INVALID,
	 "$.idle.empty_polls", NULL},
	{"{'checksum': {'verify_l4': 'yes'}, " PORTS "}", SL_E_INVALID,
	 "$.checksum.verify_l4", NULL},
	{"{'control': {'socket': ''}, " PORTS "}", SL_E_INVALID,
	 "$.control.socket", NULL},
	{"{'control': 5, " PORTS "}", SL_E_INVALID, "$.control", NULL},
	{"{'eal': '--no-huge', " PORTS "}", SL_E_INVALID, "$.eal", NULL},
	{"{'eal': ['--no-huge', 5], " PORTS "}", SL_E_INVALID, "$.eal[1]", NULL},
	{"{'eal': ['--file-prefix', '../x'], " PORTS "}", SL_E_INVALID, "$.eal[1]",
	 "--file-prefix must be a plain name (not empty, \".\", \"..\" or with a '/'), "
	 "got \"../x\""},
	{"{'eal': ['--no-huge', '--file-prefix=..'], " PORTS "}", SL_E_INVALID, "$.eal[1]",
	 NULL},
	{"{'eal': ['--file-prefix'], " PORTS "}", SL_E_INVALID, "$.eal[0]", NULL},
	/* Not a config at all. */
	{"[1, 2]", SL_E_BAD_REQUEST, "$", "the config must be a JSON object, got an array"},
	{"42", SL_E_BAD_REQUEST, "$", NULL},
	{"'ports'", SL_E_BAD_REQUEST, "$", NULL},
	{"null", SL_E_BAD_REQUEST, "$", NULL},
	{"", SL_E_BAD_REQUEST, "$", NULL},
	{"{'workers': 2, 'workers': 3, " PORTS "}", SL_E_BAD_REQUEST, "$", NULL},
	{NULL, NULL, NULL, NULL},
};

static void test_bad_configs(void **state)
{
	(void)state;
	for (const struct bad_case *c = bad_cases; c->doc; c++) {
		struct sl_model m;
		struct sl_err e;
		char *json = dq(c->doc);

		memset(&m, 0xa5, sizeof(m)); /* load must not trust it */
		int rc = sl_config_load_string(json, &m, &e);
		if (rc != -1 || strcmp(e.code, c->code) != 0 ||
		    strcmp(e.field, c->field) != 0 ||
		    (c->message && strcmp(e.message, c->message) != 0))
			fail_msg("%s\n  want %s at %s: %s\n  got  %s at %s: %s (rc %d)",
				 json, c->code, c->field,
				 c->message ? c->message : "*", e.code, e.field,
				 e.message, rc);
		assert_true(e.message[0] != '\0');
		assert_freed(&m);
		free(json);
	}
}

/* conn_table.max_v6_connections: its own knob; absent, none without a
 * v6 VIP (test_config_v6_load.c has the file with one: 1/16 of
 * max_connections). */
static void test_v6_connections(void **state)
{
	struct sl_model m;
	(void)state;

	load_ok("{" PORTS "}", &m);
	assert_int_equal(m.max_conns_v6, 0);
	assert_false(m.max_conns_v6_given);
	sl_model_free(&m);
	load_ok("{'conn_table': {'max_connections': 32768}, " PORTS "}", &m);
	assert_int_equal(m.max_conns_v6, 0);
	sl_model_free(&m);
	load_ok("{'conn_table': {'max_connections': 32768, 'max_v6_connections': 0}, "
		PORTS "}", &m);
	assert_int_equal(m.max_conns_v6, 0);
	sl_model_free(&m);
	load_ok("{'conn_table': {'max_connections': 4096, 'max_v6_connections': 4096}, "
		PORTS "}", &m);
	assert_int_equal(m.max_conns_v6, 4096);
	sl_model_free(&m);
}

/* snat_options.max_hosts: absent, 65,536 or max_connections if fewer
 * (a host with a mapping holds a connection), rules or not (the table
 * is allocated with the first rule, whenever it comes). */
static void test_snat_max_hosts(void **state)
{
	struct sl_model m;
	(void)state;

	load_ok("{" PORTS "}", &m);
	assert_int_equal(m.snat_max_hosts, 65536);
	sl_model_free(&m);
	load_ok("{'conn_table': {'max_connections': 2048}, " PORTS "}", &m);
	assert_int_equal(m.snat_max_hosts, 2048);
	sl_model_free(&m);
	load_ok("{'conn_table': {'max_connections': 1048576}, " PORTS
		", 'snat_options': {'max_hosts': 1000000}}", &m);
	assert_int_equal(m.snat_max_hosts, 1000000);
	assert_true(m.snat_max_hosts_given);
	sl_model_free(&m);
}

/* What a worker may cost counts the SNAT host table beside the
 * connection table, before any SNAT rule allocates it: 24 bytes a host. */
static void test_worker_bytes(void **state)
{
	struct sl_model m;
	(void)state;

	load_ok("{'conn_table': {'max_connections': 1048576}, " PORTS "}", &m);
	struct sl_worker_bytes b = sl_model_worker_bytes(&m);
	/* Each mapping in whole 2 MiB pages: 64 MiB of entries, 32 MiB of
	 * buckets (heads inside), 1.5 MiB of hosts taking 2. */
	assert_int_equal(b.conn_table, (size_t)96 << 20);
	assert_true(b.conn_table >= sl_ct_mem_bytes(1048576, 0));
	assert_int_equal(b.snat_hosts, (size_t)2 << 20);
	assert_int_equal(b.total, (size_t)98 << 20);
	sl_model_free(&m);
	/* The smallest table still takes a page for each of its mappings
	 * (entries, buckets, wheel): 6 MiB for 64 KB of connections. */
	load_ok("{'conn_table': {'max_connections': 1024}, " PORTS "}", &m);
	b = sl_model_worker_bytes(&m);
	assert_int_equal(b.conn_table, (size_t)6 << 20);
	sl_model_free(&m);
	/* The largest host table: 96 MiB a worker. */
	load_ok("{'conn_table': {'max_connections': 4194304}, " PORTS
		", 'snat_options': {'max_hosts': 4194304}}", &m);
	b = sl_model_worker_bytes(&m);
	assert_int_equal(b.snat_hosts, (size_t)96 << 20);
	assert_int_equal(b.total, b.conn_table + b.snat_hosts);
	sl_model_free(&m);
}

static void test_syntax_error_position(void **state)
{
	struct sl_model m;
	struct sl_err e;

	(void)state;
	assert_int_equal(sl_config_load_string("{\n  \"workers\": 2,\n}", &m, &e), -1);
	assert_string_equal(e.code, SL_E_BAD_REQUEST);
	assert_string_equal(e.field, "$");
	assert_non_null(strstr(e.message, "JSON syntax error at line 3, column 1"));
	assert_freed(&m);

	assert_int_equal(sl_config_load_string("{\"a\": tru}", &m, &e), -1);
	assert_non_null(strstr(e.message, "line 1, column 9"));
}

static void test_unreadable_file(void **state)
{
	struct sl_model m;
	struct sl_err e;

	(void)state;
	assert_int_equal(sl_config_load_file("/nonexistent/sluice.json", &m, &e), -1);
	assert_string_equal(e.code, SL_E_INVALID);
	assert_string_equal(e.field, "$");
	assert_non_null(strstr(e.message, "cannot read the config"));
	assert_non_null(strstr(e.message, "/nonexistent/sluice.json"));
	assert_freed(&m);
}

static void test_load_json_non_object(void **state)
{
	struct sl_model m;
	struct sl_err e;
	json_t *arr = json_array();

	(void)state;
	assert_int_equal(sl_config_load_json(arr, &m, &e), -1);
	assert_string_equal(e.code, SL_E_BAD_REQUEST);
	assert_string_equal(e.field, "$");
	assert_int_equal(sl_config_load_json(NULL, &m, &e), -1);
	assert_string_equal(e.field, "$");
	json_decref(arr);
}

/* The typed readers: 0 read, 1 absent (output untouched), -1 refused. */
static void test_json_readers(void **state)
{
	static const char *const allowed[] = {"n", "s", "b", "ip", "mac", NULL};
	char *text = dq("{'n': 70000, 's': 'x', 'b': true, 'ip': '10.0.0.1',"
			" 'mac': '02:00:00:00:00:01'}");
	json_t *o = json_loads(text, 0, NULL);
	unsigned long n = 5;
	const char *s = NULL;
	sl_be32 a = 0;
	sl_be16 port = 9;
	uint8_t proto = 0, mac[6];
	bool b = false;
	struct sl_err e;

	(void)state;
	assert_non_null(o);
	assert_int_equal(sl_json_uint(o, "n", true, 0, 100000, &n, &e), 0);
	assert_int_equal(n, 70000);
	assert_int_equal(sl_json_uint(o, "none", false, 0, 1, &n, &e), 1);
	assert_int_equal(n, 70000);
	assert_int_equal(sl_json_uint(o, "none", true, 0, 1, &n, &e), -1);
	assert_string_equal(e.code, SL_E_MISSING);
	assert_string_equal(e.field, "none");
	assert_int_equal(sl_json_port(o, "n", true, &port, &e), -1);
	assert_string_equal(e.message, "n must be 1..65535, got 70000");
	assert_int_equal(port, 9);
	assert_int_equal(sl_json_string(o, "s", true, &s, &e), 0);
	assert_string_equal(s, "x");
	assert_int_equal(sl_json_bool(o, "b", true, &b, &e), 0);
	assert_true(b);
	assert_int_equal(sl_json_bool(o, "s", true, &b, &e), -1);
	assert_int_equal(sl_json_ipv4(o, "ip", true, &a, &e), 0);
	assert_int_equal(a, ip("10.0.0.1"));
	assert_int_equal(sl_json_ipv4(o, "n", true, &a, &e), -1);
	assert_string_equal(e.code, SL_E_INVALID);
	assert_int_equal(sl_json_mac(o, "mac", true, mac, &e), 0);
	assert_int_equal(mac[5], 1);
	assert_int_equal(sl_json_proto(o, "s", true, &proto, &e), -1);
	assert_string_equal(e.message, "s must be \"tcp\" or \"udp\", got \"x\"");
	assert_int_equal(sl_json_proto(o, "none", false, &proto, &e), 1);
	assert_int_equal(proto, 0);
	assert_int_equal(sl_json_only(o, allowed, &e), 0);
	assert_int_equal(sl_json_only(o, allowed + 1, &e), -1);
	assert_string_equal(e.field, "n");
	assert_string_equal(e.message, "unknown field \"n\"");
	json_decref(o);
	free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_v6_connections),
		cmocka_unit_test(test_snat_max_hosts),
		cmocka_unit_test(test_worker_bytes),
		cmocka_unit_test(test_syntax_error_position),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_load_json_non_object),
		cmocka_unit_test(test_json_readers),
	};

	if (argc > 0)
		find_example(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
