/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's loop and files (ctrl/daemon/server.c,
 * server_sock.c) on real Unix sockets in a directory of the test's own:
 * - read-only clients hold at most SL_SERVER_RO_MAX_CLIENTS slots; one
 *   more gets a `busy` line at once and is closed, while the control
 *   socket still takes clients (control.readonly_busy counted); with all
 *   64 slots busy, the next client gets a `busy` line too; a read-only
 *   client never takes an idle admin's slot, and a client waiting for a
 *   deferred answer is never evicted as idle; no memory for a client
 *   (calloc wrapped) is named as such; the busy line naming a path with
 *   a quote in it is still JSON;
 * - accept() out of descriptors or memory (EMFILE, ENOMEM, ENOBUFS,
 *   wrapped) pauses accepting for SL_SERVER_ACCEPT_PAUSE_MS instead of
 *   retrying every poll, then accepts again (accept_paused counted); a
 *   failed return to the epoll set (epoll_ctl wrapped) is tried again;
 * - refusals are logged the first time, then at most once a second with
 *   a count (a connect loop must not flood the log; stderr captured);
 * - a socket directory given through a symbolic link is resolved and
 *   the socket bound in the real one; a link to a directory others could
 *   write is refused, naming that directory;
 * - bind() runs with a umask of its own: the process's umask (what other
 *   threads create files with) is never changed (bind wrapped to look);
 *   where unshare(CLONE_FS) is refused (wrapped: EPERM, as under Docker's
 *   seccomp) the socket still comes up with its mode and a warning names
 *   unshare; a failed pthread_create (wrapped) is named in the error.
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

int __real_accept4(int fd, struct sockaddr *a, socklen_t *l, int flags);
int __wrap_accept4(int fd, struct sockaddr *a, socklen_t *l, int flags);
int __real_bind(int fd, const struct sockaddr *a, socklen_t l);
int __real_unshare(int flags);
int __wrap_unshare(int flags);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a,
			  void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
			  void *(*fn)(void *), void *arg);
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
int __real_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int __wrap_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int __wrap_bind(int fd, const struct sockaddr *a, socklen_t l);

static int accept_fail_errno; /* accept4 fails with it while set */
static unsigned accept_calls;
static unsigned umask_at_bind = ~0u; /* the process's, seen from bind */
static int unshare_fail_errno;  /* unshare fails with it while set */
static int thread_fail_errno;   /* pthread_create fails with it while set */
static int calloc_fails;        /* calloc returns NULL while set */
static int add_fail_fd = -1;  /* EPOLL_CTL_ADD of it fails (ENOMEM) ... */
static unsigned add_fails;    /* ... this many more times */

void *__wrap_calloc(size_t n, size_t size)
{
	if (calloc_fails)
		return NULL;
	return __real_calloc(n, size);
}

int __wrap_unshare(int flags)
{
	if (unshare_fail_errno) {
		errno = unshare_fail_errno;
		return -1;
	}
	return __real_unshare(flags);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
			  void *(*fn)(void *), void *arg)
{
	if (thread_fail_errno)
		return thread_fail_errno;
	return __real_pthread_create(t, a, fn, arg);
}

int __wrap_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	if (op == EPOLL_CTL_ADD && fd == add_fail_fd && add_fails > 0) {
		add_fails--;
		errno = ENOMEM;
		return -1;
	}
	return __real_epoll_ctl(epfd, op, fd, ev);
}

int __wrap_accept4(int fd, struct sockaddr *a, socklen_t *l, int flags)
{
	accept_calls++;
	if (accept_fail_errno) {
		errno = accept_fail_errno;
		return -1;
	}
	return __real_accept4(fd, a, l, flags);
}

/* The process's umask is the thread group leader's (/proc/self/status),
 * whichever thread calls bind. */
static unsigned process_umask(void)
{
	char line[128];
	unsigned mask = ~0u;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return mask;
}

int __wrap_bind(int fd, const struct sockaddr *a, socklen_t l)
{
	umask_at_bind = process_umask();
	return __real_bind(fd, a, l);
}

static char dir[64], rw_path[128], ro_path[128];

static char *answer_ok(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	(void)line;
	(void)len;
	return strdup("{\"ok\":true}");
}

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

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sl-test-server.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(rw_path, sizeof(rw_path), "%s/rw.sock", dir);
	snprintf(ro_path, sizeof(ro_path), "%s/ro.sock", dir);
	accept_fail_errno = 0;
	accept_calls = 0;
	add_fail_fd = -1;
	add_fails = 0;
	unshare_fail_errno = thread_fail_errno = calloc_fails = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void open_both(struct sl_server *s)
{
	char err[256] = "";

	assert_int_equal(sl_server_open(s, rw_path, NULL, answer_ok, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(sl_server_open_readonly(s, ro_path, NULL, err, sizeof(err)), 0);
}

static int connect_to(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

/* Ask, poll the server until an answer (or the peer's close) comes;
 * the answer line, "" if closed without one. */
static void exchange(struct sl_server *s, int fd, char *buf, size_t len)
{
	size_t got = 0;

	assert_int_equal(send(fd, "{\"cmd\":\"stats\"}\n", 16, MSG_NOSIGNAL), 16);
	for (int i = 0; i < 200 && !memchr(buf, '\n', got); i++) {
		sl_server_poll(s, 5);
		ssize_t n = recv(fd, buf + got, len - 1 - got, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
	}
	buf[got] = '\0';
}

/* `n` clients of `path`, each answered once. */
static void connect_served(struct sl_server *s, int *fds, unsigned n,
			   const char *path)
{
	char buf[512];

	for (unsigned i = 0; i < n; i++) {
		fds[i] = connect_to(path);
		buf[0] = '\0';
		exchange(s, fds[i], buf, sizeof(buf));
		assert_string_equal(buf, "{\"ok\":true}\n");
	}
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

static uint64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* accept4 failing with `err` pauses accepting, then it accepts again. */
static void check_accept_pauses(int err)
{
	struct sl_server s;
	char buf[512] = "";

	accept_calls = 0;
	open_both(&s);
	int fd = connect_to(rw_path);
	accept_fail_errno = err;
	uint64_t start = ms_now();
	while (ms_now() - start < 50)
		sl_server_poll(&s, 0);
	/* Without the pause: one accept per poll, thousands in 50 ms. */
	assert_int_equal(accept_calls, 1);
	assert_int_equal(s.accept_paused, 1);
	accept_fail_errno = 0;
	exchange(&s, fd, buf, sizeof(buf)); /* after the pause: accepted */
	assert_string_equal(buf, "{\"ok\":true}\n");
	assert_true(ms_now() - start >= SL_SERVER_ACCEPT_PAUSE_MS);
	close(fd);
	sl_server_close(&s);
}

static void test_accept_emfile_pauses(void **state)
{
	(void)state;
	check_accept_pauses(EMFILE);
	check_accept_pauses(ENOMEM);
	check_accept_pauses(ENOBUFS);
}

/* Watching the control socket again fails once after a pause: the pause
 * stays armed and the next try brings both sockets back. */
static void test_resume_retried(void **state)
{
	struct sl_server s;
	char buf[512] = "";

	(void)state;
	open_both(&s);
	int fd = connect_to(rw_path);
	accept_fail_errno = EMFILE;
	sl_server_poll(&s, 50);
	assert_int_equal(s.accept_paused, 1);
	accept_fail_errno = 0;
	add_fail_fd = s.listen_fd;
	add_fails = 1;
	exchange(&s, fd, buf, sizeof(buf));
	assert_int_equal(add_fails, 0); /* the failure did happen */
	assert_string_equal(buf, "{\"ok\":true}\n");
	int ro = connect_to(ro_path);
	buf[0] = '\0';
	exchange(&s, ro, buf, sizeof(buf));
	assert_string_equal(buf, "{\"ok\":true}\n");
	close(ro);
	close(fd);
	sl_server_close(&s);
}

/* stderr (the log) into a file of the test's own while `fn` runs; the
 * lines containing `needle`. */
static unsigned log_lines_during(void (*fn)(void *), void *arg,
				 const char *needle)
{
	char logpath[128], line[1024];
	unsigned n = 0;

	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	fflush(stderr);
	int saved = dup(2), logfd = open(logpath, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(saved >= 0 && logfd >= 0);
	dup2(logfd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(logfd);
	FILE *f = fopen(logpath, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static void refuse_twenty(void *arg)
{
	struct sl_server *s = arg;
	char buf[512];

	for (int i = 0; i < 20; i++) {
		int fd = connect_to(ro_path);
		buf[0] = '\0';
		exchange(s, fd, buf, sizeof(buf));
		assert_non_null(strstr(buf, "\"code\":\"busy\""));
		close(fd);
	}
}

/* A local user's connect loop against a full socket: the first refusal
 * is logged, the rest within the second are only counted. */
static void test_refusals_rate_limited(void **state)
{
	struct sl_server s;
	int ro[SL_SERVER_RO_MAX_CLIENTS];

	(void)state;
	open_both(&s);
	connect_served(&s, ro, SL_SERVER_RO_MAX_CLIENTS, ro_path);
	assert_int_equal(log_lines_during(refuse_twenty, &s, "refusing one"), 1);
	assert_int_equal(s.readonly_busy, 20);
	assert_int_equal(s.refuse_log.unlogged, 19);
	for (unsigned i = 0; i < SL_SERVER_RO_MAX_CLIENTS; i++)
		close(ro[i]);
	sl_server_close(&s);
}

/* A socket directory given through a symbolic link (/var/run -> /run):
 * resolved, checked as the real directory, the socket bound there; a
 * link to a directory others could write is refused, naming it. */
static void test_symlinked_dir_resolved(void **state)
{
	char real[96], open_dir[96], link[96], path[128], bound[SL_SERVER_PATH_MAX];
	char want[128], err[256] = "";
	struct stat st;

	(void)state;
	snprintf(real, sizeof(real), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(path, sizeof(path), "%s/sluice.sock", link);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);
	int fd = sl_server_listen(path, NULL, bound, err, sizeof(err));
	assert_true(fd >= 0);
	snprintf(want, sizeof(want), "%s/sluice.sock", real);
	assert_string_equal(bound, want);
	assert_int_equal(lstat(want, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	close(fd);

	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	assert_int_equal(mkdir(open_dir, 0755), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(open_dir, link), 0);
	assert_int_equal(sl_server_listen(path, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "writable by others"));
	assert_non_null(strstr(err, open_dir));
}

static void listen_0666(void *arg)
{
	struct sl_server_perms perms = {.mode = 0666, .uid = -1, .gid = -1};
	char err[256] = "";

	*(int *)arg = sl_server_listen(rw_path, &perms, NULL, err, sizeof(err));
}

/* unshare refused (Docker's seccomp): still listening, with the mode
 * asked, a warning naming unshare, the process's umask as it was. */
static void test_unshare_refused(void **state)
{
	struct stat st;
	int fd = -1;

	(void)state;
	mode_t old = umask(022);
	unshare_fail_errno = EPERM;
	assert_int_equal(log_lines_during(listen_0666, &fd,
					  "unshare(CLONE_FS): Operation not permitted"), 1);
	assert_true(fd >= 0);
	assert_int_equal(stat(rw_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);
	assert_int_equal(umask(old), 022);
	close(fd);
}

/* No thread for the bind: the error says which call failed. */
static void test_thread_failure_named(void **state)
{
	char err[256] = "";

	(void)state;
	thread_fail_errno = EAGAIN;
	assert_int_equal(sl_server_listen(rw_path, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pthread_create"));
	assert_non_null(strstr(err, rw_path));
}

static void test_umask_left_alone(void **state)
{
	struct sl_server_perms perms = {.mode = 0666, .uid = -1, .gid = -1};
	struct stat st;
	char err[256] = "";

	(void)state;
	mode_t old = umask(022);
	int fd = sl_server_listen(rw_path, &perms, NULL, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(umask_at_bind, 022);
	assert_int_equal(stat(rw_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666); /* the mode still whole */
	assert_int_equal(umask(old), 022);
	close(fd);
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
		cmocka_unit_test_setup_teardown(test_accept_emfile_pauses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_dir_resolved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_umask_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unshare_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_failure_named, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
