/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks of IPv6 servers (issue 15): a TCP check connects over v6
 * on the kernel path (here, to [::1] on the loopback), up for a listener
 * and down for a closed port; a server is known by its whole v6 address
 * (v6 servers' v4 word is 0 for all of them), so another v6 server given
 * the same id and port is not taken for the checked one. Kept apart from
 * test_health.c, which is at the file-length limit.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "health.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A TCP socket on [::1] and an ephemeral port, listening if `listening`. */
static int loop6(bool listening, uint16_t *port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (listening)
		assert_int_equal(listen(fd, 16), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin6_port);
	return fd;
}

/* One v6 service with v6 servers [::1]:ports[i] (built by hand: the
 * model's operations refuse loopback addresses). */
static void make_model(struct sl_model *m, const uint16_t *ports, uint32_t n)
{
	memset(m, 0, sizeof(*m));
	m->svcs = calloc(1, sizeof(*m->svcs));
	m->nsvcs = 1;
	struct sl_model_svc *s = &m->svcs[0];
	s->v6 = true;
	s->vip6[0] = 0x20, s->vip6[1] = 0x01, s->vip6[2] = 0x0d, s->vip6[3] = 0xb8;
	s->vip6[15] = 0x64;
	s->port = htons(80);
	s->proto = SL_IPPROTO_TCP;
	sl_hc_defaults(&s->hc);
	s->hc.type = SL_HC_TCP;
	s->hc.interval_ms = 100;
	s->hc.timeout_ms = 50;
	s->hc.rise = s->hc.fall = 1;
	s->rs = calloc(n, sizeof(*s->rs));
	s->nrs = n;
	for (uint32_t i = 0; i < n; i++) {
		s->rs[i].ip6[15] = 1; /* ::1 */
		s->rs[i].port = htons(ports[i]);
		s->rs[i].id = (uint16_t)i;
		s->rs[i].weight = 1;
	}
}

static void run(struct sl_health *h, uint32_t ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		sl_health_poll(h);
		usleep(1000);
	}
}

static void test_tcp6(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128], name[SL_ADDRPORT_STRLEN], want[SL_ADDRPORT_STRLEN];
	uint16_t ports[2];
	(void)state;

	int up = loop6(true, &ports[0]);
	close(loop6(false, &ports[1])); /* nobody there: refused */
	make_model(&m, ports, 2);
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	sl_health_sync(&h, &m);
	run(&h, 350);
	const struct sl_hc_target *t0 = sl_health_target(&h, 0);
	const struct sl_hc_target *t1 = sl_health_target(&h, 1);
	assert_non_null(t0);
	assert_non_null(t1);
	assert_true(t0->checked && t0->last_ok);
	assert_non_null(strstr(t0->last_reason, "tcp: connected in"));
	assert_true(t1->checked && !t1->last_ok);
	assert_string_equal(t1->last_reason, "tcp: connect: Connection refused");
	assert_false(sl_health_down(&h, m.svcs[0].id, &m.svcs[0].rs[0]));
	assert_true(sl_health_down(&h, m.svcs[0].id, &m.svcs[0].rs[1]));
	snprintf(want, sizeof(want), "[::1]:%u", ports[1]);
	assert_string_equal(sl_hc_target_addr(t1, name), want);

	/* Another v6 server with the down one's id and port is not it. */
	struct sl_model_rs other = m.svcs[0].rs[1];
	other.ip6[15] = 2;
	assert_false(sl_health_down(&h, m.svcs[0].id, &other));
	assert_false(sl_hc_target_is(t1, m.svcs[0].id, &other));
	close(up);
	sl_health_free(&h);
	free(m.svcs[0].rs);
	free(m.svcs);
}

/* health.source's v6 address is where v6 checks leave from: one this
 * host does not have fails every check as a local error naming it. */
static void test_source6(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port;
	(void)state;

	int up = loop6(true, &port);
	make_model(&m, &port, 1);
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	h.source6[0] = 0x20, h.source6[1] = 0x01, h.source6[2] = 0x0d, h.source6[3] = 0xb8;
	h.source6[15] = 0x99; /* 2001:db8::99: not this host's */
	sl_health_sync(&h, &m);
	run(&h, 250);
	const struct sl_hc_target *t = sl_health_target(&h, 0);
	assert_non_null(t);
	assert_true(h.local_errors > 0);
	assert_false(t->checked && t->last_ok);
	close(up);
	sl_health_free(&h);
	free(m.svcs[0].rs);
	free(m.svcs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_source6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
