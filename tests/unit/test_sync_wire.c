/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's wire format (ctrl/cluster/sync_wire.c): records both
 * families round trip byte-exact through their explicit byte order,
 * every out-of-range field is refused, datagrams stay under their size
 * limit, each way a datagram can be wrong has its own reason, and the
 * HMAC matches RFC 4231's published vectors (an independent reference:
 * the MAC code is libcrypto's, this checks we call it right).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "conn.h"
#include "model_cluster.h"
#include "sync_sock.h"
#include "sync_wire.h"

static const uint8_t KEY[32] = "0123456789abcdef0123456789abcdef";

/* A datagram of `type` from `sender` to "lb9". */
static void start(struct sl_sync_dgram *d, uint8_t type, uint8_t flags, uint64_t epoch,
		  const char *sender)
{
	struct sl_sync_hdr h = {.type = type, .flags = flags, .epoch = epoch};

	snprintf(h.sender, sizeof(h.sender), "%s", sender);
	snprintf(h.receiver, sizeof(h.receiver), "lb9");
	sl_sync_dgram_start(d, 1452, &h);
}

/* Structure, then the MAC, as a receiver checks them. */
static enum sl_sync_bad check(const uint8_t *buf, size_t len, struct sl_sync_mac *m,
			      struct sl_sync_hdr *h)
{
	enum sl_sync_bad bad = sl_sync_parse(buf, len, h);

	return bad == SL_SYNC_OK ? sl_sync_verify(buf, len, m) : bad;
}

static struct sl_sync_conn conn4(void)
{
	struct sl_sync_conn c = {
		.client = {198, 18, 0, 10}, .vip = {198, 18, 0, 1},
		.rs = {198, 18, 1, 20}, .laddr = {198, 18, 1, 2},
		.cport = htons(40000), .vport = htons(80), .rsport = htons(8080),
		.lport = htons(2000), .timeout_ms = 0x01020304,
		.seq_delta = {0xa1b2c3d4, 7}, .family_orig = 4, .family_reply = 4,
		.proto = IPPROTO_TCP, .state = SL_CS_TCP_ESTABLISHED,
		.flags = SL_CONN_F_FIN_ORIG, .event = SL_SYNC_NEW,
	};
	return c;
}

static struct sl_sync_conn conn6(void)
{
	struct sl_sync_conn c = conn4();
	static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

	memcpy(c.client, a, 16);
	c.client[15] = 9;
	memcpy(c.vip, a, 16);
	memcpy(c.rs, a, 16);
	c.rs[15] = 0x20;
	memcpy(c.laddr, a, 16);
	c.laddr[15] = 2;
	c.family_orig = c.family_reply = 6;
	c.proto = IPPROTO_UDP;
	c.state = SL_CS_UDP;
	c.flags = 0;
	c.event = SL_SYNC_GONE;
	return c;
}

static void round_trip(const struct sl_sync_conn *c)
{
	uint8_t wire[SL_SYNC_REC_LEN];
	struct sl_sync_conn back;

	sl_sync_rec_encode(c, wire);
	assert_int_equal(sl_sync_rec_decode(wire, &back), 0);
	assert_memory_equal(c, &back, sizeof(back));
}

static void test_round_trip_both_families(void **state)
{
	struct sl_sync_conn c4 = conn4(), c6 = conn6();
	uint8_t wire[SL_SYNC_REC_LEN];
	(void)state;

	round_trip(&c4);
	round_trip(&c6);
	/* Explicit byte order: timeout and deltas big-endian on the wire,
	 * ports as they were (network order already). */
	sl_sync_rec_encode(&c4, wire);
	assert_memory_equal(wire + 72, "\x01\x02\x03\x04", 4);
	assert_memory_equal(wire + 76, "\xa1\xb2\xc3\xd4", 4);
	assert_memory_equal(wire + 64, "\x9c\x40", 2); /* 40000 */
}

/* A field set out of range must make decode refuse the record. */
static void refused(struct sl_sync_conn c)
{
	uint8_t wire[SL_SYNC_REC_LEN];
	struct sl_sync_conn back;

	sl_sync_rec_encode(&c, wire);
	assert_int_equal(sl_sync_rec_decode(wire, &back), -1);
}

/* One field of a good record set out of range. */
#define REFUSED(change)                                                        \
	do {                                                                   \
		struct sl_sync_conn c = conn4();                               \
		change;                                                        \
		refused(c);                                                    \
	} while (0)

static void test_record_ranges(void **state)
{
	(void)state;
	REFUSED(c.family_orig = 5);
	REFUSED(c.family_reply = 0);
	REFUSED(c.laddr[4] = 1); /* a v4 address with bytes past its four */
	REFUSED(c.vip[15] = 1);
	REFUSED(c.proto = IPPROTO_ICMP);
	REFUSED(c.state = SL_CS_MAX);
	REFUSED(c.event = 0);
	REFUSED(c.event = SL_SYNC_GONE + 1);
	REFUSED(c.flags = SL_CONN_F_SNAT);
	REFUSED(c.reserved = 1);
}

static struct sl_sync_mac *mac(void)
{
	struct sl_sync_mac *m = sl_sync_mac_new(KEY, sizeof(KEY));

	assert_non_null(m);
	return m;
}

static void test_dgram_limit_and_parse(void **state)
{
	static struct sl_sync_dgram d;
	struct sl_sync_conn c = conn4();
	struct sl_sync_mac *m = mac();
	struct sl_sync_hdr h;
	uint32_t n = 0;
	(void)state;

	start(&d, SL_SYNC_T_RECORDS, SL_SYNC_F_READY, 77, "lb1");
	while (sl_sync_dgram_add(&d, &c))
		n++;
	assert_int_equal(n, sl_sync_recs_per_dgram(1452));
	assert_int_equal(n, 14);
	assert_int_equal(sl_sync_dgram_seal(&d, m, 5), 0);
	assert_true(d.len <= 1452);
	assert_int_equal(check(d.buf, d.len, m, &h), SL_SYNC_OK);
	assert_int_equal(h.count, 14);
	assert_int_equal(h.seq, 5);
	assert_int_equal(h.epoch, 77);
	assert_int_equal(h.flags, SL_SYNC_F_READY);
	assert_string_equal(h.sender, "lb1");
	sl_sync_mac_free(m);
}

static void test_parse_reasons(void **state)
{
	static struct sl_sync_dgram d;
	static uint8_t buf[2048];
	struct sl_sync_conn c = conn6();
	struct sl_sync_mac *m = mac(), *other;
	struct sl_sync_hdr h;
	static const uint8_t other_key[32] = "another key, another key, anothe";
	(void)state;

	start(&d, SL_SYNC_T_RECORDS, 0, 1, "lb2");
	sl_sync_dgram_add(&d, &c);
	sl_sync_dgram_add(&d, &c);
	sl_sync_dgram_seal(&d, m, 1);
	memcpy(buf, d.buf, d.len);

	assert_int_equal(check(buf, 40, m, &h), SL_SYNC_BAD_TRUNCATED);
	/* A record cut short: the count says two, the bytes hold less. */
	assert_int_equal(check(buf, d.len - 10, m, &h), SL_SYNC_BAD_TRUNCATED);
	buf[0] ^= 1;
	assert_int_equal(check(buf, d.len, m, &h), SL_SYNC_BAD_MAGIC);
	buf[0] ^= 1;
	buf[4] = SL_SYNC_VERSION + 1;
	assert_int_equal(check(buf, d.len, m, &h), SL_SYNC_BAD_VERSION);
	buf[4] = SL_SYNC_VERSION;
	buf[SL_SYNC_HDR_LEN + 40] ^= 0x80; /* one bit of a record */
	assert_int_equal(check(buf, d.len, m, &h), SL_SYNC_BAD_MAC);
	buf[SL_SYNC_HDR_LEN + 40] ^= 0x80;
	other = sl_sync_mac_new(other_key, sizeof(other_key));
	assert_int_equal(check(buf, d.len, other, &h), SL_SYNC_BAD_MAC);
	sl_sync_mac_free(other);
	assert_int_equal(check(buf, d.len, m, &h), SL_SYNC_OK);

	/* An authenticated datagram of an unknown type. */
	start(&d, 9, 0, 1, "lb2");
	sl_sync_dgram_seal(&d, m, 2);
	assert_int_equal(check(d.buf, d.len, m, &h), SL_SYNC_BAD_TYPE);
	sl_sync_mac_free(m);
}

/* The sizes and type are checked before any MAC is computed: junk with
 * a wrong MAC is refused for its structure, no key needed. */
static void test_structure_before_mac(void **state)
{
	static struct sl_sync_dgram d;
	struct sl_sync_conn c = conn4();
	struct sl_sync_mac *m = mac();
	struct sl_sync_hdr h;
	(void)state;

	start(&d, 9, 0, 1, "lb2");
	sl_sync_dgram_seal(&d, m, 1);
	d.buf[d.len - 1] ^= 1; /* and a wrong MAC */
	assert_int_equal(sl_sync_parse(d.buf, d.len, &h), SL_SYNC_BAD_TYPE);
	start(&d, SL_SYNC_T_RECORDS, 0, 1, "lb2");
	sl_sync_dgram_add(&d, &c);
	sl_sync_dgram_seal(&d, m, 2);
	d.buf[8] = 0, d.buf[9] = 3; /* count 3, one record's bytes */
	assert_int_equal(sl_sync_parse(d.buf, d.len, &h), SL_SYNC_BAD_TRUNCATED);
	sl_sync_mac_free(m);
}

/* Version 3's header: every field round trips, and each one is under
 * the MAC (a change to any byte of it is refused). */
static void test_header_fields(void **state)
{
	static struct sl_sync_dgram d;
	struct sl_sync_mac *m = mac();
	struct sl_sync_hdr h = {
		.type = SL_SYNC_T_DUMP_END, .flags = SL_SYNC_F_READY | SL_SYNC_F_DUMP,
		.key_id = sl_sync_mac_id(m), .workers = 3, .dump_id = 0x01020304,
		.dump_records = 4242, .epoch = 1ull << 40, .rcv_epoch = 77,
		.nodes = 0xdeadbeef,
		.sender = "lb1", .receiver = "a-name-of-31-bytes-abcdefghijkl",
	}, got;
	(void)state;

	sl_sync_dgram_start(&d, 1452, &h);
	assert_int_equal(sl_sync_dgram_seal(&d, m, 9), 0);
	assert_int_equal(d.buf[4], 3); /* the version this format is */
	assert_int_equal(d.len, SL_SYNC_HDR_LEN + SL_SYNC_MAC_LEN);
	assert_int_equal(check(d.buf, d.len, m, &got), SL_SYNC_OK);
	assert_int_equal(got.type, h.type);
	assert_int_equal(got.flags, h.flags);
	assert_int_equal(got.key_id, sl_sync_mac_id(m));
	assert_int_equal(got.workers, 3);
	assert_int_equal(got.dump_id, 0x01020304);
	assert_int_equal(got.dump_records, 4242);
	assert_int_equal(got.epoch, 1ull << 40);
	assert_int_equal(got.rcv_epoch, 77);
	assert_int_equal(got.seq, 9);
	assert_int_equal(got.nodes, 0xdeadbeef);
	assert_string_equal(got.sender, "lb1");
	assert_string_equal(got.receiver, "a-name-of-31-bytes-abcdefghijkl");
	for (size_t i = 5; i < SL_SYNC_HDR_LEN; i++) {
		if (i == 8 || i == 9)
			continue; /* the count: a size check's */
		d.buf[i] ^= 0x40;
		enum sl_sync_bad b = check(d.buf, d.len, m, &got);
		assert_true(b == SL_SYNC_BAD_MAC || b == SL_SYNC_BAD_TYPE);
		d.buf[i] ^= 0x40;
	}
	sl_sync_mac_free(m);
}

/* The key id is the key's: equal keys, equal ids; another key, another. */
static void test_key_id(void **state)
{
	static const uint8_t k2[32] = "another key, another key, anothe";
	struct sl_sync_mac *a = mac(), *b = mac(), *c = sl_sync_mac_new(k2, sizeof(k2));
	(void)state;

	assert_int_equal(sl_sync_mac_id(a), sl_sync_mac_id(b));
	assert_int_not_equal(sl_sync_mac_id(a), sl_sync_mac_id(c));
	sl_sync_mac_free(a);
	sl_sync_mac_free(b);
	sl_sync_mac_free(c);
}

static void hmac_vector(const uint8_t *key, size_t klen, const char *data,
			const char *hex)
{
	struct sl_sync_mac *m = sl_sync_mac_new(key, klen);
	uint8_t out[SL_SYNC_MAC_LEN], want[SL_SYNC_MAC_LEN];

	for (size_t i = 0; i < sizeof(want); i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		want[i] = (uint8_t)v;
	}
	assert_non_null(m);
	assert_int_equal(sl_sync_mac_compute(m, (const uint8_t *)data, strlen(data), out), 0);
	assert_memory_equal(out, want, sizeof(want));
	/* Twice with the same context: the key is used afresh each time. */
	assert_int_equal(sl_sync_mac_compute(m, (const uint8_t *)data, strlen(data), out), 0);
	assert_memory_equal(out, want, sizeof(want));
	sl_sync_mac_free(m);
}

/* RFC 4231, test cases 1 and 2 (HMAC-SHA-256). */
static void test_hmac_rfc4231(void **state)
{
	uint8_t k1[20];
	(void)state;

	memset(k1, 0x0b, sizeof(k1));
	hmac_vector(k1, sizeof(k1), "Hi There",
		    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	hmac_vector((const uint8_t *)"Jefe", 4, "what do ya want for nothing?",
		    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

struct sent_log {
	unsigned n, failed;
	uint32_t peer[2 * SL_SYNC_TXQ], records[2 * SL_SYNC_TXQ];
};

static void note_sent(void *ctx, uint32_t peer, uint32_t records, bool ok)
{
	struct sent_log *l = ctx;

	l->peer[l->n] = peer;
	l->records[l->n++] = records;
	l->failed += !ok;
}

/* The send queue: full at SL_SYNC_TXQ datagrams; a send reports every
 * one, in order, with its peer and record count, and one that fails (no
 * socket here: every one) does not stop the rest; empty after. */
static void test_send_queue(void **state)
{
	struct sl_sync_txq *q = sl_sync_txq_new(SL_CLUSTER_DGRAM_DEFAULT);
	struct sl_addr to = sl_addr_v4(sl_htonl(0xc6120102u)); /* 198.18.1.2 */
	struct sent_log l = {0};
	uint8_t dgram[SL_CLUSTER_DGRAM_DEFAULT] = {1};
	(void)state;

	assert_non_null(q);
	for (uint32_t i = 0; i < SL_SYNC_TXQ; i++)
		assert_int_equal(sl_sync_txq_add(q, &to, 8848, dgram, sizeof(dgram), i % 3, i),
				 i == SL_SYNC_TXQ - 1);
	sl_sync_txq_send(-1, q, note_sent, &l);
	assert_int_equal(l.n, SL_SYNC_TXQ);
	assert_int_equal(l.failed, SL_SYNC_TXQ);
	for (uint32_t i = 0; i < SL_SYNC_TXQ; i++) {
		assert_int_equal(l.peer[i], i % 3);
		assert_int_equal(l.records[i], i);
	}
	sl_sync_txq_send(-1, q, note_sent, &l); /* emptied: nothing again */
	assert_int_equal(l.n, SL_SYNC_TXQ);
	sl_sync_txq_free(q);
}

/* sendmmsg, wrapped (-Wl,--wrap=sendmmsg): on FAKE_FD it takes up to
 * `room` datagrams, noting each one's first byte, then says EAGAIN (the
 * send buffer full); any other descriptor goes to the real one. */
#define FAKE_FD 4242
int __real_sendmmsg(int fd, struct mmsghdr *m, unsigned n, int flags);
int __wrap_sendmmsg(int fd, struct mmsghdr *m, unsigned n, int flags);
static struct {
	unsigned room, taken;
	uint8_t first[4 * SL_SYNC_TXQ];
} wire;

int __wrap_sendmmsg(int fd, struct mmsghdr *m, unsigned n, int flags)
{
	unsigned k = 0;

	if (fd != FAKE_FD)
		return __real_sendmmsg(fd, m, n, flags);
	for (; k < n && wire.room > 0; k++, wire.room--)
		wire.first[wire.taken++] = *(const uint8_t *)m[k].msg_hdr.msg_iov[0].iov_base;
	if (k == 0) {
		errno = EAGAIN;
		return -1;
	}
	return (int)k;
}

/* A full send buffer loses nothing queued: the datagrams the kernel had
 * no room for stay, in order, and go at the next send; only one that
 * finds the queue still full is refused (the caller's to count). */
static void test_send_queue_buffer_full(void **state)
{
	struct sl_sync_txq *q = sl_sync_txq_new(64);
	struct sl_addr to = sl_addr_v4(sl_htonl(0xc6120102u));
	struct sent_log l = {0};
	uint8_t dgram[64];
	(void)state;

	assert_non_null(q);
	memset(&wire, 0, sizeof(wire));
	for (uint32_t i = 0; i < SL_SYNC_TXQ; i++) {
		dgram[0] = (uint8_t)i;
		sl_sync_txq_add(q, &to, 8848, dgram, 10 + i, 0, i);
	}
	wire.room = 5;
	assert_int_equal(sl_sync_txq_send(FAKE_FD, q, note_sent, &l), SL_SYNC_TXQ - 5);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.failed, 0);
	assert_false(sl_sync_txq_add(q, &to, 8848, dgram, 10, 0, 99)); /* 27 waiting: room */
	assert_int_equal(sl_sync_txq_count(q), SL_SYNC_TXQ - 5 + 1);
	wire.room = 1000;
	assert_int_equal(sl_sync_txq_send(FAKE_FD, q, note_sent, &l), 0);
	assert_int_equal(l.n, SL_SYNC_TXQ + 1);
	assert_int_equal(l.failed, 0);
	for (uint32_t i = 0; i < SL_SYNC_TXQ; i++) {
		assert_int_equal(wire.first[i], i); /* every one, in order */
		assert_int_equal(l.records[i], i);
	}
	assert_int_equal(l.records[SL_SYNC_TXQ], 99);
	/* Full and still refused: the queue takes nothing more. */
	for (uint32_t i = 0; i < SL_SYNC_TXQ; i++)
		sl_sync_txq_add(q, &to, 8848, dgram, 10, 1, i);
	wire.room = 0;
	assert_int_equal(sl_sync_txq_send(FAKE_FD, q, note_sent, &l), SL_SYNC_TXQ);
	assert_true(sl_sync_txq_add(q, &to, 8848, dgram, 10, 1, 7));
	assert_int_equal(sl_sync_txq_count(q), SL_SYNC_TXQ);
	sl_sync_txq_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_both_families),
		cmocka_unit_test(test_record_ranges),
		cmocka_unit_test(test_dgram_limit_and_parse),
		cmocka_unit_test(test_parse_reasons),
		cmocka_unit_test(test_structure_before_mac),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_key_id),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_send_queue),
		cmocka_unit_test(test_send_queue_buffer_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
