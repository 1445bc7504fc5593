/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replies steered by the NIC (drivers/flow_steer.c, issue 14): the rule
 * plan sends every local port to the worker that owns it by the port
 * share scheme (portmap.h), and the sync keeps a device's rules in step
 * with the addresses, falling back to the ring when the device refuses
 * and trying again when the addresses change or a back-off runs out. The
 * device is a mock behind struct sl_flow_ops, which records every call
 * and can be told to refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flow_steer.h"
#include "model.h"
#include "portmap.h"

#define IP(a, b, c, d) sl_htonl((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static void test_refusal(void **state)
{
	(void)state;
	assert_non_null(sl_flow_plan_refusal(1));
	assert_non_null(sl_flow_plan_refusal(3));
	assert_non_null(sl_flow_plan_refusal(6));
	assert_null(sl_flow_plan_refusal(2));
	assert_null(sl_flow_plan_refusal(4));
	assert_null(sl_flow_plan_refusal(16));
}

/* The one rule of `rules` a (dst, proto, port) packet matches, or -1 if
 * none or several do. */
static int match(const struct sl_flow_rule *rules, unsigned n, sl_be32 dst, uint8_t proto,
		 uint16_t port)
{
	int found = -1;

	for (unsigned i = 0; i < n; i++) {
		const struct sl_flow_rule *r = &rules[i];
		if (r->dst != dst || r->proto != proto || (port & r->port_mask) != r->port_spec)
			continue;
		if (found >= 0)
			return -1;
		found = (int)i;
	}
	return found;
}

/* Every port of every address, both protocols, lands on the queue of the
 * worker the port share gives it to, for each power-of-two count. */
static void test_plan_matches_owner(void **state)
{
	sl_be32 addrs[] = {IP(198, 18, 1, 1), IP(198, 18, 1, 2)};
	struct sl_flow_rule rules[2 * 16 * 2];
	(void)state;

	for (unsigned workers = 2; workers <= 16; workers *= 2) {
		unsigned n = sl_flow_plan(workers, addrs, 2, rules, 64);
		assert_int_equal(n, 2 * workers * 2);
		for (unsigned a = 0; a < 2; a++)
			for (uint32_t p = 0; p <= 65535; p++) {
				int t = match(rules, n, addrs[a], SL_IPPROTO_TCP, (uint16_t)p);
				int u = match(rules, n, addrs[a], SL_IPPROTO_UDP, (uint16_t)p);
				assert_true(t >= 0 && u >= 0);
				assert_int_equal(rules[t].queue, sl_port_owner((uint16_t)p, workers));
				assert_int_equal(rules[u].queue, sl_port_owner((uint16_t)p, workers));
			}
	}
}

/* A worker's share of a local port range (what it hands out) all goes to
 * its own queue. */
static void test_plan_matches_share(void **state)
{
	sl_be32 addr = IP(198, 18, 1, 1);
	struct sl_flow_rule rules[8];
	struct sl_port_share sh;
	(void)state;

	unsigned n = sl_flow_plan(4, &addr, 1, rules, 8);
	assert_int_equal(n, 8);
	for (uint16_t w = 0; w < 4; w++) {
		assert_int_equal(sl_port_share_init(&sh, 1025, 65535, 4, w), 0);
		for (uint32_t i = 0; i < sh.count; i++) {
			int t = match(rules, n, addr, SL_IPPROTO_TCP, sl_port_share_port(&sh, i));
			assert_true(t >= 0);
			assert_int_equal(rules[t].queue, w);
		}
	}
}

static void test_plan_bounded(void **state)
{
	sl_be32 addrs[3] = {IP(198, 18, 1, 1), IP(198, 18, 1, 2), IP(198, 18, 1, 3)};
	struct sl_flow_rule rules[5];
	(void)state;

	memset(rules, 0xab, sizeof(rules));
	assert_int_equal(sl_flow_plan(2, addrs, 3, rules, 4), 12);
	assert_int_equal(rules[4].dst, 0xabababab); /* nothing past max */
	assert_int_equal(rules[3].dst, addrs[0]);
	assert_int_equal(rules[3].proto, SL_IPPROTO_UDP);
	assert_int_equal(rules[3].queue, 1);
}

/* The mock device: counts calls, hands out handles, refuses on demand. */
static struct mock {
	unsigned validates, creates, destroys, flushes;
	unsigned live;             /* rules the device holds */
	int refuse_validate_at;    /* the Nth validate (1-based) fails; 0: none */
	int refuse_create_at;
	int refuse_destroy_at;
	int refuse_flush_at;
	uintptr_t next_handle;
	struct sl_flow_rule destroyed[64];
} mk;

static int m_validate(void *ctx, uint16_t ethdev, const struct sl_flow_rule *r, char *why,
		      size_t len)
{
	(void)ctx, (void)ethdev, (void)r;
	if ((int)++mk.validates == mk.refuse_validate_at) {
		snprintf(why, len, "mock: Function not implemented");
		return -1;
	}
	return 0;
}

static void *m_create(void *ctx, uint16_t ethdev, const struct sl_flow_rule *r, char *why,
		      size_t len)
{
	(void)ctx, (void)ethdev;
	if ((int)++mk.creates == mk.refuse_create_at) {
		snprintf(why, len, "mock: no room");
		return NULL;
	}
	mk.live++;
	/* The handle remembers the rule, so destroy can tell which went;
	 * static, so a flush leaves nothing to free. */
	static struct sl_flow_rule made[4096];
	struct sl_flow_rule *copy = &made[mk.creates % 4096];
	*copy = *r;
	return copy;
}

static int m_destroy(void *ctx, uint16_t ethdev, void *handle, char *why, size_t len)
{
	(void)ctx, (void)ethdev;
	if ((int)++mk.destroys == mk.refuse_destroy_at) {
		snprintf(why, len, "mock: busy");
		return -1;
	}
	mk.destroyed[(mk.destroys - 1) % 64] = *(struct sl_flow_rule *)handle;
	mk.live--;
	return 0;
}

static int m_flush(void *ctx, uint16_t ethdev, char *why, size_t len)
{
	(void)ctx, (void)ethdev;
	if ((int)++mk.flushes == mk.refuse_flush_at) {
		snprintf(why, len, "mock: flush refused (Device or resource busy)");
		return -16;
	}
	mk.live = 0;
	return 0;
}

static const struct sl_flow_ops mock_ops = {m_validate, m_create, m_destroy, m_flush};
static struct sl_flow_port fp;
static uint64_t now_ms;   /* the control thread's clock */

static int reset(void **state)
{
	(void)state;
	memset(&mk, 0, sizeof(mk));
	sl_flow_port_init(&fp, 3, NULL);
	now_ms = 1000000;
	return 0;
}

/* The control thread's view: plan the addresses, sync the port. */
static enum sl_flow_event sync_addrs(unsigned workers, const sl_be32 *addrs, unsigned naddrs)
{
	static struct sl_flow_rule want[SL_FLOW_MAX_RULES + 64];
	unsigned n = sl_flow_plan(workers, addrs, naddrs, want, SL_FLOW_MAX_RULES + 64);
	return sl_flow_port_sync(&fp, &mock_ops, NULL, want, n, now_ms);
}

static unsigned calls(void)
{
	return mk.validates + mk.creates + mk.destroys + mk.flushes;
}

/* Addresses come and go: only their own rules are created and destroyed. */
static void test_sync_follows_addresses(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1), b = IP(198, 18, 1, 2);
	sl_be32 both[2] = {a, b};
	(void)state;

	assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_NO_EVENT);
	assert_int_equal(fp.mode, SL_FLOW_RULES);
	assert_int_equal(fp.n, 4);
	assert_int_equal(mk.creates, 4);
	assert_int_equal(mk.validates, 4); /* each validated before it is made */
	assert_int_equal(sync_addrs(2, both, 2), SL_FLOW_NO_EVENT);
	assert_int_equal(mk.creates, 8);
	assert_int_equal(mk.destroys, 0);
	assert_int_equal(sync_addrs(2, &b, 1), SL_FLOW_NO_EVENT); /* a removed */
	assert_int_equal(mk.destroys, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(mk.destroyed[i].dst, a);
	assert_int_equal(fp.n, 4);
	assert_int_equal(mk.live, 4);
	assert_int_equal(sync_addrs(2, &b, 1), SL_FLOW_NO_EVENT); /* no change, no calls */
	assert_int_equal(mk.creates + mk.destroys, 12);
	sl_flow_port_stop(&fp, &mock_ops, NULL);
	assert_int_equal(mk.flushes, 1);
	assert_int_equal(fp.n, 0);
	assert_int_equal(mk.live, 0);
}

/* As the control thread does it (ctl_flow.c): a port's addresses from the
 * model, planned, synced. A local address and an SNAT pool on lan, one
 * local address on wan; then the model changes. */
static void sync_model(const struct sl_model *m, uint32_t port)
{
	sl_be32 addrs[16];
	struct sl_flow_rule want[64];
	unsigned naddrs = sl_model_port_reply_addrs(m, port, addrs, 16);
	unsigned n = sl_flow_plan(m->workers, addrs, naddrs, want, 64);
	assert_int_equal(sl_flow_port_sync(&fp, &mock_ops, NULL, want, n, 0), SL_FLOW_NO_EVENT);
}

static unsigned rules_for(sl_be32 dst)
{
	unsigned n = 0;
	for (unsigned i = 0; i < fp.n; i++)
		n += fp.rule[i].dst == dst;
	return n;
}

static void test_model_addresses(void **state)
{
	sl_be32 lip = IP(198, 18, 1, 3), wan_lip = IP(198, 18, 0, 9);
	sl_be32 pool0 = IP(198, 18, 1, 200), pool1 = IP(198, 18, 1, 201);
	struct sl_model m;
	struct sl_err e;
	(void)state;

	assert_int_equal(sl_model_init(&m), 0);
	m.workers = 2;
	assert_int_equal(sl_model_add_port(&m, "wan", "net_ring0", IP(198, 18, 0, 2), 24, &e), 0);
	assert_int_equal(sl_model_add_port(&m, "lan", "net_ring1", IP(198, 18, 1, 2), 24, &e), 0);
	assert_int_equal(sl_model_add_laddr(&m, lip, -1, &e), 0);
	assert_int_equal(sl_model_add_laddr(&m, wan_lip, -1, &e), 0);
	assert_int_equal(sl_model_add_snat(&m, IP(198, 18, 0, 0), 24, pool0, pool1, 1,
					   SL_SNAT_ADF, &e), 0);
	sync_model(&m, 1);
	assert_int_equal(fp.n, 3 * 4); /* 3 addresses x 2 workers x 2 protocols */
	assert_int_equal(rules_for(lip) + rules_for(pool0) + rules_for(pool1), 12);
	assert_int_equal(rules_for(wan_lip), 0); /* wan's, not lan's */

	assert_int_equal(sl_model_del_laddr(&m, lip, &e), 0);
	sync_model(&m, 1);
	assert_int_equal(mk.destroys, 4);
	assert_int_equal(rules_for(lip), 0);
	assert_int_equal(sl_model_del_snat(&m, IP(198, 18, 0, 0), 24, &e), 0);
	sync_model(&m, 1);
	assert_int_equal(fp.n, 0);
	assert_int_equal(mk.live, 0);
	assert_int_equal(sl_model_add_laddr(&m, lip, -1, &e), 0);
	sync_model(&m, 1);
	assert_int_equal(rules_for(lip), 4);
	assert_int_equal(mk.creates, 16);
	sl_model_free(&m);
}

/* A rule the device will not take: flushed, the ring, said once. */
static void test_validate_refused(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1), b = IP(198, 18, 1, 2);
	sl_be32 both[2] = {a, b};
	(void)state;

	mk.refuse_validate_at = 6; /* b's second rule */
	assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_NO_EVENT);
	assert_int_equal(sync_addrs(2, both, 2), SL_FLOW_FELL_BACK);
	assert_int_equal(fp.mode, SL_FLOW_RING);
	assert_int_equal(mk.flushes, 1);
	assert_int_equal(fp.n, 0);
	assert_int_equal(mk.live, 0);
	assert_non_null(strstr(fp.reason, "validating udp 198.18.1.2 dport 0/1 -> queue 0"));
	assert_non_null(strstr(fp.reason, "mock: Function not implemented"));
	assert_string_equal(sl_flow_mode_name(fp.mode), "ring");
	/* The same addresses before the back-off ran out: the ring, no
	 * calls, no second report; the device holds nothing to flush. */
	unsigned before = calls();
	now_ms += SL_FLOW_RETRY_FIRST_MS - 1;
	assert_int_equal(sync_addrs(2, both, 2), SL_FLOW_NO_EVENT);
	assert_int_equal(sl_flow_port_stop(&fp, &mock_ops, NULL), 0);
	assert_int_equal(calls(), before);
	assert_int_equal(fp.refusals, 1);
	assert_int_equal(fp.retries, 0);
}

static void test_create_refused(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1);
	(void)state;

	mk.refuse_create_at = 3;
	assert_int_equal(sync_addrs(4, &a, 1), SL_FLOW_FELL_BACK);
	assert_int_equal(fp.mode, SL_FLOW_RING);
	assert_int_equal(mk.live, 0); /* the two made before are flushed */
	assert_non_null(strstr(fp.reason, "creating tcp 198.18.1.1 dport 1/3 -> queue 1: mock: no room"));
}

static void test_destroy_refused(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1), b = IP(198, 18, 1, 2);
	sl_be32 both[2] = {a, b};
	(void)state;

	mk.refuse_destroy_at = 2;
	assert_int_equal(sync_addrs(2, both, 2), SL_FLOW_NO_EVENT);
	assert_int_equal(sync_addrs(2, &b, 1), SL_FLOW_FELL_BACK);
	assert_int_equal(fp.mode, SL_FLOW_RING);
	assert_int_equal(mk.live, 0);
	assert_non_null(strstr(fp.reason, "destroying"));
}

/* The probe at start: validated only; a refusal is the ring at once. */
static void test_probe(void **state)
{
	(void)state;
	assert_int_equal(sl_flow_port_probe(&fp, &mock_ops, NULL, 4), 0);
	assert_int_equal(mk.validates, 1);
	assert_int_equal(mk.creates, 0);
	assert_int_equal(fp.mode, SL_FLOW_RULES);
	mk.refuse_validate_at = 2;
	assert_int_equal(sl_flow_port_probe(&fp, &mock_ops, NULL, 4), -1);
	assert_int_equal(fp.mode, SL_FLOW_RING);
	assert_string_equal(fp.reason, "validating tcp 192.0.2.1 dport 0/3 -> queue 0: "
				       "mock: Function not implemented");
	assert_false(fp.proven);
	assert_true(fp.final);
}

static void test_too_many(void **state)
{
	static sl_be32 addrs[40];
	(void)state;

	for (unsigned i = 0; i < 40; i++)
		addrs[i] = IP(198, 18, 2, i + 1);
	/* 40 addresses x 16 workers x 2 protocols = 1280 > 1024 */
	assert_int_equal(sync_addrs(16, addrs, 40), SL_FLOW_FELL_BACK);
	assert_int_equal(fp.mode, SL_FLOW_RING);
	assert_int_equal(mk.creates, 0);
	assert_non_null(strstr(fp.reason, "1280 rules needed"));
}

/* A refusal is not for good: a new address set is tried at once, and a
 * retry that succeeds is the rules again, reason cleared. */
static void test_retry_on_address_change(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1), b = IP(198, 18, 1, 2);
	sl_be32 both[2] = {a, b};
	(void)state;

	mk.refuse_create_at = 2;
	assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_FELL_BACK);
	assert_int_equal(mk.flushes, 1); /* the one rule made went */
	assert_int_equal(sync_addrs(2, both, 2), SL_FLOW_RESTORED);
	assert_int_equal(fp.mode, SL_FLOW_RULES);
	assert_string_equal(fp.reason, "");
	assert_int_equal(fp.n, 8);
	assert_int_equal(mk.live, 8);
	assert_int_equal(fp.refusals, 1);
	assert_int_equal(fp.retries, 1);
	assert_int_equal(mk.flushes, 1); /* nothing left to clear first */
	assert_false(sl_flow_port_retry_due(&fp, now_ms + SL_FLOW_RETRY_MAX_MS));
}

/* The same set is tried again once the back-off runs out: 1 s, then
 * doubling to the cap, then back to 1 s after a success. */
static void test_retry_backoff(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1);
	uint32_t wait = SL_FLOW_RETRY_FIRST_MS;
	(void)state;

	mk.refuse_validate_at = 1;
	assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_FELL_BACK);
	for (unsigned i = 0; i < 12; i++) {
		assert_int_equal(fp.retry_at_ms, now_ms + wait);
		now_ms += wait - 1;
		assert_false(sl_flow_port_retry_due(&fp, now_ms));
		unsigned before = calls();
		assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_NO_EVENT);
		assert_int_equal(calls(), before);
		now_ms += 1;
		assert_true(sl_flow_port_retry_due(&fp, now_ms));
		mk.refuse_validate_at = (int)mk.validates + 1;
		assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_REFUSED_AGAIN);
		assert_int_equal(fp.retries, i + 1);
		wait = wait * 2 > SL_FLOW_RETRY_MAX_MS ? SL_FLOW_RETRY_MAX_MS : wait * 2;
	}
	assert_int_equal(wait, SL_FLOW_RETRY_MAX_MS);
	assert_int_equal(fp.refusals, 13);
	now_ms += wait;
	assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_RESTORED);
	assert_int_equal(mk.live, 4);
	assert_int_equal(fp.retry_at_ms, 0);
	mk.refuse_validate_at = (int)mk.validates + 1; /* refused once more: 1 s again */
	assert_int_equal(sync_addrs(2, (sl_be32[]){IP(198, 18, 1, 9)}, 1), SL_FLOW_FELL_BACK);
	assert_int_equal(fp.retry_at_ms, now_ms + SL_FLOW_RETRY_FIRST_MS);
}

/* Too many rules wait for another address set, not for the clock. */
static void test_too_many_retry(void **state)
{
	static sl_be32 addrs[40];
	(void)state;

	for (unsigned i = 0; i < 40; i++)
		addrs[i] = IP(198, 18, 2, i + 1);
	assert_int_equal(sync_addrs(16, addrs, 40), SL_FLOW_FELL_BACK);
	now_ms += 10 * (uint64_t)SL_FLOW_RETRY_MAX_MS;
	assert_false(sl_flow_port_retry_due(&fp, now_ms));
	assert_int_equal(sync_addrs(16, addrs, 40), SL_FLOW_NO_EVENT);
	assert_int_equal(calls(), 0);
	assert_int_equal(sync_addrs(16, addrs, 32), SL_FLOW_RESTORED); /* 1024 */
	assert_int_equal(fp.n, SL_FLOW_MAX_RULES);
}

/* The probe's refusal is for good: the device takes no rule of the shape. */
static void test_probe_final(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1);
	(void)state;

	mk.refuse_validate_at = 1;
	assert_int_equal(sl_flow_port_probe(&fp, &mock_ops, NULL, 2), -1);
	assert_true(fp.final);
	now_ms += 10 * (uint64_t)SL_FLOW_RETRY_MAX_MS;
	assert_false(sl_flow_port_retry_due(&fp, now_ms));
	assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_NO_EVENT);
	assert_int_equal(calls(), 1);
	assert_int_equal(fp.mode, SL_FLOW_RING);
}

/* A flush the device refuses is counted with its text; the rules it left
 * are flushed before the next retry creates any, and a device that never
 * took a rule is never asked to flush. */
static void test_flush_refused(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1), b = IP(198, 18, 1, 2);
	(void)state;

	assert_int_equal(sl_flow_port_stop(&fp, &mock_ops, NULL), 0);
	assert_int_equal(mk.flushes, 0);
	mk.refuse_create_at = 3;
	mk.refuse_flush_at = 1;
	assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_FELL_BACK);
	assert_int_equal(fp.flush_errors, 1);
	assert_string_equal(fp.flush_error, "mock: flush refused (Device or resource busy)");
	assert_int_equal(mk.live, 2); /* left on the device */
	mk.refuse_flush_at = 2; /* the retry's flush refused too: nothing made */
	unsigned creates = mk.creates;
	assert_int_equal(sync_addrs(2, &b, 1), SL_FLOW_REFUSED_AGAIN);
	assert_int_equal(mk.creates, creates);
	assert_int_equal(fp.flush_errors, 2);
	now_ms += SL_FLOW_RETRY_MAX_MS;
	assert_int_equal(sync_addrs(2, &b, 1), SL_FLOW_RESTORED);
	assert_int_equal(mk.flushes, 3); /* the leftovers went first */
	assert_int_equal(mk.live, 4);
	mk.refuse_flush_at = 4;
	assert_int_equal(sl_flow_port_stop(&fp, &mock_ops, NULL), -1);
	assert_int_equal(fp.flush_errors, 3);
}

static void test_off_port(void **state)
{
	sl_be32 a = IP(198, 18, 1, 1);
	(void)state;

	sl_flow_port_init(&fp, 3, "\"flow_steering\": false");
	assert_int_equal(sync_addrs(2, &a, 1), SL_FLOW_NO_EVENT);
	sl_flow_port_stop(&fp, &mock_ops, NULL);
	assert_int_equal(mk.validates + mk.creates + mk.flushes, 0);
	assert_string_equal(sl_flow_mode_name(fp.mode), "off");
	assert_string_equal(fp.reason, "\"flow_steering\": false");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_plan_matches_owner),
		cmocka_unit_test(test_plan_matches_share),
		cmocka_unit_test(test_plan_bounded),
		cmocka_unit_test_setup(test_sync_follows_addresses, reset),
		cmocka_unit_test_setup(test_validate_refused, reset),
		cmocka_unit_test_setup(test_create_refused, reset),
		cmocka_unit_test_setup(test_destroy_refused, reset),
		cmocka_unit_test_setup(test_probe, reset),
		cmocka_unit_test_setup(test_model_addresses, reset),
		cmocka_unit_test_setup(test_too_many, reset),
		cmocka_unit_test_setup(test_retry_on_address_change, reset),
		cmocka_unit_test_setup(test_retry_backoff, reset),
		cmocka_unit_test_setup(test_too_many_retry, reset),
		cmocka_unit_test_setup(test_probe_final, reset),
		cmocka_unit_test_setup(test_flush_refused, reset),
		cmocka_unit_test_setup(test_off_port, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
