/* SPDX-License-Identifier: BSD-3-Clause */
/* The learned neighbor table: learning, aging, probing, forgetting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "neigh.h"

static const uint8_t mac1[6] = {2, 0, 0, 0, 1, 1};
static const uint8_t mac2[6] = {2, 0, 0, 0, 1, 2};

static unsigned probes;
static sl_be32 probed_ip;

static void probe(void *ctx, const struct sl_addr *a, uint8_t port)
{
	(void)ctx, (void)port;
	probes++;
	probed_ip = a->v4;
}

static void test_learn_changes(void **state)
{
	struct sl_neigh_table t;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	assert_true(sl_neigh_learn(&t, 11, mac1, 1, 0));   /* new: changed */
	assert_false(sl_neigh_learn(&t, 11, mac1, 1, 10)); /* same: not */
	assert_true(sl_neigh_learn(&t, 11, mac2, 1, 20));  /* new MAC */
	assert_true(sl_neigh_learn(&t, 11, mac2, 0, 30));  /* new port */
	struct sl_neigh_entry *e = sl_neigh_find(&t, 11);
	assert_non_null(e);
	assert_memory_equal(e->mac, mac2, 6);
	assert_int_equal(e->state, SL_NEIGH_REACHABLE);
	assert_int_equal(e->confirmed_ms, 30);
	sl_neigh_free(&t);
}

static void test_wanted_is_incomplete(void **state)
{
	struct sl_neigh_table t;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	sl_neigh_want(&t, 12, 1, 0);
	struct sl_neigh_entry *e = sl_neigh_find(&t, 12);
	assert_non_null(e);
	assert_false(sl_neigh_resolved(e));
	/* An answer resolves it, and that is a change the dataplane needs. */
	assert_true(sl_neigh_learn(&t, 12, mac1, 1, 5));
	assert_true(sl_neigh_resolved(sl_neigh_find(&t, 12)));
	sl_neigh_free(&t);
}

/* ARP replies nobody asked for are not learned: a neighbor could fill the
 * table with them. A reply for a wanted (or known) address is. */
static void test_unsolicited_reply_not_learned(void **state)
{
	struct sl_neigh_table t;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	for (sl_be32 ip = 100; ip < 200; ip++)
		assert_false(sl_neigh_confirm(&t, ip, mac1, 1, 0));
	assert_int_equal(t.n, 0);
	assert_int_equal(t.unsolicited, 100);
	sl_neigh_want(&t, 12, 1, 0);
	assert_true(sl_neigh_confirm(&t, 12, mac1, 1, 5));
	assert_true(sl_neigh_resolved(sl_neigh_find(&t, 12)));
	assert_true(sl_neigh_confirm(&t, 12, mac2, 1, 6)); /* known: updated */
	assert_memory_equal(sl_neigh_find(&t, 12)->mac, mac2, 6);
	assert_int_equal(t.unsolicited, 100);
	sl_neigh_free(&t);
}

#define FLOOD_FIRST 1000u
#define FLOOD_N 5000u

static unsigned flood_probes;

static void probe_flood(void *ctx, const struct sl_addr *a, uint8_t port)
{
	sl_be32 ip = a->v4;

	(void)ctx, (void)port;
	if (ip >= FLOOD_FIRST && ip < FLOOD_FIRST + FLOOD_N)
		flood_probes++;
}

/* A flood of ARP requests "for us" from 5,000 spoofed on-link senders
 * (the SL_LEARN_SEEN path) creates no entry: before, each became a
 * REACHABLE entry that only aging could remove, the table filled (4,096,
 * 904 refused), a next hop then asked for and answered was refused, and
 * every flood entry was probed three times once stale. A request from a
 * host already known still refreshes it. */
static void test_request_flood_not_learned(void **state)
{
	struct sl_neigh_table t;
	const sl_be32 gw = 7, hop = 9;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	sl_neigh_want(&t, gw, 1, 0);
	assert_true(sl_neigh_confirm(&t, gw, mac1, 1, 0));
	uint32_t before = t.n;

	for (sl_be32 ip = FLOOD_FIRST; ip < FLOOD_FIRST + FLOOD_N; ip++)
		assert_false(sl_neigh_seen(&t, ip, mac1, 1, 10));
	assert_int_equal(t.n, before); /* the design allows no entry for them */
	assert_int_equal(t.unknown_requests, FLOOD_N);
	assert_int_equal(t.refused, 0);

	/* A request from a known host confirms it, new MAC and all. */
	assert_true(sl_neigh_seen(&t, gw, mac2, 1, 20));
	assert_memory_equal(sl_neigh_find(&t, gw)->mac, mac2, 6);
	assert_int_equal(sl_neigh_find(&t, gw)->confirmed_ms, 20);

	/* A next hop wanted after the flood is learned when it answers. */
	sl_neigh_want(&t, hop, 1, 30);
	assert_true(sl_neigh_confirm(&t, hop, mac1, 1, 40));
	assert_true(sl_neigh_resolved(sl_neigh_find(&t, hop)));
	assert_int_equal(t.refused, 0);
	assert_int_equal(t.unsolicited, 0);
	assert_int_equal(t.n, before + 1);

	/* Nothing from the flood is ever probed: age everything out. */
	flood_probes = 0;
	for (uint64_t now = 100; now <= SL_NEIGH_REACHABLE_MS +
				       (SL_NEIGH_PROBES + 2) * SL_NEIGH_PROBE_MS;
	     now += 100)
		sl_neigh_tick(&t, now, probe_flood, NULL);
	assert_int_equal(flood_probes, 0);
	assert_int_equal(t.n, 0); /* gw and hop went unanswered: gone */
	sl_neigh_free(&t);
}

static void test_aging_and_removal(void **state)
{
	struct sl_neigh_table t;
	uint64_t now = 1000;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	sl_neigh_learn(&t, 13, mac1, 1, now);
	probes = 0;
	/* Reachable: no probe, no change. */
	assert_false(sl_neigh_tick(&t, now + SL_NEIGH_REACHABLE_MS - 1, probe, NULL));
	assert_int_equal(probes, 0);
	/* Stale: probed once a second, still used. */
	now += SL_NEIGH_REACHABLE_MS;
	assert_false(sl_neigh_tick(&t, now, probe, NULL));
	assert_int_equal(sl_neigh_find(&t, 13)->state, SL_NEIGH_STALE);
	assert_int_equal(probes, 1);
	assert_int_equal(probed_ip, 13);
	assert_false(sl_neigh_tick(&t, now + 10, probe, NULL)); /* not yet again */
	assert_int_equal(probes, 1);
	for (unsigned i = 1; i < SL_NEIGH_PROBES; i++)
		assert_false(sl_neigh_tick(&t, now + i * SL_NEIGH_PROBE_MS, probe, NULL));
	assert_int_equal(probes, SL_NEIGH_PROBES);
	/* Unanswered: removed, and the dataplane's view changed. */
	assert_true(sl_neigh_tick(&t, now + SL_NEIGH_PROBES * SL_NEIGH_PROBE_MS, probe, NULL));
	assert_null(sl_neigh_find(&t, 13));
	sl_neigh_free(&t);
}

static void test_answer_keeps_entry(void **state)
{
	struct sl_neigh_table t;
	uint64_t now = SL_NEIGH_REACHABLE_MS;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	sl_neigh_learn(&t, 14, mac1, 1, 0);
	sl_neigh_tick(&t, now, probe, NULL); /* stale, probed */
	assert_false(sl_neigh_learn(&t, 14, mac1, 1, now + 100)); /* answered */
	assert_int_equal(sl_neigh_find(&t, 14)->state, SL_NEIGH_REACHABLE);
	for (unsigned i = 1; i <= SL_NEIGH_PROBES + 1; i++)
		assert_false(sl_neigh_tick(&t, now + i * SL_NEIGH_PROBE_MS, probe, NULL));
	assert_non_null(sl_neigh_find(&t, 14));
	sl_neigh_free(&t);
}

static void test_forget_and_full(void **state)
{
	struct sl_neigh_table t;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	for (uint32_t i = 1; i <= SL_MAX_NEIGH; i++)
		sl_neigh_learn(&t, i, mac1, 0, 0);
	assert_int_equal(t.n, SL_MAX_NEIGH);
	/* Full: a new address is not learned, and nothing breaks. */
	assert_false(sl_neigh_learn(&t, SL_MAX_NEIGH + 1, mac1, 0, 0));
	assert_null(sl_neigh_find(&t, SL_MAX_NEIGH + 1));
	assert_true(sl_neigh_forget(&t, 7));
	assert_false(sl_neigh_forget(&t, 7));
	assert_null(sl_neigh_find(&t, 7));
	assert_non_null(sl_neigh_find(&t, 8));
	sl_neigh_free(&t);
}

static struct sl_addr v6addr(uint8_t net, uint32_t host)
{
	struct sl_addr a = {.af = SL_AF_V6, .v6 = {0x20, 0x01, 0x0d, 0xb8, 0, net}};

	a.v6[12] = (uint8_t)(host >> 24);
	a.v6[13] = (uint8_t)(host >> 16);
	a.v6[14] = (uint8_t)(host >> 8);
	a.v6[15] = (uint8_t)host;
	return a;
}

/* RFC 4861 7.2.5: an NA without Override keeps a learned MAC (the
 * REACHABLE entry goes STALE), one with it replaces the MAC; an
 * INCOMPLETE entry takes the first answer either way. Before: every NA
 * replaced the MAC. */
static void test_na_override(void **state)
{
	struct sl_neigh_table t;
	struct sl_addr a = v6addr(1, 0x10), b = v6addr(1, 0x11);
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	sl_neigh_want_addr(&t, &a, 1, 0);
	assert_true(sl_neigh_advert_addr(&t, &a, mac1, 1, false, 0)); /* incomplete */
	assert_false(sl_neigh_advert_addr(&t, &a, mac2, 1, false, 10));
	assert_memory_equal(sl_neigh_find_addr(&t, &a)->mac, mac1, 6);
	assert_int_equal(sl_neigh_find_addr(&t, &a)->state, SL_NEIGH_STALE);
	assert_int_equal(t.not_overridden, 1);
	/* The same MAC without Override confirms it again. */
	assert_false(sl_neigh_advert_addr(&t, &a, mac1, 1, false, 20));
	assert_int_equal(sl_neigh_find_addr(&t, &a)->state, SL_NEIGH_REACHABLE);
	assert_true(sl_neigh_advert_addr(&t, &a, mac2, 1, true, 30));
	assert_memory_equal(sl_neigh_find_addr(&t, &a)->mac, mac2, 6);
	/* Nobody asked for b: neither flag makes an entry. */
	assert_false(sl_neigh_advert_addr(&t, &b, mac1, 1, true, 30));
	assert_null(sl_neigh_find_addr(&t, &b));
	sl_neigh_free(&t);
}

/* RFC 6583: a scan of a connected /64 (50,000 addresses wanted on port
 * 1) leaves at most SL_NEIGH6_INCOMPLETE_PER_PORT waiting: each new one
 * drops the port's oldest, so the newest are the ones asked for; port
 * 2's v6 and port 1's v4 next hops still get entries; the per-port total
 * leaves half the table to v4 and other ports. Before: a port at the
 * cap refused new entries, and its total was half the table. */
#define SCAN_N 50000u
static void test_v6_scan_capped(void **state)
{
	struct sl_neigh_table t;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	t.nports = 2;
	for (uint32_t i = 0; i < SCAN_N; i++) {
		struct sl_addr a = v6addr(1, i + 1);
		sl_neigh_want_addr(&t, &a, 1, i);
	}
	assert_int_equal(t.n, SL_NEIGH6_INCOMPLETE_PER_PORT);
	assert_int_equal(t.evicted, SCAN_N - SL_NEIGH6_INCOMPLETE_PER_PORT);
	assert_int_equal(t.refused, 0);
	struct sl_addr other = v6addr(2, 1), first = v6addr(1, 1), late = v6addr(1, SCAN_N);
	sl_neigh_want_addr(&t, &other, 2, 0);
	assert_non_null(sl_neigh_find_addr(&t, &other));
	sl_neigh_want(&t, 77, 1, 0);
	assert_non_null(sl_neigh_find(&t, 77));
	assert_null(sl_neigh_find_addr(&t, &first));
	assert_non_null(sl_neigh_find_addr(&t, &late));
	/* Answered entries fill the port up to its total, then it refuses. */
	uint32_t made = 0, port_max = sl_neigh_v6_port_max(&t);
	assert_int_equal(port_max, SL_MAX_NEIGH / 4);
	for (uint32_t i = 0; i < SCAN_N && made < port_max + 10; i++) {
		struct sl_addr a = v6addr(1, i + 1);
		sl_neigh_want_addr(&t, &a, 1, SCAN_N + i);
		made += sl_neigh_advert_addr(&t, &a, mac1, 1, true, 0);
	}
	assert_int_equal(t.v6_entries[1], port_max);
	assert_int_equal(made, port_max);
	assert_true(t.capped6 > 0);
	/* v4 still has room: the rest of the table. */
	for (uint32_t ip = 1000; ip < 1000 + SL_MAX_NEIGH / 2; ip++)
		assert_true(sl_neigh_learn(&t, ip, mac1, 0, 0));
	assert_int_equal(t.refused, 0);
	sl_neigh_free(&t);
}

/* Spoofed traffic holds port 1's waiting room full; a real server's next
 * hop asked for then gets an entry and is resolved, and further flooding
 * does not push it out (it is a configured next hop: `keep`). Before: it
 * was refused, and never resolved. */
static const struct sl_addr *kept_addr;
static bool keep_one(void *ctx, const struct sl_addr *a)
{
	(void)ctx;
	return sl_addr_eq(a, kept_addr);
}

static void test_v6_flood_real_server(void **state)
{
	struct sl_neigh_table t;
	struct sl_addr rs = v6addr(1, 0xffff0001);
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	kept_addr = &rs;
	t.keep = keep_one;
	for (uint32_t i = 0; i < SCAN_N; i++) {
		struct sl_addr a = v6addr(1, i + 1);
		sl_neigh_want_addr(&t, &a, 1, i);
	}
	sl_neigh_want_addr(&t, &rs, 1, SCAN_N);
	for (uint32_t i = 0; i < SCAN_N; i++) {
		struct sl_addr a = v6addr(1, SCAN_N + i + 1);
		sl_neigh_want_addr(&t, &a, 1, SCAN_N + 1 + i);
	}
	assert_non_null(sl_neigh_find_addr(&t, &rs));
	assert_true(sl_neigh_advert_addr(&t, &rs, mac1, 1, true, 2 * SCAN_N));
	assert_true(sl_neigh_resolved(sl_neigh_find_addr(&t, &rs)));
	sl_neigh_free(&t);
}

/* An entry moving to another port (learned there) is held to that
 * port's cap: a port full of resolved v6 entries does not take one more.
 * Before: sl_neigh_learn_addr() moved it regardless. */
static void test_v6_move_capped(void **state)
{
	struct sl_neigh_table t;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	t.nports = 8; /* SL_MAX_NEIGH / 16 per port */
	uint32_t port_max = sl_neigh_v6_port_max(&t);
	for (uint32_t i = 0; i < port_max; i++) {
		struct sl_addr a = v6addr(2, i + 1);
		sl_neigh_want_addr(&t, &a, 2, 0);
		assert_true(sl_neigh_advert_addr(&t, &a, mac1, 2, true, 0));
	}
	struct sl_addr m = v6addr(1, 1);
	sl_neigh_want_addr(&t, &m, 1, 0);
	assert_true(sl_neigh_advert_addr(&t, &m, mac1, 1, true, 0));
	assert_false(sl_neigh_learn_addr(&t, &m, mac2, 2, 10));
	assert_int_equal(sl_neigh_find_addr(&t, &m)->port, 1);
	assert_int_equal(t.v6_entries[2], port_max);
	sl_neigh_free(&t);
}

/* RFC 4861 7.2.3: an NS from a known neighbor with another link-layer
 * address takes it but leaves the entry STALE, probed at the next tick;
 * the same address confirms it. Before: the new MAC was REACHABLE at
 * once (a host soliciting from the gateway's address took it over). */
static void test_ns_new_mac_stale(void **state)
{
	struct sl_neigh_table t;
	struct sl_addr gw = v6addr(1, 1), nobody = v6addr(1, 2);
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	sl_neigh_want_addr(&t, &gw, 1, 0);
	assert_true(sl_neigh_advert_addr(&t, &gw, mac1, 1, true, 1000));
	assert_false(sl_neigh_solicit_addr(&t, &gw, mac1, 1, 1010));
	assert_int_equal(sl_neigh_find_addr(&t, &gw)->state, SL_NEIGH_REACHABLE);
	assert_true(sl_neigh_solicit_addr(&t, &gw, mac2, 1, 1020));
	struct sl_neigh_entry *e = sl_neigh_find_addr(&t, &gw);
	assert_int_equal(e->state, SL_NEIGH_STALE);
	assert_memory_equal(e->mac, mac2, 6);
	probes = 0;
	sl_neigh_tick(&t, 1030, probe, NULL);
	assert_int_equal(probes, 1);
	/* Nobody asked for `nobody`: no entry. */
	assert_false(sl_neigh_solicit_addr(&t, &nobody, mac1, 1, 30));
	assert_null(sl_neigh_find_addr(&t, &nobody));
	sl_neigh_free(&t);
}

/* The index agrees with the entries through many adds and removals
 * (removal moves the last entry into the hole, and shifts probe runs). */
static void test_index_consistent(void **state)
{
	struct sl_neigh_table t;
	(void)state;
	assert_int_equal(sl_neigh_init(&t), 0);
	for (uint32_t i = 1; i <= 3000; i++)
		sl_neigh_learn(&t, i, mac1, 0, 0);
	for (uint32_t i = 1; i <= 3000; i += 3)
		assert_true(sl_neigh_forget(&t, i));
	for (uint32_t i = 3001; i <= 4000; i++)
		sl_neigh_learn(&t, i, mac2, 0, 0);
	for (uint32_t i = 1; i <= 4000; i++) {
		const struct sl_neigh_entry *e = sl_neigh_find(&t, i);
		if (i <= 3000 && i % 3 == 1)
			assert_null(e);
		else
			assert_true(e != NULL && e->ip == i);
	}
	for (uint32_t i = 0; i < t.n; i++)
		assert_ptr_equal(sl_neigh_find_addr(&t, &t.e[i].addr), &t.e[i]);
	sl_neigh_clear(&t);
	assert_null(sl_neigh_find(&t, 2));
	sl_neigh_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_changes),
		cmocka_unit_test(test_wanted_is_incomplete),
		cmocka_unit_test(test_unsolicited_reply_not_learned),
		cmocka_unit_test(test_request_flood_not_learned),
		cmocka_unit_test(test_aging_and_removal),
		cmocka_unit_test(test_answer_keeps_entry),
		cmocka_unit_test(test_forget_and_full),
		cmocka_unit_test(test_na_override),
		cmocka_unit_test(test_v6_scan_capped),
		cmocka_unit_test(test_v6_flood_real_server),
		cmocka_unit_test(test_v6_move_capped),
		cmocka_unit_test(test_ns_new_mac_stale),
		cmocka_unit_test(test_index_consistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
