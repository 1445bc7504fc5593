/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-peer state of session sync (ctrl/cluster/sync_peer.c), on a fake
 * clock: the anti-replay window, loss from sequence gaps (and late
 * arrivals taken back), an older epoch counted apart (stale_epoch), dead
 * detection (only for a peer once heard), the start's wait for each
 * peer's dump (stalled, never heard), and the takeover rule: the
 * survivors each computing alone agree on one owner per address, one
 * that does not hold the dead peer's connections is never it, a peer
 * alive but not yet serving at the start (never down) is taken by
 * nobody, a down peer is learnt from a serving one, the maps' bits come
 * with a digest of the node list, and the addresses go back once the
 * peer is alive with its dump.
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
	/* An older epoch (a previous run of the sender): told apart. */
	assert_int_equal(sl_sync_window_accept(&w, 9, 500, &lost), SL_SYNC_WINDOW_STALE);
	/* A newer one (the sender restarted) starts afresh at any sequence. */
	assert_int_equal(sl_sync_window_accept(&w, 11, 1, &lost), 0);
	assert_int_equal(sl_sync_window_accept(&w, 10, 201, &lost), SL_SYNC_WINDOW_STALE);
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
	sl_sync_peer_init(&p, &confs[1]);
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

	/* An older epoch of it: stale_epoch, not a replay, and nothing else. */
	h.epoch = 0;
	h.seq = 9;
	assert_int_equal(sl_sync_peer_heard(&p, &h, 5002, &changed), -1);
	assert_int_equal(p.st.stale_epoch, 1);
	assert_int_equal(p.st.replays, 1);
	assert_int_equal(p.last_heard_ms, 5001);

	/* Never heard at all: unknown for ever, never dead (review B1). */
	sl_sync_peer_init(&p, &confs[2]);
	assert_false(sl_sync_peer_tick(&p, 1501, 500));
	assert_false(sl_sync_peer_tick(&p, 100000, 500));
	assert_int_equal(p.state, SL_PEER_UNKNOWN);
	assert_int_equal(p.st.deaths, 0);
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
	sl_sync_peer_init(&p, &confs[1]);
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
		sl_sync_peer_init(p, &confs[i]);
		p->state = i == dead && !back ? SL_PEER_DEAD : SL_PEER_ALIVE;
		p->ready = i != dead;
		p->down = i == dead;
		p->holds = true;    /* every node holds every other's connections */
		p->holds_map = ~0u;
		p->down_map = dead >= 0 ? 1u << dead : 0; /* names[] is sorted */
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

/* Review B1 and issue 16's review 1: lb-b holds lb-c's connections
 * and lost lb-c; lb-a, started after lb-c died, holds none of them at
 * first (it learnt lb-c is down from lb-b's down map). Every one of
 * lb-c's addresses goes to lb-b, whatever the scores say, and lb-a
 * claims none: neither both nor neither. Once lb-a holds them too (a
 * dump relayed them), the scores share them out, each address once,
 * whether or not lb-a's down map has reached lb-b yet. */
static void test_takeover_holds(void **state)
{
	struct sl_sync_peer at_a[2], at_b[2];
	struct sl_addr out[16];
	uint32_t a_wins = 0, a_takes;
	(void)state;

	setup_confs();
	for (int j = 0; j < 8; j++)
		a_wins += sl_sync_takeover_score(&confs[2].laddrs[j], "lb-a") >
			  sl_sync_takeover_score(&confs[2].laddrs[j], "lb-b");
	assert_true(a_wins > 0); /* the case where the plain score picks lb-a */

	/* lb-a's view: lb-b serving, holds lb-a's and lb-c's, counts lb-c down. */
	sl_sync_peer_init(&at_a[0], &confs[1]);
	sl_sync_peer_init(&at_a[1], &confs[2]);
	at_a[0].state = SL_PEER_ALIVE;
	at_a[0].ready = at_a[0].holds = true;
	at_a[0].holds_map = sl_sync_node_bit("lb-a", at_a, 2, "lb-a") |
			    sl_sync_node_bit("lb-a", at_a, 2, "lb-c");
	at_a[0].down_map = sl_sync_node_bit("lb-a", at_a, 2, "lb-c");
	assert_true(sl_sync_learn_down("lb-a", at_a, 2, 0));
	assert_true(at_a[1].down);
	assert_int_equal(sl_sync_takeover("lb-a", true, at_a, 2, out, NULL, 16), 0);

	/* lb-b's view: lb-a serving, says what it holds and counts down; lb-c dead. */
	sl_sync_peer_init(&at_b[0], &confs[0]);
	sl_sync_peer_init(&at_b[1], &confs[2]);
	at_b[0].state = SL_PEER_ALIVE;
	at_b[0].ready = at_b[1].holds = at_b[1].down = true;
	at_b[1].state = SL_PEER_DEAD;
	at_b[0].holds_map = sl_sync_holds_map("lb-a", at_a, 2);
	at_b[0].down_map = sl_sync_down_map("lb-a", at_a, 2);
	assert_int_equal(at_b[0].holds_map, sl_sync_node_bit("lb-b", at_b, 2, "lb-b"));
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 8);

	/* lb-a holds lb-c's connections too: the scores share them. */
	at_a[1].holds = true;
	at_b[0].holds_map = sl_sync_holds_map("lb-a", at_a, 2);
	a_takes = sl_sync_takeover("lb-a", true, at_a, 2, out, NULL, 16);
	assert_int_equal(a_takes, a_wins);
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 8 - a_wins);

	/* lb-b sees lb-c die before lb-a's down map says so: it still takes
	 * only its share (holding was known before), never all then less. */
	at_b[0].down_map = 0;
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 8 - a_wins);
}

/* Review 5: at the cluster's start lb-b is ready while lb-c is alive,
 * its dump in, but not yet serving (still waiting for its own dumps).
 * lb-c never went down: lb-b takes none of its addresses (it took them
 * for the few ms until lb-c was ready, and logged it). Once lb-c dies,
 * or restarts, it is down and taken, until it serves again; a peer
 * never heard is never down. */
static void test_takeover_only_after_down(void **state)
{
	struct sl_sync_peer at_b[2];
	struct sl_sync_hdr h;
	struct sl_addr out[16];
	bool changed;
	(void)state;

	setup_confs();
	sl_sync_peer_init(&at_b[0], &confs[0]);
	sl_sync_peer_init(&at_b[1], &confs[2]);
	h = hdr(1, false);
	assert_int_equal(sl_sync_peer_heard(&at_b[1], &h, 10, &changed), 0);
	at_b[1].holds = true; /* its (empty) dump is in */
	assert_false(at_b[1].down);
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 0);
	assert_int_equal(sl_sync_down_map("lb-b", at_b, 2), 0);
	/* Never heard: never down. */
	assert_false(sl_sync_peer_tick(&at_b[0], 100000, 500));
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 0);

	assert_true(sl_sync_peer_tick(&at_b[1], 511, 500)); /* ALIVE -> DEAD */
	assert_true(at_b[1].down);
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 8);
	h = hdr(2, false);
	assert_int_equal(sl_sync_peer_heard(&at_b[1], &h, 600, &changed), 0);
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 8);
	h = hdr(3, true); /* back with its dump: serving, not down */
	assert_int_equal(sl_sync_peer_heard(&at_b[1], &h, 700, &changed), 0);
	assert_false(at_b[1].down);
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 0);
	h = hdr(1, false); /* restarted: its old incarnation died */
	h.epoch = 2;
	assert_int_equal(sl_sync_peer_heard(&at_b[1], &h, 800, &changed), 0);
	assert_true(at_b[1].down);
	assert_int_equal(sl_sync_takeover("lb-b", true, at_b, 2, out, NULL, 16), 8);
}

/* A down report is taken only from a serving peer, and only for a peer
 * not serving here. */
static void test_learn_down(void **state)
{
	struct sl_sync_peer at_a[2];
	(void)state;

	setup_confs();
	sl_sync_peer_init(&at_a[0], &confs[1]);
	sl_sync_peer_init(&at_a[1], &confs[2]);
	at_a[0].state = SL_PEER_ALIVE;
	at_a[0].down_map = sl_sync_node_bit("lb-a", at_a, 2, "lb-c");
	assert_false(sl_sync_learn_down("lb-a", at_a, 2, 0)); /* lb-b not serving */
	at_a[0].ready = true;
	at_a[1].state = SL_PEER_ALIVE;
	at_a[1].ready = true;
	assert_false(sl_sync_learn_down("lb-a", at_a, 2, 0)); /* lb-c serves here */
	at_a[1].ready = false;
	assert_true(sl_sync_learn_down("lb-a", at_a, 2, 0));
	assert_true(at_a[1].down);
	assert_false(at_a[0].down);
}

/* The node-list digest: the same whatever order the peers are listed
 * in, and another when the list differs (a node added). */
static void test_nodes_digest(void **state)
{
	struct sl_sync_peer p[4], q[4], r[3];
	(void)state;

	setup_confs();
	for (int i = 0; i < 4; i++) {
		sl_sync_peer_init(&p[i], &confs[i + 1]);     /* lb-b..lb-e, sorted */
		sl_sync_peer_init(&q[i], &confs[4 - i]);     /* lb-e..lb-b */
	}
	for (int i = 0; i < 3; i++)
		sl_sync_peer_init(&r[i], &confs[i + 1]);     /* lb-b..lb-d: no lb-e */
	assert_int_equal(sl_sync_nodes_digest("lb-a", p, 4), sl_sync_nodes_digest("lb-a", q, 4));
	assert_int_equal(sl_sync_nodes_digest("lb-a", p, 4),
			 sl_sync_nodes_digest("lb-c", (struct sl_sync_peer[]){p[0], p[2], p[3],
									 {.conf = &confs[0]}}, 4));
	assert_int_not_equal(sl_sync_nodes_digest("lb-a", p, 4),
			     sl_sync_nodes_digest("lb-a", r, 3));
}

/* A node's rank of a name is the same whoever computes it. */
static void test_node_bits_agree(void **state)
{
	struct sl_sync_peer peers[5][4];
	(void)state;

	setup_confs();
	for (int self = 0; self < 5; self++)
		for (int i = 0, n = 0; i < 5; i++)
			if (i != self)
				sl_sync_peer_init(&peers[self][n++], &confs[i]);
	for (int k = 0; k < 5; k++)
		for (int self = 0; self < 5; self++)
			assert_int_equal(sl_sync_node_bit(names[self], peers[self], 4, names[k]),
					 1u << k); /* names[] is sorted */
}

static void test_dump_wait(void **state)
{
	struct sl_sync_peer p;
	(void)state;

	setup_confs();
	sl_sync_peer_init(&p, &confs[1]);
	/* Never heard: waited for unheard_ms from the start (1000), then given up. */
	assert_int_equal(sl_sync_dump_wait(&p, 3999, 1000, 5000, 3000), SL_DUMP_WAIT);
	assert_int_equal(sl_sync_dump_wait(&p, 4000, 1000, 5000, 3000), SL_DUMP_UNHEARD);
	/* Alive: the dump timeout runs from its dump's last move, not the start. */
	p.state = SL_PEER_ALIVE;
	p.dump_moved_ms = 20000;
	assert_int_equal(sl_sync_dump_wait(&p, 24999, 1000, 5000, 3000), SL_DUMP_WAIT);
	assert_int_equal(sl_sync_dump_wait(&p, 25000, 1000, 5000, 3000), SL_DUMP_STALLED);
	p.dump_done = true;
	assert_int_equal(sl_sync_dump_wait(&p, 25000, 1000, 5000, 3000), SL_DUMP_DONE);
	p.dump_done = false;
	p.state = SL_PEER_DEAD; /* heard, then silent: nothing more to wait for */
	assert_int_equal(sl_sync_dump_wait(&p, 1001, 1000, 5000, 3000), SL_DUMP_DONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_replays),
		cmocka_unit_test(test_loss_from_gaps),
		cmocka_unit_test(test_dead_detection),
		cmocka_unit_test(test_ready_stays),
		cmocka_unit_test(test_takeover_deterministic),
		cmocka_unit_test(test_takeover_holds),
		cmocka_unit_test(test_takeover_only_after_down),
		cmocka_unit_test(test_learn_down),
		cmocka_unit_test(test_nodes_digest),
		cmocka_unit_test(test_node_bits_agree),
		cmocka_unit_test(test_dump_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
