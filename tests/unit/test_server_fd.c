/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptors passed on the control socket (SCM_RIGHTS) never pile up in
 * the daemon: five in one message on the admin socket, one on the
 * read-only socket, one with a line that does not take it, one with a
 * line answered later: every one closed once its line is served (the
 * process's /proc/self/fd count back where it was). An admin line that
 * takes one gets it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "server.h"
#include "unix_client.h"

static char dir[64], rw_path[96], ro_path[96];
static struct sl_server srv;
static int taken = -2; /* what the last "take" line got */

/* "take": takes the passed descriptor; "defer": answered later. */
static char *handler(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	if (len >= 4 && memcmp(line, "take", 4) == 0)
		taken = sl_server_take_fd(&srv);
	if (len >= 5 && memcmp(line, "defer", 5) == 0) {
		sl_server_defer(&srv);
		return NULL;
	}
	return strdup("{\"ok\":true}");
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* `line` with `n` descriptors of /dev/null (ours closed after). */
static void send_fds(int sock, const char *line, unsigned n)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} u;
	int fds[8];
	struct iovec iov = {.iov_base = (void *)line, .iov_len = strlen(line)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	for (unsigned i = 0; i < n; i++)
		assert_true((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	assert_int_equal(sendmsg(sock, &msg, MSG_NOSIGNAL), (ssize_t)strlen(line));
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

/* Serve until the answer line arrives (none for a deferred line). */
static void serve(int sock)
{
	char buf[256];

	for (int i = 0; i < 20; i++) {
		sl_server_poll(&srv, 5);
		if (recv(sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			return;
	}
}

static int setup(void **state)
{
	char err[256] = "";

	(void)state;
	sock_dir_make("sl-test-server-fd", dir, sizeof(dir), rw_path, sizeof(rw_path),
		      ro_path, sizeof(ro_path));
	assert_int_equal(sl_server_open(&srv, rw_path, NULL, handler, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(sl_server_open_readonly(&srv, ro_path, NULL, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_server_close(&srv);
	unlink(rw_path);
	unlink(ro_path);
	return rmdir(dir);
}

/* One message each way; the count of open descriptors after it. */
static void assert_none_kept(const char *path, const char *line, unsigned n)
{
	int sock = connect_to(path);

	serve(sock); /* accepted */
	int before = open_fds();
	send_fds(sock, line, n);
	serve(sock);
	assert_int_equal(open_fds(), before);
	close(sock);
	sl_server_poll(&srv, 5);
}

static void test_five_at_once(void **state)
{
	(void)state;
	assert_none_kept(rw_path, "{\"cmd\":\"stats\"}\n", 5);
}

static void test_readonly_passes_none(void **state)
{
	(void)state;
	taken = -2;
	assert_none_kept(ro_path, "take\n", 1);
	assert_int_equal(taken, -1);
}

static void test_untaken_closed(void **state)
{
	(void)state;
	assert_none_kept(rw_path, "{\"cmd\":\"stats\"}\n", 1);
	assert_none_kept(rw_path, "defer\n", 1);
}

static void test_admin_takes_one(void **state)
{
	int sock = connect_to(rw_path);

	(void)state;
	taken = -2;
	serve(sock);
	send_fds(sock, "take\n", 1);
	serve(sock);
	assert_true(taken >= 0);
	close(taken);
	close(sock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_five_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_passes_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untaken_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_takes_one, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
