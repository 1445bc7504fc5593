/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table: sizing, the two-key index (including forced
 * collisions, overflow counters and probe exhaustion) and the timer wheel
 * (never early, never much late, lazy re-arming, budgets, timeouts longer
 * than the wheel, and the millisecond clock wrapping).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "conn.h"
#include "frames.h"

#define TICK_MS 64u            /* conn_table.c's tick */
#define WHEEL_SPAN_MS (8192u * TICK_MS)
/* An entry due at `expire` is freed by the first expiry run at or after
 * the end of its tick; filed no earlier than the next tick, so two ticks
 * of slack cover every case. */
#define LATE_MS (2 * TICK_MS)

static struct sl_v4key mkkey(uint32_t sa, uint32_t da, uint16_t sp, uint16_t dp)
{
	struct sl_v4key k = {sl_htonl(sa), sl_htonl(da), sl_htons(sp), sl_htons(dp)};
	return k;
}

/* Distinct client and server keys for connection number i. */
static struct sl_v4key orig_key(uint32_t i)
{
	return mkkey(0x0a000000 + i, 0xc6120101, (uint16_t)(1024 + i % 50000), 80);
}

static struct sl_v4key reply_key(uint32_t i)
{
	return mkkey(0xc6130000 + (i & 0xffff), 0xc6140000 + (i >> 16), 8080,
		     (uint16_t)(1024 + i % 60000));
}

static struct sl_v4key random_key(void)
{
	return mkkey(fr_rand32(), fr_rand32(), (uint16_t)fr_rand32(),
		     (uint16_t)fr_rand32());
}

static uint32_t lookup(const struct sl_conn_table *t, const struct sl_v4key *k,
		       uint8_t proto)
{
	return sl_ct_lookup(t, k, proto, sl_flow_hash(k, proto));
}

static uint32_t home_of(const struct sl_conn_table *t, const struct sl_v4key *k,
			uint8_t proto)
{
	return sl_flow_hash(k, proto) & t->bucket_mask;
}

/* A key of `proto` whose home bucket is `home`. */
static struct sl_v4key key_with_home(const struct sl_conn_table *t,
				     uint8_t proto, uint32_t home)
{
	for (;;) {
		struct sl_v4key k = random_key();
		if (home_of(t, &k, proto) == home)
			return k;
	}
}

/* A key of `proto` whose home bucket is in [lo, hi). */
static struct sl_v4key key_with_home_in(const struct sl_conn_table *t,
					uint8_t proto, uint32_t lo, uint32_t hi)
{
	for (;;) {
		struct sl_v4key k = random_key();
		uint32_t h = home_of(t, &k, proto);
		if (h >= lo && h < hi)
			return k;
	}
}

static struct sl_conn *fill(struct sl_conn_table *t, struct sl_v4key o,
			    struct sl_v4key r, uint8_t proto, uint32_t expire)
{
	struct sl_conn *c = sl_ct_alloc(t);
	assert_non_null(c);
	c->key[SL_DIR_ORIG] = o;
	c->key[SL_DIR_REPLY] = r;
	c->proto = proto;
	c->state = SL_CS_UDP;
	c->expire = expire;
	/* The table never reads rs_id: the tests use it as a name that
	 * survives slot reuse (see struct exp_log). */
	c->rs_id = (uint16_t)sl_ct_index(t, c);
	return c;
}

static struct sl_conn *add(struct sl_conn_table *t, struct sl_v4key o,
			   struct sl_v4key r, uint8_t proto, uint32_t expire)
{
	struct sl_conn *c = fill(t, o, r, proto, expire);
	assert_int_equal(sl_ct_insert(t, c), 0);
	return c;
}

static uint32_t ref_of(const struct sl_conn_table *t, const struct sl_conn *c,
		       enum sl_dir dir)
{
	return sl_ct_ref(sl_ct_index(t, c), false, dir);
}

/* The index is exactly what conn.h says: every live reference sits within
 * probe distance of its home under the right signature, each live
 * connection has its two keys indexed once each, and every bucket's
 * overflow counts the keys that passed over it. */
static void check_index(const struct sl_conn_table *t)
{
	uint32_t nb = t->bucket_mask + 1;
	uint32_t *over = calloc(nb, sizeof(*over));
	uint8_t *seen = calloc(t->max_conns, 1);
	uint32_t refs = 0;

	assert_non_null(over);
	assert_non_null(seen);
	for (uint32_t b = 0; b < nb; b++) {
		const struct sl_ct_bucket *bk = &t->buckets[b];
		for (unsigned i = 0; i < SL_CT_SLOTS; i++) {
			uint32_t ref = bk->ref[i];
			if (ref == SL_CT_NONE)
				continue;
			refs++;
			uint32_t idx = sl_ct_ref_index(ref);
			assert_true(idx < t->max_conns);
			const struct sl_conn *c = &t->conns[idx];
			uint32_t h = sl_flow_hash(&c->key[sl_ct_ref_dir(ref)], c->proto);
			assert_int_equal(bk->sig[i], h);
			uint8_t bit = (uint8_t)(1u << sl_ct_ref_dir(ref));
			assert_false(seen[idx] & bit);
			seen[idx] |= bit;
			uint32_t dist = (b - (h & t->bucket_mask)) & t->bucket_mask;
			assert_true(dist < SL_CT_MAX_PROBE);
			for (uint32_t p = h & t->bucket_mask; p != b;
			     p = (p + 1) & t->bucket_mask)
				over[p]++;
		}
	}
	for (uint32_t b = 0; b < nb; b++)
		assert_int_equal(t->buckets[b].overflow, over[b]);
	assert_int_equal(refs, 2 * t->nconns);
	for (uint32_t i = 0; i < t->max_conns; i++)
		assert_true(seen[i] == 0 || seen[i] == 3);
	free(over);
	free(seen);
}

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

/* ---- timer wheel ---- */

/* What an expiry callback saw, per connection name (c->rs_id: the slot
 * index, or the simulation's connection number). */
struct exp_log {
	struct sl_conn_table *t;
	uint32_t now;
	uint32_t *when;
	uint32_t *count;
	uint32_t total;
};

static bool log_expire(void *ctx, struct sl_conn *c)
{
	struct exp_log *l = ctx;
	uint32_t idx = sl_ct_index(l->t, c);
	uint32_t id = c->rs_id;

	/* Called before the entry is freed: still indexed both ways. */
	assert_int_equal(lookup(l->t, &c->key[SL_DIR_ORIG], c->proto),
			 sl_ct_ref(idx, false, SL_DIR_ORIG));
	assert_int_equal(lookup(l->t, &c->key[SL_DIR_REPLY], c->proto),
			 sl_ct_ref(idx, false, SL_DIR_REPLY));
	/* And due. */
	assert_false(sl_time_before(l->now, c->expire));
	assert_true(id < l->t->max_conns);
	l->count[id]++;
	l->when[id] = l->now;
	l->total++;
	return true;
}

static void log_init(struct exp_log *l, struct sl_conn_table *t)
{
	l->t = t;
	l->now = 0;
	l->total = 0;
	l->when = calloc(t->max_conns, sizeof(uint32_t));
	l->count = calloc(t->max_conns, sizeof(uint32_t));
	assert_non_null(l->when);
	assert_non_null(l->count);
}

static void log_free(struct exp_log *l)
{
	free(l->when);
	free(l->count);
}

static uint32_t run(struct sl_conn_table *t, struct exp_log *l, uint32_t now)
{
	l->now = now;
	return sl_ct_expire(t, now, UINT32_MAX, log_expire, l);
}

/* Step the clock 1 ms at a time from `from` to `to` (exclusive of `to`),
 * returning how many connections were freed. */
static uint32_t run_ms(struct sl_conn_table *t, struct exp_log *l,
		       uint32_t from, uint32_t to)
{
	uint32_t freed = 0;
	for (uint32_t now = from; now != to; now++)
		freed += run(t, l, now);
	return freed;
}

static void test_expire_on_time(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 1000000;
	(void)state;

	/* Expiry times on, just before and just after tick edges. */
	const uint32_t after[] = {0, 1, 63, 64, 65, 127, 128, 1000, 4095, 5000};
	assert_int_equal(sl_ct_init(&t, 64, t0), 0);
	log_init(&l, &t);
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(after); i++)
		add(&t, orig_key(i), reply_key(i), 17, t0 + after[i]);

	assert_int_equal(run_ms(&t, &l, t0, t0 + 6000), SL_ARRAY_SIZE(after));
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(after); i++) {
		assert_int_equal(l.count[i], 1);
		assert_true(l.when[i] >= t0 + after[i]);
		assert_true(l.when[i] <= t0 + after[i] + LATE_MS);
	}
	assert_int_equal(t.nconns, 0);
	log_free(&l);
	sl_ct_destroy(&t);
}

/* An empty table catches its wheel up to a clock moved on by minutes in
 * one call; entries filed after that still expire on time. */
static void test_empty_catch_up(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 1000000, t1 = t0 + 300000;
	const uint32_t after[] = {0, 100, 9000};
	(void)state;

	assert_int_equal(sl_ct_init(&t, 64, t0), 0);
	log_init(&l, &t);
	assert_int_equal(sl_ct_expire(&t, t1, 1, NULL, NULL), 0);
	assert_int_equal(t.wheel.cur_tick, t1 >> t.wheel.tick_shift);
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(after); i++)
		add(&t, orig_key(i), reply_key(i), 17, t1 + after[i]);
	assert_int_equal(run_ms(&t, &l, t1, t1 + 10000), SL_ARRAY_SIZE(after));
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(after); i++) {
		assert_true(l.when[i] >= t1 + after[i]);
		assert_true(l.when[i] <= t1 + after[i] + LATE_MS);
	}
	log_free(&l);
	sl_ct_destroy(&t);
}

/* Later expiry is recorded in place; the entry is re-filed when its old
 * tick fires, and freed at the new time. */
static void test_lazy_rearm(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 500000;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 8, t0), 0);
	log_init(&l, &t);
	struct sl_conn *c = add(&t, orig_key(1), reply_key(1), 6, t0 + 1000);
	uint32_t tick = sl_ct_timer_tick(&t, c);
	assert_int_equal(run_ms(&t, &l, t0, t0 + 500), 0);

	sl_ct_set_expire(&t, c, t0 + 5000);
	assert_int_equal(c->expire, t0 + 5000);
	assert_int_equal(sl_ct_timer_tick(&t, c), tick); /* not moved yet */

	assert_int_equal(run_ms(&t, &l, t0 + 500, t0 + 5000), 0);
	assert_int_not_equal(sl_ct_timer_tick(&t, c), tick); /* re-filed on firing */
	assert_int_equal(lookup(&t, &c->key[0], 6), 0);
	assert_int_equal(run_ms(&t, &l, t0 + 5000, t0 + 5000 + LATE_MS + 1), 1);
	assert_true(l.when[0] >= t0 + 5000);
	log_free(&l);
	sl_ct_destroy(&t);
}

/* Earlier expiry re-files the entry at once and it goes on time. */
static void test_set_expire_earlier(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 700000;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 8, t0), 0);
	log_init(&l, &t);
	struct sl_conn *a = add(&t, orig_key(1), reply_key(1), 6, t0 + 100000);
	struct sl_conn *b = add(&t, orig_key(2), reply_key(2), 6, t0 + 100000);
	assert_int_equal(run_ms(&t, &l, t0, t0 + 10), 0);

	sl_ct_set_expire(&t, a, t0 + 1000);
	assert_int_equal(sl_ct_timer_tick(&t, a), (t0 + 1000) / TICK_MS);
	/* Into the past: due at the next tick. */
	sl_ct_set_expire(&t, b, t0);
	assert_int_equal(run_ms(&t, &l, t0 + 10, t0 + 1000), 1);
	assert_int_equal(l.count[1], 1);
	assert_true(l.when[1] <= t0 + 10 + LATE_MS);
	assert_int_equal(run_ms(&t, &l, t0 + 1000, t0 + 1000 + LATE_MS + 1), 1);
	assert_int_equal(l.count[0], 1);
	assert_true(l.when[0] >= t0 + 1000);
	log_free(&l);
	sl_ct_destroy(&t);
}

static void test_expire_budget(void **state)
{
	struct sl_conn_table t;
	const uint32_t t0 = 100000;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 128, t0), 0);
	for (uint32_t i = 0; i < 100; i++)
		add(&t, orig_key(i), reply_key(i), 17, t0 + 100);
	assert_int_equal(sl_ct_expire(&t, t0 + 1000, 0, NULL, NULL), 0);
	for (int call = 0; call < 10; call++) {
		assert_int_equal(sl_ct_expire(&t, t0 + 1000, 10, NULL, NULL), 10);
		assert_int_equal(t.nconns, 90 - 10 * (uint32_t)call);
	}
	assert_int_equal(sl_ct_expire(&t, t0 + 1000, 10, NULL, NULL), 0);

	/* Re-filing an entry that is not yet due also uses the budget. */
	struct sl_conn *c[20];
	for (uint32_t i = 0; i < 20; i++) {
		c[i] = add(&t, orig_key(i), reply_key(i), 17, t0 + 2000);
		sl_ct_set_expire(&t, c[i], t0 + 900000);
	}
	assert_int_equal(sl_ct_expire(&t, t0 + 3000, 5, NULL, NULL), 0);
	uint32_t moved = 0;
	for (uint32_t i = 0; i < 20; i++)
		moved += sl_ct_timer_tick(&t, c[i]) != (t0 + 2000) / TICK_MS;
	assert_int_equal(moved, 5);
	assert_int_equal(sl_ct_expire(&t, t0 + 3000, UINT32_MAX, NULL, NULL), 0);
	assert_int_equal(t.nconns, 20);
	sl_ct_destroy(&t);
}

/* A timeout longer than the wheel's span is neither early nor lost. */
static void test_long_timeout(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 3000000;
	const uint32_t span[] = {WHEEL_SPAN_MS - TICK_MS, WHEEL_SPAN_MS,
				 WHEEL_SPAN_MS + 1, 2 * WHEEL_SPAN_MS + 77,
				 20 * 60 * 1000};
	(void)state;

	assert_int_equal(sl_ct_init(&t, 8, t0), 0);
	log_init(&l, &t);
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(span); i++)
		add(&t, orig_key(i), reply_key(i), 6, t0 + span[i]);
	for (uint32_t now = t0; now < t0 + 20 * 60 * 1000 + 1000; now += 16)
		run(&t, &l, now);
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(span); i++) {
		assert_int_equal(l.count[i], 1);
		assert_true(l.when[i] >= t0 + span[i]);
		assert_true(l.when[i] <= t0 + span[i] + LATE_MS + 16);
	}
	log_free(&l);
	sl_ct_destroy(&t);
}

/* A randomised run: connections come and go with timeouts up to three
 * wheel spans, some get later or earlier expiry while alive, the clock
 * moves in uneven steps from `start` (which may be near the uint32 wrap).
 * Every connection is freed exactly once, never early, at most a couple
 * of ticks plus one step late. */
static void simulate(uint32_t start, uint64_t seed)
{
	const uint32_t n = 3000, max_step = 100;
	const uint32_t max_timeout = 3 * WHEEL_SPAN_MS;
	struct sl_conn_table t;
	struct exp_log l;
	uint32_t *expire = calloc(n, sizeof(uint32_t));
	uint32_t *slot = calloc(n, sizeof(uint32_t));

	fr_seed(seed);
	assert_non_null(expire);
	assert_non_null(slot);
	assert_int_equal(sl_ct_init(&t, n, start), 0);
	log_init(&l, &t);

	uint32_t now = start, inserted = 0;
	for (uint32_t elapsed = 0; elapsed < 2 * max_timeout + 10000;) {
		/* New connections during the first half. */
		if (inserted < n && elapsed < max_timeout && fr_below(8) == 0) {
			uint32_t i = inserted++;
			expire[i] = now + fr_below(max_timeout);
			struct sl_conn *c = fill(&t, orig_key(i), reply_key(i),
						 6, expire[i]);
			c->rs_id = (uint16_t)i;
			assert_int_equal(sl_ct_insert(&t, c), 0);
			slot[i] = sl_ct_index(&t, c);
		}
		/* Traffic on a live one: later, or a FIN: earlier. */
		if (inserted && elapsed < max_timeout && fr_below(4) == 0) {
			uint32_t i = fr_below(inserted);
			if (l.count[i] == 0) {
				uint32_t e = now + fr_below(max_timeout);
				expire[i] = e;
				assert_int_equal(t.conns[slot[i]].rs_id, i);
				sl_ct_set_expire(&t, &t.conns[slot[i]], e);
			}
		}
		uint32_t step = 1 + fr_below(max_step);
		now += step;
		elapsed += step;
		run(&t, &l, now);
	}
	assert_int_equal(inserted, n);
	assert_int_equal(l.total, n);
	assert_int_equal(t.nconns, 0);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(l.count[i], 1);
		int32_t late = (int32_t)(l.when[i] - expire[i]);
		assert_true(late >= 0);
		assert_true(late <= (int32_t)(LATE_MS + max_step));
	}
	check_index(&t);
	log_free(&l);
	sl_ct_destroy(&t);
	free(expire);
	free(slot);
}

static void test_expire_random(void **state)
{
	(void)state;
	simulate(1000000, 21);
	simulate(0, 22);
}

/* The millisecond clock wraps every 49.7 days. */
static void test_time_wrap(void **state)
{
	(void)state;
	simulate(UINT32_MAX - 100000, 23);
	simulate(UINT32_MAX - 3 * WHEEL_SPAN_MS / 2, 24);
	simulate(UINT32_MAX, 25);
}

/* A freed slot is reused with none of its old keys still indexed. */
static void test_reuse_after_expiry(void **state)
{
	struct sl_conn_table t;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 1, 0), 0);
	struct sl_v4key ao = orig_key(1), ar = reply_key(1);
	struct sl_v4key bo = orig_key(2), br = reply_key(2);
	add(&t, ao, ar, 6, 100);
	assert_null(sl_ct_alloc(&t));
	assert_int_equal(sl_ct_expire(&t, 1000, 16, NULL, NULL), 1);

	struct sl_conn *c = add(&t, bo, br, 6, 10000);
	assert_ptr_equal(c, &t.conns[0]);
	assert_int_equal(lookup(&t, &ao, 6), SL_CT_NONE);
	assert_int_equal(lookup(&t, &ar, 6), SL_CT_NONE);
	assert_int_equal(lookup(&t, &bo, 6), 0);
	assert_int_equal(lookup(&t, &br, 6), 1);
	/* Its timer is its own: not due at the old time. */
	assert_int_equal(sl_ct_expire(&t, 2000, 16, NULL, NULL), 0);
	assert_int_equal(sl_ct_expire(&t, 10200, 16, NULL, NULL), 1);
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
		cmocka_unit_test(test_expire_on_time),
		cmocka_unit_test(test_empty_catch_up),
		cmocka_unit_test(test_lazy_rearm),
		cmocka_unit_test(test_set_expire_earlier),
		cmocka_unit_test(test_expire_budget),
		cmocka_unit_test(test_long_timeout),
		cmocka_unit_test(test_expire_random),
		cmocka_unit_test(test_time_wrap),
		cmocka_unit_test(test_reuse_after_expiry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
