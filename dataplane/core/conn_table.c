/* SPDX-License-Identifier: BSD-3-Clause */
/* Connection table: pool, two-key hash index and timer wheel (see conn.h). */
#include <errno.h>
#include <string.h>

#include "conn6.h"
#include "mem.h"

#define WHEEL_SLOTS 8192u   /* power of two */
#define WHEEL_TICK_SHIFT 6u /* 64 ms ticks: 8192 of them span ~9 minutes */
#define NIL UINT32_MAX

_Static_assert(WHEEL_SLOTS <= 1u << 13, "a wheel slot fits conn.h timer_slot");

static const char *const state_names[SL_CS_MAX] = {
#define SL_CS_NAME(id, name) [SL_CS_##id] = name,
	SL_CONN_STATES(SL_CS_NAME)
#undef SL_CS_NAME
};

const char *sl_conn_state_name(unsigned state)
{
	return state < SL_CS_MAX ? state_names[state] : "invalid";
}

static uint32_t pow2_at_least(uint64_t n)
{
	uint32_t p = 8;
	while (p < n && p < (1u << 31))
		p <<= 1;
	return p;
}

static size_t ext_bytes(uint32_t max_ext)
{
	return (size_t)max_ext * sizeof(struct sl_conn_ext);
}

/* Two keys per connection, four keys per seven-slot bucket. */
static uint32_t nbuckets_for(uint32_t max_conns)
{
	return pow2_at_least((uint64_t)max_conns * 2 / SL_CT_KEYS_PER_BUCKET);
}

/* The wheel's heads live in the buckets when there are enough of them:
 * 8,192 buckets, which nbuckets_for gives from 8,194 connections
 * (8,193 get 4,096); a smaller table has its own 32 KB array. */
static size_t wheel_bytes_for(uint32_t nbuckets)
{
	return nbuckets >= WHEEL_SLOTS ? 0 : WHEEL_SLOTS * sizeof(uint32_t);
}

size_t sl_ct_mem_bytes(uint32_t max_conns, uint32_t max_ext)
{
	uint32_t nbuckets = nbuckets_for(max_conns);

	return (size_t)max_conns * sizeof(struct sl_conn) +
	       (size_t)nbuckets * sizeof(struct sl_ct_bucket) +
	       wheel_bytes_for(nbuckets) + ext_bytes(max_ext);
}

size_t sl_ct_resident_bytes(uint32_t max_conns, uint32_t max_ext)
{
	uint32_t nbuckets = nbuckets_for(max_conns);

	return sl_mem_resident((size_t)max_conns * sizeof(struct sl_conn)) +
	       sl_mem_resident((size_t)nbuckets * sizeof(struct sl_ct_bucket)) +
	       sl_mem_resident(wheel_bytes_for(nbuckets)) +
	       sl_mem_resident(ext_bytes(max_ext));
}

int sl_ct_init_ext(struct sl_conn_table *t, uint32_t max_conns, uint32_t max_ext,
		   uint32_t now_ms)
{
	memset(t, 0, sizeof(*t));
	if (max_conns == 0 || max_conns > SL_CT_MAX_CONNS || max_ext > max_conns)
		return -EINVAL;

	uint32_t nbuckets = nbuckets_for(max_conns);
	size_t conn_bytes = (size_t)max_conns * sizeof(struct sl_conn);
	size_t bucket_bytes = (size_t)nbuckets * sizeof(struct sl_ct_bucket);
	size_t wheel_bytes = wheel_bytes_for(nbuckets);

	t->conns = sl_mem_alloc(conn_bytes);
	t->buckets = sl_mem_alloc(bucket_bytes);
	t->wheel.heads = wheel_bytes ? sl_mem_alloc(wheel_bytes) : NULL;
	t->exts = max_ext ? sl_mem_alloc(ext_bytes(max_ext)) : NULL;
	if (!t->conns || !t->buckets || (wheel_bytes && !t->wheel.heads) ||
	    (max_ext && !t->exts)) {
		sl_mem_free(t->conns, conn_bytes);
		sl_mem_free(t->buckets, bucket_bytes);
		sl_mem_free(t->wheel.heads, wheel_bytes);
		sl_mem_free(t->exts, ext_bytes(max_ext));
		memset(t, 0, sizeof(*t));
		return -ENOMEM;
	}
	t->mem_bytes = sl_ct_mem_bytes(max_conns, max_ext);
	t->max_conns = max_conns;
	t->max_ext = max_ext;
	t->bucket_mask = nbuckets - 1;
	t->wheel.mask = WHEEL_SLOTS - 1;
	t->wheel.tick_shift = WHEEL_TICK_SHIFT;
	sl_ct_clear(t, now_ms);
	return 0;
}

int sl_ct_init(struct sl_conn_table *t, uint32_t max_conns, uint32_t now_ms)
{
	return sl_ct_init_ext(t, max_conns, SL_CT_EXT_DEFAULT(max_conns), now_ms);
}

void sl_ct_clear(struct sl_conn_table *t, uint32_t now_ms)
{
	uint32_t nbuckets = t->bucket_mask + 1;

	memset(t->conns, 0, (size_t)t->max_conns * sizeof(struct sl_conn));
	memset(t->buckets, 0, (size_t)nbuckets * sizeof(struct sl_ct_bucket));
	for (uint32_t b = 0; b < nbuckets; b++) {
		for (unsigned i = 0; i < SL_CT_SLOTS; i++)
			t->buckets[b].ref[i] = SL_CT_NONE;
		t->buckets[b].wheel_head = NIL;
	}
	/* Free list in index order so a fresh table fills from the start. */
	for (uint32_t i = 0; i < t->max_conns; i++)
		t->conns[i].timer_next = i + 1 < t->max_conns ? i + 1 : NIL;
	t->free_head = 0;
	t->nconns = 0;
	for (uint32_t i = 0; i < t->max_ext; i++)
		t->exts[i].free_next = i + 1 < t->max_ext ? i + 1 : NIL;
	t->ext_free = t->max_ext ? 0 : NIL;
	t->ext_used = 0;
	t->wheel.cur_tick = now_ms >> WHEEL_TICK_SHIFT;
	/* Every head NIL (all ones): one memset, not 8192 stores. */
	_Static_assert(NIL == 0xffffffffu, "NIL is all ones");
	if (t->wheel.heads)
		memset(t->wheel.heads, 0xff, WHEEL_SLOTS * sizeof(*t->wheel.heads));
}

void sl_ct_destroy(struct sl_conn_table *t)
{
	uint32_t nbuckets = t->bucket_mask + 1;
	sl_mem_free(t->conns, (size_t)t->max_conns * sizeof(struct sl_conn));
	if (t->buckets)
		sl_mem_free(t->buckets, (size_t)nbuckets * sizeof(struct sl_ct_bucket));
	sl_mem_free(t->wheel.heads, wheel_bytes_for(nbuckets));
	sl_mem_free(t->exts, ext_bytes(t->max_ext));
	memset(t, 0, sizeof(*t));
}

/* ---- pool ---- */

struct sl_conn *sl_ct_alloc(struct sl_conn_table *t)
{
	if (t->free_head == NIL)
		return NULL;
	struct sl_conn *c = &t->conns[t->free_head];
	t->free_head = c->timer_next;
	memset(c, 0, sizeof(*c));
	t->nconns++;
	return c;
}

/* ---- extension pool ---- */

int sl_ct_add_ext(struct sl_conn_table *t, struct sl_conn *c, unsigned v6)
{
	/* A v6 REPLY keeps its destination in the v4 ORIG key's address
	 * field (conn.h), so it needs a v6 ORIG. */
	if ((v6 & ~(unsigned)(SL_CONN_X_V6_ORIG | SL_CONN_X_V6_REPLY)) ||
	    v6 == SL_CONN_X_V6_REPLY || (c->shape & SL_CONN_X_EXT))
		return -EINVAL;
	if (t->ext_free == NIL) {
		t->ext_failures++;
		return -ENOSPC;
	}
	uint32_t xi = t->ext_free;
	struct sl_conn_ext *x = &t->exts[xi];

	t->ext_free = x->free_next;
	t->ext_used++;
	memset(x, 0, sizeof(*x));
	x->created = c->created_or_ext;
	c->created_or_ext = xi;
	c->shape = (uint16_t)(SL_CONN_X_EXT | v6);
	return 0;
}

static __attribute__((noinline, cold)) void ext_free(struct sl_conn_table *t,
							  struct sl_conn *c)
{
	uint32_t xi = c->created_or_ext;

	t->exts[xi].free_next = t->ext_free;
	t->ext_free = xi;
	t->ext_used--;
	c->shape = 0;
	c->created_or_ext = 0;
}

void sl_ct_abandon(struct sl_conn_table *t, struct sl_conn *c)
{
	if (sl_unlikely(c->shape & SL_CONN_X_EXT))
		ext_free(t, c);
	c->state = SL_CS_FREE;
	c->timer_next = t->free_head;
	t->free_head = sl_ct_index(t, c);
	t->nconns--;
}

/* ---- index ---- */

static int index_add(struct sl_conn_table *t, uint32_t hash, uint32_t ref)
{
	uint32_t home = hash & t->bucket_mask;
	uint32_t bi = home;

	for (unsigned probe = 0; probe < SL_CT_MAX_PROBE; probe++) {
		struct sl_ct_bucket *b = &t->buckets[bi];
		for (unsigned i = 0; i < SL_CT_SLOTS; i++) {
			if (b->ref[i] != SL_CT_NONE)
				continue;
			b->sig[i] = hash;
			b->ref[i] = ref;
			/* Count the key in every bucket it passed over. */
			for (uint32_t p = home; p != bi; p = (p + 1) & t->bucket_mask)
				t->buckets[p].overflow++;
			return 0;
		}
		bi = (bi + 1) & t->bucket_mask;
	}
	return -ENOSPC;
}

static void index_del(struct sl_conn_table *t, uint32_t hash, uint32_t ref)
{
	uint32_t home = hash & t->bucket_mask;
	uint32_t bi = home;

	for (unsigned probe = 0; probe < SL_CT_MAX_PROBE; probe++) {
		struct sl_ct_bucket *b = &t->buckets[bi];
		for (unsigned i = 0; i < SL_CT_SLOTS; i++) {
			if (b->ref[i] != ref)
				continue;
			b->ref[i] = SL_CT_NONE;
			for (uint32_t p = home; p != bi; p = (p + 1) & t->bucket_mask)
				t->buckets[p].overflow--;
			return;
		}
		bi = (bi + 1) & t->bucket_mask;
	}
}

/* Out of line, so that the v4 case inlines as it did before v6. */
static __attribute__((noinline, cold)) uint32_t
conn_hash6(const struct sl_conn_table *t, const struct sl_conn *c, enum sl_dir dir)
{
	struct sl_v6key k6;

	sl_ct_get_v6key(t, c, dir, &k6);
	return sl_flow_hash6(&k6, c->proto);
}

static inline uint32_t conn_hash(const struct sl_conn_table *t,
				 const struct sl_conn *c, enum sl_dir dir)
{
	if (sl_likely(!sl_conn_v6(c, dir)))
		return sl_flow_hash(&c->key[dir], c->proto);
	return conn_hash6(t, c, dir);
}

static uint32_t conn_ref(const struct sl_conn_table *t, const struct sl_conn *c,
			 enum sl_dir dir)
{
	return sl_ct_ref(sl_ct_index(t, c), sl_conn_v6(c, dir), dir);
}

/* ---- wheel ---- */

static uint32_t wheel_tick_of(const struct sl_wheel *w, uint32_t ms)
{
	return ms >> w->tick_shift;
}

/* Ticks come from a millisecond clock that wraps at 2^32, so they wrap at
 * 2^(32 - tick_shift): compare them in that space, not as plain uint32
 * (cur_tick counts on past the wrap while fresh ticks start again at 0). */
static bool tick_before(const struct sl_wheel *w, uint32_t a, uint32_t b)
{
	return sl_time_before(a << w->tick_shift, b << w->tick_shift);
}

static uint32_t *wheel_head(struct sl_conn_table *t, uint32_t slot)
{
	return t->wheel.heads ? &t->wheel.heads[slot] : &t->buckets[slot].wheel_head;
}

static void wheel_link(struct sl_conn_table *t, struct sl_conn *c)
{
	struct sl_wheel *w = &t->wheel;
	uint32_t tick = wheel_tick_of(w, c->expire);

	/* Never file into a tick already passed, nor beyond the wheel's
	 * span: an entry filed early is simply re-filed when it fires. */
	if (tick_before(w, tick, w->cur_tick + 1))
		tick = w->cur_tick + 1;
	if (!tick_before(w, tick, w->cur_tick + w->mask))
		tick = w->cur_tick + w->mask;

	uint32_t idx = sl_ct_index(t, c);
	uint32_t *head = wheel_head(t, tick & w->mask);
	c->timer_slot = (uint16_t)(tick & w->mask);
	c->timer_prev = NIL;
	c->timer_next = *head;
	if (*head != NIL)
		t->conns[*head].timer_prev = idx;
	*head = idx;
}

static void wheel_unlink(struct sl_conn_table *t, struct sl_conn *c)
{
	if (c->timer_prev != NIL)
		t->conns[c->timer_prev].timer_next = c->timer_next;
	else
		*wheel_head(t, c->timer_slot) = c->timer_next;
	if (c->timer_next != NIL)
		t->conns[c->timer_next].timer_prev = c->timer_prev;
}

int sl_ct_insert(struct sl_conn_table *t, struct sl_conn *c)
{
	uint32_t h0 = conn_hash(t, c, SL_DIR_ORIG);
	uint32_t h1 = conn_hash(t, c, SL_DIR_REPLY);
	uint32_t r0 = conn_ref(t, c, SL_DIR_ORIG);

	if (index_add(t, h0, r0) != 0)
		goto full;
	if (index_add(t, h1, conn_ref(t, c, SL_DIR_REPLY)) != 0) {
		index_del(t, h0, r0);
		goto full;
	}
	wheel_link(t, c);
	return 0;
full:
	t->insert_failures++;
	return -ENOSPC;
}

void sl_ct_refile(struct sl_conn_table *t, struct sl_conn *c)
{
	/* Already due in the next tick: moving would gain nothing. */
	if (tick_before(&t->wheel, t->wheel.cur_tick + 1, sl_ct_timer_tick(t, c))) {
		wheel_unlink(t, c);
		wheel_link(t, c);
	}
}

static void conn_free(struct sl_conn_table *t, struct sl_conn *c)
{
	index_del(t, conn_hash(t, c, SL_DIR_ORIG), conn_ref(t, c, SL_DIR_ORIG));
	index_del(t, conn_hash(t, c, SL_DIR_REPLY), conn_ref(t, c, SL_DIR_REPLY));
	sl_ct_abandon(t, c);
}

void sl_ct_remove(struct sl_conn_table *t, struct sl_conn *c)
{
	wheel_unlink(t, c);
	conn_free(t, c);
}

uint32_t sl_ct_expire(struct sl_conn_table *t, uint32_t now_ms, uint32_t budget,
		      sl_ct_expire_fn fn, void *ctx)
{
	struct sl_wheel *w = &t->wheel;
	uint32_t now_tick = wheel_tick_of(w, now_ms);
	uint32_t freed = 0;

	/* Only allocated entries are on the wheel: with none, every tick up
	 * to now is empty, so catch up at once instead of walking them (a
	 * clock moved on by minutes is thousands of ticks). */
	if (t->nconns == 0 && tick_before(w, w->cur_tick, now_tick))
		w->cur_tick = now_tick;
	/* Only ticks strictly before the current one are run, so an entry
	 * re-filed while its tick runs always lands in a later tick. */
	while (budget > 0 && tick_before(w, w->cur_tick, now_tick)) {
		uint32_t *head = wheel_head(t, w->cur_tick & w->mask);
		if (*head == NIL) {
			w->cur_tick++;
			continue;
		}
		struct sl_conn *c = &t->conns[*head];
		budget--;
		wheel_unlink(t, c);
		if (sl_time_before(now_ms, c->expire)) {
			wheel_link(t, c);
			continue;
		}
		if (fn && !fn(ctx, c)) {
			wheel_link(t, c); /* kept, with its new expiry */
			continue;
		}
		conn_free(t, c);
		freed++;
	}
	return freed;
}
