/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"

#define HUGE_2M (2u << 20)

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

void *sl_mem_alloc(size_t bytes)
{
	if (bytes == 0)
		return NULL;
	size_t len = round_up(bytes, HUGE_2M);
	/* Over-map by one huge page so the start can be aligned to it. */
	uint8_t *raw = mmap(NULL, len + HUGE_2M, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	uintptr_t start = round_up((uintptr_t)raw, HUGE_2M);
	size_t head = start - (uintptr_t)raw;
	if (head)
		munmap(raw, head);
	if (HUGE_2M - head)
		munmap((uint8_t *)start + len, HUGE_2M - head);
	void *p = (void *)start;
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE);
#endif
	/* Fault every page in now rather than on the packet path. The
	 * kernel (5.14 on) can do it without a second write of zeros over
	 * pages it has just zeroed; older ones refuse, and each is touched. */
#ifdef MADV_POPULATE_WRITE
	if (madvise(p, len, MADV_POPULATE_WRITE) == 0)
		return p;
#endif
	memset(p, 0, len);
	return p;
}

size_t sl_mem_resident(size_t bytes)
{
	return round_up(bytes, HUGE_2M);
}

void sl_mem_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, round_up(bytes, HUGE_2M));
}
