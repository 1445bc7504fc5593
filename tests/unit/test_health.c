/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health-check engine (ctrl/daemon/health.c) against real sockets on the
 * loopback interface, driven the way the control loop drives it (a poll
 * that never waits, then whatever else the loop does; here, playing the
 * servers): tcp up and down with fall/rise and the logged reasons, http
 * status and timeout, udp reply and port unreachable, targets following
 * the model (removed, check set to none), flush requests for on_down
 * flush, a check that cannot start (no verdict), and 1000 servers at a
 * 1 s interval: all checked, never blocking.
 * run.sh: alone (the slowest poll is held under 50 ms of wall clock: with
 * another test binary beside it on a busy 2-core machine it took 58 to
 * 476 ms, alone 4 to 8 ms).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "health.h"
#include "log.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A listening or bound loopback socket on an ephemeral port. */
static int loop_socket(int type, uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_ANY)};
	socklen_t len = sizeof(a);
	int one = 1, fd = socket(AF_INET, type | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(*port);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 4096), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A model with one service and n servers 127.0.x.y:port (built by hand:
 * the model's own operations refuse loopback addresses). */
static void make_model(struct sl_model *m, uint32_t n, uint16_t port,
		       const struct sl_hc_cfg *hc)
{
	memset(m, 0, sizeof(*m));
	m->svcs = calloc(1, sizeof(*m->svcs));
	m->nsvcs = 1;
	struct sl_model_svc *s = &m->svcs[0];
	s->vip = htonl(0xc6120064);
	s->port = htons(80);
	s->proto = SL_IPPROTO_TCP;
	s->hc = *hc;
	s->rs = calloc(n, sizeof(*s->rs));
	s->nrs = n;
	for (uint32_t i = 0; i < n; i++) {
		s->rs[i].ip = htonl(0x7f000001u + i);
		s->rs[i].port = htons(port);
		s->rs[i].id = (uint16_t)i;
		s->rs[i].weight = 1;
	}
}

static void free_model(struct sl_model *m)
{
	free(m->svcs[0].rs);
	free(m->svcs);
}

static struct sl_hc_cfg check(uint8_t type, uint32_t interval, uint32_t timeout)
{
	struct sl_hc_cfg c;
	sl_hc_defaults(&c);
	c.type = type;
	c.interval_ms = interval;
	c.timeout_ms = timeout;
	c.rise = 2;
	c.fall = 2;
	return c;
}

/* Poll for `ms`, calling `serve` between polls; count state changes. */
static unsigned run(struct sl_health *h, uint32_t ms, void (*serve)(void))
{
	uint64_t end = now_ms() + ms;
	unsigned changes = 0;

	while (now_ms() < end) {
		changes += sl_health_poll(h);
		if (serve)
			serve();
		usleep(1000);
	}
	return changes;
}

static void test_tcp_down_up(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0;
	(void)state;

	int lfd = loop_socket(SOCK_STREAM, &port);
	struct sl_hc_cfg c = check(SL_HC_TCP, 100, 50);
	make_model(&m, 1, port, &c);
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	assert_false(sl_health_sync(&h, &m));
	run(&h, 250, NULL);
	const struct sl_hc_target *t = sl_health_target(&h, 0);
	assert_non_null(t);
	assert_true(t->checked && t->last_ok);
	assert_false(t->down);
	assert_non_null(strstr(t->last_reason, "tcp: connected in"));

	close(lfd); /* the service goes away: refused */
	assert_int_equal(run(&h, 350, NULL), 1);
	assert_true(t->down);
	assert_false(t->last_ok);
	assert_string_equal(t->last_reason, "tcp: connect: Connection refused");
	assert_true(sl_health_down(&h, 0, &m.svcs[0].rs[0]));

	lfd = loop_socket(SOCK_STREAM, &port); /* back, same port */
	assert_int_equal(run(&h, 350, NULL), 1);
	assert_false(t->down);
	assert_false(sl_health_down(&h, 0, &m.svcs[0].rs[0]));
	close(lfd);
	sl_health_free(&h);
	free_model(&m);
}

static int http_listener = -1;
static const char *http_answer;
#define MAX_PENDING 512
static int pending[MAX_PENDING];
static unsigned npending;

/* Accept whatever is waiting; answer each request once it has come (or
 * never, with no answer set). */
static void serve_http(void)
{
	char buf[512];
	int fd;

	while (npending < MAX_PENDING && (fd = accept(http_listener, NULL, NULL)) >= 0)
		pending[npending++] = fd;
	for (unsigned i = 0; i < npending; i++) {
		ssize_t n = recv(pending[i], buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n > 0 && !http_answer)
			continue; /* keep it open, say nothing */
		if (n > 0 && send(pending[i], http_answer, strlen(http_answer),
				  MSG_NOSIGNAL) < 0)
			fail();
		close(pending[i]);
		pending[i--] = pending[--npending];
	}
}

/* The http server and the checker gone. */
static void http_close(struct sl_health *h, struct sl_model *m)
{
	for (unsigned i = 0; i < npending; i++)
		close(pending[i]);
	npending = 0;
	close(http_listener);
	sl_health_free(h);
	free_model(m);
}

static void test_http(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0;
	(void)state;

	http_listener = loop_socket(SOCK_STREAM, &port);
	struct sl_hc_cfg c = check(SL_HC_HTTP, 100, 50);
	c.fall = 1;
	c.rise = 1;
	make_model(&m, 1, port, &c);
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	sl_health_sync(&h, &m);
	const struct sl_hc_target *t = sl_health_target(&h, 0);

	http_answer = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
	run(&h, 250, serve_http);
	assert_true(t->last_ok);
	assert_false(t->down);
	assert_non_null(strstr(t->last_reason, "http: status 200 in"));

	http_answer = "HTTP/1.1 503 Service Unavailable\r\n\r\n";
	run(&h, 250, serve_http);
	assert_true(t->down);
	assert_string_equal(t->last_reason, "http: status 503, expected 200");

	http_answer = "garbage\r\n";
	run(&h, 250, serve_http);
	assert_string_equal(t->last_reason, "http: no HTTP status line in the answer");

	http_answer = NULL; /* accepted, never answered: the timeout */
	run(&h, 250, serve_http);
	assert_string_equal(t->last_reason, "http: no status line within 50 ms");
	assert_true(t->down);

	http_close(&h, &m);
}

static int udp_fd = -1;

static void serve_udp(void)
{
	char buf[64];
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t n;

	while ((n = recvfrom(udp_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &len)) > 0)
		sendto(udp_fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
}

static void test_udp(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0;
	(void)state;

	udp_fd = loop_socket(SOCK_DGRAM, &port);
	struct sl_hc_cfg c = check(SL_HC_UDP, 100, 50);
	make_model(&m, 1, port, &c);
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	sl_health_sync(&h, &m);
	const struct sl_hc_target *t = sl_health_target(&h, 0);
	run(&h, 250, serve_udp);
	assert_true(t->last_ok);
	assert_non_null(strstr(t->last_reason, "udp: reply in"));
	close(udp_fd);
	run(&h, 350, NULL);
	assert_true(t->down);
	assert_string_equal(t->last_reason, "udp: port unreachable");
	sl_health_free(&h);
	free_model(&m);
}

static unsigned flushes[4];
static bool count_flush(void *ctx, uint16_t svc_id, uint16_t rs_id)
{
	(void)ctx, (void)svc_id;
	assert_true(rs_id < 4);
	flushes[rs_id]++;
	return true;
}

/* Targets follow the model; on_down flush asks for one flush. */
static void test_sync_and_flush(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0;
	(void)state;

	int lfd = loop_socket(SOCK_STREAM, &port);
	close(lfd); /* nobody listens: every check fails */
	struct sl_hc_cfg c = check(SL_HC_TCP, 100, 50);
	make_model(&m, 2, port, &c);
	m.svcs[0].on_down = SL_ON_DOWN_FLUSH;
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	sl_health_sync(&h, &m);
	assert_int_equal(h.ntargets, 2);
	assert_int_equal(run(&h, 350, NULL), 2);
	sl_health_take_flushes(&h, count_flush, NULL);
	sl_health_take_flushes(&h, count_flush, NULL); /* once each */
	assert_int_equal(flushes[0], 1);
	assert_int_equal(flushes[1], 1);
	m.svcs[0].nrs = 1;
	sl_health_sync(&h, &m);
	assert_int_equal(h.ntargets, 1);
	assert_null(sl_health_target(&h, 1));
	/* Check set to none: up at once, and the sync says so. */
	m.svcs[0].hc.type = SL_HC_NONE;
	assert_true(sl_health_sync(&h, &m));
	assert_false(sl_health_target(&h, 0)->down);
	assert_int_equal(h.inflight, 0);
	sl_health_free(&h);
	free_model(&m);
}

/* A source address this host does not have: checks cannot start, which
 * says nothing about the servers: no state change, the reason shown. */
static void test_local_error(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0;
	(void)state;

	int lfd = loop_socket(SOCK_STREAM, &port);
	struct sl_hc_cfg c = check(SL_HC_TCP, 100, 50);
	make_model(&m, 1, port, &c);
	assert_int_equal(sl_health_init(&h, htonl(0xc61201fa), err, sizeof(err)), 0);
	sl_health_sync(&h, &m);
	assert_int_equal(run(&h, 350, NULL), 0);
	const struct sl_hc_target *t = sl_health_target(&h, 0);
	assert_true(t->checked);
	assert_false(t->down);
	assert_non_null(strstr(t->last_reason, "local error (state kept): bind to "
					       "health.source"));
	close(lfd);
	sl_health_free(&h);
	free_model(&m);
}

/* Panic (issue 19.6): 4 servers, fall 1; 2 down is not more than 50%,
 * so they are taken out; a third down is, so health is ignored for all
 * (none taken out, no flush) until they are back. Per VIP, then for all
 * servers (health.panic_percent). */
static void panic_case(bool global)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0, closed = 0;
	unsigned down = 0;

	int lfd = loop_socket(SOCK_STREAM, &port);
	close(loop_socket(SOCK_STREAM, &closed)); /* nobody listens there */
	struct sl_hc_cfg c = check(SL_HC_TCP, 100, 50);
	c.fall = c.rise = 1;
	make_model(&m, 4, port, &c);
	m.svcs[0].on_down = SL_ON_DOWN_FLUSH;
	if (global)
		m.hc_panic_percent = 50;
	else
		m.svcs[0].panic_percent = 50;
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	m.svcs[0].rs[0].port = m.svcs[0].rs[1].port = htons(closed);
	sl_health_sync(&h, &m);
	run(&h, 300, NULL);
	for (uint32_t i = 0; i < 4; i++)
		down += sl_health_down(&h, 0, &m.svcs[0].rs[i]);
	assert_int_equal(down, 2);            /* half: taken out */
	assert_int_equal(h.panics, 0);

	m.svcs[0].rs[2].port = htons(closed);
	sl_health_sync(&h, &m);
	assert_int_equal(run(&h, 300, NULL), 1);  /* down, and panic: one republish */
	assert_true(sl_health_target(&h, 2)->down);
	for (uint32_t i = 0; i < 4; i++)
		assert_false(sl_health_down(&h, 0, &m.svcs[0].rs[i]));
	assert_int_equal(h.panics, 1);
	assert_int_equal(global ? h.panic : h.svc_panic[0], true);
	assert_int_equal(h.vips_in_panic, global ? 0 : 1);
	memset(flushes, 0, sizeof(flushes));
	sl_health_take_flushes(&h, count_flush, NULL);
	assert_int_equal(flushes[0] + flushes[1] + flushes[2] + flushes[3], 0);

	for (uint32_t i = 0; i < 3; i++)
		m.svcs[0].rs[i].port = htons(port); /* back */
	sl_health_sync(&h, &m);
	assert_false(h.panic || h.svc_panic[0]);
	close(lfd);
	sl_health_free(&h);
	free_model(&m);
}

static void test_panic_vip(void **state)
{
	(void)state;
	panic_case(false);
}

static void test_panic_global(void **state)
{
	(void)state;
	panic_case(true);
}

/* A stall of the control loop (issue 19.5): 300 servers, http, fall 1,
 * checked every 400 ms with a 200 ms timeout; the loop is held 2 s twice,
 * the second time right after the first, while checks are in flight
 * (their connects complete and answers come meanwhile: the server keeps
 * serving). No server may change state, and after the first stall the
 * checks that fell due must not all start in one poll. */
static unsigned started_since(const struct sl_health *h, unsigned n, uint64_t since)
{
	unsigned k = 0;
	for (uint16_t i = 0; i < n; i++)
		k += sl_health_target(h, i)->started_ms >= since;
	return k;
}

static void stall(uint32_t ms)
{
	uint64_t end = now_ms() + ms;
	while (now_ms() < end) {
		serve_http(); /* the servers go on answering */
		usleep(1000);
	}
}

static void test_stall(void **state)
{
	enum { N = 300 };
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0;
	unsigned most = 0;
	(void)state;

	http_listener = loop_socket(SOCK_STREAM, &port);
	http_answer = "HTTP/1.0 200 OK\r\n\r\n";
	struct sl_hc_cfg c = check(SL_HC_HTTP, 400, 200);
	c.fall = 1;
	make_model(&m, N, port, &c);
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	sl_health_sync(&h, &m);
	assert_int_equal(run(&h, 1000, serve_http), 0);
	stall(2000);
	uint64_t resumed = now_ms();
	unsigned changes = sl_health_poll(&h);
	most = started_since(&h, N, resumed);
	stall(2000); /* again, with whatever the first poll started in flight */
	changes += sl_health_poll(&h);
	resumed = now_ms();
	for (uint64_t end = resumed + 150; now_ms() < end;) {
		unsigned before = started_since(&h, N, resumed);
		changes += sl_health_poll(&h);
		unsigned now_started = started_since(&h, N, resumed) - before;
		most = now_started > most ? now_started : most;
		serve_http();
		usleep(1000);
	}
	changes += run(&h, 1000, serve_http);
	unsigned up = 0;
	for (uint16_t i = 0; i < N; i++)
		up += !sl_health_target(&h, i)->down;
	print_message("health: two 2 s stalls, %u servers: %u state changes, %u up, "
		      "at most %u checks started in one poll after a stall, "
		      "%lu stalls seen\n", N, changes, up, most,
		      (unsigned long)h.stalls);
	assert_int_equal(changes, 0);
	assert_int_equal(up, N);
	assert_true(most <= N / 4);  /* spread, not lined up */
	assert_int_equal(h.stalls, 2);
	http_close(&h, &m);
}

/* Errors of the host's own network (issue 19.6): in a network namespace
 * of its own with no route anywhere, every check gets ENETUNREACH: a
 * local error, counted, and no server goes down. Run in a child, since
 * the namespace is the process's. */
static int unreachable_child(void)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	struct sl_hc_cfg c = check(SL_HC_TCP, 50, 40);

	if (unshare(CLONE_NEWNET) != 0)
		return 2;
	c.fall = 1;
	make_model(&m, 3, 80, &c);
	for (uint32_t i = 0; i < 3; i++)
		m.svcs[0].rs[i].ip = htonl(0xc6120201u + i); /* 198.18.2.1-3 */
	if (sl_health_init(&h, 0, err, sizeof(err)) != 0)
		return 3;
	sl_health_sync(&h, &m);
	unsigned changes = run(&h, 300, NULL);
	const struct sl_hc_target *t = sl_health_target(&h, 0);
	int rc = changes != 0 || t->down || !t->checked || h.local_errors < 3 ||
		 !strstr(t->last_reason, "local error (state kept): connect: ")
		 ? 4 : 0;
	if (rc)
		fprintf(stderr, "unreachable: %u changes, down %d, %lu local errors, "
			"last: %s\n", changes, t->down, (unsigned long)h.local_errors,
			t->last_reason);
	sl_health_free(&h);
	free_model(&m);
	return rc;
}

static void test_unreachable_is_local(void **state)
{
	int status;
	(void)state;

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unreachable_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* 2: unshare needs root */
}

/* 1000 servers every second, spread over the interval: after 2.5 s each
 * has been checked twice or more, all up, and no poll took long. */
static void test_thousand(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0;
	uint64_t worst = 0;
	uint32_t peak = 0;
	(void)state;

	int lfd = loop_socket(SOCK_STREAM, &port);
	struct sl_hc_cfg c = check(SL_HC_TCP, 1000, 500);
	make_model(&m, 1000, port, &c);
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	sl_health_sync(&h, &m);
	uint64_t end = now_ms() + 2500;
	unsigned polls = 0;
	while (now_ms() < end) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		sl_health_poll(&h);
		clock_gettime(CLOCK_MONOTONIC, &b);
		uint64_t us = (uint64_t)(((int64_t)b.tv_sec - a.tv_sec) * 1000000 +
					 ((int64_t)b.tv_nsec - a.tv_nsec) / 1000);
		worst = us > worst ? us : worst;
		peak = h.inflight > peak ? h.inflight : peak;
		polls++;
		/* Accept and drop, as a server would; keeps the backlog short. */
		int fd;
		while ((fd = accept(lfd, NULL, NULL)) >= 0)
			close(fd);
		usleep(1000);
	}
	unsigned ok = 0;
	for (uint16_t i = 0; i < 1000; i++) {
		const struct sl_hc_target *t = sl_health_target(&h, i);
		ok += t->checked && t->last_ok && !t->down;
	}
	print_message("health: 1000 servers at 1 s: %u up and checked; %u polls, "
		      "slowest %lu us, at most %u checks in flight\n", ok, polls,
		      (unsigned long)worst, peak);
	assert_int_equal(ok, 1000);
	assert_true(worst < 50000); /* never a blocking wait */
	close(lfd);
	sl_health_free(&h);
	free_model(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_down_up),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_sync_and_flush),
		cmocka_unit_test(test_local_error),
		cmocka_unit_test(test_thousand),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_panic_vip),
		cmocka_unit_test(test_panic_global),
		cmocka_unit_test(test_unreachable_is_local),
	};
	sl_log_set_level("error"); /* state changes are logged: keep quiet */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
