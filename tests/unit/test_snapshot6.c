/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The v6 half of a snapshot (snapshot6.h): laid out only when there is
 * v6 to hold, v6 services indexed apart from the v4 ones (their `vip`
 * word 0, the v4 tables' empty marker), v6 addresses Sluice owns in
 * addrs6, longest-prefix v6 routing, and the v4 half unaffected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched.h"
#include "snapshot6.h"

#define IP(a, b, c, d) sl_htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* 2001:db8:<net>::<host> */
static void ip6(uint8_t out[16], uint16_t net, uint16_t host)
{
	memset(out, 0, 16);
	out[0] = 0x20, out[1] = 0x01, out[2] = 0x0d, out[3] = 0xb8;
	out[4] = (uint8_t)(net >> 8), out[5] = (uint8_t)net;
	out[14] = (uint8_t)(host >> 8), out[15] = (uint8_t)host;
}

static bool inside(const struct sl_snapshot *s, const void *p, size_t bytes)
{
	const uint8_t *b = (const uint8_t *)s, *q = p;
	return q >= b && q + bytes <= b + s->bytes;
}

/* A v4-only configuration pays nothing for v6: no arrays, masks 0, and
 * every v6 lookup misses. */
static void test_v4_only_no_v6(void **state)
{
	(void)state;
	const struct sl_snap_sizes sz = {.nsvcs = 4, .nrs = 8, .nlips = 2,
					 .nroutes = 2};
	const struct sl_snap_sizes sz6 = {.nsvcs = 4, .nrs = 8, .nlips = 2,
					  .nroutes = 2, .nsvcs6 = 1};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	struct sl_snapshot *s6 = sl_snap_alloc(&sz6);
	assert_non_null(s);
	assert_non_null(s6);
	assert_int_equal(s->svc6_mask, 0);
	assert_int_equal(s->addr6_mask, 0);
	assert_true(s6->bytes > s->bytes);
	assert_int_equal(sl_snap_index(s), 0);
	uint8_t a[16];
	ip6(a, 1, 1);
	assert_null(sl_snap6_find_addr(s, a));
	assert_null(sl_snap6_find_svc(s, a, sl_htons(80), SL_IPPROTO_TCP));
	assert_null(sl_snap6_route(s, a));
	sl_snap_free(s);
	sl_snap_free(s6);
}

static void test_alloc_layout6(void **state)
{
	(void)state;
	const struct sl_snap_sizes sz = {.nsvcs = 6, .nrs = 12, .nlips = 2,
					 .nroutes = 2, .nsvcs6 = 3,
					 .nlips6 = 4, .nroutes6 = 5};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	assert_non_null(s);
	assert_int_equal((s->svc6_mask + 1) & s->svc6_mask, 0);
	assert_int_equal((s->addr6_mask + 1) & s->addr6_mask, 0);
	assert_true(s->svc6_mask + 1 >= 2 * sz.nsvcs6);
	assert_true(s->addr6_mask + 1 >=
		    2 * (sz.nsvcs6 + sz.nlips6 + SL_MAX_PORTS));
	struct {
		const void *p;
		size_t bytes;
	} a[] = {
		{s->svcs, sz.nsvcs * sizeof(*s->svcs)},
		{s->rs, sz.nrs * sizeof(*s->rs)},
		{s->addrs, (s->addr_mask + 1) * sizeof(*s->addrs)},
		{s->svc_vip6, sz.nsvcs * sizeof(*s->svc_vip6)},
		{s->rs_ip6, sz.nrs * sizeof(*s->rs_ip6)},
		{s->lips6, sz.nlips6 * sizeof(*s->lips6)},
		{s->routes6, sz.nroutes6 * sizeof(*s->routes6)},
		{s->svc6_index, (s->svc6_mask + 1) * sizeof(*s->svc6_index)},
		{s->addrs6, (s->addr6_mask + 1) * sizeof(*s->addrs6)},
	};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(a); i++) {
		uintptr_t lo = (uintptr_t)a[i].p, hi = lo + a[i].bytes;
		assert_int_equal(lo % 64, 0);
		assert_true(inside(s, a[i].p, a[i].bytes));
		for (unsigned j = 0; j < i; j++) {
			uintptr_t lo2 = (uintptr_t)a[j].p;
			assert_true(hi <= lo2 || lo2 + a[j].bytes <= lo);
		}
	}
	/* Writable to the last element (ASan watches the edges). */
	memset(s->rs_ip6, 0x11, sz.nrs * sizeof(*s->rs_ip6));
	memset(s->routes6, 0x22, sz.nroutes6 * sizeof(*s->routes6));
	sl_snap_free(s);
}

/* Port 0: 198.18.0.1 and 2001:db8:1::1/64, v6 local addresses
 * 2001:db8:1::100 (slot 3) and ::101 (slot 4).
 * Services: v4 198.18.10.1:80/tcp; v6 2001:db8:10::1 80/tcp and 53/udp
 * (FNAT66, servers in rs_ip6); v6 2001:db8:10::2 80/tcp (NAT64, v4
 * servers); v6 = the port's address 2001:db8:1::1 443/tcp. */
struct cfg6 {
	struct sl_snapshot *s;
	uint8_t port6[16], lip_a[16], lip_b[16], vip1[16], vip2[16];
};

static void add_svc(struct sl_snapshot *s, sl_be32 vip4, const uint8_t *vip6,
		    uint16_t port, uint8_t proto, uint8_t flags, uint32_t nrs)
{
	struct sl_snap_svc *svc = &s->svcs[s->nsvcs];
	uint32_t first = 0;
	for (uint32_t i = 0; i < s->nsvcs; i++)
		first += s->svcs[i].nrs;
	svc->vip = vip4;
	if (vip6)
		memcpy(s->svc_vip6[s->nsvcs], vip6, 16);
	svc->vport = sl_htons(port);
	svc->proto = proto;
	svc->flags = flags;
	svc->id = (uint16_t)(200 + s->nsvcs);
	svc->nrs = (uint16_t)nrs;
	svc->rs = &s->rs[first];
	bool fnat66 = (flags & (SL_SVC_V6 | SL_SVC_NAT64)) == SL_SVC_V6;
	for (uint32_t i = 0; i < nrs; i++) {
		struct sl_snap_rs *r = &s->rs[first + i];
		if (fnat66)
			ip6(s->rs_ip6[first + i], 0x20, (uint16_t)(first + i + 1));
		else
			r->ip = IP(198, 19, 0, first + i + 1);
		r->port = sl_htons(8080);
		r->id = (uint16_t)(first + i);
		r->weight = 1;
	}
	s->nsvcs++;
}

static struct cfg6 build_cfg6(void)
{
	struct cfg6 c;
	ip6(c.port6, 1, 1);
	ip6(c.lip_a, 1, 0x100);
	ip6(c.lip_b, 1, 0x101);
	ip6(c.vip1, 0x10, 1);
	ip6(c.vip2, 0x10, 2);
	const struct sl_snap_sizes sz = {.nsvcs = 5, .nrs = 10, .nrs_ids = 10,
					 .nlips6 = 2, .nroutes6 = 1,
					 .nsvcs6 = 4};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	assert_non_null(s);
	s->nports = 1;
	s->ports[0].ip = IP(198, 18, 0, 1);
	s->ports[0].plen = 24;
	s->ports[0].mask = sl_prefix_mask(24);
	memcpy(s->ports[0].ip6, c.port6, 16);
	s->ports[0].plen6 = 64;
	s->ports[0].nlips6 = 2;
	s->nlips6 = 2;
	memcpy(s->lips6[0].ip, c.lip_a, 16);
	s->lips6[0].slot = 3;
	memcpy(s->lips6[1].ip, c.lip_b, 16);
	s->lips6[1].slot = 4;

	add_svc(s, IP(198, 18, 10, 1), NULL, 80, SL_IPPROTO_TCP, 0, 2);
	add_svc(s, 0, c.vip1, 80, SL_IPPROTO_TCP, SL_SVC_V6, 3);
	add_svc(s, 0, c.vip1, 53, SL_IPPROTO_UDP, SL_SVC_V6, 1);
	add_svc(s, 0, c.vip2, 80, SL_IPPROTO_TCP, SL_SVC_V6 | SL_SVC_NAT64, 2);
	add_svc(s, 0, c.port6, 443, SL_IPPROTO_TCP, SL_SVC_V6, 2);
	c.s = s;
	return c;
}

static void test_find_svc6(void **state)
{
	(void)state;
	struct cfg6 c = build_cfg6();
	struct sl_snapshot *s = c.s;
	assert_int_equal(sl_snap_index(s), 0);

	const struct sl_snap_svc *v =
		sl_snap6_find_svc(s, c.vip1, sl_htons(80), SL_IPPROTO_TCP);
	assert_ptr_equal(v, &s->svcs[1]);
	assert_int_equal(v->nrs, 3);
	uint8_t want[16];
	ip6(want, 0x20, 5); /* servers 0,1 are the v4 service's */
	assert_memory_equal(s->rs_ip6[v->rs + 2 - s->rs], want, 16);
	assert_ptr_equal(sl_snap6_find_svc(s, c.vip1, sl_htons(53), SL_IPPROTO_UDP),
			 &s->svcs[2]);
	v = sl_snap6_find_svc(s, c.vip2, sl_htons(80), SL_IPPROTO_TCP);
	assert_ptr_equal(v, &s->svcs[3]);
	assert_true(v->flags & SL_SVC_NAT64);
	assert_int_equal(v->rs[0].ip, IP(198, 19, 0, 7));
	assert_ptr_equal(sl_snap6_find_svc(s, c.port6, sl_htons(443), SL_IPPROTO_TCP),
			 &s->svcs[4]);
	/* Server ids index both families. */
	assert_ptr_equal(sl_snap_svc_rs(s, &s->svcs[1], 3), &s->rs[3]);

	/* Misses: other proto, port, byte order, address. */
	assert_null(sl_snap6_find_svc(s, c.vip1, sl_htons(80), SL_IPPROTO_UDP));
	assert_null(sl_snap6_find_svc(s, c.vip1, sl_htons(81), SL_IPPROTO_TCP));
	assert_null(sl_snap6_find_svc(s, c.vip1, 80, SL_IPPROTO_TCP));
	assert_null(sl_snap6_find_svc(s, c.lip_a, sl_htons(80), SL_IPPROTO_TCP));

	/* The v4 side: its own service, and no v6 service leaked in under
	 * the v4 address 0.0.0.0. */
	assert_ptr_equal(sl_snap_find_svc(s, IP(198, 18, 10, 1), sl_htons(80),
					  SL_IPPROTO_TCP), &s->svcs[0]);
	assert_null(sl_snap_find_svc(s, 0, sl_htons(80), SL_IPPROTO_TCP));
	assert_null(sl_snap_find_addr(s, 0));
	uint32_t entries = 0;
	for (uint32_t i = 0; i <= s->svc_mask; i++)
		entries += s->svc_index[i] != 0;
	assert_int_equal(entries, 1);
	entries = 0;
	for (uint32_t i = 0; i <= s->svc6_mask; i++)
		entries += s->svc6_index[i] != 0;
	assert_int_equal(entries, 4);
	sl_snap_free(s);
}

static void test_find_addr6(void **state)
{
	(void)state;
	struct cfg6 c = build_cfg6();
	struct sl_snapshot *s = c.s;
	assert_int_equal(sl_snap_index(s), 0);

	/* The port's address, also a VIP: both kinds. */
	const struct sl_snap6_addr *a = sl_snap6_find_addr(s, c.port6);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_PORT | SL_ADDR_VIP);
	assert_int_equal(a->port, 0);
	a = sl_snap6_find_addr(s, c.lip_b);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_LIP);
	assert_int_equal(a->lip_slot, 4);
	a = sl_snap6_find_addr(s, c.vip1);
	assert_non_null(a);
	assert_int_equal(a->kinds, SL_ADDR_VIP);
	assert_non_null(sl_snap6_find_addr(s, c.vip2));
	/* port, 2 lips, 2 VIPs (vip1 has two services). */
	uint32_t entries = 0;
	for (uint32_t i = 0; i <= s->addr6_mask; i++)
		entries += s->addrs6[i].kinds != 0;
	assert_int_equal(entries, 5);

	uint8_t other[16];
	ip6(other, 0x20, 1); /* a server */
	assert_null(sl_snap6_find_addr(s, other));
	ip6(other, 1, 2);
	assert_null(sl_snap6_find_addr(s, other));
	/* v4: the port only, no VIP at 0.0.0.0. */
	assert_int_equal(sl_snap_find_addr(s, IP(198, 18, 0, 1))->kinds,
			 SL_ADDR_PORT);
	sl_snap_free(s);
}

static void test_duplicate_svc6(void **state)
{
	(void)state;
	struct cfg6 c = build_cfg6();
	struct sl_snapshot *s = c.s;
	/* Same (vip, port, proto) as service 1. */
	memcpy(s->svc_vip6[4], c.vip1, 16);
	s->svcs[4].vport = sl_htons(80);
	assert_int_equal(sl_snap_index(s), -1);
	sl_snap_free(s);

	/* Same address and port as a v4 service's, other family: fine. */
	c = build_cfg6();
	s = c.s;
	s->svcs[4].vport = sl_htons(80);
	assert_int_equal(sl_snap_index(s), 0);
	sl_snap_free(s);
}

/* A v6 service or address in a snapshot laid out without room for v6
 * is the builder's bug: refused, not indexed out of bounds. */
static void test_no_room_for_v6(void **state)
{
	(void)state;
	const struct sl_snap_sizes sz = {.nsvcs = 1, .nrs = 1, .nrs_ids = 1};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	assert_non_null(s);
	s->nsvcs = 1;
	s->svcs[0].flags = SL_SVC_V6;
	assert_int_equal(sl_snap_index(s), -1);
	sl_snap_free(s);

	s = sl_snap_alloc(&sz);
	s->nports = 1;
	s->ports[0].plen6 = 64;
	s->ports[0].ip6[0] = 0x20;
	assert_int_equal(sl_snap_index(s), -1);
	sl_snap_free(s);
}

static void set_route6(struct sl_snap6_route *r, uint16_t net,
		       unsigned plen, uint16_t via, uint8_t port)
{
	memset(r, 0, sizeof(*r));
	ip6(r->prefix, net, 0);
	r->plen = (uint8_t)plen;
	if (via)
		ip6(r->via, 1, via);
	r->port = port;
}

static void test_route6(void **state)
{
	(void)state;
	const struct sl_snap_sizes sz = {.nroutes6 = 5};
	struct sl_snapshot *s = sl_snap_alloc(&sz);
	assert_non_null(s);
	/* Longest prefix first, as the builder sorts them: a /128 host,
	 * 2001:db8:1::/64 connected, 2001:db8:1f0::/44 (a partial byte),
	 * 2001:db8::/32, then a default. */
	set_route6(&s->routes6[0], 0x22, 128, 0xfe, 0);
	s->routes6[0].prefix[15] = 7;
	set_route6(&s->routes6[1], 1, 64, 0, 1);
	set_route6(&s->routes6[2], 0x01f0, 44, 0xfd, 0);
	set_route6(&s->routes6[3], 0, 32, 0xfc, 0);
	s->nroutes6 = 4;

	uint8_t d[16];
	ip6(d, 0x22, 7);
	assert_ptr_equal(sl_snap6_route(s, d), &s->routes6[0]);
	ip6(d, 0x22, 8);
	assert_ptr_equal(sl_snap6_route(s, d), &s->routes6[3]);
	ip6(d, 1, 0x1234);
	assert_ptr_equal(sl_snap6_route(s, d), &s->routes6[1]);
	assert_int_equal(sl_snap6_route(s, d)->via[0], 0); /* connected */
	ip6(d, 0x01f7, 1); /* 2001:db8:1f7:: is in 2001:db8:1f0::/44 */
	assert_ptr_equal(sl_snap6_route(s, d), &s->routes6[2]);
	ip6(d, 0x0200, 1); /* 2001:db8:200:: is not */
	assert_ptr_equal(sl_snap6_route(s, d), &s->routes6[3]);
	ip6(d, 1, 1);
	d[3] = 0xb9; /* 2001:db9:: */
	assert_null(sl_snap6_route(s, d));

	memset(&s->routes6[4], 0, sizeof(s->routes6[4]));
	ip6(s->routes6[4].via, 1, 0xfb);
	s->nroutes6 = 5;
	assert_ptr_equal(sl_snap6_route(s, d), &s->routes6[4]);
	sl_snap_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_only_no_v6),
		cmocka_unit_test(test_alloc_layout6),
		cmocka_unit_test(test_find_svc6),
		cmocka_unit_test(test_find_addr6),
		cmocka_unit_test(test_duplicate_svc6),
		cmocka_unit_test(test_no_room_for_v6),
		cmocka_unit_test(test_route6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
