/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who takes over a dead peer's local addresses, end to end on lb1
 * (ctrl/cluster/, without sockets), after issue 16's second review: the
 * heartbeats' maps say whose connections a node holds (its dump, or a
 * dump that relayed them) and whom it counts down; a peer first heard
 * after lb1 was ready is asked for its dump; maps from a node whose
 * node list differs, or from a reordered heartbeat, are not applied; a
 * datagram of the old wire version is refused; a peer alive but not yet
 * serving at the start is taken by nobody; a raised epoch is kept once
 * per poll. The fixture: cluster_fixture.h.
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
#define LB2 2u
#define LB3 4u

static uint8_t buf[2048];
static uint64_t seq;

/* A control message from lb`from` with maps `holds` and `down` (as a
 * heartbeat's) or dump id `holds` (a dump end), into a at `now`. */
static void send_ctl(struct sl_cluster *a, int from, uint8_t type, uint32_t holds,
		     uint32_t down, uint64_t now)
{
	struct sl_addr src = v4((uint8_t)from);
	size_t len;

	fg.dump_id = holds;
	fg.dump_records = down;
	len = ctl_msg(buf, from, type, ++seq);
	fg.dump_id = fg.dump_records = 0;
	sl_cluster_input(a, buf, len, &src, PORT, now);
}

/* lb1 made and first polled at 0, nothing seen yet. */
static struct sl_cluster *lb1_started(void)
{
	struct sl_cluster *a = node(1, 0);

	fresh();
	seq = 0;
	sl_cluster_poll(a, 0);
	return a;
}

/* lb1 with lb2 and lb3 alive and their (empty) dumps in, ready at 20. */
static struct sl_cluster *all_ready(void)
{
	struct sl_cluster *a = lb1_started();

	send_ctl(a, 2, SL_SYNC_T_HEARTBEAT, 0, 0, 10);
	send_ctl(a, 3, SL_SYNC_T_HEARTBEAT, 0, 0, 10);
	sl_cluster_poll(a, 10); /* both asked, id 1 */
	send_ctl(a, 2, SL_SYNC_T_DUMP_END, 1, 0, 20);
	send_ctl(a, 3, SL_SYNC_T_DUMP_END, 1, 0, 20);
	sl_cluster_poll(a, 20);
	assert_true(sl_cluster_ready(a));
	return a;
}

/* lb2's heartbeats (maps as given) every 100 ms from `from` to `to`,
 * lb1 polled after each: lb3, silent, dies on the way. */
static void lb2_beats(struct sl_cluster *a, uint32_t holds, uint32_t down, uint64_t from,
		      uint64_t to)
{
	for (uint64_t t = from; t <= to; t += 100) {
		send_ctl(a, 2, SL_SYNC_T_HEARTBEAT, holds, down, t);
		sl_cluster_poll(a, t);
	}
}

/* What lb1 takes of lb3's addresses when it shares them with lb2. */
static uint32_t shared(struct sl_cluster *a)
{
	struct sl_addr want[8];

	return sl_sync_takeover("lb1", true, sl_cluster_peer(a, 0), 2, want, NULL, 8);
}

/* lb3 dies. lb2 says it holds only lb1's: lb1 takes all 4 of lb3's.
 * lb2 says it holds lb3's and counts lb3 down, but with another node
 * list: ignored (counted), still 4. With our list: shared by the scores.
 * A reordered older heartbeat (holding none) then changes nothing. lb1
 * says in its own heartbeats whom it holds and counts down. */
static void test_maps_digest_and_order(void **state)
{
	struct sl_cluster *a = all_ready();
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	struct sl_addr from2 = v4(2);
	static uint8_t late[2048];
	size_t late_len;
	(void)state;

	lb2_beats(a, LB1, 0, 100, 700);
	assert_int_equal(sl_cluster_peer(a, 1)->state, SL_PEER_DEAD);
	assert_int_equal(seen.ntake, 4);
	assert_int_equal(last_hdr(a).type, SL_SYNC_T_HEARTBEAT);
	assert_int_equal(last_hdr(a).dump_id, LB2 | LB3);
	assert_int_equal(last_hdr(a).dump_records, LB3);

	fg.nodes ^= 1; /* lb2 runs another node list: its bits rank other names */
	lb2_beats(a, LB1 | LB3, LB3, 800, 800);
	assert_int_equal(seen.ntake, 4);
	assert_int_equal(p2->st.maps_ignored, 1);
	assert_int_equal(p2->holds_map, 0);
	fg.nodes ^= 1;

	fg.dump_id = LB1; /* made now, delivered after a newer one */
	late_len = ctl_msg(late, 2, SL_SYNC_T_HEARTBEAT, ++seq);
	fg.dump_id = 0;
	lb2_beats(a, LB1 | LB3, LB3, 900, 900);
	assert_true(shared(a) < 4);
	assert_int_equal(seen.ntake, shared(a));
	sl_cluster_input(a, late, late_len, &from2, PORT, 950);
	assert_int_equal(p2->holds_map, LB1 | LB3);
	assert_int_equal(seen.ntake, shared(a));
	sl_cluster_free(a);
}

/* Review 1a: lb1 (re)starts after lb3 died; lb2's dump relays lb3's
 * connections and lb2 counts lb3 down. lb1 holds lb3's (never heard) and
 * learns it is down: it shares lb3's addresses with lb2, and when lb2
 * dies too, it takes all of both. */
static void test_relayed_connections(void **state)
{
	struct sl_cluster *a = lb1_started();
	struct sl_sync_conn r[2] = {rec(1, 1), rec(1, 2)};
	struct sl_addr from2 = v4(2);
	size_t len;
	(void)state;

	r[0].laddr[2] = r[1].laddr[2] = 3; /* lb3's local addresses */
	send_ctl(a, 2, SL_SYNC_T_HEARTBEAT, LB1 | LB3, LB3, 10);
	sl_cluster_poll(a, 10); /* asks lb2, id 1 */
	fg.dump_id = 1;
	fg.flags = SL_SYNC_F_READY | SL_SYNC_F_DUMP;
	len = forge(buf, 2, KEY, ++seq, r, 2);
	sl_cluster_input(a, buf, len, &from2, PORT, 20);
	fg.flags = SL_SYNC_F_READY;
	fg.dump_records = 2;
	len = ctl_msg(buf, 2, SL_SYNC_T_DUMP_END, ++seq);
	sl_cluster_input(a, buf, len, &from2, PORT, 30);
	fg.dump_id = fg.dump_records = 0;
	assert_true(sl_cluster_peer(a, 1)->holds);
	assert_true(sl_cluster_peer(a, 1)->down);
	assert_int_equal(sl_cluster_peer(a, 1)->state, SL_PEER_UNKNOWN);
	lb2_beats(a, LB1 | LB3, LB3, 100, 3000); /* lb3 unheard: ready at 3000 */
	assert_true(sl_cluster_ready(a));
	assert_int_equal(seen.ntake, shared(a));
	assert_true(seen.ntake < 4);
	sl_cluster_poll(a, 3501); /* lb2 silent 501 ms: dead */
	assert_int_equal(sl_cluster_peer(a, 0)->state, SL_PEER_DEAD);
	assert_int_equal(seen.ntake, 8);
	sl_cluster_free(a);
}

/* lb1 ready at 3000 with lb2's (empty) dump, lb3 never heard yet. */
static struct sl_cluster *ready_without_lb3(void)
{
	struct sl_cluster *a = lb1_started();

	send_ctl(a, 2, SL_SYNC_T_HEARTBEAT, 0, 0, 10);
	sl_cluster_poll(a, 10);
	send_ctl(a, 2, SL_SYNC_T_DUMP_END, 1, 0, 20);
	lb2_beats(a, LB1, 0, 100, 3000);
	assert_true(sl_cluster_ready(a));
	return a;
}

/* Review 1b: lb3 is heard first after lb1 was ready. lb1 asks for its
 * dump (counted) and holds lb3's connections only once it is in. */
static void test_late_peer_dump(void **state)
{
	struct sl_cluster *a = ready_without_lb3();
	const struct sl_sync_peer *p3 = sl_cluster_peer(a, 1);
	(void)state;

	send_ctl(a, 3, SL_SYNC_T_HEARTBEAT, 0, 0, 3010);
	sl_cluster_poll(a, 3010);
	assert_int_equal(p3->st.late_dumps, 1);
	assert_int_equal(last_hdr(a).type, SL_SYNC_T_DUMP_REQ);
	assert_string_equal(last_hdr(a).receiver, "lb3");
	assert_false(p3->holds);
	sl_cluster_poll(a, 3100);
	assert_int_equal(last_hdr(a).dump_id, LB2); /* the heartbeat: not lb3's yet */
	send_ctl(a, 3, SL_SYNC_T_DUMP_END, p3->dump_id, 0, 3110);
	assert_true(p3->holds);
	assert_true(p3->dump_done);
	sl_cluster_poll(a, 3200);
	assert_int_equal(last_hdr(a).dump_id, LB2 | LB3);
	sl_cluster_free(a);
}

/* A late peer that never answers is asked again each second while its
 * dump has not moved for dump_timeout_ms (5000), then no more. */
static void test_late_dump_gives_up(void **state)
{
	struct sl_cluster *a = ready_without_lb3();
	const struct sl_sync_peer *p3 = sl_cluster_peer(a, 1);
	(void)state;

	for (uint64_t t = 3010; t < 8010; t += 100) {
		send_ctl(a, 3, SL_SYNC_T_HEARTBEAT, 0, 0, t);
		sl_cluster_poll(a, t);
	}
	assert_int_equal(p3->dump_id, 5); /* at 3010, 4010, ... 7010 */
	for (uint64_t t = 8010; t < 12000; t += 100) {
		send_ctl(a, 3, SL_SYNC_T_HEARTBEAT, 0, 0, t);
		sl_cluster_poll(a, t);
	}
	assert_int_equal(p3->dump_id, 5);
	assert_true(p3->dump_gave_up);
	assert_false(p3->holds);
	assert_int_equal(p3->st.late_dumps, 1);
	sl_cluster_free(a);
}

/* Review 5: at the cluster's start lb1 is ready while lb3 is alive, its
 * dump in, but not yet serving: lb1 takes none of lb3's addresses (it
 * took some for ~75 ms, logged). Once lb3 went ALIVE -> DEAD, lb1 does. */
static void test_start_takes_nothing(void **state)
{
	struct sl_cluster *a = lb1_started();
	(void)state;

	send_ctl(a, 2, SL_SYNC_T_HEARTBEAT, 0, 0, 10);
	fg.flags = 0; /* lb3 waits for its own dumps */
	send_ctl(a, 3, SL_SYNC_T_HEARTBEAT, 0, 0, 10);
	sl_cluster_poll(a, 10);
	send_ctl(a, 2, SL_SYNC_T_DUMP_END, 1, 0, 20);
	send_ctl(a, 3, SL_SYNC_T_DUMP_END, 1, 0, 20);
	sl_cluster_poll(a, 20);
	assert_true(sl_cluster_ready(a));
	assert_true(sl_cluster_peer(a, 1)->holds);
	assert_int_equal(seen.ntake, 0);
	assert_int_equal(sl_cluster_stats(a)->takeover_changes, 0);
	fg.flags = SL_SYNC_F_READY;
	send_ctl(a, 3, SL_SYNC_T_HEARTBEAT, 0, 0, 95);
	lb2_beats(a, LB1, 0, 100, 600);
	assert_int_equal(sl_cluster_peer(a, 1)->state, SL_PEER_DEAD);
	assert_int_equal(seen.ntake, 4);
	sl_cluster_free(a);
}

/* Review 3: a datagram of wire version 2 (whose heartbeat's map meant
 * "heard") is refused before anything, counted as bad_version. */
static void test_old_version_refused(void **state)
{
	struct sl_cluster *a = node(1, 0);
	const struct sl_sync_peer *p2 = sl_cluster_peer(a, 0);
	struct sl_sync_conn r[1] = {rec(1, 1)};
	struct sl_addr from2 = v4(2);
	size_t len;
	(void)state;

	fresh();
	len = forge(buf, 2, KEY, 1, r, 1);
	buf[4] = 2;
	sl_cluster_input(a, buf, len, &from2, PORT, 10);
	assert_int_equal(p2->st.bad[SL_SYNC_BAD_VERSION], 1);
	assert_int_equal(p2->state, SL_PEER_UNKNOWN);
	assert_int_equal(seen.installed, 0);
	sl_cluster_free(a);
}

/* Review 4: three datagrams in one turn each raise lb1's epoch: it is
 * kept once (one durable write), at the poll, to the highest, and no
 * datagram carries it before that. */
static void test_epoch_raise_once_per_poll(void **state)
{
	struct sl_cluster *a = lb1_started();
	(void)state;

	fg.to_epoch = 2000;
	send_ctl(a, 2, SL_SYNC_T_HEARTBEAT, 0, 0, 10);
	fg.to_epoch = 3000;
	send_ctl(a, 3, SL_SYNC_T_HEARTBEAT, 0, 0, 10);
	fg.to_epoch = 2500;
	send_ctl(a, 2, SL_SYNC_T_HEARTBEAT, 0, 0, 10);
	assert_int_equal(seen.raise_calls, 0);
	assert_int_equal(sl_cluster_epoch(a), 1001);
	sl_cluster_dump_end(a, 0); /* sent in the turn: the old epoch still */
	assert_int_equal(last_hdr(a).epoch, 1001);
	sl_cluster_poll(a, 100);
	assert_int_equal(seen.raise_calls, 1);
	assert_int_equal(seen.raised_epoch, 3001);
	assert_int_equal(sl_cluster_epoch(a), 3001);
	assert_int_equal(sl_cluster_stats(a)->epoch_raises, 1);
	assert_int_equal(last_hdr(a).epoch, 3001);
	sl_cluster_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_digest_and_order),
		cmocka_unit_test(test_relayed_connections),
		cmocka_unit_test(test_late_peer_dump),
		cmocka_unit_test(test_late_dump_gives_up),
		cmocka_unit_test(test_start_takes_nothing),
		cmocka_unit_test(test_old_version_refused),
		cmocka_unit_test(test_epoch_raise_once_per_poll),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
