/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the control-model tests share (test_model.c, test_model_addrs.c,
 * test_model_grow.c): test addresses, an operation that must pass or be
 * refused with a code and field, "the lab" model (ports wan
 * 198.18.0.2/24, lan 198.18.1.2/24, a default route via 198.18.0.1) with
 * or without a VIP, servers, a local address and a neighbor in it, and a
 * fingerprint of everything a refused operation must leave alone.
 * Header-only and static inline, like frames.h. Include after <cmocka.h>.
 */
#ifndef SL_TEST_MODEL_FIXTURE_H
#define SL_TEST_MODEL_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>

#include <jansson.h>

#include "addr.h"
#include "config.h"
#include "model.h"
#include "sched.h"

#define TCP SL_IPPROTO_TCP
#define UDP SL_IPPROTO_UDP
#define P(n) sl_htons(n)

static inline sl_be32 ip(const char *s)
{
	sl_be32 v = 0;

	if (sl_parse_ipv4(s, &v) < 0)
		fail_msg("bad test address %s", s);
	return v;
}

static const uint8_t mac1[6] __attribute__((unused)) = {0x02, 0, 0, 0, 0x01, 0x0b};

static inline void ok(int rc, const struct sl_err *e)
{
	if (rc != 0)
		fail_msg("unexpected error %s at %s: %s", e->code, e->field,
			 e->message);
}

static inline void refused(int rc, const struct sl_err *e, const char *code,
		    const char *field)
{
	assert_int_equal(rc, -1);
	assert_string_equal(e->code, code);
	assert_string_equal(e->field, field);
	assert_true(e->message[0] != '\0');
}

/* The lab: ports wan 198.18.0.2/24 and lan 198.18.1.2/24, and with
 * `default_route` a default route via 198.18.0.1. */
static inline void lab_init(struct sl_model *m, bool default_route)
{
	struct sl_err e;

	assert_int_equal(sl_model_init(m), 0);
	ok(sl_model_add_port(m, "wan", "net_ring0", ip("198.18.0.2"), 24, &e), &e);
	ok(sl_model_add_port(m, "lan", "net_ring1", ip("198.18.1.2"), 24, &e), &e);
	if (default_route)
		ok(sl_model_add_route(m, 0, 0, ip("198.18.0.1"), -1, &e), &e);
}

/* The lab plus a local address, a VIP with two servers and a neighbor. */
static inline void populate(struct sl_model *m)
{
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100");

	lab_init(m, true);
	ok(sl_model_add_laddr(m, ip("198.18.1.3"), -1, &e), &e);
	ok(sl_model_add_svc(m, vip, P(80), TCP, SL_SCHED_WRR, &e), &e);
	ok(sl_model_add_rs(m, vip, P(80), TCP, ip("198.18.1.11"), P(8080), 1, &e), &e);
	ok(sl_model_add_rs(m, vip, P(80), TCP, ip("198.18.1.12"), P(8080), 2, &e), &e);
	ok(sl_model_add_neigh(m, ip("198.18.1.11"), mac1, -1, &e), &e);
}

static inline int setup(void **state)
{
	struct sl_model *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	populate(m);
	*state = m;
	return 0;
}

static inline int teardown(void **state)
{
	sl_model_free(*state);
	free(*state);
	return 0;
}

/* Everything a failed operation must not change: the config document
 * plus what it does not show (ids, slots, cursors, counters). */
static inline json_t *fingerprint(const struct sl_model *m)
{
	json_t *doc = sl_config_to_json(m), *ids = json_array();

	assert_non_null(doc);
	for (uint32_t i = 0; i < m->nsvcs; i++) {
		json_array_append_new(ids, json_integer(m->svcs[i].id));
		for (uint32_t j = 0; j < m->svcs[i].nrs; j++)
			json_array_append_new(ids, json_integer(m->svcs[i].rs[j].id));
	}
	for (uint32_t i = 0; i < m->nladdrs; i++)
		json_array_append_new(ids, json_integer(1000 + m->laddrs[i].slot));
	json_object_set_new(doc, "ids", ids);
	json_object_set_new(doc, "counters",
			    json_pack("[i,i,i]", (int)m->nrs_total, (int)m->next_svc_id,
				      (int)m->next_rs_id));
	return doc;
}

#endif
