/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync between nodes (ctrl/cluster/cluster.c, wire version 3),
 * without sockets: binding to the receiver's name and epoch (a peer that
 * remembers a bigger epoch of ours raises it; an older epoch of a peer
 * is stale_epoch, not a replay), dumps asked, paced, checked whole and
 * asked again, readiness (every live peer's dump; a dump timed out only
 * by its silence; a peer never heard waited for unheard_ms, never dead,
 * never taken over), the takeover of a dead peer only by the nodes that
 * hold its connections (more in test_cluster_takeover.c), and a rolling
 * rekey. The fixture: cluster_fixture.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cluster.h"
#include "cluster_fixture.h"

/* Map bits (holds, down): lb1..lb3 in name order. */
#define LB1 1u
#define LB3 4u

/* lb2 (b) asks lb1 (a) for its dump; a dump's records arrive and are
 * installed, but its end says 20 records and 6 were lost: b is not
 * done, it asks again (a new id), and the next dump, whole, completes
 * it; the old dump's end, late, counts for nothing. */
static void test_dump_between_nodes(void **state)
{
	struct sl_cluster *a = pair_node(1), *b = pair_node(2);
	const struct sl_sync_peer *pa = sl_cluster_peer(b, 0);
	static uint8_t stale[2048];
	struct sl_sync_conn r[20];
	struct sl_addr from1 = v4(1);
	size_t stale_len = 0;
	(void)state;

	fresh();
	for (int i = 0; i < 20; i++)
		r[i] = rec(1, (uint8_t)(i + 1));
	sl_cluster_poll(a, 0);       /* hellos: receiver epoch 0 */
	assert_int_equal(last_hdr(a).rcv_epoch, 0);
	sl_cluster_poll(b, 0);
	deliver(a, b, 1, 0);
	deliver(b, a, 2, 0);
	assert_int_equal(pa->state, SL_PEER_UNKNOWN); /* learnt, not alive */
	assert_int_equal(pa->heard_epoch, 1001);
	sl_cluster_poll(a, 100);     /* a heartbeat bound to b's epoch */
	assert_int_equal(last_hdr(a).rcv_epoch, 1002);
	deliver(a, b, 1, 100);
	assert_int_equal(pa->state, SL_PEER_ALIVE);
	sl_cluster_poll(b, 100);     /* b asks a for its dump, id 1 */
	assert_int_equal(last_hdr(b).type, SL_SYNC_T_DUMP_REQ);
	assert_int_equal(last_hdr(b).dump_id, 1);
	deliver(b, a, 2, 100);
	assert_int_equal(seen.dumps, 1);

	/* 20 records: 14 fill one datagram (sent at once), 6 wait; lost. */
	sl_cluster_dump_begin(a, 0);
	sl_cluster_emit_to(a, 0, r, 20);
	assert_true(last_hdr(a).flags & SL_SYNC_F_DUMP);
	deliver(a, b, 1, 5);
	assert_int_equal(seen.installed, 14);
	sl_cluster_dump_end(a, 0); /* flushes the 6, then the end */
	assert_int_equal(sl_cluster_peer(a, 0)->st.tx_records, 20);
	assert_int_equal(last_hdr(a).dump_records, 20);
	const uint8_t *end = sl_cluster_last_sent(a, &stale_len, NULL);
	memcpy(stale, end, stale_len);
	deliver(a, b, 1, 6);
	assert_false(pa->dump_done);
	assert_int_equal(pa->st.dump_short, 1);
	assert_int_equal(pa->st.lost, 1); /* the 6 never delivered */

	sl_cluster_poll(b, 7); /* asked again at once, a new id */
	assert_int_equal(last_hdr(b).type, SL_SYNC_T_DUMP_REQ);
	assert_int_equal(last_hdr(b).dump_id, 2);
	assert_int_equal(pa->st.dump_retries, 1);
	deliver(b, a, 2, 7);
	sl_cluster_dump_begin(a, 0);
	sl_cluster_emit_to(a, 0, r, 20); /* one full datagram, sent; 6 wait */
	deliver(a, b, 1, 8);
	sl_cluster_poll(a, 8);           /* the poll sends the 6: still the dump's */
	assert_true(last_hdr(a).flags & SL_SYNC_F_DUMP);
	assert_int_equal(last_hdr(a).dump_id, 2);
	assert_int_equal(last_hdr(a).count, 6);
	deliver(a, b, 1, 8);
	sl_cluster_dump_end(a, 0);
	assert_int_equal(last_hdr(a).dump_id, 2);
	assert_int_equal(last_hdr(a).dump_records, 20);
	deliver(a, b, 1, 9);
	assert_true(pa->dump_done);
	assert_int_equal(pa->st.dumps_received, 1);
	sl_cluster_input(b, stale, stale_len, &from1, PORT, 10); /* a replay: refused */
	assert_int_equal(pa->st.replays, 1);
	sl_cluster_free(a);
	sl_cluster_free(b);
}

/* A peer counted dead (silent past dead_ms, not restarted) is still sent
 * new connections: it may only have stalled, and back in the same epoch
 * it installs them. */
static void test_records_to_a_dead_peer(void **state)
{
	struct sl_cluster *a = pair_node(1), *b = pair_node(2);
	const struct sl_sync_peer *pb = sl_cluster_peer(a, 0);
	struct sl_sync_conn r = rec(1, 1);
	(void)state;

	fresh();
	sl_cluster_poll(a, 0);
	sl_cluster_poll(b, 0);
	deliver(a, b, 1, 0);
	deliver(b, a, 2, 0);
	sl_cluster_poll(a, 100);
	deliver(a, b, 1, 100);
	sl_cluster_poll(b, 100);
	deliver(b, a, 2, 100);
	assert_int_equal(pb->state, SL_PEER_ALIVE);
	sl_cluster_poll(a, 700); /* b silent past dead_ms (500) */
	assert_int_equal(pb->state, SL_PEER_DEAD);
	unsigned before = seen.installed;
	sl_cluster_emit(a, &r, 1);
	sl_cluster_poll(a, 710);
	assert_int_equal(last_hdr(a).type, SL_SYNC_T_RECORDS);
	deliver(a, b, 1, 710);
	assert_int_equal(seen.installed, before + 1);
	sl_cluster_free(a);
	sl_cluster_free(b);
}

/* A dump asked for SL_SYNC_DUMP_TRIES times and short each time is
 * asked for no more, and the node is ready only at the dump timeout
 * after the last end (counted), never on a partial dump. */
static void test_short_dumps_give_up(void **state)
{
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	static uint8_t buf[2048];
	struct sl_addr from2 = v4(2), from3 = v4(3);
	uint64_t seq = 1, t;
	size_t len;
	(void)state;

	fresh();
	for (t = 0; t < 5000; t += 100) {
		len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		fg.to_epoch = 1001;
		len = ctl_msg(buf, 3, SL_SYNC_T_HEARTBEAT, seq);
		sl_cluster_input(a, buf, len, &from3, PORT, t);
		sl_cluster_poll(a, t);
		if (p2->dump_id && !p2->dump_gave_up) { /* one record short, each time */
			fg.dump_id = p2->dump_id;
			fg.dump_records = 1;
			len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_END, seq++);
			sl_cluster_input(a, buf, len, &from2, PORT, t);
			fg.dump_id = fg.dump_records = 0;
		}
		if (sl_cluster_peer(a, 1)->dump_id == 1) { /* lb3's whole (empty) dump */
			fg.dump_id = 1;
			len = ctl_msg(buf, 3, SL_SYNC_T_DUMP_END, seq++);
			sl_cluster_input(a, buf, len, &from3, PORT, t);
			fg.dump_id = 0;
		}
		assert_false(sl_cluster_ready(a));
	}
	assert_true(p2->dump_gave_up);
	assert_int_equal(p2->st.dump_short, SL_SYNC_DUMP_TRIES);
	assert_int_equal(p2->dump_id, SL_SYNC_DUMP_TRIES);
	assert_true(sl_cluster_peer(a, 1)->dump_done);
	assert_int_equal(p2->dump_moved_ms, 300); /* the last short end: tries at 0..300 */
	ready_at_timeout(a, 5300);
}

/* The dump sender's pace: SL_CLUSTER_DUMP_PACE datagrams a turn, what
 * dump_room says is left; the next poll gives a new turn. */
static void test_dump_pace(void **state)
{
	struct sl_cluster *a = node(1, 0);
	struct sl_sync_conn r[14];
	uint32_t per = sl_sync_recs_per_dgram(1452);

	static uint8_t buf[2048];
	struct sl_addr from = v4(2);
	size_t len;

	forge_defaults();
	for (int i = 0; i < 14; i++)
		r[i] = rec(1, (uint8_t)(i + 1));
	sl_cluster_poll(a, 0);
	fg.dump_id = 1;
	len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_REQ, 1); /* lb2 asks */
	sl_cluster_input(a, buf, len, &from, PORT, 0);
	assert_int_equal(sl_cluster_dump_room(a), SL_CLUSTER_DUMP_PACE * per);
	sl_cluster_dump_begin(a, 0);
	for (int i = 0; i < 5; i++)
		sl_cluster_emit_to(a, 0, r, 14);
	assert_int_equal(sl_cluster_dump_room(a), (SL_CLUSTER_DUMP_PACE - 5) * per);
	sl_cluster_emit(a, r, 14); /* live records are not the dump's pace */
	assert_int_equal(sl_cluster_dump_room(a), (SL_CLUSTER_DUMP_PACE - 5) * per);
	for (int i = 0; i < SL_CLUSTER_DUMP_PACE; i++)
		sl_cluster_emit_to(a, 0, r, 14);
	assert_int_equal(sl_cluster_dump_room(a), 0);
	sl_cluster_poll(a, 1);
	assert_int_equal(sl_cluster_dump_room(a), SL_CLUSTER_DUMP_PACE * per);
	assert_int_equal(sl_cluster_stats(a)->dump_dgrams, 5 + SL_CLUSTER_DUMP_PACE);
	sl_cluster_free(a);
	(void)state;
}

/* lb1 starts: lb2 answers its dump; lb3 is alive but never does, then
 * dies: lb1 is ready only then. lb1 never got lb3's dump, so it holds
 * none of lb3's connections and takes none of its addresses: lb2, which
 * holds them and counts lb3 down, takes them all. */
static void test_ready_waits_for_dumps(void **state)
{
	struct sl_cluster *a = node(1, 0);
	static uint8_t buf[2048];
	struct sl_addr from2 = v4(2), from3 = v4(3);
	const struct sl_addr *l;
	uint64_t seq = 1;
	size_t len;
	(void)state;

	fresh();
	sl_cluster_poll(a, 0);
	assert_false(sl_cluster_ready(a));
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
	sl_cluster_input(a, buf, len, &from2, PORT, 10);
	sl_cluster_poll(a, 10); /* lb2 alive: asked for its dump (id 1) */
	assert_int_equal(sl_cluster_peer(a, 0)->dump_id, 1);
	fg.dump_id = 1;
	len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_END, seq++);
	fg.dump_id = 0;
	sl_cluster_input(a, buf, len, &from2, PORT, 50);
	assert_true(sl_cluster_peer(a, 0)->dump_done);
	for (uint64_t t = 100; t <= 4400; t += 100) {
		if (t < 4000) { /* lb3's heartbeats stop at 3900 */
			len = ctl_msg(buf, 3, SL_SYNC_T_HEARTBEAT, seq);
			sl_cluster_input(a, buf, len, &from3, PORT, t);
		}
		fg.dump_id = LB1 | LB3; /* lb2's holds map: it holds lb3's too */
		fg.dump_records = t >= 4000 ? LB3 : 0; /* and its down map */
		len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
		fg.dump_id = fg.dump_records = 0;
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		sl_cluster_poll(a, t);
		assert_false(sl_cluster_ready(a));
		assert_int_equal(seen.ntake, 0);
	}
	assert_int_equal(seen.ready_calls, 0);
	sl_cluster_poll(a, 4401); /* lb3 silent 501 ms: dead, need not answer */
	assert_true(sl_cluster_ready(a));
	assert_int_equal(sl_cluster_stats(a)->dump_timeouts, 0);
	assert_int_equal(seen.ready_calls, 1);
	assert_true(seen.ready);
	assert_int_equal(sl_cluster_peer(a, 1)->state, SL_PEER_DEAD);
	assert_int_equal(sl_cluster_peer(a, 0)->holds_map, LB1 | LB3);
	assert_false(sl_cluster_peer(a, 1)->holds);
	assert_true(sl_cluster_peer(a, 1)->down);
	assert_int_equal(sl_cluster_takeover_list(a, &l, NULL), 0);
	assert_int_equal(seen.ntake, 0);
	sl_cluster_free(a);
}

static void test_dump_timeout(void **state)
{
	struct sl_cluster *a = node(1, 0);
	static uint8_t buf[2048];
	struct sl_addr from2 = v4(2), from3 = v4(3);
	uint64_t seq = 1;
	size_t len;
	(void)state;

	fresh();
	for (uint64_t t = 0; t < 5000; t += 100) {
		len = forge(buf, 2, KEY, seq, NULL, 0);
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		len = forge(buf, 3, KEY, seq++, NULL, 0);
		sl_cluster_input(a, buf, len, &from3, PORT, t);
		sl_cluster_poll(a, t);
		assert_false(sl_cluster_ready(a));
	}
	assert_true(sl_cluster_stats(a)->unknown_peer == 0);
	ready_at_timeout(a, 5000); /* heard at 0, its dump never moved */
	assert_non_null(strstr(seen.why, "dump timeout"));
}

/* A short dump timeout (400 ms, the config allows 100) has its retries
 * inside it: a request lost is asked again after a quarter of it, not
 * after DUMP_RETRY_MS (1000), which would come after the timeout had
 * settled readiness without the dump. */
static void test_dump_retry_within_short_timeout(void **state)
{
	struct sl_cluster_conf c;
	char err[128];
	static uint8_t buf[2048];
	struct sl_addr from2 = v4(2);
	(void)state;

	fresh();
	conf_of(1, &c);
	c.npeers = 1;
	c.dump_timeout_ms = 400;
	struct sl_cluster *a = sl_cluster_new(&c, &OPS, 0, 1001, true, err, sizeof(err));
	assert_non_null(a);
	for (uint64_t t = 0, seq = 1; t < 400; t += 20, seq++) {
		size_t len = forge(buf, 2, KEY, seq, NULL, 0);
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		sl_cluster_poll(a, t);
	}
	assert_true(sl_cluster_peer(a, 0)->st.dump_retries >= 2); /* every ~100 ms */
	assert_false(sl_cluster_ready(a));
	sl_cluster_free(a);
}

/* Made at 0, first polled at 2000 (the daemon starts its workers in
 * between), and no peer ever heard (review B1): none is dead, nothing
 * is taken over, and the node is ready unheard_ms (3000) after the
 * first poll, counted apart from the dump timeout. */
static void test_never_heard_at_start(void **state)
{
	struct sl_cluster *a = node(1, 0);
	(void)state;

	fresh();
	sl_cluster_poll(a, 2000);
	for (uint64_t t = 2100; t < 5000; t += 100) {
		sl_cluster_poll(a, t);
		assert_false(sl_cluster_ready(a));
	}
	assert_int_equal(sl_cluster_peer(a, 0)->state, SL_PEER_UNKNOWN);
	assert_int_equal(sl_cluster_peer(a, 1)->state, SL_PEER_UNKNOWN);
	sl_cluster_poll(a, 4999);
	assert_false(sl_cluster_ready(a));
	sl_cluster_poll(a, 5000);
	assert_true(sl_cluster_ready(a));
	assert_non_null(strstr(seen.why, "not heard within timers.unheard_ms"));
	assert_int_equal(sl_cluster_stats(a)->ready_unheard, 1);
	assert_int_equal(sl_cluster_stats(a)->dump_timeouts, 0);
	/* Never heard: never dead, never taken over, even long after. */
	sl_cluster_poll(a, 60000);
	assert_int_equal(sl_cluster_peer(a, 0)->state, SL_PEER_UNKNOWN);
	assert_int_equal(sl_cluster_peer(a, 0)->st.deaths, 0);
	assert_int_equal(seen.ntake, 0);
	assert_int_equal(sl_cluster_stats(a)->takeover_changes, 0);
	sl_cluster_free(a);
}

/* Binding: lb2's datagram to lb3, captured and replayed to lb1, is
 * refused (and does not move lb1's window for lb2); so is one bound to
 * an old epoch of lb1 (a restart). Unbound hellos teach lb2's epoch and
 * nothing else: no sign of life, no records, no dump end; a replayed
 * older hello does not lower the epoch learnt. */
static void test_binding(void **state)
{
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	struct sl_sync_conn r[2] = {rec(1, 1), rec(1, 2)};
	static uint8_t buf[2048];
	struct sl_addr from = v4(2);
	size_t len;
	(void)state;

	fresh();
	fg.to = 3, fg.to_epoch = 1003;
	len = forge(buf, 2, KEY, 1000, r, 2); /* lb2 -> lb3, far ahead */
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.wrong_receiver, 1);
	fg.to = 1, fg.to_epoch = 999; /* lb1's previous incarnation */
	len = forge(buf, 2, KEY, 1001, r, 2);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.wrong_epoch, 1);
	fg.to_epoch = 0;
	fg.dump_id = 0;
	len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_END, 1002);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	len = forge(buf, 2, KEY, 1003, r, 2);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.unbound, 2);
	assert_int_equal(seen.installed, 0);
	assert_false(p2->dump_done);
	assert_int_equal(p2->state, SL_PEER_UNKNOWN);
	assert_int_equal(p2->heard_epoch, 7);
	assert_int_equal(p2->rx.epoch, 0); /* the window untouched */
	fg.epoch = 5; /* an older incarnation's hello, replayed */
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 1);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->heard_epoch, 7);
	assert_int_equal(p2->st.stale_epoch, 1);
	assert_int_equal(p2->st.replays, 0);
	/* Bound to lb1's epoch now, with a low sequence: accepted. */
	fg.epoch = 7, fg.to_epoch = 1001;
	len = forge(buf, 2, KEY, 1, r, 2);
	sl_cluster_input(a, buf, len, &from, PORT, 20);
	assert_int_equal(seen.installed, 2);
	assert_int_equal(p2->state, SL_PEER_ALIVE);
	/* lb1 sends to lb2 bound to the epoch it learnt. */
	sl_cluster_emit_to(a, 0, r, 1);
	sl_cluster_dump_end(a, 0);
	assert_int_equal(last_hdr(a).rcv_epoch, 7);
	assert_string_equal(last_hdr(a).receiver, "lb2");
	sl_cluster_free(a);
}

/* A rolling rekey: after a reload with a new key, datagrams sealed with
 * the previous one are still accepted for key_grace_ms (counted), and
 * lb1 seals with the previous key for a peer until that peer has shown
 * it holds the new one; after the grace, the old key is refused. The
 * same key again is no change. */
static void test_rekey_grace(void **state)
{
	static const uint8_t KEY2[32] = "the next cluster key, the next!!";
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	struct sl_sync_mac *old = sl_sync_mac_new(KEY, 32), *new = sl_sync_mac_new(KEY2, 32);
	static uint8_t buf[2048];
	struct sl_addr from = v4(2);
	size_t len;
	(void)state;

	fresh();
	sl_cluster_poll(a, 0);
	assert_int_equal(sl_cluster_set_key(a, KEY, 32, 50), 0);
	assert_int_equal(sl_cluster_set_key(a, KEY2, 32, 100), 1);
	sl_cluster_dump_end(a, 0); /* lb2 has not shown the new key yet */
	assert_int_equal(last_hdr(a).key_id, sl_sync_mac_id(old));
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 1); /* old key, in the grace */
	sl_cluster_input(a, buf, len, &from, PORT, 500);
	assert_int_equal(p2->st.rx_previous_key, 1);
	assert_int_equal(p2->state, SL_PEER_ALIVE);
	len = forge_type(buf, 2, KEY2, SL_SYNC_T_HEARTBEAT, 2, NULL, 0);
	sl_cluster_input(a, buf, len, &from, PORT, 600);
	assert_true(p2->has_key);
	sl_cluster_dump_end(a, 0);
	assert_int_equal(last_hdr(a).key_id, sl_sync_mac_id(new));
	sl_cluster_dump_end(a, 1); /* lb3 still unproven: the old key */
	assert_int_equal(last_hdr(a).key_id, sl_sync_mac_id(old));
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 1100); /* grace over */
	assert_int_equal(p2->st.bad[SL_SYNC_BAD_KEY_ID], 1);
	sl_cluster_poll(a, 1100);
	sl_cluster_dump_end(a, 1);
	assert_int_equal(last_hdr(a).key_id, sl_sync_mac_id(new));
	sl_sync_mac_free(old);
	sl_sync_mac_free(new);
	sl_cluster_free(a);
}

/* 14 of lb2's dump records for request `id`, into a at `now`. */
static void dump_records(uint8_t *buf, const struct sl_sync_conn *r, uint64_t seq,
			 const struct sl_addr *from, struct sl_cluster *a, uint32_t id,
			 uint64_t now)
{
	size_t len;

	fg.dump_id = id;
	fg.flags = SL_SYNC_F_READY | SL_SYNC_F_DUMP;
	len = forge(buf, 2, KEY, seq, r, 14);
	sl_cluster_input(a, buf, len, from, PORT, now);
	fg.dump_id = 0;
	fg.flags = SL_SYNC_F_READY;
}

/* Review M1: a big dump is timed out by its silence, not by the time
 * since start. lb2's dump moves a datagram every 1000 ms for 8 s, well
 * past dump_timeout_ms (5000): lb1 waits and is ready on the dump's end,
 * not on a partial dump; then lb3's dump, stalled, times out 5000 ms
 * after its last datagram. */
static void test_dump_timeout_from_silence(void **state)
{
	struct sl_cluster *a = pair_node(1);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	struct sl_sync_conn r[14];
	static uint8_t buf[2048];
	struct sl_addr from2 = v4(2);
	uint64_t seq = 1, t;
	size_t len;
	(void)state;

	fresh();
	for (int i = 0; i < 14; i++)
		r[i] = rec(1, (uint8_t)(i + 1));
	sl_cluster_poll(a, 0);
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
	sl_cluster_input(a, buf, len, &from2, PORT, 0);
	sl_cluster_poll(a, 0); /* asks lb2, id 1 */
	assert_int_equal(p2->dump_id, 1);
	for (t = 1000; t <= 8000; t += 1000) {
		dump_records(buf, r, seq++, &from2, a, p2->dump_id, t);
		for (uint64_t u = t; u < t + 1000; u += 100) {
			len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
			sl_cluster_input(a, buf, len, &from2, PORT, u);
			sl_cluster_poll(a, u);
			assert_false(sl_cluster_ready(a));
		}
	}
	assert_int_equal(p2->dump_id, 1); /* flowing: never asked again */
	fg.dump_records = 8 * 14;
	fg.dump_id = 1;
	len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_END, seq++);
	sl_cluster_input(a, buf, len, &from2, PORT, 9000);
	sl_cluster_poll(a, 9000);
	assert_true(sl_cluster_ready(a));
	assert_int_equal(seen.installed, 8 * 14);
	assert_int_equal(sl_cluster_stats(a)->dump_timeouts, 0);
	sl_cluster_free(a);

	/* A dump that stops moving: ready dump_timeout_ms after its last datagram. */
	fresh();
	a = pair_node(1);
	p2 = sl_cluster_peer(a, 0);
	seq = 1;
	sl_cluster_poll(a, 0);
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
	sl_cluster_input(a, buf, len, &from2, PORT, 0);
	sl_cluster_poll(a, 0);
	for (t = 100; t < 3000; t += 100) { /* asked again each second, no answer */
		len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		sl_cluster_poll(a, t);
	}
	dump_records(buf, r, seq++, &from2, a, p2->dump_id, 3000);
	for (t = 3000; t < 8000; t += 100) {
		len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, seq++);
		sl_cluster_input(a, buf, len, &from2, PORT, t);
		sl_cluster_poll(a, t);
		assert_false(sl_cluster_ready(a));
	}
	ready_at_timeout(a, 8000);
}

/* Our state_dir was lost: lb1 restarts with epoch 1001, but lb2 still
 * sends to the 2000 it remembers. lb1 raises its epoch past it at its
 * next poll (told to the daemon to keep, counted), its datagrams carry
 * it from then, and lb2's answers bound to it make lb2 alive; a replay
 * addressed to 2000 again raises nothing more, nor one addressed to an
 * epoch 2^40 past ours. */
static void test_epoch_raised_by_peer(void **state)
{
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	static uint8_t buf[2048];
	struct sl_addr from = v4(2);
	size_t len;
	(void)state;

	fresh();
	sl_cluster_poll(a, 0);
	fg.to_epoch = 2000;
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 1);
	sl_cluster_input(a, buf, len, &from, PORT, 10);
	assert_int_equal(p2->st.wrong_epoch, 1);
	assert_int_equal(p2->state, SL_PEER_UNKNOWN);
	seen.store_fails = 1; /* the state file cannot keep it: not current yet */
	sl_cluster_poll(a, 50);
	assert_int_equal(sl_cluster_epoch(a), 1001);
	assert_int_equal(last_hdr(a).epoch, 1001);
	assert_int_equal(sl_cluster_stats(a)->epoch_store_failed, 1);
	sl_cluster_poll(a, 100); /* kept at the next poll */
	assert_int_equal(seen.raise_calls, 2);
	assert_int_equal(sl_cluster_epoch(a), 2001);
	assert_int_equal(seen.raised_epoch, 2001);
	assert_int_equal(sl_cluster_stats(a)->epoch_raises, 1);
	assert_int_equal(last_hdr(a).epoch, 2001);
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 2); /* replayed, to 2000 */
	sl_cluster_input(a, buf, len, &from, PORT, 110);
	sl_cluster_poll(a, 110);
	assert_int_equal(sl_cluster_epoch(a), 2001);
	assert_int_equal(sl_cluster_stats(a)->epoch_raises, 1);
	fg.to_epoch = 2001 + (1ull << 40); /* no epoch of ours: a peer's bug */
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 3);
	sl_cluster_input(a, buf, len, &from, PORT, 115);
	sl_cluster_poll(a, 115);
	assert_int_equal(sl_cluster_epoch(a), 2001);
	assert_int_equal(p2->st.wrong_epoch, 3);
	fg.to_epoch = 2001; /* lb2 learnt it from our heartbeat */
	len = ctl_msg(buf, 2, SL_SYNC_T_HEARTBEAT, 4);
	sl_cluster_input(a, buf, len, &from, PORT, 120);
	assert_int_equal(p2->state, SL_PEER_ALIVE);
	sl_cluster_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_between_nodes),
		cmocka_unit_test(test_short_dumps_give_up),
		cmocka_unit_test(test_dump_pace),
		cmocka_unit_test(test_binding),
		cmocka_unit_test(test_rekey_grace),
		cmocka_unit_test(test_ready_waits_for_dumps),
		cmocka_unit_test(test_dump_timeout),
		cmocka_unit_test(test_records_to_a_dead_peer),
		cmocka_unit_test(test_dump_retry_within_short_timeout),
		cmocka_unit_test(test_never_heard_at_start),
		cmocka_unit_test(test_dump_timeout_from_silence),
		cmocka_unit_test(test_epoch_raised_by_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
