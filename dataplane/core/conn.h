/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's connection table: a pool of 64-byte connection entries, a hash
 * index with two keys per connection, and a timer wheel. One worker owns
 * one table and is its only reader and writer, so nothing here is atomic.
 *
 * Index. Buckets are one cache line: seven (signature, reference) slots and
 * an overflow count. A reference is `conn index << 2 | v6 << 1 |
 * direction`, so a hit says which connection, which way the packet
 * travels and the key's family (see below). A key lives
 * in its home bucket or, when that is full, in one of the next
 * SL_CT_MAX_PROBE - 1 buckets; every bucket it passed over counts it in
 * `overflow`, and a lookup walks on only while that count is non-zero, so a
 * miss usually costs one cache line. Sized at four keys per bucket, overflow
 * is rare (P[Poisson(4) > 7] ~ 5%).
 *
 * Memory per connection, everything included: the 64-byte entry plus two
 * keys at 16 bytes of bucket each (8 bytes of slot at 4/7 load): about
 * 96 bytes. Entries live in one array, so a lookup touches one bucket line
 * and one entry line; both can be prefetched a burst ahead.
 *
 * Both families, one table. An IPv4 connection is its entry alone. A
 * connection that needs more than the line holds (an IPv6 key, NAT64's
 * v6 ORIG key with a v4 REPLY key, TCP sequence deltas for the SYN proxy
 * and Proxy Protocol) takes one 64-byte extension line from the table's
 * extension pool (struct sl_conn_ext). The entry stays the connection: it
 * alone is indexed, timed and dumped, and keeps every field a packet
 * reads. Where things live:
 *
 *   a v4 key        entry key[d], as always (v4 lookups never read the
 *                   extension)
 *   a v6 key        ports in entry key[d].sport/dport (ports are in the
 *                   same place for both families); ORIG's addresses in
 *                   ext->orig6; REPLY's source in ext->reply6_saddr, its
 *                   destination in the 16 bytes the two keys' v4 address
 *                   fields leave free (key[ORIG] then key[REPLY])
 *   created (ms)    entry `created_or_ext`; with an extension the word
 *                   holds the line's index and the time moves to
 *                   ext->created (read it with sl_ct_created())
 *   seq deltas      ext->seq_delta[2]
 *
 * Which it is says `shape` (SL_CONN_X_*), three bits beside the timer
 * slot (the wheel's 8192 slots need 13 of its 16). Shapes: v4 (no
 * extension), v4 with an extension (deltas), v6 ORIG with v4 REPLY
 * (NAT64: a v6 VIP, v4 servers and local addresses) and v6 both ways; a
 * v4 ORIG with a v6 REPLY has no layout (no room for its REPLY
 * destination) and is refused.
 *
 * Budget per connection (entry, extension, index share of two keys):
 *
 *   | connection                  | entry | extension | index | total |
 *   |-----------------------------|-------|-----------|-------|-------|
 *   | v4                          |    64 |         - |    32 |    96 |
 *   | v4 with TCP sequence deltas |    64 |        64 |    32 |   160 |
 *   | NAT64 (v6 ORIG, v4 REPLY)   |    64 |        64 |    32 |   160 |
 *   | v6                          |    64 |        64 |    32 |   160 |
 *
 * The pool is sized when the table is made (default: one line per 16
 * connections, SL_CT_EXT_DEFAULT, 4 bytes per connection of capacity);
 * when it is empty sl_ct_add_ext() fails and counts it, and the caller
 * abandons the entry as it does for a full table.
 *
 * Why these four bytes: the entry's 64 are all used, and the other
 * candidates cost more. nh_gen cannot narrow: it caches the worker's
 * nh_epoch (snapshot plus neighbor generation), and a 16-bit copy would
 * alias after 65,536 changes -- at 100 neighbor changes a second, 11
 * minutes, inside a TCP connection's idle timeout -- and the connection
 * would send through a stale neighbor slot. `created` is read only by a
 * dump (the connection's age), never per packet, so it can move; narrowed
 * instead (16-bit seconds) an age would wrap after 18 hours.
 *
 * Family in the index. A reference is `index << 2 | v6 << 1 | direction`:
 * a v4 lookup skips v6 references (the same test that skips empty
 * slots, SL_CT_NONE having every bit set) and never reads an extension;
 * a v6 lookup (sl_ct_lookup6) matches signatures like a v4 one, then
 * compares the 36-byte key through the entry and its extension (three
 * lines with the bucket, where v4 reads two). A v4
 * and a v6 key with the same signature share a bucket harmlessly. v6
 * keys hash with CRC32-C over their 36 bytes (flow.h sl_flow_hash6).
 *
 * Timers. Each entry carries its expiry time and sits on one list of a
 * wheel of ticks. Traffic only moves `expire` later, in place, without
 * touching the wheel; when a tick fires, entries not yet due are moved to
 * the tick of their new expiry (lazy re-arming, as in Linux conntrack's
 * GC and VPP). Only a state change that brings expiry earlier (FIN, RST)
 * moves an entry at once. Expiry is budgeted per call so a burst of
 * timeouts cannot stall the packet loop.
 */
#ifndef SL_CONN_H
#define SL_CONN_H

#include "dp_types.h"
#include "flow.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Connection states. TCP follows the usual LVS names; UDP and ICMP flows
 * have one state each. Timeouts are indexed by state. */
#define SL_CONN_STATES(X)                                                      \
	X(FREE, "free")                                                        \
	X(TCP_SYN_SENT, "SYN_SENT")                                            \
	X(TCP_SYN_RECV, "SYN_RECV")                                            \
	X(TCP_ESTABLISHED, "ESTABLISHED")                                      \
	X(TCP_FIN_WAIT, "FIN_WAIT")                                            \
	X(TCP_CLOSE_WAIT, "CLOSE_WAIT")                                        \
	X(TCP_TIME_WAIT, "TIME_WAIT")                                          \
	X(TCP_CLOSE, "CLOSE")                                                  \
	X(UDP, "UDP")                                                          \
	X(ICMP, "ICMP")

enum sl_conn_state {
#define SL_CS_ENUM(id, name) SL_CS_##id,
	SL_CONN_STATES(SL_CS_ENUM)
#undef SL_CS_ENUM
	SL_CS_MAX
};

const char *sl_conn_state_name(unsigned state);

/* Connection flags. */
#define SL_CONN_F_FIN_ORIG 0x01  /* client sent FIN */
#define SL_CONN_F_FIN_REPLY 0x02 /* server sent FIN */

/* What an entry is. Full-NAT connections and SNAT sessions are both
 * translated by writing the other direction's key (nat.h); mappings and
 * permissions are SNAT bookkeeping that shares the table, its index and
 * its timers but is never matched by a real packet (their keys hold a
 * zero address or port, which parse never accepts from the wire). */
#define SL_CONN_F_SNAT 0x04      /* an SNAT session */
#define SL_CONN_F_MAPPING 0x08   /* SNAT mapping: inside ip:port <-> pool ip:port */
#define SL_CONN_F_PERMIT 0x10    /* SNAT address-dependent filter entry */
#define SL_CONN_F_KIND (SL_CONN_F_SNAT | SL_CONN_F_MAPPING | SL_CONN_F_PERMIT)
#define SL_CONN_F_HAIRPIN 0x20   /* SNAT session whose remote is a pool address */
#define SL_CONN_F_RST_EDGE 0x80  /* TCP: rst_edge holds an acknowledgement */

/* A full-NAT connection whose server was flushed (worker_reject.c): its
 * packets are answered with RSTs, never forwarded. A flushed connection
 * no longer tracks FINs, so their two bits record which side has had its
 * reset. */
#define SL_CONN_F_FLUSHED 0x40
#define SL_CONN_F_RESET_ORIG SL_CONN_F_FIN_ORIG   /* once FLUSHED */
#define SL_CONN_F_RESET_REPLY SL_CONN_F_FIN_REPLY /* once FLUSHED */

/* An SNAT session (never flushed: flushing is full-NAT's) uses the
 * FLUSHED bit for this: the SYN+ACK came from the inside host (an open
 * from outside, or the first of two crossing SYN+ACKs), so only the
 * outside side's ACK completes the handshake (tcp_state.c). Clear, the
 * SYN+ACK came the reply way, as it always does for full-NAT. */
#define SL_CONN_F_SYNACK_ORIG SL_CONN_F_FLUSHED /* SNAT sessions only */

/* A full-NAT UDP flow keeps no acknowledgement edge, so it uses the
 * RST_EDGE bit for this: session sync told the peers of it, or it is a
 * peer's copy (worker_sync.h), and its replies decide inline, from this
 * line, that there is nothing to send. */
#define SL_CONN_F_UDP_TOLD SL_CONN_F_RST_EDGE /* full-NAT UDP only */

/* The eight bits of `flags` are all taken, each once: a new flag needs
 * room elsewhere, or a bit another kind of entry never uses (as
 * SYNACK_ORIG and the RESET bits do). */
_Static_assert((SL_CONN_F_FIN_ORIG ^ SL_CONN_F_FIN_REPLY ^ SL_CONN_F_SNAT ^
		SL_CONN_F_MAPPING ^ SL_CONN_F_PERMIT ^ SL_CONN_F_HAIRPIN ^
		SL_CONN_F_FLUSHED ^ SL_CONN_F_RST_EDGE) == 0xff,
	       "connection flags overlap");

/*
 * One connection, both directions, one cache line.
 * key[SL_DIR_ORIG]  is client -> VIP  as the client sends it;
 * key[SL_DIR_REPLY] is RS -> local address as the server sends it.
 * Translating a packet of direction d means writing the reverse of
 * key[!d] into it (see nat.h).
 */
struct sl_conn {
	struct sl_v4key key[2];
	uint16_t csum_l3;     /* header checksum delta ORIG -> translated */
	uint16_t csum_l4;     /* L4 checksum delta (pseudo header + ports) */
	uint32_t expire;      /* ms; the connection is due at this time */
	uint32_t timer_next;  /* wheel list links; free-list link when free */
	uint32_t timer_prev;
	union {
		struct {
			uint16_t svc_id; /* full-NAT: stable service id */
			uint16_t rs_id;  /* full-NAT: stable real-server id */
		};
		uint32_t link;   /* SNAT session/permit: its mapping's index;
				    mapping: sessions and permits using it */
	};
	uint16_t timer_slot : 13; /* wheel slot whose list holds this entry */
	uint16_t shape : 3;   /* SL_CONN_X_*: families, extension (above) */
	uint8_t proto;
	uint8_t state;        /* enum sl_conn_state */
	uint8_t flags;        /* SL_CONN_F_* */
	/* The port the trusted side (the real server; for SNAT the inside
	 * host) reaches Sluice through: its packets arriving elsewhere are
	 * refused unless the route to their source has moved there. */
	uint8_t trusted_port;
	/* TCP: the top 16 bits of the last acknowledgement the trusted side
	 * sent (the server; for SNAT the inside host), i.e. roughly where
	 * the other side's sequence numbers are. An RST from the other side
	 * far from it is refused (tcp_state.h). 16 bits is what fits in the
	 * line; it places the window to 64 KiB. */
	uint16_t rst_edge;
	/* Where each direction leaves, remembered for the worker's
	 * nh_epoch nh_gen (snapshot and neighbor generations: the route and
	 * neighbor lookups are then done once per connection and change,
	 * not once per packet). The
	 * egress port is the neighbor entry's own. */
	uint16_t nh_slot[2];  /* index in sl_neigh_view slot[], SL_NH_NONE if unknown */
	uint32_t nh_gen;
	/* Creation time in ms, or with an extension the extension's index
	 * (the time is then there): sl_ct_created(), sl_ct_set_created(). */
	uint32_t created_or_ext;
} SL_ALIGNED;

#define SL_NH_NONE 0xffff

_Static_assert(sizeof(struct sl_conn) == 64, "a connection is one cache line");

/* An entry's shape. */
#define SL_CONN_X_EXT 0x1      /* has an extension line */
#define SL_CONN_X_V6_ORIG 0x2  /* key[ORIG] is IPv6 (needs SL_CONN_X_EXT) */
#define SL_CONN_X_V6_REPLY 0x4 /* key[REPLY] is IPv6 (needs SL_CONN_X_V6_ORIG) */

/*
 * The extension line of a connection that needs one (see the top of this
 * file for what lives where).
 *
 * seq_delta[d] is added to the sequence number of every TCP segment that
 * travels direction d once translated, and subtracted from the
 * acknowledgement number of every segment travelling the other way. The
 * SYN proxy sets seq_delta[REPLY] (the server's ISN against the one the
 * proxy gave the client); Proxy Protocol v2 sets seq_delta[ORIG] (the
 * header inserted before the client's first byte). Both may apply to one
 * connection. Zero means none.
 */
struct sl_conn_ext {
	union {
		uint8_t orig6[32];     /* v6 ORIG key: saddr, daddr */
		uint32_t free_next;    /* pool free-list link while free */
	};
	uint8_t reply6_saddr[16];  /* v6 REPLY key: saddr */
	uint32_t created;          /* ms */
	uint32_t seq_delta[2];     /* [enum sl_dir] */
	uint32_t spare;
} SL_ALIGNED;

_Static_assert(sizeof(struct sl_conn_ext) == 64, "an extension is one cache line");

#define SL_CT_SLOTS 7
#define SL_CT_MAX_PROBE 8
#define SL_CT_NONE UINT32_MAX

struct sl_ct_bucket {
	uint32_t sig[SL_CT_SLOTS];
	uint32_t overflow;
	uint32_t ref[SL_CT_SLOTS];
	/* The timer wheel's list head for the slot of this bucket's index,
	 * in a table of at least as many buckets as wheel slots: the word
	 * would be padding, and a separate array of heads would be the
	 * only cost of a v4 connection past its 96 bytes (conn_table.c). */
	uint32_t wheel_head;
} SL_ALIGNED;

_Static_assert(sizeof(struct sl_ct_bucket) == 64, "a bucket is one cache line");

/* The index is sized at this many keys per bucket (conn_table.c); each
 * connection has two keys, so its share of the index is 2 * 64 / 4 = 32
 * bytes. The budget of the table above, checked: */
#define SL_CT_KEYS_PER_BUCKET 4
#define SL_CT_INDEX_PER_CONN (2 * sizeof(struct sl_ct_bucket) / SL_CT_KEYS_PER_BUCKET)
_Static_assert(sizeof(struct sl_conn) + SL_CT_INDEX_PER_CONN <= 96,
	       "a v4 connection fits in 96 bytes, index included");
_Static_assert(sizeof(struct sl_conn) + sizeof(struct sl_conn_ext) + SL_CT_INDEX_PER_CONN <= 160,
	       "a v6 connection fits in 160 bytes, index included");

struct sl_wheel {
	uint32_t *heads;      /* NULL: in the buckets' wheel_head words */
	uint32_t mask;        /* number of slots - 1 */
	uint32_t tick_shift;  /* tick = ms >> tick_shift */
	uint32_t cur_tick;    /* ticks before this one have been expired */
};

struct sl_conn_table {
	struct sl_ct_bucket *buckets;
	uint32_t bucket_mask;
	uint32_t max_conns;
	uint32_t nconns;
	uint32_t free_head;
	struct sl_conn *conns;
	struct sl_wheel wheel;
	size_t mem_bytes;     /* everything this table allocated */
	uint64_t insert_failures;
	/* The extension pool. */
	struct sl_conn_ext *exts;
	uint32_t max_ext;
	uint32_t ext_free;    /* free-list head; SL_CT_NONE when empty */
	uint32_t ext_used;    /* extensions in use */
	uint64_t ext_failures; /* sl_ct_add_ext() found the pool empty */
};

/* Connections above this need a reference beyond 32 bits. */
#define SL_CT_MAX_CONNS ((1u << 30) - 1)

/* The default extension pool: one line per 16 connections. */
#define SL_CT_EXT_DEFAULT(max_conns) (((max_conns) + 15) / 16)

/* Bytes a table for `max_conns` connections, `max_ext` of them with an
 * extension, allocates (entries, index, wheel, pool): its mem_bytes. */
size_t sl_ct_mem_bytes(uint32_t max_conns, uint32_t max_ext);
/* What those allocations really take: each mapping in whole 2 MiB
 * pages (sl_mem_resident), the figure a memory budget needs. */
size_t sl_ct_resident_bytes(uint32_t max_conns, uint32_t max_ext);

/* Allocate and initialise a table for up to `max_conns` connections, of
 * which up to `max_ext` (at most max_conns, 0 for none) may have an
 * extension. `now_ms` starts the wheel. Memory comes from sl_mem_alloc
 * (huge-page backed when the kernel allows). Returns 0 or -ENOMEM /
 * -EINVAL. */
int sl_ct_init_ext(struct sl_conn_table *t, uint32_t max_conns, uint32_t max_ext,
		   uint32_t now_ms);
/* The same with the default pool, SL_CT_EXT_DEFAULT(max_conns). */
int sl_ct_init(struct sl_conn_table *t, uint32_t max_conns, uint32_t now_ms);
void sl_ct_destroy(struct sl_conn_table *t);
/* Forget every connection, keeping the memory (no allocation, no
 * failure); the wheel restarts at `now_ms`. */
void sl_ct_clear(struct sl_conn_table *t, uint32_t now_ms);

/* References: index << 2 | v6 << 1 | direction. */
#define SL_CT_REF_V6 0x2u

static inline uint32_t sl_ct_ref(uint32_t index, bool v6, enum sl_dir dir)
{
	return index << 2 | (v6 ? SL_CT_REF_V6 : 0) | (uint32_t)dir;
}

static inline uint32_t sl_ct_ref_index(uint32_t ref) { return ref >> 2; }
static inline enum sl_dir sl_ct_ref_dir(uint32_t ref) { return (enum sl_dir)(ref & 1); }
static inline bool sl_ct_ref_v6(uint32_t ref) { return ref & SL_CT_REF_V6; }

static inline struct sl_ct_bucket *sl_ct_home(const struct sl_conn_table *t,
					      uint32_t hash)
{
	return &t->buckets[hash & t->bucket_mask];
}

static inline struct sl_conn *sl_ct_conn(const struct sl_conn_table *t,
					 uint32_t ref)
{
	return &t->conns[sl_ct_ref_index(ref)];
}

/* First reference in the home bucket whose signature matches, without
 * checking the key: what to prefetch for a burst. SL_CT_NONE if none. */
static inline uint32_t sl_ct_candidate(const struct sl_conn_table *t,
				       uint32_t hash)
{
	const struct sl_ct_bucket *b = sl_ct_home(t, hash);
#if defined(__SSE2__)
	/* Compare the seven signatures (and the overflow word, masked off)
	 * four at a time. */
	__m128i h = _mm_set1_epi32((int)hash);
	unsigned m = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(
			     _mm_cmpeq_epi32(h, _mm_load_si128((const __m128i *)b->sig)))) |
		     (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(
			     h, _mm_load_si128((const __m128i *)&b->sig[4]))))
			     << 4;
	for (m &= 0x7f; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		if (b->ref[i] != SL_CT_NONE)
			return b->ref[i];
	}
#else
	for (unsigned i = 0; i < SL_CT_SLOTS; i++)
		if (b->sig[i] == hash && b->ref[i] != SL_CT_NONE)
			return b->ref[i];
#endif
	return SL_CT_NONE;
}

/* Is the connection of v4 reference `ref` this key's? */
static inline bool sl_ct_key4_at(const struct sl_conn_table *t, uint32_t ref,
				 const void *key, uint8_t proto)
{
	const struct sl_conn *c = sl_ct_conn(t, ref);
	return c->proto == proto && sl_v4key_eq(&c->key[sl_ct_ref_dir(ref)], key);
}

/* Does reference `ref` belong to this v4 key? (Checks a candidate, which
 * may be a v6 key's.) */
static inline bool sl_ct_matches(const struct sl_conn_table *t, uint32_t ref,
				 const struct sl_v4key *key, uint8_t proto)
{
	return !(ref & SL_CT_REF_V6) && sl_ct_key4_at(t, ref, key, proto);
}

typedef bool (*sl_ct_key_at_fn)(const struct sl_conn_table *t, uint32_t ref,
				const void *key, uint8_t proto);

/* The walk both families' lookups share: the home bucket, then on while
 * keys overflowed past it, over the slots whose signature is `hash` and
 * whose reference is of family `v6` (SL_CT_REF_V6 or 0), `key_at`
 * checking the key. Always inlined with a constant `key_at` and `v6`, so
 * each lookup compiles to its own loop with its compare in place (for
 * v4, the family test alone also skips empty slots: SL_CT_NONE has every
 * bit). */
static inline __attribute__((always_inline)) uint32_t
sl_ct_walk(const struct sl_conn_table *t, uint32_t hash, uint32_t v6,
	   sl_ct_key_at_fn key_at, const void *key, uint8_t proto)
{
	uint32_t bi = hash & t->bucket_mask;

	for (unsigned probe = 0; probe < SL_CT_MAX_PROBE; probe++) {
		const struct sl_ct_bucket *b = &t->buckets[bi];
		for (unsigned i = 0; i < SL_CT_SLOTS; i++) {
			uint32_t ref = b->ref[i];
			if (b->sig[i] != hash || (ref & SL_CT_REF_V6) != v6 ||
			    (v6 && ref == SL_CT_NONE))
				continue;
			if (key_at(t, ref, key, proto))
				return ref;
		}
		if (b->overflow == 0)
			break;
		bi = (bi + 1) & t->bucket_mask;
	}
	return SL_CT_NONE;
}

/* Find the connection a v4 key belongs to. Returns its reference (index
 * and direction) or SL_CT_NONE. */
static inline uint32_t sl_ct_lookup(const struct sl_conn_table *t,
				    const struct sl_v4key *key, uint8_t proto,
				    uint32_t hash)
{
	return sl_ct_walk(t, hash, 0, sl_ct_key4_at, key, proto);
}

/* Take a free entry (zeroed but for its index). NULL when the table is
 * full. The entry is not indexed until sl_ct_insert(). */
struct sl_conn *sl_ct_alloc(struct sl_conn_table *t);

/* Give back an entry that was never inserted. */
void sl_ct_abandon(struct sl_conn_table *t, struct sl_conn *c);

/* Index both keys of a filled-in entry and arm its timer at c->expire.
 * Returns 0, or -ENOSPC when a key finds no slot within the probe
 * distance (the entry is then not indexed; abandon it). */
int sl_ct_insert(struct sl_conn_table *t, struct sl_conn *c);

/* Called for each connection as it expires, before its entry is freed.
 * Returns true to free it; false after moving c->expire later to keep it
 * (an SNAT mapping still used by sessions does). */
typedef bool (*sl_ct_expire_fn)(void *ctx, struct sl_conn *c);

/* Expire due connections: run the wheel up to `now_ms`, handling at most
 * `budget` entries. Returns the number of connections freed. */
uint32_t sl_ct_expire(struct sl_conn_table *t, uint32_t now_ms, uint32_t budget,
		      sl_ct_expire_fn fn, void *ctx);

/* The tick an entry is filed under. Entries are filed at most one wheel
 * turn ahead of cur_tick, so the slot says which tick it is. */
static inline uint32_t sl_ct_timer_tick(const struct sl_conn_table *t,
					const struct sl_conn *c)
{
	const struct sl_wheel *w = &t->wheel;
	return w->cur_tick + ((c->timer_slot - w->cur_tick) & w->mask);
}

/* Remove a connection at once (both keys, its timer) and free its entry;
 * the caller does what expiry's callback would have done. */
void sl_ct_remove(struct sl_conn_table *t, struct sl_conn *c);

/* Move an entry whose expiry came earlier than its wheel tick. */
void sl_ct_refile(struct sl_conn_table *t, struct sl_conn *c);

/* Set a connection's expiry. Later expiry is recorded in place (the
 * per-packet case: one store); earlier expiry re-files the entry on the
 * wheel so it is freed on time. Ticks are compared shifted back into
 * milliseconds, where the clock's wrap is handled (see conn_table.c). */
static inline void sl_ct_set_expire(struct sl_conn_table *t, struct sl_conn *c,
				    uint32_t expire_ms)
{
	uint32_t shift = t->wheel.tick_shift;
	bool later = !sl_time_before(expire_ms, c->expire);

	c->expire = expire_ms;
	/* Later than before (every packet but a state change): the wheel
	 * sees it when the entry's tick comes. */
	if (sl_likely(later))
		return;
	if (sl_time_before((expire_ms >> shift) << shift,
			   sl_ct_timer_tick(t, c) << shift))
		sl_ct_refile(t, c);
}

static inline uint32_t sl_ct_index(const struct sl_conn_table *t,
				   const struct sl_conn *c)
{
	return (uint32_t)(c - t->conns);
}

/* Bytes of table memory per connection without an extension (its entry,
 * its share of the index and wheel): the pool is counted apart. */
static inline size_t sl_ct_bytes_per_conn(const struct sl_conn_table *t)
{
	size_t pool = (size_t)t->max_ext * sizeof(struct sl_conn_ext);
	return t->max_conns ? (t->mem_bytes - pool) / t->max_conns : 0;
}

/* ... and per connection with one: the same and its extension line. */
static inline size_t sl_ct_bytes_per_ext_conn(const struct sl_conn_table *t)
{
	return sl_ct_bytes_per_conn(t) + sizeof(struct sl_conn_ext);
}

/* ---- the extension ---- */

/* A connection's extension line, NULL if it has none. */
static inline struct sl_conn_ext *sl_ct_ext(const struct sl_conn_table *t,
					    const struct sl_conn *c)
{
	return (c->shape & SL_CONN_X_EXT) ? &t->exts[c->created_or_ext] : NULL;
}

/* Give an entry an extension line. `v6` (SL_CONN_X_V6_ORIG, with
 * SL_CONN_X_V6_REPLY for v6 both ways, or 0) says which keys are IPv6:
 * set on a fresh entry, before its keys (conn6.h) and before
 * sl_ct_insert(); 0 also on a live v4 connection that comes to need
 * sequence deltas. Keeps the creation time. Returns 0; -ENOSPC when the
 * pool is empty (counted in ext_failures); -EINVAL for a shape with no
 * layout or an entry that has one already. The extension is freed with
 * the entry. */
int sl_ct_add_ext(struct sl_conn_table *t, struct sl_conn *c, unsigned v6);

/* Is key[dir] IPv6? */
static inline bool sl_conn_v6(const struct sl_conn *c, enum sl_dir dir)
{
	return c->shape & (SL_CONN_X_V6_ORIG << dir);
}

/* When the connection was made (ms). */
static inline uint32_t sl_ct_created(const struct sl_conn_table *t,
				     const struct sl_conn *c)
{
	const struct sl_conn_ext *x = sl_ct_ext(t, c);
	return x ? x->created : c->created_or_ext;
}

static inline void sl_ct_set_created(const struct sl_conn_table *t,
				     struct sl_conn *c, uint32_t ms)
{
	struct sl_conn_ext *x = sl_ct_ext(t, c);
	if (x)
		x->created = ms;
	else
		c->created_or_ext = ms;
}

/* The TCP sequence delta of direction `dir` (struct sl_conn_ext); 0 for
 * a connection without an extension. */
static inline uint32_t sl_ct_seq_delta(const struct sl_conn_table *t,
				       const struct sl_conn *c, enum sl_dir dir)
{
	const struct sl_conn_ext *x = sl_ct_ext(t, c);
	return x ? x->seq_delta[dir] : 0;
}

/* Set it; false if the connection has no extension to hold it. */
static inline bool sl_ct_set_seq_delta(const struct sl_conn_table *t,
				       struct sl_conn *c, enum sl_dir dir,
				       uint32_t delta)
{
	struct sl_conn_ext *x = sl_ct_ext(t, c);
	if (x)
		x->seq_delta[dir] = delta;
	return x != NULL;
}

#endif
