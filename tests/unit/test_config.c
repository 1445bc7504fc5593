/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config file: the example loads; what `config show` writes loads
 * back into the same model; and each kind of mistake is refused with its
 * code, its exact JSON path and (where it matters) its exact message.
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

#include "quoted.h"
#include "addr.h"
#include "config.h"
#include "jsonutil.h"
#include "model.h"
#include "sched.h"

static char example_path[4096] = "conf/sluice.example.json";

/* Two ports and a default route: enough for VIPs and servers on lan. */
#define PORTS                                                                  \
	"'ports': [{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24'}," \
	" {'name': 'lan', 'devargs': 'net_ring1', 'ipv4': '198.18.1.2/24'}]"
#define ROUTE "'routes': [{'prefix': '0.0.0.0/0', 'via': '198.18.0.1'}]"
#define VIP80 "{'vip': '198.18.0.100', 'port': 80, 'real_servers': "

static sl_be32 ip(const char *s)
{
	sl_be32 v = 0;

	if (sl_parse_ipv4(s, &v) < 0)
		fail_msg("bad test address %s", s);
	return v;
}

/* Load a single-quoted document; fail the test on error. */
static void load_ok(const char *text, struct sl_model *m)
{
	struct sl_err e;
	char *json = dq(text);
	int rc = sl_config_load_string(json, m, &e);

	if (rc != 0)
		fail_msg("refused: %s at %s: %s\n%s", e.code, e.field, e.message, json);
	free(json);
}

/* The model was left freed, as config.h promises. */
static void assert_freed(const struct sl_model *m)
{
	assert_null(m->svcs);
	assert_null(m->neigh);
	assert_null(m->eal);
	assert_int_equal(m->nports, 0);
}

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

static void find_example(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	if (access(example_path, R_OK) == 0 || !slash)
		return;
	/* Run from elsewhere: the binary lives in build/tests/. */
	snprintf(example_path, sizeof(example_path),
		 "%.*s/../../conf/sluice.example.json", (int)(slash - argv0), argv0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_syntax_error_position),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_load_json_non_object),
		cmocka_unit_test(test_json_readers),
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
