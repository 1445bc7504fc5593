/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Large per-worker tables (connections, index, wheel, the SNAT host
 * table) come from anonymous mappings, not from DPDK's heap: each worker
 * owns its own, they may be far bigger than the EAL memory given with -m,
 * and the kernel backs them with transparent huge pages when it can,
 * which keeps TLB misses off a table that no longer fits in cache. Pages
 * are touched at allocation so the packet path never takes a page fault.
 */
#ifndef SL_MEM_H
#define SL_MEM_H

#include <stddef.h>

/* Zeroed, 2 MiB aligned, pre-faulted. NULL on failure. */
void *sl_mem_alloc(size_t bytes);
void sl_mem_free(void *p, size_t bytes);
/* What a mapping of `bytes` really takes once pre-faulted: whole 2 MiB
 * pages (0 for none). */
size_t sl_mem_resident(size_t bytes);

#endif
