/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's loop (ctrl/daemon/server.c) on real Unix sockets
 * in a directory of the test's own, its client slots:
 * - read-only clients hold at most SL_SERVER_RO_MAX_CLIENTS slots; one
 *   more gets a `busy` line at once and is closed, while the control
 *   socket still takes clients (control.readonly_busy counted); with all
 *   64 slots busy, the next client gets a `busy` line too; a read-only
 *   client never takes an idle admin's slot, and a client waiting for a
 *   deferred answer is never evicted as idle; no memory for a client
 *   (calloc wrapped) is named as such; the busy line naming a path with
 *   a quote in it is still JSON.
 * accept() failures, refusal logging and the socket's files:
 * test_server_sys.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "server.h"

#include "server_harness.h"

static uint64_t deferred_id; /* the line answer_defer() deferred */

/* "defer": answered later (sl_server_defer), like a dump; else ok. */
static char *answer_defer(void *ctx, const char *line, size_t len)
{
	if (len >= 5 && memcmp(line, "defer", 5) == 0) {
		deferred_id = sl_server_defer(ctx);
		return NULL;
	}
	return answer_ok(ctx, line, len);
}

static void test_readonly_cap(void **state)
{
	struct sl_server s;
	int ro[SL_SERVER_RO_MAX_CLIENTS], extra, admin;
	char buf[512] = "";

	(void)state;
	open_both(&s);
	connect_served(&s, ro, SL_SERVER_RO_MAX_CLIENTS, ro_path);
	extra = connect_to(ro_path);
	exchange(&s, extra, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"code\":\"busy\""));
	assert_non_null(strstr(buf, ro_path));
	assert_int_equal(s.readonly_busy, 1);
	admin = connect_to(rw_path);
	exchange(&s, admin, buf, sizeof(buf));
	assert_string_equal(buf, "{\"ok\":true}\n");
	/* One read-only client gone: its slot is there for the next. */
	close(ro[0]);
	sl_server_poll(&s, 5);
	close(extra);
	extra = connect_to(ro_path);
	exchange(&s, extra, buf, sizeof(buf));
	assert_string_equal(buf, "{\"ok\":true}\n");
	for (unsigned i = 1; i < SL_SERVER_RO_MAX_CLIENTS; i++)
		close(ro[i]);
	close(extra);
	close(admin);
	sl_server_close(&s);
}

/* Every slot busy (none idle for a second): the next client is told so
 * at once, not closed without a word. */
static void test_all_slots_busy(void **state)
{
	struct sl_server s;
	int fds[SL_SERVER_MAX_CLIENTS], extra;
	char buf[512] = "";

	(void)state;
	open_both(&s);
	connect_served(&s, fds, SL_SERVER_MAX_CLIENTS, rw_path);
	extra = connect_to(rw_path);
	exchange(&s, extra, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"code\":\"busy\""));
	assert_non_null(strstr(buf, "64 busy control clients"));
	assert_int_equal(s.busy_refused, 1);
	assert_int_equal(s.readonly_busy, 0);
	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		close(fds[i]);
	close(extra);
	sl_server_close(&s);
}

/* Still connected: nothing to read, no end of file. */
static bool still_open(int fd)
{
	char c;
	return recv(fd, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

static void idle_enough(void)
{
	usleep((SL_SERVER_EVICT_IDLE_MS + 100) * 1000);
}

/* Every slot taken, admins idle long enough to be evicted, read-only
 * clients under their cap and all active: a new read-only client is
 * told busy; it never takes an admin's slot. */
/* No memory for a new client: told so, not "64 busy clients". */
static void test_nomem_named(void **state)
{
	struct sl_server s;
	char buf[512] = "";

	(void)state;
	open_both(&s);
	int fd = connect_to(rw_path);
	calloc_fails = 1;
	exchange(&s, fd, buf, sizeof(buf));
	calloc_fails = 0;
	assert_non_null(strstr(buf, "out of memory"));
	assert_int_equal(s.nomem_refused, 1);
	assert_int_equal(s.busy_refused, 0);
	close(fd);
	sl_server_close(&s);
}

/* The read-only socket's path, named in its busy line, with a quote in
 * it: the line is still JSON. */
static void test_busy_line_escaped(void **state)
{
	struct sl_server s;
	int ro[SL_SERVER_RO_MAX_CLIENTS];
	char qdir[96], buf[512] = "", err[256] = "";

	(void)state;
	snprintf(qdir, sizeof(qdir), "%s/a\"b", dir);
	assert_int_equal(mkdir(qdir, 0755), 0);
	snprintf(ro_path, sizeof(ro_path), "%s/ro.sock", qdir);
	assert_int_equal(sl_server_open(&s, rw_path, NULL, answer_ok, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(sl_server_open_readonly(&s, ro_path, NULL, err, sizeof(err)), 0);
	connect_served(&s, ro, SL_SERVER_RO_MAX_CLIENTS, ro_path);
	int extra = connect_to(ro_path);
	exchange(&s, extra, buf, sizeof(buf));
	json_t *j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	const char *msg = json_string_value(json_object_get(
		json_object_get(j, "error"), "message"));
	assert_non_null(msg);
	assert_non_null(strstr(msg, ro_path));
	json_decref(j);
	for (unsigned i = 0; i < SL_SERVER_RO_MAX_CLIENTS; i++)
		close(ro[i]);
	close(extra);
	sl_server_close(&s);
}

static void test_readonly_never_evicts_admin(void **state)
{
	enum { ADMINS = SL_SERVER_MAX_CLIENTS - SL_SERVER_RO_MAX_CLIENTS + 1 };
	struct sl_server s;
	int admin[ADMINS], ro[SL_SERVER_RO_MAX_CLIENTS - 1];
	char buf[512] = "";

	(void)state;
	open_both(&s);
	connect_served(&s, admin, ADMINS, rw_path);
	idle_enough();
	connect_served(&s, ro, SL_SERVER_RO_MAX_CLIENTS - 1, ro_path);
	int extra = connect_to(ro_path);
	exchange(&s, extra, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"code\":\"busy\""));
	assert_int_equal(s.busy_refused, 1);
	for (unsigned i = 0; i < ADMINS; i++) {
		assert_true(still_open(admin[i]));
		close(admin[i]);
	}
	for (unsigned i = 0; i < SL_SERVER_RO_MAX_CLIENTS - 1; i++)
		close(ro[i]);
	close(extra);
	sl_server_close(&s);
}

/* A client waiting for a deferred answer (a dump) sends nothing for
 * longer than the eviction age: it keeps its slot and gets its answer. */
static void test_waiting_not_evicted(void **state)
{
	struct sl_server s;
	int fds[SL_SERVER_MAX_CLIENTS - 1];
	char buf[512] = "", err[256] = "";

	(void)state;
	assert_int_equal(sl_server_open(&s, rw_path, NULL, answer_defer, &s, err,
					sizeof(err)), 0);
	deferred_id = 0;
	int waiter = connect_to(rw_path);
	assert_int_equal(send(waiter, "defer\n", 6, MSG_NOSIGNAL), 6);
	for (int i = 0; i < 100 && deferred_id == 0; i++)
		sl_server_poll(&s, 5);
	assert_true(deferred_id != 0);
	idle_enough();
	connect_served(&s, fds, SL_SERVER_MAX_CLIENTS - 1, rw_path);
	int extra = connect_to(rw_path);
	exchange(&s, extra, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"code\":\"busy\""));
	sl_server_answer(&s, deferred_id, "{\"ok\":\"late\"}");
	ssize_t n = recv(waiter, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "{\"ok\":\"late\"}\n");
	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS - 1; i++)
		close(fds[i]);
	close(extra);
	close(waiter);
	sl_server_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_readonly_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_slots_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_line_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_never_evicts_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waiting_not_evicted, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
