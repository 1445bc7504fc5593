/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The announcer's table keeping (ctrl/daemon/announce.c) against a fake
 * kernel: the rtnetlink calls of announce_nl.h are defined here, and the
 * monotonic clock is wrapped (one millisecond a reading, jumps by the
 * test). A failed request is tried again for its prefix alone, after
 * that prefix's back-off, while the other prefixes are added at once and
 * the table is not read again; an add meeting another protocol's route
 * for the prefix is a conflict: the route is not replaced, the conflict
 * is counted and named in the status, and the prefix is added once that
 * route is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "announce.h"
#include "announce_nl.h"

/* ---- the fake kernel: one table, answers queued until read ---- */

struct froute {
	struct sl_addr a;
	uint8_t proto;
};

static struct {
	struct froute rt[32];
	unsigned nrt;
	struct sl_ann_msg q[256];
	unsigned nq;
	unsigned dumps;
	unsigned asks[8];            /* requests for 198.18.1.N, by N - 3 */
	struct sl_addr fail_addr;    /* its requests fail ... */
	int fail_err;                /* ... with this (-errno) ... */
	unsigned fail_times;         /* ... this many times */
} k;

static uint64_t now_ms = 1000000;

int __real_clock_gettime(clockid_t c, struct timespec *ts);
int __wrap_clock_gettime(clockid_t c, struct timespec *ts);
int __wrap_clock_gettime(clockid_t c, struct timespec *ts)
{
	if (c != CLOCK_MONOTONIC)
		return __real_clock_gettime(c, ts);
	now_ms++;
	ts->tv_sec = (time_t)(now_ms / 1000);
	ts->tv_nsec = (long)(now_ms % 1000) * 1000000;
	return 0;
}

static void push(struct sl_ann_msg m)
{
	assert_true(k.nq < SL_ARRAY_SIZE(k.q));
	k.q[k.nq++] = m;
}

static int find(const struct sl_addr *a)
{
	for (unsigned i = 0; i < k.nrt; i++)
		if (sl_addr_eq(&k.rt[i].a, a))
			return (int)i;
	return -1;
}

int sl_ann_nl_open(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int sl_ann_flush(uint32_t table, unsigned *removed, char *err, size_t len)
{
	(void)table, (void)err, (void)len;
	*removed = 0;
	return 0;
}

int sl_ann_nl_dump(int fd, uint32_t seq)
{
	(void)fd;
	k.dumps++;
	for (unsigned i = 0; i < k.nrt; i++)
		if (k.rt[i].proto == SL_ANN_RTPROT)
			push((struct sl_ann_msg){.type = SL_ANN_M_ROUTE, .seq = seq,
						 .route = k.rt[i].a});
	push((struct sl_ann_msg){.type = SL_ANN_M_DONE, .seq = seq});
	return 0;
}

/* Like the kernel with NLM_F_EXCL: an add for a prefix held is EEXIST. */
int sl_ann_nl_route(int fd, uint32_t seq, bool add, uint32_t table,
		    const struct sl_addr *a)
{
	int i = find(a), err = 0;
	uint32_t n = ntohl(a->v4) & 0xff;
	(void)fd, (void)table;

	if (n >= 3 && n < 3 + SL_ARRAY_SIZE(k.asks))
		k.asks[n - 3]++;
	if (k.fail_times && sl_addr_eq(a, &k.fail_addr)) {
		k.fail_times--;
		err = k.fail_err;
	} else if (add && i >= 0) {
		err = -EEXIST;
	} else if (add) {
		k.rt[k.nrt++] = (struct froute){.a = *a, .proto = SL_ANN_RTPROT};
	} else if (i < 0 || k.rt[i].proto != SL_ANN_RTPROT) {
		err = -ESRCH;
	} else {
		k.rt[i] = k.rt[--k.nrt];
	}
	push((struct sl_ann_msg){.type = SL_ANN_M_ACK, .seq = seq, .error = err});
	return 0;
}

int sl_ann_nl_read(int fd, uint32_t table,
		   void (*fn)(void *ctx, const struct sl_ann_msg *m), void *ctx)
{
	struct sl_ann_msg q[SL_ARRAY_SIZE(k.q)];
	unsigned n = k.nq;
	(void)fd, (void)table;

	memcpy(q, k.q, n * sizeof(q[0]));
	k.nq = 0;
	for (unsigned i = 0; i < n; i++)
		fn(ctx, &q[i]);
	return (int)n;
}

/* ---- the test ---- */

static bool all_up(void *ctx, const struct sl_model_svc *s, const struct sl_model_rs *rs)
{
	(void)ctx, (void)s, (void)rs;
	return true;
}

static void load_three(struct sl_model *m)
{
	load_ok("{'ports': [{'name': 'lan', 'devargs': 'net_ring0', 'ipv4': '198.18.1.2/24'}], "
		"'announce': {'table': 100}, 'local_addresses': [{'ip': '198.18.1.3'}, "
		"{'ip': '198.18.1.4'}, {'ip': '198.18.1.5'}]}", m);
}

static bool in_kernel(const char *a, uint8_t proto)
{
	struct sl_addr addr = A(a);
	int i = find(&addr);
	return i >= 0 && k.rt[i].proto == proto;
}

static void turns(struct sl_announce *a, const struct sl_model *m, unsigned n)
{
	while (n--)
		sl_announce_work(a, m, all_up, NULL);
}

static json_int_t counter(const struct sl_announce *a, const char *name)
{
	json_t *j = sl_announce_json(a);
	json_int_t v = json_integer_value(json_object_get(json_object_get(j, "counters"), name));
	json_decref(j);
	return v;
}

static void test_failed_prefix_retried_alone(void **state)
{
	struct sl_model m;
	char err[128];
	(void)state;

	memset(&k, 0, sizeof(k));
	load_three(&m);
	k.fail_addr = A("198.18.1.4");
	k.fail_err = -ENOMEM;
	k.fail_times = 2;
	struct sl_announce *a = sl_announce_new(100, err, sizeof(err));
	assert_non_null(a);
	turns(a, &m, 3); /* dump asked, read, adds sent and answered */
	assert_true(in_kernel("198.18.1.3", SL_ANN_RTPROT));
	assert_true(in_kernel("198.18.1.5", SL_ANN_RTPROT));
	assert_false(in_kernel("198.18.1.4", SL_ANN_RTPROT));
	assert_int_equal(k.dumps, 1);
	assert_int_equal(counter(a, "errors"), 1);
	/* Within its back-off (100 ms) it is not asked again. */
	turns(a, &m, 5);
	assert_int_equal(k.asks[1], 1);
	/* Past it: asked again, fails again (200 ms now), then added. */
	now_ms += 150;
	turns(a, &m, 2);
	assert_int_equal(k.asks[1], 2);
	now_ms += 150;
	turns(a, &m, 2);
	assert_int_equal(k.asks[1], 2);
	now_ms += 100;
	turns(a, &m, 2);
	assert_true(in_kernel("198.18.1.4", SL_ANN_RTPROT));
	/* Never a second read of the table, the others asked once each. */
	assert_int_equal(k.dumps, 1);
	assert_int_equal(k.asks[0], 1);
	assert_int_equal(k.asks[2], 1);
	sl_announce_free(a);
	assert_int_equal(k.nrt, 0); /* all withdrawn at exit */
	sl_model_free(&m);
}

static void test_conflict_not_overwritten(void **state)
{
	struct sl_model m;
	char err[128];
	(void)state;

	memset(&k, 0, sizeof(k));
	load_three(&m);
	k.rt[k.nrt++] = (struct froute){.a = A("198.18.1.4"), .proto = 4 /* static */};
	struct sl_announce *a = sl_announce_new(100, err, sizeof(err));
	assert_non_null(a);
	turns(a, &m, 3);
	assert_true(in_kernel("198.18.1.4", 4));
	assert_true(in_kernel("198.18.1.3", SL_ANN_RTPROT));
	assert_true(in_kernel("198.18.1.5", SL_ANN_RTPROT));
	assert_int_equal(counter(a, "conflicts"), 1);
	json_t *j = sl_announce_json(a);
	json_t *c = json_object_get(j, "conflicts");
	assert_int_equal(json_array_size(c), 1);
	assert_string_equal(json_string_value(json_array_get(c, 0)), "198.18.1.4/32");
	assert_non_null(strstr(json_string_value(json_object_get(j, "last_error")),
			       "198.18.1.4/32: another protocol's route holds it in table 100"));
	json_decref(j);
	/* The other route goes: added on the prefix's back-off. */
	k.nrt = 0;
	k.rt[k.nrt++] = (struct froute){.a = A("198.18.1.3"), .proto = SL_ANN_RTPROT};
	k.rt[k.nrt++] = (struct froute){.a = A("198.18.1.5"), .proto = SL_ANN_RTPROT};
	now_ms += 150;
	turns(a, &m, 2);
	assert_true(in_kernel("198.18.1.4", SL_ANN_RTPROT));
	j = sl_announce_json(a);
	assert_int_equal(json_array_size(json_object_get(j, "conflicts")), 0);
	assert_true(json_is_true(json_object_get(j, "in_step")));
	json_decref(j);
	assert_int_equal(k.dumps, 1);
	sl_announce_free(a);
	sl_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_prefix_retried_alone),
		cmocka_unit_test(test_conflict_not_overwritten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
