/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 keys in the connection table (conn.h says where they live): storing
 * and reading one through a connection's entry and extension, comparing
 * one, and the v6 lookup. A v6 key's 36 bytes are handled as four 8-byte
 * address words and one 4-byte port word, the way flow.h hashes them; its
 * ports are always entry key[dir].sport/dport, as a v4 key's.
 */
#ifndef SL_CONN6_H
#define SL_CONN6_H

#include "conn.h"

_Static_assert(SL_DIR_ORIG == 0 && SL_DIR_REPLY == 1,
	       "SL_CONN_X_V6_ORIG << dir names the direction's bit");

/* Where key[dir]'s address words are: a[0..3] point at 8 bytes each. */
static inline void sl_ct_v6_places(const struct sl_conn_table *t,
				   const struct sl_conn *c, enum sl_dir dir,
				   uint8_t *a[4])
{
	struct sl_conn_ext *x = sl_ct_ext(t, c);

	if (dir == SL_DIR_ORIG) {
		for (unsigned i = 0; i < 4; i++)
			a[i] = x->orig6 + 8 * i;
		return;
	}
	/* REPLY: its source in the extension, its destination in the two
	 * v4 address fields a v6-both-ways entry leaves free. */
	a[0] = x->reply6_saddr;
	a[1] = x->reply6_saddr + 8;
	a[2] = (uint8_t *)&c->key[SL_DIR_ORIG];
	a[3] = (uint8_t *)&c->key[SL_DIR_REPLY];
}

/* Read key[dir] of a connection whose key[dir] is IPv6. */
static inline void sl_ct_get_v6key(const struct sl_conn_table *t,
				   const struct sl_conn *c, enum sl_dir dir,
				   struct sl_v6key *k)
{
	uint8_t *a[4];

	sl_ct_v6_places(t, c, dir, a);
	for (unsigned i = 0; i < 4; i++)
		__builtin_memcpy((uint8_t *)k + 8 * i, a[i], 8);
	k->sport = c->key[dir].sport;
	k->dport = c->key[dir].dport;
}

/* Write key[dir] of a connection given its extension by sl_ct_add_ext()
 * with key[dir] IPv6 (before sl_ct_insert()). */
static inline void sl_ct_set_v6key(const struct sl_conn_table *t,
				   struct sl_conn *c, enum sl_dir dir,
				   const struct sl_v6key *k)
{
	uint8_t *a[4];

	sl_ct_v6_places(t, c, dir, a);
	for (unsigned i = 0; i < 4; i++)
		__builtin_memcpy(a[i], (const uint8_t *)k + 8 * i, 8);
	c->key[dir].sport = k->sport;
	c->key[dir].dport = k->dport;
}

/* Is the connection of v6 reference `ref` this key's? */
static inline bool sl_ct_matches6(const struct sl_conn_table *t, uint32_t ref,
				  const struct sl_v6key *key, uint8_t proto)
{
	const struct sl_conn *c = sl_ct_conn(t, ref);
	enum sl_dir dir = sl_ct_ref_dir(ref);
	uint64_t want[4], have;
	uint32_t ports, ports_have;
	uint8_t *a[4];
	uint64_t diff = 0;

	if (c->proto != proto)
		return false;
	sl_v6key_words(key, want, &ports);
	__builtin_memcpy(&ports_have, &c->key[dir].sport, 4);
	if (ports != ports_have)
		return false;
	sl_ct_v6_places(t, c, dir, a);
	for (unsigned i = 0; i < 4; i++) {
		__builtin_memcpy(&have, a[i], 8);
		diff |= have ^ want[i];
	}
	return diff == 0;
}

static inline bool sl_ct_key6_at(const struct sl_conn_table *t, uint32_t ref,
				 const void *key, uint8_t proto)
{
	return sl_ct_matches6(t, ref, key, proto);
}

/* Find the connection a v6 key belongs to: sl_ct_lookup() for IPv6, with
 * `hash` from sl_flow_hash6(). Returns its reference or SL_CT_NONE. */
static inline uint32_t sl_ct_lookup6(const struct sl_conn_table *t,
				     const struct sl_v6key *key, uint8_t proto,
				     uint32_t hash)
{
	return sl_ct_walk(t, hash, SL_CT_REF_V6, sl_ct_key6_at, key, proto);
}

#endif
