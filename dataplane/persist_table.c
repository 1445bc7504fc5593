/* SPDX-License-Identifier: BSD-3-Clause */
/* The merged persistence templates, a lock-free DPDK hash (see
 * persist_table.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "persist_table.h"

/* The key: padding zeroed, since the hash reads all eight bytes. */
struct persist_key {
	sl_be32 ip;
	uint16_t svc_id;
	uint16_t zero;
};

static struct persist_key key_of(uint16_t svc_id, sl_be32 ip)
{
	return (struct persist_key){.ip = ip, .svc_id = svc_id};
}

/* A template's server and expiry in the hash's data word: read and
 * written whole, so a worker never sees one without the other. */
static void *pack(uint16_t rs_id, uint32_t expire_ms)
{
	return (void *)(uintptr_t)((uint64_t)rs_id << 32 | expire_ms);
}

static uint16_t packed_rs(const void *data)
{
	return (uint16_t)((uintptr_t)data >> 32);
}

static uint32_t packed_expire(const void *data)
{
	return (uint32_t)(uintptr_t)data;
}

static bool packed_live(const void *data, uint32_t now_ms)
{
	return sl_time_before(now_ms, packed_expire(data));
}

struct sl_persist_table *sl_persist_table_create(uint32_t max, uint32_t pending,
						 struct rte_rcu_qsbr *qs)
{
	static unsigned serial; /* hash names are global in DPDK */
	struct sl_persist_table *t = calloc(1, sizeof(*t));
	char name[RTE_HASH_NAMESIZE];

	if (!t)
		return NULL;
	snprintf(name, sizeof(name), "sl_persist_%u", serial++);
	/* Room beyond the cap for deleted slots still waiting for the
	 * workers' grace period, and for the hash's own slack. */
	struct rte_hash_parameters params = {
		.name = name,
		.entries = max + max / 8 + pending,
		.key_len = sizeof(struct persist_key),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rcu = {.v = qs, .mode = RTE_HASH_QSBR_MODE_DQ};

	t->h = rte_hash_create(&params);
	if (!t->h || rte_hash_rcu_qsbr_add(t->h, &rcu) != 0) {
		sl_persist_table_free(t);
		return NULL;
	}
	t->max = max ? max : 1;
	return t;
}

void sl_persist_table_free(struct sl_persist_table *t)
{
	if (t)
		rte_hash_free(t->h);
	free(t);
}

bool sl_persist_table_find(const struct sl_persist_table *t, uint16_t svc_id,
			   sl_be32 ip, uint32_t now_ms, uint16_t *rs_id)
{
	struct persist_key k = key_of(svc_id, ip);
	void *data;

	if (rte_hash_lookup_data(t->h, &k, &data) < 0 || !packed_live(data, now_ms))
		return false;
	*rs_id = packed_rs(data);
	return true;
}

bool sl_persist_table_get(const struct sl_persist_table *t, uint16_t svc_id,
			  sl_be32 ip, struct sl_persist_entry *out)
{
	struct persist_key k = key_of(svc_id, ip);
	void *data;

	if (rte_hash_lookup_data(t->h, &k, &data) < 0)
		return false;
	*out = (struct sl_persist_entry){.ip = ip, .svc_id = svc_id,
					 .rs_id = packed_rs(data),
					 .expire_ms = packed_expire(data)};
	return true;
}

static void delete(struct sl_persist_table *t, struct persist_key k)
{
	if (rte_hash_del_key(t->h, &k) >= 0)
		t->n--;
}

/* The next template from the cursor, wrapping once at the end. */
static bool next_template(struct sl_persist_table *t, struct persist_key *k,
			  void **data)
{
	const void *key;

	for (int pass = 0; pass < 2; pass++) {
		if (rte_hash_iterate(t->h, &key, data, &t->cursor) >= 0) {
			*k = *(const struct persist_key *)key;
			return true;
		}
		t->cursor = 0;
	}
	return false;
}

/* At the cap: the first expired template of a sample goes, else the
 * sample's nearest expiry (counted). False when there was none to go. */
static bool make_room(struct sl_persist_table *t, uint32_t now_ms)
{
	struct persist_key k, victim;
	uint32_t least = UINT32_MAX;
	void *data;

	for (unsigned i = 0; i < SL_PERSIST_SAMPLE && next_template(t, &k, &data); i++) {
		if (!packed_live(data, now_ms)) {
			delete(t, k);
			return true;
		}
		if (packed_expire(data) - now_ms < least) {
			least = packed_expire(data) - now_ms;
			victim = k;
		}
	}
	if (least == UINT32_MAX)
		return false;
	delete(t, victim);
	t->evicted++;
	return true;
}

int sl_persist_table_put(struct sl_persist_table *t, uint16_t svc_id,
			 sl_be32 ip, uint16_t rs_id, uint32_t expire_ms,
			 bool fresh, uint32_t now_ms)
{
	struct persist_key k = key_of(svc_id, ip);

	if (fresh)
		while (t->n >= t->max && make_room(t, now_ms))
			;
	int rc = rte_hash_add_key_data(t->h, &k, pack(rs_id, expire_ms));
	if (rc == -ENOSPC && fresh) {
		/* Slots still in the grace period: give up one more. */
		make_room(t, now_ms);
		rc = rte_hash_add_key_data(t->h, &k, pack(rs_id, expire_ms));
	}
	if (rc != 0) {
		t->refused += fresh;
		return -1;
	}
	t->n += fresh;
	return 0;
}

uint32_t sl_persist_table_sweep(struct sl_persist_table *t, uint32_t now_ms,
				uint32_t budget)
{
	struct persist_key k;
	uint32_t gone = 0;
	void *data;

	for (uint32_t i = 0; i < budget && t->n > 0; i++) {
		if (!next_template(t, &k, &data))
			break;
		if (!packed_live(data, now_ms)) {
			delete(t, k);
			gone++;
		}
	}
	return gone;
}

void sl_persist_table_copy(struct sl_persist_table *to,
			   const struct sl_persist_table *from, uint32_t now_ms)
{
	const void *key;
	void *data;
	uint32_t next = 0;

	while (to->n < to->max && rte_hash_iterate(from->h, &key, &data, &next) >= 0) {
		const struct persist_key *k = key;
		if (packed_live(data, now_ms))
			sl_persist_table_put(to, k->svc_id, k->ip, packed_rs(data),
					     packed_expire(data), true, now_ms);
	}
}
