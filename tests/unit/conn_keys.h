/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the connection-table tests share (test_conn_table.c,
 * test_conn_expiry.c, test_conn_v6.c): IPv4 keys (numbered, random, or
 * with a chosen home bucket), entries filled and inserted, an entry's
 * reference, and the index check against what conn.h promises.
 * Header-only and static inline, like frames.h (one binary per test file).
 * Include after <cmocka.h>, "conn.h" and "frames.h".
 */
#ifndef SL_TEST_CONN_KEYS_H
#define SL_TEST_CONN_KEYS_H

#include <stdlib.h>

static inline struct sl_v4key mkkey(uint32_t sa, uint32_t da, uint16_t sp, uint16_t dp)
{
	struct sl_v4key k = {sl_htonl(sa), sl_htonl(da), sl_htons(sp), sl_htons(dp)};
	return k;
}

/* Distinct client and server keys for connection number i. */
static inline struct sl_v4key orig_key(uint32_t i)
{
	return mkkey(0x0a000000 + i, 0xc6120101, (uint16_t)(1024 + i % 50000), 80);
}

static inline struct sl_v4key reply_key(uint32_t i)
{
	return mkkey(0xc6130000 + (i & 0xffff), 0xc6140000 + (i >> 16), 8080,
		     (uint16_t)(1024 + i % 60000));
}

static inline struct sl_v4key random_key(void)
{
	return mkkey(fr_rand32(), fr_rand32(), (uint16_t)fr_rand32(),
		     (uint16_t)fr_rand32());
}

static inline uint32_t lookup(const struct sl_conn_table *t, const struct sl_v4key *k,
		       uint8_t proto)
{
	return sl_ct_lookup(t, k, proto, sl_flow_hash(k, proto));
}

static inline uint32_t home_of(const struct sl_conn_table *t, const struct sl_v4key *k,
			uint8_t proto)
{
	return sl_flow_hash(k, proto) & t->bucket_mask;
}

/* A key of `proto` whose home bucket is `home`. */
static inline struct sl_v4key key_with_home(const struct sl_conn_table *t,
				     uint8_t proto, uint32_t home)
{
	for (;;) {
		struct sl_v4key k = random_key();
		if (home_of(t, &k, proto) == home)
			return k;
	}
}

/* A key of `proto` whose home bucket is in [lo, hi). */
static inline struct sl_v4key key_with_home_in(const struct sl_conn_table *t,
					uint8_t proto, uint32_t lo, uint32_t hi)
{
	for (;;) {
		struct sl_v4key k = random_key();
		uint32_t h = home_of(t, &k, proto);
		if (h >= lo && h < hi)
			return k;
	}
}

static inline struct sl_conn *fill(struct sl_conn_table *t, struct sl_v4key o,
			    struct sl_v4key r, uint8_t proto, uint32_t expire)
{
	struct sl_conn *c = sl_ct_alloc(t);
	assert_non_null(c);
	c->key[SL_DIR_ORIG] = o;
	c->key[SL_DIR_REPLY] = r;
	c->proto = proto;
	c->state = proto == SL_IPPROTO_TCP ? SL_CS_TCP_ESTABLISHED : SL_CS_UDP;
	c->expire = expire;
	/* The table never reads rs_id: the tests use it as a name that
	 * survives slot reuse (see struct exp_log). */
	c->rs_id = (uint16_t)sl_ct_index(t, c);
	return c;
}

static inline struct sl_conn *add(struct sl_conn_table *t, struct sl_v4key o,
			   struct sl_v4key r, uint8_t proto, uint32_t expire)
{
	struct sl_conn *c = fill(t, o, r, proto, expire);
	assert_int_equal(sl_ct_insert(t, c), 0);
	return c;
}

static inline uint32_t ref_of(const struct sl_conn_table *t, const struct sl_conn *c,
		       enum sl_dir dir)
{
	return sl_ct_ref(sl_ct_index(t, c), sl_conn_v6(c, dir), dir);
}

/* The index is exactly what conn.h says: every live reference sits within
 * probe distance of its home under the right signature, each live
 * connection has its two keys indexed once each, and every bucket's
 * overflow counts the keys that passed over it. */
static inline void check_index(const struct sl_conn_table *t)
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

#endif
