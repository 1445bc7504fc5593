/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync records to and from connection entries (sync_conv.h):
 * v4, FNAT66 and NAT64 connections made into records and back give the
 * same keys, checksum deltas, state, flags, sequence deltas and timeout;
 * the record's key lookups find the connection; a record names the very
 * connection only with both keys the same; bad records are refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn6.h"
#include "nat.h"
#include "nat66.h"
#include "sync_conv.h"

#define NOW 100000u

static void ip6(uint8_t a[16], uint8_t net, uint8_t host)
{
	static const uint8_t pre[4] = {0x20, 0x01, 0x0d, 0xb8};

	memset(a, 0, 16);
	memcpy(a, pre, 4);
	a[5] = net;
	a[15] = host;
}

static struct sl_conn_table *table(void)
{
	static struct sl_conn_table t;

	if (t.conns)
		sl_ct_destroy(&t);
	assert_int_equal(sl_ct_init_ext(&t, 1024, 64, NOW), 0);
	return &t;
}

/* A v4 connection 198.18.0.10:40000 -> 198.18.0.1:80, server
 * 198.18.1.5:8080 -> local 198.18.1.3:2001, established, with deltas. */
static struct sl_conn *v4conn(struct sl_conn_table *t)
{
	struct sl_conn *c = sl_ct_alloc(t);
	c->key[SL_DIR_ORIG] = (struct sl_v4key){sl_htonl(0xc612000a), sl_htonl(0xc6120001),
						sl_htons(40000), sl_htons(80)};
	c->key[SL_DIR_REPLY] = (struct sl_v4key){sl_htonl(0xc6120105), sl_htonl(0xc6120103),
						 sl_htons(8080), sl_htons(2001)};
	c->proto = SL_IPPROTO_TCP;
	c->state = SL_CS_TCP_ESTABLISHED;
	c->flags = SL_CONN_F_FIN_ORIG | SL_CONN_F_RST_EDGE;
	sl_nat_prepare(c);
	assert_int_equal(sl_ct_add_ext(t, c, 0), 0);
	sl_ct_set_seq_delta(t, c, SL_DIR_REPLY, 12345);
	c->expire = NOW + 7000;
	sl_ct_set_created(t, c, NOW - 5);
	assert_int_equal(sl_ct_insert(t, c), 0);
	return c;
}

/* A v6 connection; `nat64` gives it a v4 REPLY key. */
static struct sl_conn *v6conn(struct sl_conn_table *t, bool nat64)
{
	struct sl_conn *c = sl_ct_alloc(t);
	struct sl_v6key o = {.sport = sl_htons(40001), .dport = sl_htons(443)}, r;

	ip6(o.saddr, 1, 0x10);
	ip6(o.daddr, 1, 0x20);
	assert_int_equal(sl_ct_add_ext(t, c, SL_CONN_X_V6_ORIG |
					      (nat64 ? 0 : SL_CONN_X_V6_REPLY)), 0);
	sl_ct_set_v6key(t, c, SL_DIR_ORIG, &o);
	if (nat64) {
		c->key[SL_DIR_REPLY] = (struct sl_v4key){sl_htonl(0xc6120105), sl_htonl(0xc6120103),
							 sl_htons(8443), sl_htons(3003)};
	} else {
		r.sport = sl_htons(8443);
		r.dport = sl_htons(3003);
		ip6(r.saddr, 2, 0x51);
		ip6(r.daddr, 2, 3);
		sl_ct_set_v6key(t, c, SL_DIR_REPLY, &r);
		struct sl_v6key to = sl_v6key_reverse(&r);
		c->csum_l4 = sl_nat66_delta(&o, &to);
	}
	c->proto = SL_IPPROTO_UDP;
	c->state = SL_CS_UDP;
	c->expire = NOW + 300;
	assert_int_equal(sl_ct_insert(t, c), 0);
	return c;
}

/* Record of c, then a fresh table's entry made from it: the same. */
static void round_trip(struct sl_conn_table *t, const struct sl_conn *c)
{
	struct sl_sync_conn r, r2;
	struct sl_conn_table t2;

	sl_sync_from_conn(t, c, NOW, SL_SYNC_NEW, &r);
	assert_true(sl_sync_rec_valid(&r));
	assert_int_equal(sl_sync_lookup(t, &r), sl_ct_ref(sl_ct_index(t, c),
							  sl_conn_v6(c, SL_DIR_ORIG), SL_DIR_ORIG));
	assert_int_equal(sl_ct_ref_index(sl_sync_lookup_reply(t, &r)), sl_ct_index(t, c));

	assert_int_equal(sl_ct_init_ext(&t2, 64, 8, NOW), 0);
	struct sl_conn *d = sl_ct_alloc(&t2);
	assert_int_equal(sl_sync_to_conn(&t2, &r, d), 0);
	d->expire = NOW + r.timeout_ms;
	assert_int_equal(sl_ct_insert(&t2, d), 0);
	assert_int_equal(d->shape, c->shape);
	assert_int_equal(d->csum_l3, c->csum_l3);
	assert_int_equal(d->csum_l4, c->csum_l4);
	assert_int_equal(d->state, c->state);
	assert_int_equal(d->flags, c->flags & (SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY));
	assert_int_equal(sl_ct_seq_delta(&t2, d, SL_DIR_REPLY),
			 sl_ct_seq_delta(t, c, SL_DIR_REPLY));
	assert_int_not_equal(sl_sync_lookup(&t2, &r), SL_CT_NONE);
	assert_int_not_equal(sl_sync_lookup_reply(&t2, &r), SL_CT_NONE);
	sl_sync_from_conn(&t2, d, NOW, SL_SYNC_NEW, &r2);
	assert_memory_equal(&r, &r2, sizeof(r));
	sl_ct_destroy(&t2);
}

static void test_v4(void **state)
{
	(void)state;
	struct sl_conn_table *t = table();
	struct sl_conn *c = v4conn(t);
	struct sl_sync_conn r;

	sl_sync_from_conn(t, c, NOW, SL_SYNC_STATE, &r);
	assert_int_equal(r.family_orig, 4);
	assert_int_equal(r.family_reply, 4);
	assert_int_equal(sl_ntohs(r.cport), 40000);
	assert_int_equal(sl_ntohs(r.vport), 80);
	assert_int_equal(sl_ntohs(r.rsport), 8080);
	assert_int_equal(sl_ntohs(r.lport), 2001);
	assert_int_equal(r.client[0], 198);
	assert_int_equal(r.client[3], 10);
	assert_int_equal(r.laddr[3], 3);
	assert_int_equal(r.rs[3], 5);
	for (int i = 4; i < 16; i++)
		assert_int_equal(r.vip[i], 0);
	assert_int_equal(r.timeout_ms, 7000);
	assert_int_equal(r.flags, SL_CONN_F_FIN_ORIG); /* RST_EDGE is not synced */
	assert_int_equal(r.event, SL_SYNC_STATE);
	assert_int_equal(r.seq_delta[SL_DIR_REPLY], 12345);
	round_trip(t, c);
	/* Due already: no time left. */
	sl_sync_from_conn(t, c, NOW + 8000, SL_SYNC_REFRESH, &r);
	assert_int_equal(r.timeout_ms, 0);
}

static void test_fnat66(void **state)
{
	(void)state;
	struct sl_conn_table *t = table();
	struct sl_conn *c = v6conn(t, false);
	struct sl_sync_conn r;
	uint8_t want[16];

	sl_sync_from_conn(t, c, NOW, SL_SYNC_NEW, &r);
	assert_int_equal(r.family_orig, 6);
	assert_int_equal(r.family_reply, 6);
	ip6(want, 2, 3);
	assert_memory_equal(r.laddr, want, 16);
	ip6(want, 1, 0x10);
	assert_memory_equal(r.client, want, 16);
	assert_int_equal(r.timeout_ms, 300);
	round_trip(t, c);
}

static void test_nat64(void **state)
{
	(void)state;
	struct sl_conn_table *t = table();
	struct sl_conn *c = v6conn(t, true);
	struct sl_sync_conn r;

	sl_sync_from_conn(t, c, NOW, SL_SYNC_NEW, &r);
	assert_int_equal(r.family_orig, 6);
	assert_int_equal(r.family_reply, 4);
	assert_int_equal(r.rs[3], 5);
	assert_int_equal(sl_ntohs(r.lport), 3003);
	round_trip(t, c);
}

static void test_refused(void **state)
{
	(void)state;
	struct sl_conn_table *t = table();
	struct sl_sync_conn good, r;

	sl_sync_from_conn(t, v4conn(t), NOW, SL_SYNC_NEW, &good);
	assert_true(sl_sync_rec_valid(&good));
	r = good, r.family_orig = 5;
	assert_false(sl_sync_rec_valid(&r));
	r = good, r.family_reply = 6; /* v4 client, v6 server: no layout */
	assert_false(sl_sync_rec_valid(&r));
	r = good, r.state = SL_CS_UDP;
	assert_false(sl_sync_rec_valid(&r));
	r = good, r.proto = SL_IPPROTO_UDP;
	assert_false(sl_sync_rec_valid(&r));
	r = good, r.lport = 0;
	assert_false(sl_sync_rec_valid(&r));
	r = good, r.event = 9;
	assert_false(sl_sync_rec_valid(&r));
	r = good, r.flags = SL_CONN_F_SNAT;
	assert_false(sl_sync_rec_valid(&r));
	r = good, r.reserved = 1;
	assert_false(sl_sync_rec_valid(&r));
	r = good, r.state = SL_CS_FREE;
	assert_false(sl_sync_rec_valid(&r));
}

/* A record names the very connection only with every address and port
 * of both keys the same: a shared client tuple is not enough. */
static void test_same_conn(void **state)
{
	(void)state;
	struct sl_conn_table *t = table();
	struct sl_conn *c4 = v4conn(t), *c6 = v6conn(t, false);
	struct sl_sync_conn r, other;

	sl_sync_from_conn(t, c4, NOW, SL_SYNC_STATE, &r);
	assert_true(sl_sync_same_conn(t, c4, &r));
	other = r, other.lport ^= 1;
	assert_false(sl_sync_same_conn(t, c4, &other));
	other = r, other.rsport ^= 1;
	assert_false(sl_sync_same_conn(t, c4, &other));
	other = r, other.rs[3] ^= 1;
	assert_false(sl_sync_same_conn(t, c4, &other));
	other = r, other.laddr[3] ^= 1;
	assert_false(sl_sync_same_conn(t, c4, &other));
	other = r, other.proto = SL_IPPROTO_UDP;
	assert_false(sl_sync_same_conn(t, c4, &other));
	other = r, other.timeout_ms = 1, other.state = SL_CS_TCP_CLOSE; /* not identity */
	assert_true(sl_sync_same_conn(t, c4, &other));
	sl_sync_from_conn(t, c6, NOW, SL_SYNC_NEW, &r);
	assert_true(sl_sync_same_conn(t, c6, &r));
	other = r, other.laddr[15] ^= 1;
	assert_false(sl_sync_same_conn(t, c6, &other));
	assert_false(sl_sync_same_conn(t, c4, &r));
}

/* A v6 record with the extension pool empty: -ENOSPC, nothing leaked. */
static void test_pool_empty(void **state)
{
	(void)state;
	struct sl_conn_table *t = table(), t2;
	struct sl_sync_conn r;

	sl_sync_from_conn(t, v6conn(t, false), NOW, SL_SYNC_NEW, &r);
	assert_int_equal(sl_ct_init_ext(&t2, 64, 0, NOW), 0);
	struct sl_conn *d = sl_ct_alloc(&t2);
	assert_int_equal(sl_sync_to_conn(&t2, &r, d), -ENOSPC);
	sl_ct_abandon(&t2, d);
	assert_int_equal(t2.nconns, 0);
	sl_ct_destroy(&t2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_fnat66),
		cmocka_unit_test(test_nat64),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_same_conn),
		cmocka_unit_test(test_pool_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
