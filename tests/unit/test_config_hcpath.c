/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health.path (issue 19.6): "kernel" (the default) or "data", where each
 * check leaves by the exception tap of the port that reaches its server,
 * from the tap's address on the servers' side. A config with "data" and
 * a checked server whose port has no tap, or no address on it, is
 * refused at that port's "exception"; the source and the tap's name come
 * from the model; `config show` writes the path back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "addr.h"
#include "config.h"
#include "model.h"

#define WAN "{'name': 'wan', 'devargs': 'net_ring0', 'ipv4': '198.18.0.2/24'"
#define LAN "{'name': 'lan', 'devargs': 'net_ring1', 'ipv4': '198.18.1.2/24'"
#define TAP(addrs) ", 'exception': {'device': 'net_tap', 'addresses': [" addrs "]}}"
#define ROUTE "'routes': [{'prefix': '198.19.0.0/16', 'via': '198.18.0.1', 'port': 'wan'}]"
#define CHECKED(ip) "'vips': [{'vip': '198.18.0.100', 'port': 80, 'health_check': " \
	"{'type': 'tcp'}, 'real_servers': [{'ip': '" ip "', 'port': 8080}]}]"
#define DATA "'health': {'path': 'data'}"

static void test_errors(void **state)
{
	static const struct {
		const char *doc, *field, *says;
	} cases[] = {
		{"{'ports': [" WAN "}], 'health': {'path': 'fast'}}", "$.health.path",
		 "must be \"kernel\" or \"data\""},
		{"{'ports': [" WAN "}], 'health': {'path': 1}}", "$.health.path", "path"},
		/* lan reaches the server and has no tap at all */
		{"{'ports': [" WAN "}, " LAN "}], " DATA ", " CHECKED("198.18.1.11") "}",
		 "$.ports[1].exception",
		 "real server 198.18.1.11 of 198.18.0.100:80/tcp through port lan, "
		 "which has no exception device"},
		/* a tap, but no address for the checks to come from */
		{"{'ports': [" WAN "}, " LAN ", 'exception': 'net_tap'}], " DATA ", "
		 CHECKED("198.18.1.11") "}", "$.ports[1].exception.addresses",
		 "port lan, which has no exception address"},
		/* a routed server: the route's port (wan) is the one that needs it */
		{"{'ports': [" WAN "}, " LAN TAP("'198.18.1.5/24'") "], " ROUTE ", " DATA
		 ", " CHECKED("198.19.3.3") "}", "$.ports[0].exception",
		 "real server 198.19.3.3 of 198.18.0.100:80/tcp through port wan"},
		/* a routed server, the tap with no route to it: bound to the
		 * tap, the kernel would take the server as on-link */
		{"{'ports': [" WAN ", 'exception': {'device': 'net_tap', 'addresses': "
		 "['198.18.0.7/24']}}, " LAN "}], " ROUTE ", " DATA ", " CHECKED("198.19.3.3") "}",
		 "$.ports[0].exception.routes",
		 "through port wan, which has no exception route to it (the server is "
		 "behind 198.18.0.1; the kernel would take it as on-link): add "
		 "{\"prefix\": \"198.19.3.3/32\", \"via\": \"198.18.0.1\"}"},
		/* a route on the tap without a gateway is on-link too */
		{"{'ports': [" WAN ", 'exception': {'device': 'net_tap', 'addresses': "
		 "['198.18.0.7/24'], 'routes': [{'prefix': '198.19.0.0/16'}]}}, " LAN "}], "
		 ROUTE ", " DATA ", " CHECKED("198.19.3.3") "}",
		 "$.ports[0].exception.routes", "no exception route to it"},
		/* a gateway route on the tap, but a longer one without a
		 * gateway holds the server: the kernel takes the longest */
		{"{'ports': [" WAN ", 'exception': {'device': 'net_tap', 'addresses': "
		 "['198.18.0.7/24'], 'routes': [{'prefix': '198.19.0.0/16', 'via': "
		 "'198.18.0.1'}, {'prefix': '198.19.3.0/24'}]}}, " LAN "}], "
		 ROUTE ", " DATA ", " CHECKED("198.19.3.3") "}",
		 "$.ports[0].exception.routes", "no exception route to it"},
		/* ... or the tap's own connected prefix, longer than the route */
		{"{'ports': [" WAN ", 'exception': {'device': 'net_tap', 'addresses': "
		 "['198.18.0.7/24', '198.19.3.7/24'], 'routes': [{'prefix': "
		 "'198.19.0.0/16', 'via': '198.18.0.1'}]}}, " LAN "}], "
		 ROUTE ", " DATA ", " CHECKED("198.19.3.3") "}",
		 "$.ports[0].exception.routes", "no exception route to it"},
		/* a tap address Sluice also owns: its frames would never reach
		 * the kernel (refused with or without "data") */
		{"{'ports': [" WAN "}, " LAN TAP("'198.18.9.5/24', '198.18.1.5/24'") "], "
		 "'vips': [{'vip': '198.18.1.5', 'port': 80}]}", "$.vips[0].vip",
		 "198.18.1.5 is port lan's exception address "
		 "(ports[1].exception.addresses[1])"},
		{"{'ports': [" WAN "}, " LAN TAP("'198.18.1.5/24'") "], "
		 "'local_addresses': [{'ip': '198.18.1.5'}]}", "$.local_addresses[0].ip",
		 "(ports[1].exception.addresses[0])"},
		{"{'ports': [" WAN "}, " LAN TAP("'198.18.1.5/24'") "], 'snat': [{'src': "
		 "'198.18.0.0/24', 'pool': '198.18.1.4-198.18.1.6'}]}", "$.snat[0].pool",
		 "198.18.1.5 is port lan's exception address"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_model m;
		struct sl_err e;
		if (load(cases[i].doc, &m, &e) == 0)
			fail_msg("accepted: %s", cases[i].doc);
		if (strcmp(e.field, cases[i].field) != 0 || !strstr(e.message, cases[i].says))
			fail_msg("%s: %s: %s, want %s: ...%s...", cases[i].doc, e.field,
				 e.message, cases[i].field, cases[i].says);
	}
}

/* What "data" accepts: unchecked servers need no tap; "kernel" needs
 * none at all. */
static void test_accepted(void **state)
{
	static const char *const docs[] = {
		"{'ports': [" WAN "}, " LAN "}], " CHECKED("198.18.1.11") "}",
		"{'ports': [" WAN "}, " LAN "}], 'health': {'path': 'kernel'}, "
		CHECKED("198.18.1.11") "}",
		"{'ports': [" WAN "}, " LAN "}], " DATA ", 'vips': [{'vip': "
		"'198.18.0.100', 'port': 80, 'real_servers': [{'ip': '198.18.1.11', 'port': 8080}]}]}",
		"{'ports': [" WAN "}, " LAN TAP("'198.18.1.5/24'") "], " DATA ", "
		CHECKED("198.18.1.11") "}",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct sl_model m;
		struct sl_err e;
		if (load(docs[i], &m, &e) != 0)
			fail_msg("refused: %s: %s: %s", docs[i], e.field, e.message);
		assert_int_equal(m.hc_data_path, i >= 2);
		sl_model_free(&m);
	}
}

/* The source is the tap's address on the next hop's subnet; the tap's
 * name is its iface=, else sl-<port name>. `config show` keeps "data". */
static void test_source_and_show(void **state)
{
	struct sl_model m, back;
	struct sl_err e;
	char ifname[16];
	uint8_t port = 9;
	sl_be32 src = 0;
	(void)state;

	if (load("{'ports': [" WAN ", 'exception': {'device': 'net_tap,iface=mgmt', "
		 "'addresses': ['198.18.0.7/24'], 'routes': [{'prefix': '198.19.0.0/16', "
		 "'via': '198.18.0.1'}]}}, " LAN TAP("'198.18.9.5/24', "
		 "'198.18.1.5/24'") "], " ROUTE ", " DATA ", 'vips': [{'vip': '198.18.0.100', "
		 "'port': 80, 'health_check': {'type': 'tcp'}, 'real_servers': [{'ip': "
		 "'198.18.1.11', 'port': 8080}, {'ip': '198.19.3.3', 'port': 8080}]}]}",
		 &m, &e) != 0)
		fail_msg("%s: %s", e.field, e.message);
	assert_int_equal(sl_model_hc_source(&m, ip("198.18.1.11"), &port, &src), 0);
	assert_int_equal(port, 1);
	assert_int_equal(src, ip("198.18.1.5"));
	sl_model_exception_ifname(&m.ports[1], ifname, sizeof(ifname));
	assert_string_equal(ifname, "sl-lan");
	/* routed: the tap's address on the gateway's subnet */
	assert_int_equal(sl_model_hc_source(&m, ip("198.19.3.3"), &port, &src), 0);
	assert_int_equal(port, 0);
	assert_int_equal(src, ip("198.18.0.7"));
	sl_model_exception_ifname(&m.ports[0], ifname, sizeof(ifname));
	assert_string_equal(ifname, "mgmt");
	assert_int_equal(sl_model_hc_source(&m, ip("203.0.113.1"), &port, &src),
			 SL_HC_SRC_NO_ROUTE);
	json_t *doc = sl_config_to_json(&m);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(doc, "health"), "path")), "data");
	assert_int_equal(sl_config_load_json(doc, &back, &e), 0);
	assert_true(back.hc_data_path);
	json_decref(doc);
	sl_model_free(&back);
	sl_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_source_and_show),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
