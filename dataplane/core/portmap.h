/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Local-port allocator for one (local address, worker) pair.
 *
 * Reply steering needs the worker that owns a connection to be a pure
 * function of its local port: worker w owns the ports p with
 * p % nworkers == w. A portmap is the bitmap of one worker's share of a
 * port range, so no two workers can ever hand out the same port and none
 * of them needs to ask the others. Allocation is next-fit from a cursor,
 * so a freed port is not reused until the map has gone round (it gives
 * TIME_WAIT on the server side a chance to end).
 */
#ifndef SL_PORTMAP_H
#define SL_PORTMAP_H

#include "dp_types.h"

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
