/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SNAT host table (snat_hosts.h): its own bound
 * (snat_options.max_hosts) and the two reasons a charge is refused, a
 * full table (snat_hosts_full) apart from one host's limit
 * (snat_host_limit), and its memory, resident once allocated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "snat_hosts.h"

#define HOST(n) sl_htonl(0xc6120200u + (n)) /* 198.18.2.n */

static enum sl_drop charge(struct sl_host_table *t, uint32_t n, uint32_t limit)
{
	struct sl_host_count *h = NULL;
	enum sl_drop why = sl_hosts_charge(t, HOST(n), limit, &h);

	assert_true((why == SL_DROP_NONE) == (h != NULL));
	return why;
}

/* Exactly max hosts, whatever the slots: the next new one is refused as
 * the table's, while a host already in it goes on to its own limit. */
static void test_full_table(void **state)
{
	struct sl_host_table t;
	(void)state;

	assert_int_equal(sl_hosts_init(&t, 3), 0);
	for (uint32_t n = 1; n <= 3; n++)
		assert_int_equal(charge(&t, n, 2), SL_DROP_NONE);
	assert_int_equal(charge(&t, 4, 2), SL_DROP_SNAT_HOSTS_FULL);
	assert_int_equal(sl_hosts_count(&t, HOST(4)), 0);
	assert_int_equal(charge(&t, 1, 2), SL_DROP_NONE);
	assert_int_equal(charge(&t, 1, 2), SL_DROP_SNAT_HOST_LIMIT);
	/* A host gone makes room for a new one. */
	sl_hosts_release(&t, HOST(2));
	assert_int_equal(charge(&t, 4, 2), SL_DROP_NONE);
	assert_int_equal(charge(&t, 5, 2), SL_DROP_SNAT_HOSTS_FULL);
	sl_hosts_free(&t);
}

/* One host at its limit in a table with room: its own reason. */
static void test_host_limit(void **state)
{
	struct sl_host_table t;
	(void)state;

	assert_int_equal(sl_hosts_init(&t, 100), 0);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(charge(&t, 7, 5), SL_DROP_NONE);
	assert_int_equal(charge(&t, 7, 5), SL_DROP_SNAT_HOST_LIMIT);
	assert_int_equal(sl_hosts_count(&t, HOST(7)), 5);
	assert_int_equal(charge(&t, 8, 5), SL_DROP_NONE);
	sl_hosts_free(&t);
}

/* Planned, not allocated (no SNAT rule yet): nothing spent, every charge
 * refused as a full table, and the readers safe. */
static void test_planned(void **state)
{
	struct sl_host_table t;
	(void)state;

	sl_hosts_plan(&t, 65536);
	assert_int_equal(sl_hosts_mem(&t), 0);
	assert_int_equal(charge(&t, 1, 10), SL_DROP_SNAT_HOSTS_FULL);
	sl_hosts_release(&t, HOST(1));
	assert_int_equal(sl_hosts_count(&t, HOST(1)), 0);
	assert_int_equal(sl_hosts_pool_of(&t, HOST(1)), 0);
	sl_hosts_clear(&t);
	assert_int_equal(sl_hosts_alloc(&t), 0);
	assert_int_equal(sl_hosts_mem(&t), sl_hosts_bytes(65536));
	assert_int_equal(charge(&t, 1, 10), SL_DROP_NONE);
	sl_hosts_free(&t);
}

/* A table whose max is lowered after allocation (checks_rfc7857.h does)
 * still reports and frees the mapping it has: freeing by the new max
 * would leave the rest of it mapped. */
static void test_max_lowered(void **state)
{
	struct sl_host_table t;
	unsigned char in;
	(void)state;

	assert_int_equal(sl_hosts_init(&t, 200000), 0); /* 6 MiB of slots */
	size_t bytes = sl_hosts_bytes(200000);
	uintptr_t last = ((uintptr_t)t.slots + bytes - 1) & ~(uintptr_t)4095;
	t.max = 16;
	assert_int_equal(sl_hosts_mem(&t), bytes);
	sl_hosts_free(&t);
	/* mincore fails (ENOMEM) on a page no longer mapped. */
	assert_int_equal(mincore((void *)last, 4096, &in), -1);
}

/* Every page of the slots is resident once allocated, on the thread that
 * allocated it: a worker's first charge in a page takes no page fault on
 * the packet path. (A calloc'd table of this size is a fresh mapping
 * whose pages arrive only as they are first written.) */
static void test_prefaulted(void **state)
{
	struct sl_host_table t;
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	(void)state;

	assert_int_equal(sl_hosts_init(&t, 65536), 0);
	uintptr_t start = (uintptr_t)t.slots & ~(uintptr_t)(page - 1);
	size_t len = (uintptr_t)t.slots + sl_hosts_bytes(65536) - start;
	size_t npages = (len + page - 1) / page;
	unsigned char *in = malloc(npages);
	assert_non_null(in);
	assert_int_equal(mincore((void *)start, len, in), 0);
	size_t resident = 0;
	for (size_t i = 0; i < npages; i++)
		resident += in[i] & 1;
	assert_int_equal(resident, npages);
	free(in);
	sl_hosts_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_host_limit),
		cmocka_unit_test(test_planned),
		cmocka_unit_test(test_prefaulted),
		cmocka_unit_test(test_max_lowered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
