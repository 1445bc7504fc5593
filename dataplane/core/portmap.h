/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port shares, and the port allocator of one (SNAT pool address, worker)
 * pair.
 *
 * Reply steering needs the worker that owns a connection to be a pure
 * function of its port: worker w owns the ports p with p % nworkers == w,
 * its share of a range. No two workers can ever hand out the same port,
 * and none of them needs to ask the others.
 *
 * A portmap is the bitmap of one worker's share, for an address whose
 * ports are unique whoever the peer is (an SNAT pool address: its
 * mappings are endpoint-independent). Allocation is next-fit from a
 * cursor, so a freed port is not reused until the map has gone round (it
 * gives TIME_WAIT on the far side a chance to end). Full-NAT local
 * addresses need no map: their ports are unique per server (lport.h).
 */
#ifndef SL_PORTMAP_H
#define SL_PORTMAP_H

#include "dp_types.h"

/* The ports of a range that one worker owns: first, first + stride, ...,
 * `count` of them. */
struct sl_port_share {
	uint32_t count;
	uint16_t first;
	uint16_t stride;    /* number of workers */
};

/* The share of [lo, hi] that worker `owner` of `stride` owns. Returns 0,
 * or -1 if it owns no port of the range. */
int sl_port_share_init(struct sl_port_share *sh, uint16_t lo, uint16_t hi,
		       uint16_t stride, uint16_t owner);

/* The share's port number `idx` (idx < count; host order). */
static inline uint16_t sl_port_share_port(const struct sl_port_share *sh,
					  uint32_t idx)
{
	return (uint16_t)(sh->first + idx * sh->stride);
}

struct sl_portmap {
	uint64_t *bits;     /* 1 = in use */
	uint32_t nbits;     /* ports in this worker's share */
	uint32_t nfree;
	uint32_t cursor;    /* next index to try */
	uint16_t first;     /* port of index 0 */
	uint16_t stride;    /* number of workers */
};

/* Words of storage a map for range [lo, hi] split `stride` ways needs. */
size_t sl_portmap_words(uint16_t lo, uint16_t hi, uint16_t stride);

/* Set up `pm` over the ports in [lo, hi] owned by `owner` of `stride`
 * workers, using `bits` (sl_portmap_words() words). Returns 0, or -1 if
 * the worker owns no port of the range. */
int sl_portmap_init(struct sl_portmap *pm, uint64_t *bits, uint16_t lo,
		    uint16_t hi, uint16_t stride, uint16_t owner);

/* Mark every port free again. */
void sl_portmap_reset(struct sl_portmap *pm);

/* Take any free port (host order). Returns 0, or -1 when exhausted. */
int sl_portmap_alloc(struct sl_portmap *pm, uint16_t *port);

/* Take any free port within [lo, hi] (host order); ports outside the
 * map's own range are never given. Returns 0, or -1 if none is free. */
int sl_portmap_alloc_range(struct sl_portmap *pm, uint16_t lo, uint16_t hi,
			   uint16_t *port);

/* Take one given port if this map owns it and it is free. */
bool sl_portmap_take(struct sl_portmap *pm, uint16_t port);

/* Give a port back. Ports the map does not own, or that are already
 * free, are ignored (the caller may be freeing after a reconfiguration). */
void sl_portmap_free(struct sl_portmap *pm, uint16_t port);

bool sl_portmap_in_use(const struct sl_portmap *pm, uint16_t port);

/* The worker of `nworkers` that owns local port `port` (host order). */
static inline unsigned sl_port_owner(uint16_t port, unsigned nworkers)
{
	return port % nworkers;
}

#endif
