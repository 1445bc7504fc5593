/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-peer state of session sync (ctrl/cluster/sync_peer.c), on a fake
 * clock: the anti-replay window, loss from sequence gaps (and late
 * arrivals taken back), dead detection, and the takeover rule: three
 * survivors each computing alone agree on one owner per address, and the
 * addresses go back once the peer is alive with its dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sync_peer.h"

static void test_window_replays(void **state)
{
	struct sl_sync_window w = {0};
	uint64_t lost = 0;
	(void)state;

	assert_int_equal(sl_sync_window_accept(&w, 10, 1, &lost), 0);
	assert_int_equal(sl_sync_window_accept(&w, 10, 1, &lost), -1); /* repeated */
	assert_int_equal(sl_sync_window_accept(&w, 10, 2, &lost), 0);
	assert_int_equal(sl_sync_window_accept(&w, 10, 0, &lost), -1); /* never sent */
	assert_int_equal(sl_sync_window_accept(&w, 10, 200, &lost), 0);
	/* Older than the window: refused even though never seen. */
	assert_int_equal(sl_sync_window_accept(&w, 10, 200 - SL_SYNC_WINDOW, &lost), -1);
	assert_int_equal(sl_sync_window_accept(&w, 10, 199, &lost), 0); /* late, in window */
	assert_int_equal(sl_sync_window_accept(&w, 10, 199, &lost), -1);
	/* An older epoch (a previous run of the sender) is a replay. */
	assert_int_equal(sl_sync_window_accept(&w, 9, 500, &lost), -1);
	/* A newer one (the sender restarted) starts afresh at any sequence. */
	assert_int_equal(sl_sync_window_accept(&w, 11, 1, &lost), 0);
	assert_int_equal(sl_sync_window_accept(&w, 10, 201, &lost), -1);
}

static void test_loss_from_gaps(void **state)
{
	struct sl_sync_window w = {0};
	uint64_t lost = 0;
	(void)state;

	assert_int_equal(sl_sync_window_accept(&w, 1, 5, &lost), 0);
	assert_int_equal(lost, 0); /* the first one seen: nothing before it is ours */
	sl_sync_window_accept(&w, 1, 6, &lost);
	sl_sync_window_accept(&w, 1, 10, &lost); /* 7, 8, 9 missing */
	assert_int_equal(lost, 3);
	sl_sync_window_accept(&w, 1, 8, &lost);  /* late, not lost */
	assert_int_equal(lost, 2);
	sl_sync_window_accept(&w, 1, 1000, &lost); /* a jump past the window */
	assert_int_equal(lost, 2 + 989);
}

static struct sl_cluster_peer_conf confs[5];
static const char *const names[5] = {"lb-a", "lb-b", "lb-c", "lb-d", "lb-e"};

static void setup_confs(void)
{
	memset(confs, 0, sizeof(confs));
	for (int i = 0; i < 5; i++) {
		snprintf(confs[i].name, sizeof(confs[i].name), "%s", names[i]);
		confs[i].addr.af = SL_AF_V4;
		confs[i].addr.v4 = (uint32_t)(0x0a000000 + i);
		confs[i].nladdrs = 8;
		for (int j = 0; j < 8; j++) {
			struct sl_addr *a = &confs[i].laddrs[j];
			if (j % 2) {
				a->af = SL_AF_V6;
				a->v6[0] = 0x20, a->v6[1] = 0x01, a->v6[2] = 0x0d, a->v6[3] = 0xb8;
				a->v6[14] = (uint8_t)i, a->v6[15] = (uint8_t)j;
			} else {
				a->af = SL_AF_V4;
				a->v4 = (uint32_t)((198u) | (18u << 8) | ((uint32_t)i << 16) |
						   ((uint32_t)j << 24));
			}
		}
	}
}

static struct sl_sync_hdr hdr(uint64_t seq, bool ready)
{
	struct sl_sync_hdr h = {.type = SL_SYNC_T_HEARTBEAT, .epoch = 1, .seq = seq,
				.flags = ready ? SL_SYNC_F_READY : 0};
	return h;
}

static void test_dead_detection(void **state)
{
	struct sl_sync_peer p;
	struct sl_sync_hdr h;
	bool changed;
	(void)state;

	setup_confs();
	sl_sync_peer_init(&p, &confs[1], 1000);
	assert_int_equal(p.state, SL_PEER_UNKNOWN);
	h = hdr(1, true);
	assert_int_equal(sl_sync_peer_heard(&p, &h, 1050, &changed), 0);
	assert_true(changed);
	assert_int_equal(p.state, SL_PEER_ALIVE);
	assert_true(sl_sync_peer_serving(&p));
	assert_false(sl_sync_peer_tick(&p, 1550, 500)); /* 500 ms: not yet */
	assert_true(sl_sync_peer_tick(&p, 1551, 500));
	assert_int_equal(p.state, SL_PEER_DEAD);
	assert_false(sl_sync_peer_serving(&p));
	assert_false(sl_sync_peer_tick(&p, 5000, 500)); /* dies once */
	assert_int_equal(p.st.deaths, 1);
	/* A replayed heartbeat does not bring it back. */
	assert_int_equal(sl_sync_peer_heard(&p, &h, 5000, &changed), -1);
	assert_int_equal(p.st.replays, 1);
	assert_int_equal(p.state, SL_PEER_DEAD);
	h = hdr(2, false);
	assert_int_equal(sl_sync_peer_heard(&p, &h, 5001, &changed), 0);
	assert_int_equal(p.state, SL_PEER_ALIVE);
	assert_false(sl_sync_peer_serving(&p)); /* back, without its dump yet */

	/* Never heard at all: dead dead_ms after start. */
	sl_sync_peer_init(&p, &confs[2], 1000);
	assert_false(sl_sync_peer_tick(&p, 1500, 500));
	assert_true(sl_sync_peer_tick(&p, 1501, 500));
}

/* A peer's readiness stays once said within its epoch: a late datagram
 * sent before it had its dump (no READY flag) does not take it back and
 * flip the takeover. A new epoch (a restart) starts it over. */
static void test_ready_stays(void **state)
{
	struct sl_sync_peer p;
	struct sl_sync_hdr h;
	bool changed;
	(void)state;

	setup_confs();
	sl_sync_peer_init(&p, &confs[1], 0);
	h = hdr(1, false);
	assert_int_equal(sl_sync_peer_heard(&p, &h, 10, &changed), 0);
	h = hdr(3, true);
	assert_int_equal(sl_sync_peer_heard(&p, &h, 20, &changed), 0);
	assert_true(sl_sync_peer_serving(&p));
	h = hdr(2, false); /* late, from before its dump */
	assert_int_equal(sl_sync_peer_heard(&p, &h, 30, &changed), 0);
	assert_false(changed);
	assert_true(p.ready);
	h = hdr(1, false);
	h.epoch = 2; /* restarted */
	assert_int_equal(sl_sync_peer_heard(&p, &h, 40, &changed), 0);
	assert_true(changed);
	assert_false(p.ready);
}

/* Node `self`'s view: every other node alive and ready but `dead`
 * (dead, or alive without its dump when `back`). */
static uint32_t view(int self, int dead, bool back, struct sl_sync_peer *peers,
		     struct sl_addr *out, uint32_t max)
{
	uint32_t n = 0;

	for (int i = 0; i < 5; i++) {
		if (i == self)
			continue;
		struct sl_sync_peer *p = &peers[n++];
		sl_sync_peer_init(p, &confs[i], 0);
		p->state = i == dead && !back ? SL_PEER_DEAD : SL_PEER_ALIVE;
		p->ready = i != dead;
	}
	return sl_sync_takeover(names[self], true, peers, n, out, NULL, max);
}

static void test_takeover_deterministic(void **state)
{
	struct sl_sync_peer peers[5];
	struct sl_addr out[16];
	int claims[8] = {0};
	int owners_used = 0;
	(void)state;

	setup_confs();
	/* lb-d dies (index 3); a, b, c, e each decide alone. */
	for (int self = 0; self < 5; self++) {
		uint32_t n;
		if (self == 3)
			continue;
		n = view(self, 3, false, peers, out, 16);
		owners_used += n > 0;
		for (uint32_t k = 0; k < n; k++)
			for (int j = 0; j < 8; j++)
				claims[j] += sl_addr_eq(&out[k], &confs[3].laddrs[j]);
		/* The same answer again: no state, no randomness. */
		assert_int_equal(view(self, 3, false, peers, out, 16), n);
	}
	for (int j = 0; j < 8; j++)
		assert_int_equal(claims[j], 1); /* each address: exactly one owner */
	assert_true(owners_used >= 2);          /* and spread, not all on one */

	/* Back but without its dump: still taken over. Back with it: none. */
	memset(claims, 0, sizeof(claims));
	for (int self = 0; self < 5; self++)
		if (self != 3)
			claims[0] += (int)view(self, 3, true, peers, out, 16);
	assert_int_equal(claims[0], 8);
	for (int self = 0; self < 5; self++)
		if (self != 3)
			assert_int_equal(view(self, -1, false, peers, out, 16), 0);
	/* A node without its own dump takes nothing over. */
	view(0, 3, false, peers, out, 16);
	assert_int_equal(sl_sync_takeover(names[0], false, peers, 4, out, NULL, 16), 0);
}

static void test_dump_complete(void **state)
{
	struct sl_sync_peer peers[3];
	(void)state;

	setup_confs();
	for (int i = 0; i < 3; i++)
		sl_sync_peer_init(&peers[i], &confs[i], 0);
	assert_false(sl_sync_dump_complete(peers, 3));
	peers[0].dump_done = true;
	peers[1].state = SL_PEER_DEAD;
	assert_false(sl_sync_dump_complete(peers, 3)); /* peers[2] unknown, no dump */
	peers[2].dump_done = true;
	assert_true(sl_sync_dump_complete(peers, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_replays),
		cmocka_unit_test(test_loss_from_gaps),
		cmocka_unit_test(test_dead_detection),
		cmocka_unit_test(test_ready_stays),
		cmocka_unit_test(test_takeover_deterministic),
		cmocka_unit_test(test_dump_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
