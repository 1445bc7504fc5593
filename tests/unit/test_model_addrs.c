/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control model's local addresses (slots, conflicts) and neighbors;
 * every refused operation leaves the model exactly as it was (its
 * fingerprint, model_fixture.h); a clone is deep. From "the lab":
 * ports wan 198.18.0.2/24 and lan 198.18.1.2/24, a default route via
 * 198.18.0.1, and (populate) a VIP with two servers.
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

/* ---- local addresses and neighbors ------------------------------------- */

static uint8_t slot_of(const struct sl_model *m, const char *addr)
{
	const struct sl_model_laddr *l = sl_model_find_laddr(m, ip(addr));

	assert_non_null(l);
	return l->slot;
}

static void test_laddr_slots(void **state)
{
	struct sl_model m;
	struct sl_err e;

	(void)state;
	lab_init(&m, true);
	ok(sl_model_add_laddr(&m, ip("198.18.1.3"), -1, &e), &e);
	ok(sl_model_add_laddr(&m, ip("198.18.1.4"), -1, &e), &e);
	ok(sl_model_add_laddr(&m, ip("198.18.1.5"), 1, &e), &e);
	assert_int_equal(slot_of(&m, "198.18.1.3"), 0);
	assert_int_equal(slot_of(&m, "198.18.1.4"), 1);
	assert_int_equal(slot_of(&m, "198.18.1.5"), 2);
	assert_int_equal(sl_model_find_laddr(&m, ip("198.18.1.3"))->port, 1);
	ok(sl_model_del_laddr(&m, ip("198.18.1.4"), &e), &e);
	ok(sl_model_add_laddr(&m, ip("198.18.1.6"), -1, &e), &e);
	assert_int_equal(slot_of(&m, "198.18.1.6"), 1); /* lowest free */
	ok(sl_model_del_laddr(&m, ip("198.18.1.3"), &e), &e);
	ok(sl_model_add_laddr(&m, ip("198.18.0.7"), -1, &e), &e);
	assert_int_equal(slot_of(&m, "198.18.0.7"), 0);
	assert_int_equal(sl_model_find_laddr(&m, ip("198.18.0.7"))->port, 0);
	ok(sl_model_add_laddr(&m, ip("198.18.0.8"), -1, &e), &e);
	assert_int_equal(slot_of(&m, "198.18.0.8"), 3);
	refused(sl_model_del_laddr(&m, ip("198.18.1.3"), &e), &e, SL_E_NOT_FOUND, "ip");
	assert_string_equal(e.message, "no local address 198.18.1.3");

	/* An address outside every prefix needs its port named. */
	refused(sl_model_add_laddr(&m, ip("10.9.0.1"), -1, &e), &e, SL_E_INVALID, "port");
	refused(sl_model_add_laddr(&m, ip("10.9.0.1"), 2, &e), &e, SL_E_NOT_FOUND, "port");
	for (uint32_t i = 0; m.nladdrs < SL_MAX_LIPS; i++)
		ok(sl_model_add_laddr(&m, sl_htonl(0x0a090000u + i + 1), 1, &e), &e);
	refused(sl_model_add_laddr(&m, ip("10.9.9.9"), 1, &e), &e, SL_E_LIMIT, "");
	uint8_t seen[SL_MAX_LIPS] = {0};
	for (uint32_t i = 0; i < m.nladdrs; i++)
		assert_int_equal(seen[m.laddrs[i].slot]++, 0);
	sl_model_free(&m);
}

static void test_laddr_conflicts(void **state)
{
	struct sl_model *m = *state;
	struct sl_err e;

	refused(sl_model_add_laddr(m, ip("198.18.1.3"), -1, &e), &e, SL_E_EXISTS, "ip");
	refused(sl_model_add_laddr(m, ip("198.18.0.100"), -1, &e), &e, SL_E_INVALID, "ip");
	assert_string_equal(e.message, "198.18.0.100 is a VIP");
	refused(sl_model_add_laddr(m, ip("198.18.1.2"), -1, &e), &e, SL_E_INVALID, "ip");
	assert_string_equal(e.message, "198.18.1.2 is port lan's address");
	refused(sl_model_add_laddr(m, ip("198.18.1.12"), -1, &e), &e, SL_E_INVALID, "ip");
	refused(sl_model_add_laddr(m, ip("198.18.1.11"), -1, &e), &e, SL_E_INVALID, "ip");
	refused(sl_model_add_laddr(m, ip("255.255.255.255"), -1, &e), &e,
		SL_E_INVALID, "ip");
	assert_int_equal(m->nladdrs, 1);
}

static void test_neighbors(void **state)
{
	struct sl_model *m = *state;
	struct sl_err e;
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6] = {0};
	static const uint8_t mac2[6] = {0x02, 0, 0, 0, 0x01, 0x0c};

	struct sl_model_neigh *n = sl_model_find_neigh(m, ip("198.18.1.11"));
	assert_non_null(n);
	assert_memory_equal(n->mac, mac1, 6);
	assert_int_equal(n->port, 1);
	refused(sl_model_add_neigh(m, ip("198.18.1.11"), mac2, -1, &e), &e,
		SL_E_EXISTS, "ip");
	refused(sl_model_add_neigh(m, ip("198.18.1.12"), bcast, -1, &e), &e,
		SL_E_INVALID, "mac");
	refused(sl_model_add_neigh(m, ip("198.18.1.12"), zero, -1, &e), &e,
		SL_E_INVALID, "mac");
	refused(sl_model_add_neigh(m, ip("198.18.1.3"), mac2, -1, &e), &e,
		SL_E_INVALID, "ip");
	refused(sl_model_add_neigh(m, ip("192.0.2.1"), mac2, -1, &e), &e,
		SL_E_INVALID, "port");
	ok(sl_model_add_neigh(m, ip("192.0.2.1"), mac2, 0, &e), &e);
	ok(sl_model_add_neigh(m, ip("198.18.0.1"), mac2, -1, &e), &e);
	assert_int_equal(sl_model_find_neigh(m, ip("198.18.0.1"))->port, 0);
	assert_int_equal(m->nneigh, 3);
	ok(sl_model_del_neigh(m, ip("198.18.1.11"), &e), &e);
	assert_null(sl_model_find_neigh(m, ip("198.18.1.11")));
	assert_int_equal(m->neigh[0].ip, ip("192.0.2.1"));
	refused(sl_model_del_neigh(m, ip("198.18.1.11"), &e), &e, SL_E_NOT_FOUND, "ip");
}

/* ---- a refused operation changes nothing ------------------------------- */

#define VIP ip("198.18.0.100")

static int f_dup_svc(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_svc(m, VIP, P(80), TCP, 0, e); }
static int f_svc_on_laddr(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_svc(m, ip("198.18.1.3"), P(80), TCP, 0, e); }
static int f_svc_bad_sched(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_svc(m, ip("198.18.0.9"), P(80), TCP, 7, e); }
static int f_del_missing_svc(struct sl_model *m, struct sl_err *e)
{ return sl_model_del_svc(m, VIP, P(80), UDP, e); }
static int f_rs_weight(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_rs(m, VIP, P(80), TCP, ip("198.18.1.13"), P(80), 70000, e); }
static int f_dup_rs(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_rs(m, VIP, P(80), TCP, ip("198.18.1.12"), P(8080), 3, e); }
static int f_rs_on_laddr(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_rs(m, VIP, P(80), TCP, ip("198.18.1.3"), P(80), 1, e); }
static int f_set_weight(struct sl_model *m, struct sl_err *e)
{ return sl_model_set_rs_weight(m, VIP, P(80), TCP, ip("198.18.1.12"), P(8080), 1u << 20, e); }
static int f_del_missing_rs(struct sl_model *m, struct sl_err *e)
{ return sl_model_del_rs(m, VIP, P(80), TCP, ip("198.18.1.12"), P(8081), e); }
static int f_dup_laddr(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_laddr(m, ip("198.18.1.3"), 0, e); }
static int f_laddr_on_vip(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_laddr(m, VIP, -1, e); }
static int f_laddr_no_port(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_laddr(m, ip("10.0.0.1"), -1, e); }
static int f_del_missing_laddr(struct sl_model *m, struct sl_err *e)
{ return sl_model_del_laddr(m, ip("198.18.1.4"), e); }
static int f_neigh_mac(struct sl_model *m, struct sl_err *e)
{ static const uint8_t mc[6] = {0x01, 0, 0x5e, 0, 0, 1};
  return sl_model_add_neigh(m, ip("198.18.1.40"), mc, -1, e); }
static int f_dup_neigh(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_neigh(m, ip("198.18.1.11"), mac1, 1, e); }
static int f_del_missing_neigh(struct sl_model *m, struct sl_err *e)
{ return sl_model_del_neigh(m, ip("198.18.1.12"), e); }
static int f_dup_port(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_port(m, "lan", "net_ring7", 0, 0, e); }
static int f_dup_route(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_route(m, 0, 0, ip("198.18.1.1"), -1, e); }
static int f_route_via(struct sl_model *m, struct sl_err *e)
{ return sl_model_add_route(m, ip("10.0.0.0"), 8, ip("10.0.0.1"), -1, e); }

static void test_refused_changes_nothing(void **state)
{
	static const struct {
		int (*op)(struct sl_model *, struct sl_err *);
		const char *code, *field;
	} cases[] = {
		{f_dup_svc, SL_E_EXISTS, "vip"},
		{f_svc_on_laddr, SL_E_INVALID, "vip"},
		{f_svc_bad_sched, SL_E_INVALID, "scheduler"},
		{f_del_missing_svc, SL_E_NOT_FOUND, "vip"},
		{f_rs_weight, SL_E_INVALID, "weight"},
		{f_dup_rs, SL_E_EXISTS, "ip"},
		{f_rs_on_laddr, SL_E_INVALID, "ip"},
		{f_set_weight, SL_E_INVALID, "weight"},
		{f_del_missing_rs, SL_E_NOT_FOUND, "ip"},
		{f_dup_laddr, SL_E_EXISTS, "ip"},
		{f_laddr_on_vip, SL_E_INVALID, "ip"},
		{f_laddr_no_port, SL_E_INVALID, "port"},
		{f_del_missing_laddr, SL_E_NOT_FOUND, "ip"},
		{f_neigh_mac, SL_E_INVALID, "mac"},
		{f_dup_neigh, SL_E_EXISTS, "ip"},
		{f_del_missing_neigh, SL_E_NOT_FOUND, "ip"},
		{f_dup_port, SL_E_EXISTS, "name"},
		{f_dup_route, SL_E_EXISTS, "prefix"},
		{f_route_via, SL_E_INVALID, "via"},
	};
	struct sl_model *m = *state;
	json_t *before = fingerprint(m);

	for (size_t i = 0; i < SL_ARRAY_SIZE(cases); i++) {
		struct sl_err e;
		sl_err_clear(&e);
		refused(cases[i].op(m, &e), &e, cases[i].code, cases[i].field);
		json_t *after = fingerprint(m);
		if (!json_equal(before, after))
			fail_msg("case %zu (%s at %s) changed the model", i,
				 e.code, e.field);
		json_decref(after);
	}
	json_decref(before);
}

/* ---- clone ------------------------------------------------------------- */

static void test_clone_is_deep(void **state)
{
	struct sl_model *m = *state, c;
	struct sl_err e;
	sl_be32 vip = VIP;

	m->eal = calloc(2, sizeof(*m->eal));
	assert_non_null(m->eal);
	m->eal[0] = strdup("--no-huge");
	m->eal[1] = strdup("--in-memory");
	m->neal = 2;
	json_t *before = fingerprint(m);

	assert_int_equal(sl_model_clone(&c, m), 0);
	json_t *copy = fingerprint(&c);
	assert_true(json_equal(before, copy));
	json_decref(copy);
	assert_ptr_not_equal(c.eal, m->eal);
	assert_ptr_not_equal(c.eal[0], m->eal[0]);
	assert_string_equal(c.eal[1], "--in-memory");
	assert_ptr_not_equal(c.svcs, m->svcs);
	assert_ptr_not_equal(c.svcs[0].rs, m->svcs[0].rs);
	assert_ptr_not_equal(c.neigh, m->neigh);

	/* Changing the copy leaves the original alone. */
	ok(sl_model_set_rs_weight(&c, vip, P(80), TCP, ip("198.18.1.11"), P(8080), 9, &e), &e);
	ok(sl_model_add_rs(&c, vip, P(80), TCP, ip("198.18.1.13"), P(8080), 1, &e), &e);
	ok(sl_model_add_neigh(&c, ip("198.18.1.12"), mac1, -1, &e), &e);
	ok(sl_model_del_laddr(&c, ip("198.18.1.3"), &e), &e);
	c.eal[0][0] = 'X';
	json_t *after = fingerprint(m);
	assert_true(json_equal(before, after));
	json_decref(after);
	ok(sl_model_del_svc(&c, vip, P(80), TCP, &e), &e);
	sl_model_free(&c);

	after = fingerprint(m);
	assert_true(json_equal(before, after));
	json_decref(after);
	json_decref(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_laddr_slots),
		cmocka_unit_test_setup_teardown(test_laddr_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_neighbors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_changes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_clone_is_deep, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
