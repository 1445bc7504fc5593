/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table: sizing and the two-key index (including forced
 * collisions, overflow counters and probe exhaustion). The timer wheel:
 * test_conn_expiry.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "conn.h"
#include "frames.h"
#include "conn_keys.h"


/* ---- sizing ---- */

static void test_init_sizes(void **state)
{
	struct sl_conn_table t;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 1000, 12345), 0);
	assert_int_equal(t.max_conns, 1000);
	assert_int_equal(t.nconns, 0);
	/* Four keys per bucket, two keys per connection, power of two. */
	assert_int_equal(t.bucket_mask + 1, 512);
	assert_int_equal((uintptr_t)t.buckets % SL_CACHE_LINE, 0);
	assert_int_equal((uintptr_t)t.conns % SL_CACHE_LINE, 0);
	assert_true(t.mem_bytes >= 1000 * sizeof(struct sl_conn) +
				       512 * sizeof(struct sl_ct_bucket));
	assert_int_equal(t.insert_failures, 0);
	for (uint32_t b = 0; b <= t.bucket_mask; b++) {
		assert_int_equal(t.buckets[b].overflow, 0);
		for (unsigned i = 0; i < SL_CT_SLOTS; i++)
			assert_int_equal(t.buckets[b].ref[i], SL_CT_NONE);
	}
	struct sl_v4key k = orig_key(1);
	assert_int_equal(lookup(&t, &k, SL_IPPROTO_TCP), SL_CT_NONE);
	assert_int_equal(sl_ct_candidate(&t, sl_flow_hash(&k, 6)), SL_CT_NONE);
	/* A fresh table fills from the start. */
	assert_ptr_equal(sl_ct_alloc(&t), &t.conns[0]);
	assert_ptr_equal(sl_ct_alloc(&t), &t.conns[1]);
	sl_ct_destroy(&t);
	assert_null(t.conns);

	/* The smallest table still has a usable index. */
	assert_int_equal(sl_ct_init(&t, 1, 0), 0);
	assert_true(t.bucket_mask + 1 >= 1);
	add(&t, orig_key(0), reply_key(0), SL_IPPROTO_UDP, 1000);
	assert_null(sl_ct_alloc(&t));
	check_index(&t);
	sl_ct_destroy(&t);
}

static void test_init_invalid(void **state)
{
	struct sl_conn_table t;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 0, 0), -EINVAL);
	assert_null(t.conns);
	assert_int_equal(sl_ct_init(&t, (1u << 30) + 1, 0), -EINVAL);
	assert_null(t.buckets);
	/* Destroying a table that failed to initialise is harmless. */
	sl_ct_destroy(&t);
}

static void test_bytes_per_conn(void **state)
{
	const uint32_t sizes[] = {65536, 65538, 100000, 1u << 20};
	struct sl_conn_table t;
	(void)state;

	for (unsigned i = 0; i < SL_ARRAY_SIZE(sizes); i++) {
		assert_int_equal(sl_ct_init(&t, sizes[i], 0), 0);
		size_t b = sl_ct_bytes_per_conn(&t);
		assert_true(b >= sizeof(struct sl_conn));
		assert_true(b <= 128);
		sl_ct_destroy(&t);
	}
}

/* ---- index ---- */

static void test_insert_lookup_both_dirs(void **state)
{
	struct sl_conn_table t;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 1024, 0), 0);
	for (uint32_t i = 0; i < 10; i++)
		add(&t, orig_key(i), reply_key(i), SL_IPPROTO_TCP, 60000);
	assert_int_equal(t.nconns, 10);

	for (uint32_t i = 0; i < 10; i++) {
		struct sl_v4key o = orig_key(i), r = reply_key(i);
		uint32_t ro = lookup(&t, &o, SL_IPPROTO_TCP);
		uint32_t rr = lookup(&t, &r, SL_IPPROTO_TCP);
		assert_int_not_equal(ro, SL_CT_NONE);
		assert_int_not_equal(rr, SL_CT_NONE);
		assert_int_equal(sl_ct_ref_index(ro), i);
		assert_int_equal(sl_ct_ref_index(rr), i);
		assert_int_equal(sl_ct_ref_dir(ro), SL_DIR_ORIG);
		assert_int_equal(sl_ct_ref_dir(rr), SL_DIR_REPLY);
		assert_ptr_equal(sl_ct_conn(&t, ro), &t.conns[i]);
		assert_ptr_equal(sl_ct_conn(&t, rr), &t.conns[i]);
		/* With no collisions the home bucket's candidate is it. */
		assert_int_equal(sl_ct_candidate(&t, sl_flow_hash(&o, 6)), ro);
	}
	check_index(&t);
	sl_ct_destroy(&t);
}

static void test_lookup_miss(void **state)
{
	struct sl_conn_table t;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 1024, 0), 0);
	struct sl_v4key o = orig_key(7), r = reply_key(7);
	add(&t, o, r, SL_IPPROTO_TCP, 60000);

	struct sl_v4key rev = sl_v4key_reverse(&o);
	struct sl_v4key other = orig_key(8);
	struct sl_v4key port = o;
	port.sport ^= sl_htons(1);
	assert_int_equal(lookup(&t, &rev, SL_IPPROTO_TCP), SL_CT_NONE);
	assert_int_equal(lookup(&t, &other, SL_IPPROTO_TCP), SL_CT_NONE);
	assert_int_equal(lookup(&t, &port, SL_IPPROTO_TCP), SL_CT_NONE);
	/* Same key, other protocol. */
	assert_int_equal(lookup(&t, &o, SL_IPPROTO_UDP), SL_CT_NONE);
	assert_int_equal(lookup(&t, &r, SL_IPPROTO_UDP), SL_CT_NONE);
	/* A matching key with the wrong hash is not looked for elsewhere. */
	uint32_t h = sl_flow_hash(&o, SL_IPPROTO_TCP);
	assert_int_equal(sl_ct_lookup(&t, &o, SL_IPPROTO_TCP, h ^ 0x80000000u),
			 SL_CT_NONE);

	/* The same four-tuple under another protocol is its own connection. */
	struct sl_conn *u = add(&t, o, r, SL_IPPROTO_UDP, 60000);
	assert_int_equal(lookup(&t, &o, SL_IPPROTO_UDP), ref_of(&t, u, SL_DIR_ORIG));
	assert_int_equal(sl_ct_ref_index(lookup(&t, &o, SL_IPPROTO_TCP)), 0);
	check_index(&t);
	sl_ct_destroy(&t);
}

static uint32_t count_expired;

static bool count_cb(void *ctx, struct sl_conn *c)
{
	(void)ctx;
	(void)c;
	count_expired++;
	return true;
}

static void test_many_entries(void **state)
{
	const uint32_t n = 100000;
	struct sl_conn_table t;
	(void)state;

	assert_int_equal(sl_ct_init(&t, n, 0), 0);
	for (uint32_t i = 0; i < n; i++)
		add(&t, orig_key(i), reply_key(i), SL_IPPROTO_TCP,
		    1000 + i % 5000);
	assert_int_equal(t.nconns, n);
	assert_int_equal(t.insert_failures, 0);
	assert_null(sl_ct_alloc(&t));

	for (uint32_t i = 0; i < n; i++) {
		struct sl_v4key o = orig_key(i), r = reply_key(i);
		assert_int_equal(lookup(&t, &o, SL_IPPROTO_TCP), sl_ct_ref(i, false, SL_DIR_ORIG));
		assert_int_equal(lookup(&t, &r, SL_IPPROTO_TCP), sl_ct_ref(i, false, SL_DIR_REPLY));
	}
	check_index(&t);

	/* Everything expires; the table is empty and usable again. */
	count_expired = 0;
	uint32_t freed = 0;
	for (uint32_t now = 0; now <= 7000; now += 100)
		freed += sl_ct_expire(&t, now, UINT32_MAX, count_cb, NULL);
	assert_int_equal(freed, n);
	assert_int_equal(count_expired, n);
	assert_int_equal(t.nconns, 0);
	for (uint32_t i = 0; i < n; i += 97) {
		struct sl_v4key o = orig_key(i), r = reply_key(i);
		assert_int_equal(lookup(&t, &o, SL_IPPROTO_TCP), SL_CT_NONE);
		assert_int_equal(lookup(&t, &r, SL_IPPROTO_TCP), SL_CT_NONE);
	}
	check_index(&t);
	add(&t, orig_key(1), reply_key(1), SL_IPPROTO_TCP, 10000);
	sl_ct_destroy(&t);
}

static void test_full_table(void **state)
{
	struct sl_conn_table t;
	struct sl_conn *c[16];
	(void)state;

	assert_int_equal(sl_ct_init(&t, 16, 0), 0);
	for (uint32_t i = 0; i < 16; i++) {
		c[i] = sl_ct_alloc(&t);
		assert_non_null(c[i]);
		assert_int_equal(sl_ct_index(&t, c[i]), i);
	}
	assert_int_equal(t.nconns, 16);
	assert_null(sl_ct_alloc(&t));
	assert_null(sl_ct_alloc(&t));

	/* An abandoned entry comes back first, zeroed. (Scribbled on but
	 * for its shape: an extension it names is the table's to free.) */
	memset(c[5], 0xab, sizeof(*c[5]));
	c[5]->shape = 0;
	sl_ct_abandon(&t, c[5]);
	assert_int_equal(t.nconns, 15);
	struct sl_conn *again = sl_ct_alloc(&t);
	assert_ptr_equal(again, c[5]);
	const struct sl_conn zero = {0};
	assert_memory_equal(again, &zero, sizeof(zero));
	assert_null(sl_ct_alloc(&t));
	sl_ct_destroy(&t);
}

/* Twenty connections whose client keys share one home bucket: seven fit
 * at home, the rest overflow into the next buckets; lookups still find all
 * of them, and deleting any of them keeps the rest findable and the
 * overflow counts exact. */
static void test_collisions_and_overflow(void **state)
{
	struct sl_conn_table t;
	struct sl_conn *c[20];
	struct sl_v4key o[20], r[20];
	(void)state;

	fr_seed(11);
	assert_int_equal(sl_ct_init(&t, 64, 0), 0);
	uint32_t nb = t.bucket_mask + 1;
	assert_true(nb >= 16);
	const uint32_t home = 5;

	for (int i = 0; i < 20; i++) {
		o[i] = key_with_home(&t, SL_IPPROTO_TCP, home);
		/* Server keys out of the way of the collision. */
		r[i] = key_with_home_in(&t, SL_IPPROTO_TCP, home + 8, nb - 8);
		/* Odd ones leave first, the rest much later. */
		c[i] = add(&t, o[i], r[i], SL_IPPROTO_TCP, i % 2 ? 1000 : 100000);
	}
	check_index(&t);
	assert_int_equal(t.buckets[home].overflow, 13);
	assert_int_equal(t.buckets[home + 1].overflow, 6);
	assert_int_equal(t.buckets[home + 2].overflow, 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(lookup(&t, &o[i], 6), ref_of(&t, c[i], SL_DIR_ORIG));
		assert_int_equal(lookup(&t, &r[i], 6), ref_of(&t, c[i], SL_DIR_REPLY));
	}
	/* A miss with the crowded home walks the overflow and stops. */
	struct sl_v4key stranger = key_with_home(&t, SL_IPPROTO_TCP, home);
	assert_int_equal(lookup(&t, &stranger, 6), SL_CT_NONE);

	/* Delete the odd ones (some at home, some overflowed). */
	assert_int_equal(sl_ct_expire(&t, 2000, UINT32_MAX, NULL, NULL), 10);
	check_index(&t);
	/* Left: four at home, three and three overflowed one and two on. */
	assert_int_equal(t.buckets[home].overflow, 6);
	assert_int_equal(t.buckets[home + 1].overflow, 3);
	for (int i = 0; i < 20; i++) {
		uint32_t want_o = i % 2 ? SL_CT_NONE : ref_of(&t, c[i], SL_DIR_ORIG);
		uint32_t want_r = i % 2 ? SL_CT_NONE : ref_of(&t, c[i], SL_DIR_REPLY);
		assert_int_equal(lookup(&t, &o[i], 6), want_o);
		assert_int_equal(lookup(&t, &r[i], 6), want_r);
	}

	/* New colliding keys reuse the freed home slots. */
	for (int i = 1; i < 20; i += 2) {
		o[i] = key_with_home(&t, SL_IPPROTO_TCP, home);
		c[i] = add(&t, o[i], r[i], SL_IPPROTO_TCP, 100000);
	}
	check_index(&t);
	assert_int_equal(t.buckets[home].overflow, 13);
	assert_int_equal(t.buckets[home + 1].overflow, 6);
	for (int i = 0; i < 20; i++)
		assert_int_equal(lookup(&t, &o[i], 6), ref_of(&t, c[i], SL_DIR_ORIG));

	/* Everything gone: no overflow left anywhere. */
	assert_int_equal(sl_ct_expire(&t, 200000, UINT32_MAX, NULL, NULL), 20);
	check_index(&t);
	for (uint32_t b = 0; b < nb; b++)
		assert_int_equal(t.buckets[b].overflow, 0);
	sl_ct_destroy(&t);
}

/* When every bucket within probe distance is full, insert fails cleanly:
 * -ENOSPC, counted, and the first key's slot is rolled back if only the
 * second key found no room. */
static void test_probe_exhausted(void **state)
{
	struct sl_conn_table t;
	const uint32_t full = SL_CT_SLOTS * SL_CT_MAX_PROBE; /* 56 */
	(void)state;

	fr_seed(12);
	assert_int_equal(sl_ct_init(&t, 128, 0), 0);
	uint32_t nb = t.bucket_mask + 1;
	assert_int_equal(nb, 64);
	const uint32_t home = 40;

	for (uint32_t i = 0; i < full; i++)
		add(&t, key_with_home(&t, 6, home), key_with_home_in(&t, 6, 0, 20),
		    SL_IPPROTO_TCP, 1000);
	check_index(&t);
	for (uint32_t b = home; b < home + SL_CT_MAX_PROBE; b++)
		assert_int_equal(t.buckets[b].overflow,
				 SL_CT_SLOTS * (home + SL_CT_MAX_PROBE - 1 - b));

	/* First key has no room. */
	struct sl_conn *c = fill(&t, key_with_home(&t, 6, home),
				 key_with_home_in(&t, 6, 0, 20), SL_IPPROTO_TCP, 1000);
	assert_int_equal(sl_ct_insert(&t, c), -ENOSPC);
	assert_int_equal(t.insert_failures, 1);
	assert_int_equal(lookup(&t, &c->key[SL_DIR_REPLY], 6), SL_CT_NONE);
	sl_ct_abandon(&t, c);

	/* First key fits, second does not: the first is taken out again. */
	struct sl_ct_bucket before[64];
	memcpy(before, t.buckets, sizeof(before));
	c = fill(&t, key_with_home_in(&t, 6, 20, 32), key_with_home(&t, 6, home),
		 SL_IPPROTO_TCP, 1000);
	assert_int_equal(sl_ct_insert(&t, c), -ENOSPC);
	assert_int_equal(t.insert_failures, 2);
	assert_int_equal(lookup(&t, &c->key[SL_DIR_ORIG], 6), SL_CT_NONE);
	for (uint32_t b = 0; b < nb; b++) {
		assert_int_equal(t.buckets[b].overflow, before[b].overflow);
		assert_memory_equal(t.buckets[b].ref, before[b].ref,
				    sizeof(before[b].ref));
	}
	sl_ct_abandon(&t, c);
	assert_int_equal(t.nconns, full);
	check_index(&t);

	/* The neighbouring home bucket still has room further on. */
	add(&t, key_with_home(&t, 6, home + 1), key_with_home_in(&t, 6, 0, 20),
	    SL_IPPROTO_TCP, 1000);
	check_index(&t);
	sl_ct_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sizes),
		cmocka_unit_test(test_init_invalid),
		cmocka_unit_test(test_bytes_per_conn),
		cmocka_unit_test(test_insert_lookup_both_dirs),
		cmocka_unit_test(test_lookup_miss),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_collisions_and_overflow),
		cmocka_unit_test(test_probe_exhausted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
