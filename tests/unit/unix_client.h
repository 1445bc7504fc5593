/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client of the control socket for the tests that run ctrl/daemon/
 * server.c on real Unix sockets (test_server.c, test_server_sys.c,
 * test_server_fd.c): a scratch directory for the admin and read-only
 * sockets, and connecting to one. Include after <cmocka.h>.
 */
#ifndef SL_TEST_UNIX_CLIENT_H
#define SL_TEST_UNIX_CLIENT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A new directory /tmp/TAG.XXXXXX (into `dir`) and the paths of its
 * rw.sock and ro.sock. */
static inline void sock_dir_make(const char *tag, char *dir, size_t dlen,
				 char *rw, size_t rwlen, char *ro, size_t rolen)
{
	snprintf(dir, dlen, "/tmp/%s.XXXXXX", tag);
	assert_non_null(mkdtemp(dir));
	snprintf(rw, rwlen, "%s/rw.sock", dir);
	snprintf(ro, rolen, "%s/ro.sock", dir);
}

static inline int connect_to(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(n < sizeof(addr.sun_path));
	memcpy(addr.sun_path, path, n + 1);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

#endif
