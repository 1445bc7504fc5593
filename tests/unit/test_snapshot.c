/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshots: the one-block layout, the service and address indexes built
 * by sl_snap_index() and longest-prefix routing over a
 * route array sorted longest prefix first (the builder's job).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched.h"
#include "snapshot.h"

#define IP(a, b, c, d) sl_htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static bool inside(const struct sl_snapshot *s, const void *p, size_t bytes)
{
	const uint8_t *b = (const uint8_t *)s, *q = p;
	return q >= b && q + bytes <= b + s->bytes;
}

struct span {
	uintptr_t lo, hi;
};

static void test_alloc_layout(void **state)
{
	(void)state;
	const struct sl_snap_sizes sz = {.nsvcs = 10, .nrs = 40,
					 .nlips = 6, .nroutes = 5};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	assert_non_null(s);
	assert_true(s->bytes >= sizeof(*s));
	assert_int_equal((uintptr_t)s % 64, 0);

	/* Open-addressing tables: powers of two, at most half full. */
	assert_int_equal((s->svc_mask + 1) & s->svc_mask, 0);
	assert_int_equal((s->addr_mask + 1) & s->addr_mask, 0);
	assert_true(s->svc_mask + 1 >= 2 * sz.nsvcs);
	assert_true(s->addr_mask + 1 >= 2 * (sz.nsvcs + sz.nlips + SL_MAX_PORTS));

	/* Every array inside the block, cache aligned, none overlapping. */
	struct span a[] = {
		{(uintptr_t)s->svcs, (uintptr_t)(s->svcs + sz.nsvcs)},
		{(uintptr_t)s->rs, (uintptr_t)(s->rs + sz.nrs)},
		{(uintptr_t)s->lips, (uintptr_t)(s->lips + sz.nlips)},
		{(uintptr_t)s->routes, (uintptr_t)(s->routes + sz.nroutes)},
		{(uintptr_t)s->svc_index, (uintptr_t)(s->svc_index + s->svc_mask + 1)},
		{(uintptr_t)s->addrs, (uintptr_t)(s->addrs + s->addr_mask + 1)},
	};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(a); i++) {
		assert_int_equal(a[i].lo % 64, 0);
		assert_true(a[i].lo >= (uintptr_t)(s + 1));
		assert_true(inside(s, (void *)a[i].lo, a[i].hi - a[i].lo));
		for (unsigned j = 0; j < i; j++)
			assert_true(a[i].hi <= a[j].lo || a[j].hi <= a[i].lo);
	}
	/* Zeroed. */
	for (uint32_t i = 0; i <= s->svc_mask; i++)
		assert_int_equal(s->svc_index[i], 0);
	for (uint32_t i = 0; i <= s->addr_mask; i++)
		assert_int_equal(s->addrs[i].ip, 0);
	assert_int_equal(s->nsvcs, 0);
	/* Writable to the last element (ASan/valgrind watch the edges). */
	memset(s->rs, 0x11, sz.nrs * sizeof(*s->rs));
	memset(s->routes, 0x33, sz.nroutes * sizeof(*s->routes));
	sl_snap_free(s);

	/* An empty configuration is a valid snapshot. */
	const struct sl_snap_sizes none = {0};
	s = sl_snap_alloc(&none);
	assert_non_null(s);
	assert_int_equal(sl_snap_index(s), 0);
	assert_null(sl_snap_find_svc(s, IP(1, 2, 3, 4), sl_htons(80), 6));
	assert_null(sl_snap_find_addr(s, IP(1, 2, 3, 4)));
	assert_null(sl_snap_route(s, IP(1, 2, 3, 4)));
	sl_snap_free(s);
}

/* A small configuration:
 *   port 0 198.18.0.1/24, local addresses 198.18.0.100 (slot 0), .101 (1)
 *   port 1 198.18.1.1/24, which is also a VIP; local address 198.18.1.100
 *   VIP A 198.18.10.1: 80/tcp, 443/tcp, 53/udp; VIP B = port 1: 80/tcp
 *   the local address 198.18.0.101 is also VIP C: 8080/tcp */
struct cfg {
	struct sl_snapshot *s;
	sl_be32 port0, port1, lip0, lip1, lip2, vip_a, vip_b, vip_c;
};

static void add_svc(struct sl_snapshot *s, sl_be32 vip, uint16_t port,
		    uint8_t proto, uint32_t nrs)
{
	struct sl_snap_svc *svc = &s->svcs[s->nsvcs];
	uint32_t first = 0;
	for (uint32_t i = 0; i < s->nsvcs; i++)
		first += s->svcs[i].nrs;
	svc->vip = vip;
	svc->vport = sl_htons(port);
	svc->proto = proto;
	svc->sched = SL_SCHED_RR;
	svc->id = (uint16_t)(100 + s->nsvcs);
	svc->nrs = (uint16_t)nrs;
	svc->rs = &s->rs[first];
	for (uint32_t i = 0; i < nrs; i++) {
		s->rs[first + i].ip = IP(198, 19, 0, first + i + 1);
		s->rs[first + i].port = sl_htons(8080);
		s->rs[first + i].id = (uint16_t)(first + i);
		s->rs[first + i].weight = 1;
	}
	s->nsvcs++;
}

static struct cfg build_cfg(void)
{
	struct cfg c = {
		.port0 = IP(198, 18, 0, 1), .port1 = IP(198, 18, 1, 1),
		.lip0 = IP(198, 18, 0, 100), .lip1 = IP(198, 18, 0, 101),
		.lip2 = IP(198, 18, 1, 100),
		.vip_a = IP(198, 18, 10, 1),
	};
	c.vip_b = c.port1;
	c.vip_c = c.lip1;
	const struct sl_snap_sizes sz = {.nsvcs = 5, .nrs = 10, .nlips = 3,
					 .nroutes = 2, .nrs_ids = 10};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	assert_non_null(s);

	s->nports = 2;
	s->ports[0].ip = c.port0;
	s->ports[0].plen = 24;
	s->ports[0].mask = sl_prefix_mask(24);
	s->ports[0].nlips = 2;
	s->ports[0].lip_first = 0;
	s->ports[1].ip = c.port1;
	s->ports[1].plen = 24;
	s->ports[1].mask = sl_prefix_mask(24);
	s->ports[1].nlips = 1;
	s->ports[1].lip_first = 2;

	s->nlips = 3;
	s->lips[0] = (struct sl_snap_lip){.ip = c.lip0, .slot = 0, .port = 0};
	s->lips[1] = (struct sl_snap_lip){.ip = c.lip1, .slot = 1, .port = 0};
	s->lips[2] = (struct sl_snap_lip){.ip = c.lip2, .slot = 7, .port = 1};

	add_svc(s, c.vip_a, 80, SL_IPPROTO_TCP, 3);
	add_svc(s, c.vip_a, 443, SL_IPPROTO_TCP, 2);
	add_svc(s, c.vip_a, 53, SL_IPPROTO_UDP, 2);
	add_svc(s, c.vip_b, 80, SL_IPPROTO_TCP, 2);
	add_svc(s, c.vip_c, 8080, SL_IPPROTO_TCP, 1);
	c.s = s;
	return c;
}

static void test_find_svc(void **state)
{
	(void)state;
	struct cfg c = build_cfg();
	struct sl_snapshot *s = c.s;
	assert_int_equal(sl_snap_index(s), 0);

	const struct sl_snap_svc *v = sl_snap_find_svc(s, c.vip_a, sl_htons(80), 6);
	assert_ptr_equal(v, &s->svcs[0]);
	assert_int_equal(v->id, 100);
	assert_int_equal(v->nrs, 3);
	assert_int_equal(v->rs[2].ip, IP(198, 19, 0, 3));
	assert_ptr_equal(sl_snap_find_svc(s, c.vip_a, sl_htons(443), 6), &s->svcs[1]);
	assert_ptr_equal(sl_snap_find_svc(s, c.vip_a, sl_htons(53), 17), &s->svcs[2]);
	assert_ptr_equal(sl_snap_find_svc(s, c.vip_b, sl_htons(80), 6), &s->svcs[3]);
	assert_ptr_equal(sl_snap_find_svc(s, c.vip_c, sl_htons(8080), 6), &s->svcs[4]);
	assert_int_equal(sl_snap_find_svc(s, c.vip_b, sl_htons(80), 6)->rs[0].ip,
			 IP(198, 19, 0, 8));

	/* Misses: other protocol, other port, port byte order, other IP. */
	assert_null(sl_snap_find_svc(s, c.vip_a, sl_htons(80), 17));
	assert_null(sl_snap_find_svc(s, c.vip_a, sl_htons(53), 6));
	assert_null(sl_snap_find_svc(s, c.vip_a, sl_htons(81), 6));
	assert_null(sl_snap_find_svc(s, c.vip_a, 80, 6));
	assert_null(sl_snap_find_svc(s, IP(198, 18, 10, 2), sl_htons(80), 6));
	assert_null(sl_snap_find_svc(s, c.port0, sl_htons(80), 6));
	sl_snap_free(s);
}

static void test_find_addr(void **state)
{
	(void)state;
	struct cfg c = build_cfg();
	struct sl_snapshot *s = c.s;
	assert_int_equal(sl_snap_index(s), 0);

	const struct sl_snap_addr *a = sl_snap_find_addr(s, c.port0);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_PORT);
	assert_int_equal(a->port, 0);

	/* A port address that is also a VIP: both kinds. */
	a = sl_snap_find_addr(s, c.vip_b);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_PORT | SL_ADDR_VIP);
	assert_int_equal(a->port, 1);

	a = sl_snap_find_addr(s, c.vip_a);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_VIP);

	a = sl_snap_find_addr(s, c.lip0);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_LIP);
	assert_int_equal(a->port, 0);
	assert_int_equal(a->lip_slot, 0);

	/* A local address that is also a VIP. */
	a = sl_snap_find_addr(s, c.vip_c);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_LIP | SL_ADDR_VIP);
	assert_int_equal(a->lip_slot, 1);

	a = sl_snap_find_addr(s, c.lip2);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_LIP);
	assert_int_equal(a->port, 1);
	assert_int_equal(a->lip_slot, 7);

	/* Three services on VIP A: one entry. */
	uint32_t entries = 0;
	for (uint32_t i = 0; i <= s->addr_mask; i++)
		entries += s->addrs[i].ip != 0;
	assert_int_equal(entries, 6);

	assert_null(sl_snap_find_addr(s, IP(198, 18, 0, 2)));
	assert_null(sl_snap_find_addr(s, IP(198, 19, 0, 1))); /* a RS */
	assert_null(sl_snap_find_addr(s, sl_ntohl(c.port0)));  /* byte order */
	sl_snap_free(s);
}

/* The id index is as long as the builder asked: servers are found by id
 * below it, an id at or past it is not indexed but refused. */
static void test_rs_ids(void **state)
{
	(void)state;
	struct cfg c = build_cfg();
	struct sl_snapshot *s = c.s;
	assert_int_equal(s->nrs_ids, 10);
	assert_int_equal(sl_snap_index(s), 0);
	const struct sl_snap_svc *v = &s->svcs[0];
	assert_ptr_equal(sl_snap_svc_rs(s, v, v->rs[2].id), &v->rs[2]);
	assert_null(sl_snap_svc_rs(s, v, s->svcs[3].rs[0].id)); /* another's */
	assert_null(sl_snap_svc_rs(s, v, 10));
	assert_null(sl_snap_svc_rs(s, v, SL_MAX_RS));
	sl_snap_free(s);

	c = build_cfg();
	s = c.s;
	s->rs[9].id = 10; /* the last service's server */
	assert_int_equal(sl_snap_index(s), -1);
	sl_snap_free(s);
}

static void test_duplicate_service(void **state)
{
	(void)state;
	struct cfg c = build_cfg();
	struct sl_snapshot *s = c.s;
	/* Same (vip, port, proto) as service 0. */
	s->svcs[4].vip = c.vip_a;
	s->svcs[4].vport = sl_htons(80);
	s->svcs[4].proto = SL_IPPROTO_TCP;
	assert_int_equal(sl_snap_index(s), -1);
	sl_snap_free(s);

	/* Same port and VIP, different protocol: fine. */
	c = build_cfg();
	s = c.s;
	s->svcs[4].vip = c.vip_a;
	s->svcs[4].vport = sl_htons(80);
	s->svcs[4].proto = SL_IPPROTO_UDP;
	assert_int_equal(sl_snap_index(s), 0);
	assert_ptr_equal(sl_snap_find_svc(s, c.vip_a, sl_htons(80), 17), &s->svcs[4]);
	assert_ptr_equal(sl_snap_find_svc(s, c.vip_a, sl_htons(80), 6), &s->svcs[0]);
	sl_snap_free(s);
}

/* The maximum number of services, all found; their VIPs all indexed. */
static void test_many_services(void **state)
{
	(void)state;
	const struct sl_snap_sizes sz = {.nsvcs = SL_MAX_SVC, .nrs = 0,
					 .nlips = SL_MAX_LIPS};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	assert_non_null(s);
	for (uint32_t i = 0; i < SL_MAX_SVC; i++) {
		struct sl_snap_svc *v = &s->svcs[i];
		v->vip = IP(198, 18, 100 + i / 256, i % 256);
		v->vport = sl_htons((uint16_t)(1 + i % 3));
		v->proto = i % 2 ? SL_IPPROTO_UDP : SL_IPPROTO_TCP;
		v->id = (uint16_t)i;
	}
	s->nsvcs = SL_MAX_SVC;
	for (uint32_t i = 0; i < SL_MAX_LIPS; i++) {
		s->lips[i].ip = IP(198, 19, 200, i);
		s->lips[i].slot = (uint8_t)i;
	}
	s->nlips = SL_MAX_LIPS;
	assert_int_equal(sl_snap_index(s), 0);
	for (uint32_t i = 0; i < SL_MAX_SVC; i++) {
		const struct sl_snap_svc *v = &s->svcs[i];
		assert_ptr_equal(sl_snap_find_svc(s, v->vip, v->vport, v->proto), v);
		assert_null(sl_snap_find_svc(s, v->vip, v->vport, 1));
		const struct sl_snap_addr *a = sl_snap_find_addr(s, v->vip);
		assert_non_null(a);
		assert_int_equal(a->kinds, SL_ADDR_VIP);
	}
	for (uint32_t i = 0; i < SL_MAX_LIPS; i++) {
		const struct sl_snap_addr *a = sl_snap_find_addr(s, s->lips[i].ip);
		assert_non_null(a);
		assert_int_equal(a->lip_slot, i);
	}
	sl_snap_free(s);
}

static void set_route(struct sl_snap_route *r, sl_be32 prefix, unsigned plen,
		      sl_be32 via, uint8_t port)
{
	r->mask = sl_prefix_mask(plen);
	r->prefix = prefix & r->mask;
	r->plen = (uint8_t)plen;
	r->via = via;
	r->port = port;
}

static void test_routes(void **state)
{
	(void)state;
	const struct sl_snap_sizes sz = {.nroutes = 6};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	assert_non_null(s);

	/* Sorted longest prefix first, as the builder leaves them. */
	set_route(&s->routes[0], IP(198, 18, 1, 7), 32, IP(198, 18, 0, 254), 0);
	set_route(&s->routes[1], IP(198, 18, 1, 0), 24, 0, 1);
	set_route(&s->routes[2], IP(198, 18, 0, 0), 24, 0, 0);
	set_route(&s->routes[3], IP(198, 18, 0, 0), 15, IP(198, 18, 0, 253), 0);
	set_route(&s->routes[4], IP(10, 0, 0, 0), 8, IP(198, 18, 1, 254), 1);
	s->nroutes = 5;

	assert_ptr_equal(sl_snap_route(s, IP(198, 18, 1, 7)), &s->routes[0]);
	assert_ptr_equal(sl_snap_route(s, IP(198, 18, 1, 8)), &s->routes[1]);
	assert_ptr_equal(sl_snap_route(s, IP(198, 18, 1, 255)), &s->routes[1]);
	assert_ptr_equal(sl_snap_route(s, IP(198, 18, 0, 9)), &s->routes[2]);
	assert_ptr_equal(sl_snap_route(s, IP(198, 18, 2, 1)), &s->routes[3]);
	assert_ptr_equal(sl_snap_route(s, IP(198, 19, 255, 255)), &s->routes[3]);
	assert_ptr_equal(sl_snap_route(s, IP(10, 200, 0, 1)), &s->routes[4]);
	assert_null(sl_snap_route(s, IP(198, 20, 0, 1)));
	assert_null(sl_snap_route(s, IP(11, 0, 0, 1)));
	assert_null(sl_snap_route(s, IP(8, 8, 8, 8)));
	assert_int_equal(sl_snap_route(s, IP(198, 18, 1, 7))->via, IP(198, 18, 0, 254));
	assert_int_equal(sl_snap_route(s, IP(198, 18, 1, 9))->via, 0); /* connected */

	/* A default route catches the rest. */
	set_route(&s->routes[5], 0, 0, IP(198, 18, 0, 1), 0);
	s->nroutes = 6;
	assert_ptr_equal(sl_snap_route(s, IP(8, 8, 8, 8)), &s->routes[5]);
	assert_ptr_equal(sl_snap_route(s, IP(198, 20, 0, 1)), &s->routes[5]);
	assert_ptr_equal(sl_snap_route(s, IP(198, 18, 1, 7)), &s->routes[0]);
	sl_snap_free(s);
}

static void test_prefix_mask(void **state)
{
	(void)state;
	assert_int_equal(sl_prefix_mask(0), 0);
	assert_int_equal(sl_prefix_mask(1), sl_htonl(0x80000000u));
	assert_int_equal(sl_prefix_mask(8), sl_htonl(0xff000000u));
	assert_int_equal(sl_prefix_mask(15), sl_htonl(0xfffe0000u));
	assert_int_equal(sl_prefix_mask(24), sl_htonl(0xffffff00u));
	assert_int_equal(sl_prefix_mask(31), sl_htonl(0xfffffffeu));
	assert_int_equal(sl_prefix_mask(32), 0xffffffffu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_layout),
		cmocka_unit_test(test_find_svc),
		cmocka_unit_test(test_find_addr),
		cmocka_unit_test(test_rs_ids),
		cmocka_unit_test(test_duplicate_service),
		cmocka_unit_test(test_many_services),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_prefix_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
