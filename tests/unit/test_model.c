/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control model: every operation's validation (code and field),
 * stable id allocation, limits and route lookup. Local addresses,
 * neighbors, the promise that a refused operation leaves the model
 * exactly as it was, and deep copies: test_model_addrs.c.
 *
 * Most tests start from "the lab" (model_fixture.h): ports wan
 * 198.18.0.2/24 and lan 198.18.1.2/24 and a default route via 198.18.0.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model_fixture.h"

/* ---- defaults and names ------------------------------------------------ */

static void test_init_defaults(void **state)
{
	struct sl_model m;

	(void)state;
	assert_int_equal(sl_model_init(&m), 0);
	assert_int_equal(m.workers, 1);
	assert_string_equal(m.socket_path, "/run/sluice/sluice.sock");
	assert_string_equal(m.log_level, "info");
	assert_int_equal(m.idle_sleep_us, 0);
	assert_int_equal(m.idle_empty_polls, 64);
	assert_int_equal(m.max_conns, 262144);
	assert_int_equal(m.lport_lo, 1024);
	assert_int_equal(m.lport_hi, 65535);
	assert_true(m.verify_l4_csum);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_SYN_SENT], 30000);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_SYN_RECV], 30000);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_ESTABLISHED], 900000);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_FIN_WAIT], 120000);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_CLOSE_WAIT], 60000);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_TIME_WAIT], 15000);
	assert_int_equal(m.timeouts_ms[SL_CS_TCP_CLOSE], 10000);
	assert_int_equal(m.timeouts_ms[SL_CS_UDP], 300000);
	assert_int_equal(m.timeouts_ms[SL_CS_ICMP], 60000);
	assert_int_equal(m.nports + m.nroutes + m.nladdrs + m.nneigh + m.nsvcs, 0);
	sl_model_free(&m);
	sl_model_free(&m); /* freeing twice is harmless */
}

static void test_timeout_names(void **state)
{
	(void)state;
	assert_null(sl_model_timeout_name(SL_CS_FREE));
	assert_string_equal(sl_model_timeout_name(SL_CS_TCP_SYN_SENT), "tcp_syn_sent");
	assert_string_equal(sl_model_timeout_name(SL_CS_TCP_SYN_RECV), "tcp_syn_recv");
	assert_string_equal(sl_model_timeout_name(SL_CS_TCP_ESTABLISHED), "tcp_established");
	assert_string_equal(sl_model_timeout_name(SL_CS_TCP_FIN_WAIT), "tcp_fin_wait");
	assert_string_equal(sl_model_timeout_name(SL_CS_TCP_CLOSE_WAIT), "tcp_close_wait");
	assert_string_equal(sl_model_timeout_name(SL_CS_TCP_TIME_WAIT), "tcp_time_wait");
	assert_string_equal(sl_model_timeout_name(SL_CS_TCP_CLOSE), "tcp_close");
	assert_string_equal(sl_model_timeout_name(SL_CS_UDP), "udp");
	assert_string_equal(sl_model_timeout_name(SL_CS_ICMP), "icmp");
	assert_null(sl_model_timeout_name(SL_CS_MAX));
}

static void test_err_paths(void **state)
{
	struct sl_err e;

	(void)state;
	assert_int_equal(sl_err_set(&e, SL_E_INVALID, "weight", "w %d", 7), -1);
	assert_string_equal(e.message, "w 7");
	sl_err_prefix(&e, "rs.");
	sl_err_prefix(&e, "args.");
	assert_string_equal(e.field, "args.rs.weight");
	/* An empty field names the enclosing object. */
	sl_err_set(&e, SL_E_LIMIT, NULL, "full");
	assert_string_equal(e.field, "");
	sl_err_prefix(&e, "ports[8].");
	sl_err_prefix(&e, "$.");
	assert_string_equal(e.field, "$.ports[8]");
	sl_err_clear(&e);
	assert_string_equal(e.code, "");
	assert_string_equal(e.message, "");
}

/* Errors quote what a client sent; every one must stay encodable as a
 * JSON string, or the client gets no answer (found by fuzz_ctl: jansson's
 * "invalid escape near '...'" cut a character in half). */
static void test_err_utf8(void **state)
{
	struct sl_err e;
	char name[400];

	(void)state;
	/* A lone lead byte, a stray continuation, an overlong, a surrogate. */
	sl_err_set(&e, SL_E_BAD_REQUEST, "", "near '%s'", "vi\xd2.a\x8f" "b\xc0\xaf\xed\xa0\x80");
	assert_string_equal(e.message, "near 'vi?.a?b?????" "'");
	/* Whole characters pass untouched. */
	sl_err_set(&e, SL_E_INVALID, "caf\xc3\xa9", "\xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(e.field, "caf\xc3\xa9");
	assert_string_equal(e.message, "\xe2\x82\xac \xf0\x9f\x98\x80");
	/* A message cut by its buffer inside a character. */
	memset(name, 0, sizeof(name));
	for (size_t i = 0; i + 2 < sizeof(name) - 1; i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	sl_err_set(&e, SL_E_UNKNOWN_COMMAND, name, "xy%s", name);
	size_t len = strlen(e.message);
	assert_int_equal(len, sizeof(e.message) - 1);
	assert_int_equal(e.message[len - 1], '?');
	assert_int_equal(e.field[strlen(e.field) - 1], '?');
	sl_err_prefix(&e, "arg.");
	assert_memory_equal(e.field, "arg.\xc3\xa9", 6);
	assert_int_equal(e.field[strlen(e.field) - 1], '?');
}

/* ---- ports and routes -------------------------------------------------- */

static void test_ports(void **state)
{
	struct sl_model m;
	struct sl_err e;
	char longname[40], devargs[SL_DEVARGS_MAX + 1];

	(void)state;
	lab_init(&m, false);
	assert_int_equal(sl_model_port_index(&m, "lan"), 1);
	assert_int_equal(sl_model_port_index(&m, "LAN"), -1);
	assert_int_equal(sl_model_port_for(&m, ip("198.18.1.77")), 1);
	assert_int_equal(sl_model_port_for(&m, ip("198.18.0.77")), 0);
	assert_int_equal(sl_model_port_for(&m, ip("8.8.8.8")), -1);

	refused(sl_model_add_port(&m, "wan", "x", 0, 0, &e), &e, SL_E_EXISTS, "name");
	refused(sl_model_add_port(&m, "", "x", 0, 0, &e), &e, SL_E_INVALID, "name");
	refused(sl_model_add_port(&m, "has space", "x", 0, 0, &e), &e, SL_E_INVALID, "name");
	refused(sl_model_add_port(&m, "a.b", "x", 0, 0, &e), &e, SL_E_INVALID, "name");
	memset(longname, 'p', 32);
	longname[32] = '\0';
	refused(sl_model_add_port(&m, longname, "x", 0, 0, &e), &e, SL_E_INVALID, "name");
	refused(sl_model_add_port(&m, "p3", "", 0, 0, &e), &e, SL_E_INVALID, "devargs");
	memset(devargs, 'd', SL_DEVARGS_MAX);
	devargs[SL_DEVARGS_MAX] = '\0';
	refused(sl_model_add_port(&m, "p3", devargs, 0, 0, &e), &e, SL_E_INVALID, "devargs");
	refused(sl_model_add_port(&m, "p3", "net_ring0", 0, 0, &e), &e, SL_E_EXISTS, "devargs");
	refused(sl_model_add_port(&m, "p3", "x", ip("198.18.2.0"), 24, &e), &e,
		SL_E_INVALID, "ipv4"); /* network address */
	refused(sl_model_add_port(&m, "p3", "x", ip("198.18.2.255"), 24, &e), &e,
		SL_E_INVALID, "ipv4"); /* broadcast */
	refused(sl_model_add_port(&m, "p3", "x", ip("198.18.2.1"), 33, &e), &e,
		SL_E_INVALID, "ipv4");
	refused(sl_model_add_port(&m, "p3", "x", ip("224.0.0.1"), 24, &e), &e,
		SL_E_INVALID, "ipv4");
	refused(sl_model_add_port(&m, "p3", "x", ip("198.18.1.2"), 24, &e), &e,
		SL_E_INVALID, "ipv4"); /* lan's address */
	assert_int_equal(m.nports, 2);

	/* Names up to 31 characters; /31 has no network address; no ip at all. */
	longname[31] = '\0';
	ok(sl_model_add_port(&m, longname, "x", 0, 0, &e), &e);
	ok(sl_model_add_port(&m, "p_4-x", "y", ip("198.18.3.0"), 31, &e), &e);
	for (unsigned i = 5; i <= 8; i++) {
		char name[16], dev[24];
		snprintf(name, sizeof(name), "p%u", i);
		snprintf(dev, sizeof(dev), "net_ring%u", i);
		ok(sl_model_add_port(&m, name, dev, 0, 0, &e), &e);
	}
	assert_int_equal(m.nports, SL_MAX_PORTS);
	refused(sl_model_add_port(&m, "p9", "z", 0, 0, &e), &e, SL_E_LIMIT, "");
	sl_model_free(&m);
}

static void expect_route(const struct sl_model *m, const char *dst, int port,
			 const char *hop)
{
	uint8_t p = 99;
	sl_be32 nh = 0;

	assert_int_equal(sl_model_route(m, ip(dst), &p, &nh), 0);
	assert_int_equal(p, port);
	assert_int_equal(nh, ip(hop));
}

static void test_routes(void **state)
{
	struct sl_model m;
	struct sl_err e;
	uint8_t p;
	sl_be32 nh;

	(void)state;
	lab_init(&m, false);
	assert_int_equal(sl_model_route(&m, ip("8.8.8.8"), &p, &nh), -1);
	expect_route(&m, "198.18.1.50", 1, "198.18.1.50");

	ok(sl_model_add_route(&m, 0, 0, ip("198.18.0.1"), -1, &e), &e);
	assert_int_equal(m.routes[0].port, 0); /* inferred from via */
	expect_route(&m, "8.8.8.8", 0, "198.18.0.1");
	ok(sl_model_add_route(&m, ip("10.0.0.0"), 8, ip("198.18.1.1"), -1, &e), &e);
	expect_route(&m, "10.2.3.4", 1, "198.18.1.1");
	/* A longer static route beats the connected /24 ... */
	ok(sl_model_add_route(&m, ip("198.18.1.128"), 25, ip("198.18.0.1"), 0, &e), &e);
	expect_route(&m, "198.18.1.200", 0, "198.18.0.1");
	/* ... and not outside itself. */
	expect_route(&m, "198.18.1.100", 1, "198.18.1.100");
	/* On-link route: no via, the destination is the next hop. */
	ok(sl_model_add_route(&m, ip("203.0.113.0"), 24, 0, 1, &e), &e);
	expect_route(&m, "203.0.113.9", 1, "203.0.113.9");

	refused(sl_model_add_route(&m, ip("10.0.0.0"), 8, ip("198.18.0.1"), -1, &e),
		&e, SL_E_EXISTS, "prefix");
	refused(sl_model_add_route(&m, ip("172.16.0.1"), 12, ip("198.18.0.1"), -1, &e),
		&e, SL_E_INVALID, "prefix");
	refused(sl_model_add_route(&m, ip("172.16.0.0"), 33, ip("198.18.0.1"), -1, &e),
		&e, SL_E_INVALID, "prefix");
	refused(sl_model_add_route(&m, ip("172.16.0.0"), 12, 0, -1, &e), &e,
		SL_E_MISSING, "via");
	refused(sl_model_add_route(&m, ip("172.16.0.0"), 12, ip("198.18.0.1"), 1, &e),
		&e, SL_E_INVALID, "via"); /* not on lan */
	refused(sl_model_add_route(&m, ip("172.16.0.0"), 12, ip("192.0.2.1"), -1, &e),
		&e, SL_E_INVALID, "via"); /* on no port */
	refused(sl_model_add_route(&m, ip("172.16.0.0"), 12, ip("198.18.0.2"), -1, &e),
		&e, SL_E_INVALID, "via"); /* wan's own address */
	refused(sl_model_add_route(&m, ip("172.16.0.0"), 12, ip("198.18.0.1"), 5, &e),
		&e, SL_E_NOT_FOUND, "port");
	assert_int_equal(m.nroutes, 4);

	for (uint32_t i = m.nroutes; i < SL_MAX_ROUTES; i++)
		ok(sl_model_add_route(&m, sl_htonl(0x64000000u + (i << 16)), 16,
				      ip("198.18.0.1"), -1, &e), &e);
	refused(sl_model_add_route(&m, ip("100.3.0.0"), 16, ip("198.18.0.1"), -1, &e),
		&e, SL_E_LIMIT, "");
	sl_model_free(&m);
}

/* ---- services and real servers ----------------------------------------- */

static void test_svc_rules(void **state)
{
	struct sl_model *m = *state;
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100");

	refused(sl_model_add_svc(m, vip, P(80), TCP, SL_SCHED_RR, &e), &e,
		SL_E_EXISTS, "vip");
	assert_string_equal(e.message, "VIP 198.18.0.100:80/tcp exists");
	/* Same address, other port or protocol: another service. */
	ok(sl_model_add_svc(m, vip, P(80), UDP, SL_SCHED_RR, &e), &e);
	ok(sl_model_add_svc(m, vip, P(443), TCP, SL_SCHED_WRR, &e), &e);
	assert_non_null(sl_model_find_svc(m, vip, P(80), UDP));
	assert_null(sl_model_find_svc(m, vip, P(81), TCP));
	assert_int_equal(sl_model_find_svc(m, vip, P(443), TCP)->sched, SL_SCHED_WRR);

	refused(sl_model_add_svc(m, ip("224.1.1.1"), P(80), TCP, 0, &e), &e,
		SL_E_INVALID, "vip");
	assert_string_equal(e.message, "vip must be a unicast address, got 224.1.1.1");
	refused(sl_model_add_svc(m, ip("127.0.0.1"), P(80), TCP, 0, &e), &e,
		SL_E_INVALID, "vip");
	refused(sl_model_add_svc(m, ip("198.18.1.3"), P(80), TCP, 0, &e), &e,
		SL_E_INVALID, "vip"); /* a local address */
	refused(sl_model_add_svc(m, ip("198.18.0.101"), 0, TCP, 0, &e), &e,
		SL_E_INVALID, "port");
	refused(sl_model_add_svc(m, ip("198.18.0.101"), P(80), 1, 0, &e), &e,
		SL_E_INVALID, "proto");
	refused(sl_model_add_svc(m, ip("198.18.0.101"), P(80), TCP, 9, &e), &e,
		SL_E_INVALID, "scheduler");
	refused(sl_model_del_svc(m, vip, P(81), TCP, &e), &e, SL_E_NOT_FOUND, "vip");
	assert_string_equal(e.message, "no VIP 198.18.0.100:81/tcp");
	assert_int_equal(m->nsvcs, 3);
}

static void test_rs_rules(void **state)
{
	struct sl_model *m = *state;
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100");
	struct sl_model_svc *svc = sl_model_find_svc(m, vip, P(80), TCP);

	assert_non_null(svc);
	assert_int_equal(svc->nrs, 2);
	assert_int_equal(m->nrs_total, 2);
	refused(sl_model_add_rs(m, vip, P(80), TCP, ip("198.18.1.13"), P(8080), 70000, &e),
		&e, SL_E_INVALID, "weight");
	assert_string_equal(e.message, "weight must be 0..65535, got 70000");
	refused(sl_model_add_rs(m, vip, P(80), TCP, ip("198.18.1.11"), P(8080), 1, &e),
		&e, SL_E_EXISTS, "ip");
	refused(sl_model_add_rs(m, vip, P(81), TCP, ip("198.18.1.13"), P(8080), 1, &e),
		&e, SL_E_NOT_FOUND, "vip");
	assert_string_equal(e.message, "no VIP 198.18.0.100:81/tcp");
	refused(sl_model_add_rs(m, vip, P(80), UDP, ip("198.18.1.13"), P(8080), 1, &e),
		&e, SL_E_NOT_FOUND, "vip");
	refused(sl_model_add_rs(m, vip, P(80), TCP, ip("0.1.2.3"), P(8080), 1, &e),
		&e, SL_E_INVALID, "ip");
	refused(sl_model_add_rs(m, vip, P(80), TCP, ip("198.18.1.13"), 0, 1, &e),
		&e, SL_E_INVALID, "port");
	refused(sl_model_add_rs(m, vip, P(80), TCP, ip("198.18.1.3"), P(8080), 1, &e),
		&e, SL_E_INVALID, "ip"); /* a local address */
	refused(sl_model_add_rs(m, vip, P(80), TCP, ip("198.18.1.2"), P(8080), 1, &e),
		&e, SL_E_INVALID, "ip"); /* lan's address */
	refused(sl_model_add_rs(m, vip, P(80), TCP, vip, P(8080), 1, &e),
		&e, SL_E_INVALID, "ip"); /* the VIP itself */

	/* The same server may sit on another port, and behind the default
	 * route. */
	ok(sl_model_add_rs(m, vip, P(80), TCP, ip("198.18.1.11"), P(8081), 0, &e), &e);
	ok(sl_model_add_rs(m, vip, P(80), TCP, ip("203.0.113.5"), P(80), 65535, &e), &e);
	assert_int_equal(svc->nrs, 4);
	assert_int_equal(m->nrs_total, 4);
	assert_int_equal(sl_model_find_rs(svc, ip("198.18.1.11"), P(8081))->weight, 0);
	assert_int_equal(sl_model_find_rs(svc, ip("203.0.113.5"), P(80))->weight, 65535);
	assert_null(sl_model_find_rs(svc, ip("198.18.1.11"), P(8082)));

	refused(sl_model_del_rs(m, vip, P(80), TCP, ip("198.18.1.99"), P(8080), &e),
		&e, SL_E_NOT_FOUND, "ip");
	assert_string_equal(e.message,
			    "no real server 198.18.1.99:8080 in VIP 198.18.0.100:80/tcp");
	ok(sl_model_del_rs(m, vip, P(80), TCP, ip("198.18.1.11"), P(8080), &e), &e);
	assert_int_equal(svc->nrs, 3);
	assert_int_equal(m->nrs_total, 3);
	/* Order is kept: the remaining servers in the order they came. */
	assert_int_equal(svc->rs[0].ip, ip("198.18.1.12"));
	assert_int_equal(svc->rs[1].port, P(8081));
	assert_int_equal(svc->rs[2].ip, ip("203.0.113.5"));
}

static void test_unreachable_rs(void **state)
{
	struct sl_model m;
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100");

	(void)state;
	lab_init(&m, false); /* no default route */
	ok(sl_model_add_svc(&m, vip, P(80), TCP, SL_SCHED_RR, &e), &e);
	refused(sl_model_add_rs(&m, vip, P(80), TCP, ip("203.0.113.5"), P(80), 1, &e),
		&e, SL_E_INVALID, "ip");
	assert_string_equal(e.message, "no route to 203.0.113.5");
	ok(sl_model_add_rs(&m, vip, P(80), TCP, ip("198.18.1.20"), P(80), 1, &e), &e);
	ok(sl_model_add_route(&m, ip("203.0.113.0"), 24, ip("198.18.1.1"), -1, &e), &e);
	ok(sl_model_add_rs(&m, vip, P(80), TCP, ip("203.0.113.5"), P(80), 1, &e), &e);
	sl_model_free(&m);
}

static void test_weights(void **state)
{
	struct sl_model *m = *state;
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100"), rs = ip("198.18.1.12");
	struct sl_model_svc *svc = sl_model_find_svc(m, vip, P(80), TCP);

	assert_int_equal(sl_model_find_rs(svc, rs, P(8080))->weight, 2);
	ok(sl_model_set_rs_weight(m, vip, P(80), TCP, rs, P(8080), 0, &e), &e);
	assert_int_equal(sl_model_find_rs(svc, rs, P(8080))->weight, 0);
	ok(sl_model_set_rs_weight(m, vip, P(80), TCP, rs, P(8080), SL_MAX_WEIGHT, &e), &e);
	assert_int_equal(sl_model_find_rs(svc, rs, P(8080))->weight, 65535);
	refused(sl_model_set_rs_weight(m, vip, P(80), TCP, rs, P(8080), 65536, &e),
		&e, SL_E_INVALID, "weight");
	assert_string_equal(e.message, "weight must be 0..65535, got 65536");
	assert_int_equal(sl_model_find_rs(svc, rs, P(8080))->weight, 65535);
	refused(sl_model_set_rs_weight(m, vip, P(80), TCP, rs, P(9), 1, &e), &e,
		SL_E_NOT_FOUND, "ip");
	refused(sl_model_set_rs_weight(m, vip, P(9), TCP, rs, P(8080), 1, &e), &e,
		SL_E_NOT_FOUND, "vip");
}

static void test_del_svc(void **state)
{
	struct sl_model *m = *state;
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100"), vip2 = ip("198.18.0.101");

	ok(sl_model_add_svc(m, vip2, P(53), UDP, SL_SCHED_RR, &e), &e);
	ok(sl_model_add_rs(m, vip2, P(53), UDP, ip("198.18.1.20"), P(53), 1, &e), &e);
	assert_int_equal(m->nrs_total, 3);
	ok(sl_model_del_svc(m, vip, P(80), TCP, &e), &e);
	assert_null(sl_model_find_svc(m, vip, P(80), TCP));
	assert_int_equal(m->nsvcs, 1);
	assert_int_equal(m->nrs_total, 1);
	/* The other service and its server are untouched, and its servers
	 * may now be added where the deleted service had them. */
	struct sl_model_svc *svc = sl_model_find_svc(m, vip2, P(53), UDP);
	assert_non_null(svc);
	assert_int_equal(svc->nrs, 1);
	assert_int_equal(svc->rs[0].ip, ip("198.18.1.20"));
	refused(sl_model_del_svc(m, vip, P(80), TCP, &e), &e, SL_E_NOT_FOUND, "vip");
	ok(sl_model_add_svc(m, vip, P(80), TCP, SL_SCHED_WRR, &e), &e);
	assert_int_equal(sl_model_find_svc(m, vip, P(80), TCP)->nrs, 0);
}

/* ---- ids --------------------------------------------------------------- */

static uint16_t svc_id(const struct sl_model *m, const char *vip, uint16_t port)
{
	const struct sl_model_svc *s = sl_model_find_svc(m, ip(vip), P(port), TCP);

	assert_non_null(s);
	return s->id;
}

static void test_svc_ids_round_robin(void **state)
{
	struct sl_model m;
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100");

	(void)state;
	lab_init(&m, true);
	for (uint16_t port = 1; port <= 3; port++)
		ok(sl_model_add_svc(&m, vip, P(port), TCP, 0, &e), &e);
	assert_int_equal(svc_id(&m, "198.18.0.100", 1), 0);
	assert_int_equal(svc_id(&m, "198.18.0.100", 2), 1);
	assert_int_equal(svc_id(&m, "198.18.0.100", 3), 2);
	ok(sl_model_del_svc(&m, vip, P(2), TCP, &e), &e);
	/* The freed id 1 is not reused at once. */
	ok(sl_model_add_svc(&m, vip, P(4), TCP, 0, &e), &e);
	assert_int_equal(svc_id(&m, "198.18.0.100", 4), 3);
	/* At the end of the range the cursor wraps and skips ids in use. */
	m.next_svc_id = SL_MAX_SVC - 1;
	ok(sl_model_add_svc(&m, vip, P(5), TCP, 0, &e), &e);
	assert_int_equal(svc_id(&m, "198.18.0.100", 5), SL_MAX_SVC - 1);
	ok(sl_model_add_svc(&m, vip, P(6), TCP, 0, &e), &e);
	assert_int_equal(svc_id(&m, "198.18.0.100", 6), 1);
	ok(sl_model_add_svc(&m, vip, P(7), TCP, 0, &e), &e);
	assert_int_equal(svc_id(&m, "198.18.0.100", 7), 4); /* 2, 3 in use */

	/* Fill every id: all distinct, then the limit. */
	for (uint16_t port = 8; m.nsvcs < SL_MAX_SVC; port++)
		ok(sl_model_add_svc(&m, vip, P(port), TCP, 0, &e), &e);
	uint8_t seen[SL_MAX_SVC] = {0};
	for (uint32_t i = 0; i < m.nsvcs; i++) {
		assert_true(m.svcs[i].id < SL_MAX_SVC);
		assert_int_equal(seen[m.svcs[i].id]++, 0);
	}
	refused(sl_model_add_svc(&m, vip, P(9999), TCP, 0, &e), &e, SL_E_LIMIT, "");
	sl_model_free(&m);
}

static void test_rs_ids_round_robin(void **state)
{
	struct sl_model m;
	struct sl_err e;
	sl_be32 a = ip("198.18.0.100"), b = ip("198.18.0.101");

	(void)state;
	lab_init(&m, true);
	ok(sl_model_add_svc(&m, a, P(80), TCP, 0, &e), &e);
	ok(sl_model_add_svc(&m, b, P(80), TCP, 0, &e), &e);
	for (uint16_t p = 1; p <= 3; p++)
		ok(sl_model_add_rs(&m, a, P(80), TCP, ip("198.18.1.11"), P(p), 1, &e), &e);
	struct sl_model_svc *sa = sl_model_find_svc(&m, a, P(80), TCP);
	assert_int_equal(sa->rs[0].id, 0);
	assert_int_equal(sa->rs[1].id, 1);
	assert_int_equal(sa->rs[2].id, 2);
	ok(sl_model_del_rs(&m, a, P(80), TCP, ip("198.18.1.11"), P(2), &e), &e);
	ok(sl_model_add_rs(&m, a, P(80), TCP, ip("198.18.1.11"), P(4), 1, &e), &e);
	assert_int_equal(sl_model_find_rs(sa, ip("198.18.1.11"), P(4))->id, 3);
	/* Ids are global across services. */
	ok(sl_model_add_rs(&m, b, P(80), TCP, ip("198.18.1.12"), P(1), 1, &e), &e);
	struct sl_model_svc *sb = sl_model_find_svc(&m, b, P(80), TCP);
	assert_int_equal(sb->rs[0].id, 4);
	/* Wrap: 0 and 1 are free again only once the cursor comes round. */
	ok(sl_model_del_rs(&m, a, P(80), TCP, ip("198.18.1.11"), P(1), &e), &e);
	m.next_rs_id = SL_MAX_RS - 1;
	ok(sl_model_add_rs(&m, b, P(80), TCP, ip("198.18.1.12"), P(2), 1, &e), &e);
	ok(sl_model_add_rs(&m, b, P(80), TCP, ip("198.18.1.12"), P(3), 1, &e), &e);
	ok(sl_model_add_rs(&m, b, P(80), TCP, ip("198.18.1.12"), P(4), 1, &e), &e);
	ok(sl_model_add_rs(&m, b, P(80), TCP, ip("198.18.1.12"), P(5), 1, &e), &e);
	sb = sl_model_find_svc(&m, b, P(80), TCP);
	assert_int_equal(sb->rs[1].id, SL_MAX_RS - 1);
	assert_int_equal(sb->rs[2].id, 0);
	assert_int_equal(sb->rs[3].id, 1);
	assert_int_equal(sb->rs[4].id, 5); /* 2, 3, 4 in use */
	sl_model_free(&m);
}

static void test_rs_limits(void **state)
{
	struct sl_model m;
	struct sl_err e;
	const unsigned nsvc = SL_MAX_RS / SL_MAX_RS_PER_SVC;

	(void)state;
	lab_init(&m, true);
	for (unsigned s = 0; s <= nsvc; s++)
		ok(sl_model_add_svc(&m, ip("198.18.0.100"), P(s + 1), TCP, 0, &e), &e);
	for (unsigned p = 1; p <= SL_MAX_RS_PER_SVC; p++)
		ok(sl_model_add_rs(&m, ip("198.18.0.100"), P(1), TCP,
				   ip("198.18.1.11"), P(p), 1, &e), &e);
	refused(sl_model_add_rs(&m, ip("198.18.0.100"), P(1), TCP,
				ip("198.18.1.12"), P(1), 1, &e), &e, SL_E_LIMIT, "");
	for (unsigned s = 1; s < nsvc; s++)
		for (unsigned p = 1; p <= SL_MAX_RS_PER_SVC; p++)
			ok(sl_model_add_rs(&m, ip("198.18.0.100"), P(s + 1), TCP,
					   ip("198.18.1.11"), P(p), 1, &e), &e);
	assert_int_equal(m.nrs_total, SL_MAX_RS);
	refused(sl_model_add_rs(&m, ip("198.18.0.100"), P(nsvc + 1), TCP,
				ip("198.18.1.11"), P(1), 1, &e), &e, SL_E_LIMIT, "");
	assert_string_equal(e.message, "at most 8192 real servers in all");
	/* Every id handed out once. */
	uint8_t *seen = calloc(SL_MAX_RS, 1);
	assert_non_null(seen);
	for (uint32_t i = 0; i < m.nsvcs; i++)
		for (uint32_t j = 0; j < m.svcs[i].nrs; j++)
			assert_int_equal(seen[m.svcs[i].rs[j].id]++, 0);
	free(seen);
	sl_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_timeout_names),
		cmocka_unit_test(test_err_paths),
		cmocka_unit_test(test_err_utf8),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_routes),
		cmocka_unit_test_setup_teardown(test_svc_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rs_rules, setup, teardown),
		cmocka_unit_test(test_unreachable_rs),
		cmocka_unit_test_setup_teardown(test_weights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_svc, setup, teardown),
		cmocka_unit_test(test_svc_ids_round_robin),
		cmocka_unit_test(test_rs_ids_round_robin),
		cmocka_unit_test(test_rs_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
