/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's system-call edges (ctrl/daemon/server.c,
 * server_accept.c, server_sock.c) on real Unix sockets in a directory of
 * the test's own (client slots: test_server.c):
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

#include "server_harness.h"

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
