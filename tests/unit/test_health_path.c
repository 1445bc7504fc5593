/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health.path "data" in the checker (health_path.c): each check is bound
 * to the exception tap of the port that reaches its server, from the
 * tap's address there. Here the "tap" is lo (iface=lo, address
 * 127.0.0.1/8), so a check passes bound to it; a tap that does not exist
 * (not created yet) or a port with no exception device is a local error:
 * shown, counted, and the state kept.
 * run.sh: alone (checks every 100 ms counted over wall-clock windows).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "health.h"

static int listener(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 64), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

/* One port "lan" on 127.0.0.2/8 with exception `exc` (address
 * 127.0.0.1/8 unless `exc` is ""), one TCP-checked server 127.0.0.1. */
static void make_model(struct sl_model *m, const char *exc, uint16_t port)
{
	memset(m, 0, sizeof(*m));
	m->hc_data_path = true;
	m->nports = 1;
	snprintf(m->ports[0].name, sizeof(m->ports[0].name), "lan");
	m->ports[0].ip = htonl(0x7f000002);
	m->ports[0].plen = 8;
	snprintf(m->ports[0].exception, sizeof(m->ports[0].exception), "%s", exc);
	if (exc[0]) {
		m->ports[0].nhost_addrs = 1;
		m->ports[0].host_addrs[0].ip = htonl(INADDR_LOOPBACK);
		m->ports[0].host_addrs[0].plen = 8;
	}
	m->svcs = calloc(1, sizeof(*m->svcs));
	m->nsvcs = 1;
	struct sl_model_svc *s = &m->svcs[0];
	s->vip = htonl(0xc6120064);
	s->port = htons(80);
	s->proto = SL_IPPROTO_TCP;
	sl_hc_defaults(&s->hc);
	s->hc.type = SL_HC_TCP;
	s->hc.interval_ms = 100;
	s->hc.timeout_ms = 50;
	s->hc.fall = 1;
	s->rs = calloc(1, sizeof(*s->rs));
	s->nrs = 1;
	s->rs[0].ip = htonl(INADDR_LOOPBACK);
	s->rs[0].port = htons(port);
	s->rs[0].weight = 1;
}

/* Start a checker on `m` and check for 350 ms (three intervals): the
 * state changes seen. */
static unsigned check_350ms(struct sl_health *h, const struct sl_model *m)
{
	char err[128];
	struct timespec end, now;
	unsigned changes = 0;

	assert_int_equal(sl_health_init(h, 0, err, sizeof(err)), 0);
	sl_health_sync(h, m);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_nsec += 350 * 1000000L;
	end.tv_sec += end.tv_nsec / 1000000000L;
	end.tv_nsec %= 1000000000L;
	do {
		changes += sl_health_poll(h);
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	return changes;
}

/* Check for 350 ms; the target afterwards. */
static const struct sl_hc_target *run(struct sl_health *h, const char *exc,
				      unsigned *changes)
{
	struct sl_model m;
	uint16_t port = 0;
	int lfd = listener(&port);

	make_model(&m, exc, port);
	*changes = check_350ms(h, &m);
	close(lfd);
	free(m.svcs[0].rs);
	free(m.svcs);
	return sl_health_target(h, 0);
}

/* lo reaches 127.0.0.1 bound or not, so passing proves nothing about
 * the bind: a check's socket, bound as the checker binds it, must hold
 * the tap's name (SO_BINDTODEVICE) and the tap's address. */
static void expect_bound(const struct sl_health *h, const struct sl_hc_target *t)
{
	char dev[IF_NAMESIZE] = "", why[128];
	socklen_t len = sizeof(dev);
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	if (sl_hc_path_bind(h, t, fd, why, sizeof(why)) != 0)
		fail_msg("bind: %s", why);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &len), 0);
	assert_string_equal(dev, "lo");
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(a.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	close(fd);
}

static void test_bound_to_the_tap(void **state)
{
	struct sl_health h;
	unsigned changes;
	char path[64];
	(void)state;

	const struct sl_hc_target *t = run(&h, "net_tap,iface=lo", &changes);
	assert_int_equal(changes, 0);
	assert_true(t->checked);
	if (!t->last_ok)
		fail_msg("last check failed: %s", t->last_reason);
	assert_false(t->down);
	assert_string_equal(sl_hc_path_name(t, path, sizeof(path)),
			    "data: lo from 127.0.0.1");
	assert_true(t->passed >= 2);
	assert_int_equal(t->failed, 0);
	expect_bound(&h, t);
	sl_health_free(&h);
}

/* Lines of `f` (rewound) that hold `needle`. */
static unsigned count_lines(FILE *f, const char *needle)
{
	char line[512];
	unsigned n = 0;

	rewind(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	return n;
}

/* Local errors, state kept: the reason says what was missing, and the
 * log says so once (rate-limited: one line per SL_HC_LOCAL_LOG_MS, not
 * one per check) with the server's name. */
static void expect_local_error(const char *exc, const char *reason)
{
	struct sl_health h;
	unsigned changes;
	FILE *log = tmpfile();
	int saved = dup(STDERR_FILENO);

	assert_non_null(log);
	fflush(stderr);
	dup2(fileno(log), STDERR_FILENO);
	const struct sl_hc_target *t = run(&h, exc, &changes);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(changes, 0);
	assert_true(t->checked);
	assert_false(t->down);
	assert_true(h.local_errors >= 2);
	if (!strstr(t->last_reason, reason))
		fail_msg("reason \"%s\", want ...%s...", t->last_reason, reason);
	assert_int_equal(count_lines(log, "health: real server 127.0.0.1:"), 1);
	assert_int_equal(count_lines(log, "is not being checked: tcp: local error"), 1);
	assert_int_equal(t->local_unlogged, h.local_errors - 1);
	fclose(log);
	sl_health_free(&h);
}

/* The log limit is each server's own: two servers whose checks both
 * fail locally are both said to be unchecked, each once, each with its
 * own count of errors not logged. */
static void test_local_log_per_server(void **state)
{
	struct sl_health h;
	struct sl_model m;
	FILE *log = tmpfile();
	int saved = dup(STDERR_FILENO);
	(void)state;

	make_model(&m, "", 80); /* no exception device: a local error */
	struct sl_model_rs *two = calloc(2, sizeof(*two));
	assert_non_null(two);
	two[0] = m.svcs[0].rs[0];
	two[1] = two[0];
	two[1].ip = htonl(0x7f000003);
	two[1].id = (uint16_t)(two[0].id + 1);
	free(m.svcs[0].rs);
	m.svcs[0].rs = two;
	m.svcs[0].nrs = 2;
	assert_non_null(log);
	fflush(stderr);
	dup2(fileno(log), STDERR_FILENO);
	unsigned changes = check_350ms(&h, &m);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(changes, 0);
	assert_int_equal(count_lines(log, "is not being checked: tcp: local error"), 2);
	assert_int_equal(count_lines(log, "health: real server 127.0.0.1:80 of"), 1);
	assert_int_equal(count_lines(log, "health: real server 127.0.0.3:80 of"), 1);
	const struct sl_hc_target *a = sl_health_target(&h, 0), *b = sl_health_target(&h, 1);
	assert_true(a->local_unlogged >= 1 && b->local_unlogged >= 1);
	assert_int_equal(a->local_unlogged + b->local_unlogged, h.local_errors - 2);
	fclose(log);
	sl_health_free(&h);
	free(m.svcs[0].rs);
	free(m.svcs);
}

/* Many servers failing locally in the same second (a management link
 * flap) make at most SL_HC_LOCAL_LOG_PER_S lines; the others wait for a
 * later second, losing nothing from their counts. */
static void test_local_log_global_cap(void **state)
{
	static struct sl_hc_target t[40];
	FILE *log = tmpfile();
	int saved = dup(STDERR_FILENO);
	uint64_t now = 5000000;
	(void)state;

	assert_non_null(log);
	fflush(stderr);
	dup2(fileno(log), STDERR_FILENO);
	for (unsigned i = 0; i < 40; i++) {
		t[i].ip = htonl(0x7f000100 + i);
		snprintf(t[i].last_reason, sizeof(t[i].last_reason), "tcp: local error");
		sl_hc_local_log(&t[i], now);
	}
	for (unsigned i = 0; i < 40; i++) /* a second later: the next ten */
		sl_hc_local_log(&t[i], now + 1000);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(count_lines(log, "is not being checked"), 2 * SL_HC_LOCAL_LOG_PER_S);
	assert_int_equal(t[0].local_unlogged, 1);   /* logged first, then within its 10 s */
	assert_int_equal(t[10].local_unlogged, 0);  /* waited, logged the next second */
	assert_int_equal(t[39].local_unlogged, 2);  /* still waiting, both counted */
	fclose(log);
}

static void test_no_tap_yet(void **state)
{
	(void)state;
	expect_local_error("net_tap,iface=sl-nosuch0",
			   "tcp: local error (state kept): data path: bind to "
			   "sl-nosuch0: No such device");
}

static void test_no_exception(void **state)
{
	(void)state;
	expect_local_error("", "tcp: local error (state kept): data path: port lan "
			   "has no exception device");
}

/* Poll until the target has failed `n` checks in a row (at most 2 s). */
static void fail_until(struct sl_health *h, unsigned n)
{
	for (int i = 0; i < 2000 && sl_health_target(h, 0)->fail_run < n; i++) {
		sl_health_poll(h);
		usleep(1000);
	}
	assert_int_equal(sl_health_target(h, 0)->fail_run, n);
}

/* A path switch (config apply of health.path) starts the run of results
 * again: two failures on the kernel's path and one on the data path are
 * not three in a row of either (fall 3), so the server stays up. */
static void test_switch_resets_runs(void **state)
{
	struct sl_health h;
	struct sl_model m;
	char err[128];
	uint16_t port = 0;
	(void)state;

	close(listener(&port)); /* nobody listens: every check is refused */
	make_model(&m, "net_tap,iface=lo", port);
	m.hc_data_path = false;
	m.svcs[0].hc.fall = 3;
	assert_int_equal(sl_health_init(&h, 0, err, sizeof(err)), 0);
	sl_health_sync(&h, &m);
	fail_until(&h, 2);
	m.hc_data_path = true;
	sl_health_sync(&h, &m);
	assert_true(sl_health_target(&h, 0)->data_path);
	fail_until(&h, 1);
	assert_false(sl_health_target(&h, 0)->down);
	sl_health_free(&h);
	free(m.svcs[0].rs);
	free(m.svcs);
}

/* conf/NAME/rp_filter = v under root (a stand-in for /proc). */
static void set_rp(const char *root, const char *name, int v)
{
	char path[256];

	snprintf(path, sizeof(path), "mkdir -p %s/sys/net/ipv4/conf/%s", root, name);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/conf/%s/rp_filter", root, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", v);
	fclose(f);
}

/* health.path "data" on an af_packet port with a tap address needs
 * strict rp_filter on its interface (the larger of all and its own):
 * refused at start otherwise, naming the port, interface and sysctl. */
static void test_rp_filter(void **state)
{
	static const struct { int all, own; bool ok; } cases[] = {
		{0, 1, true}, {1, 0, true}, {0, 0, false}, {0, 2, false}, {2, 1, false},
	};
	char root[] = "/tmp/sl-rpf-XXXXXX", why[512], cmd[64];
	struct sl_model m;
	(void)state;

	assert_non_null(mkdtemp(root));
	make_model(&m, "net_tap", 80);
	snprintf(m.ports[0].devargs, sizeof(m.ports[0].devargs),
		 "net_af_packet0,iface=lan0,qpairs=1");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_rp(root, "all", cases[i].all);
		set_rp(root, "lan0", cases[i].own);
		int rc = sl_hc_rp_filter_check(&m, root, why, sizeof(why));
		if (cases[i].ok != (rc == 0))
			fail_msg("all %d lan0 %d: %s", cases[i].all, cases[i].own,
				 rc ? why : "accepted");
		if (rc && (!strstr(why, "port lan (net_af_packet on lan0)") ||
			   !strstr(why, "net.ipv4.conf.lan0.rp_filter=1")))
			fail_msg("\"%s\" does not name the port and the sysctl", why);
		/* config.apply, its dry run and SIGHUP refuse it the same way. */
		struct sl_err err = {0};
		if (sl_hc_path_refuse(&m, root, &err) != rc ||
		    (rc && (strcmp(err.field, "health.path") ||
			    !strstr(err.message, "net.ipv4.conf.lan0.rp_filter=1"))))
			fail_msg("all %d lan0 %d: apply check %s: %s", cases[i].all,
				 cases[i].own, err.field, err.message);
	}
	/* A file missing is said to be missing, never read as a value. */
	char path[160];
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/conf/lan0/rp_filter", root);
	assert_int_equal(unlink(path), 0);
	for (int k = 0; k < 2; k++) {
		struct sl_err err = {0};
		assert_int_equal(sl_hc_rp_filter_check(&m, root, why, sizeof(why)), -1);
		if (!strstr(why, "port lan (net_af_packet on lan0): cannot read") ||
		    !strstr(why, path) || !strstr(why, "No such file") ||
		    strstr(why, "is -1"))
			fail_msg("a missing rp_filter file: \"%s\"", why);
		assert_int_equal(sl_hc_path_refuse(&m, root, &err), -1);
		if (!strstr(err.message, path) || strstr(err.message, "is -1"))
			fail_msg("a missing rp_filter file, apply: \"%s\"", err.message);
		if (k == 0) { /* next: "all" missing */
			snprintf(path, sizeof(path), "%s/sys/net/ipv4/conf/all/rp_filter",
				 root);
			set_rp(root, "lan0", 1);
			assert_int_equal(unlink(path), 0);
		}
	}
	set_rp(root, "all", 0);
	set_rp(root, "lan0", 0);
	m.hc_data_path = false; /* the kernel's path: no matter */
	assert_int_equal(sl_hc_rp_filter_check(&m, root, why, sizeof(why)), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	free(m.svcs[0].rs);
	free(m.svcs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound_to_the_tap),
		cmocka_unit_test(test_no_tap_yet),
		cmocka_unit_test(test_no_exception),
		cmocka_unit_test(test_local_log_per_server),
		cmocka_unit_test(test_local_log_global_cap),
		cmocka_unit_test(test_switch_resets_runs),
		cmocka_unit_test(test_rp_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
