/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What test_server.c and test_server_sys.c share: the system calls the
 * test binaries wrap (linked with -Wl,--wrap=accept4,bind,epoll_ctl,
 * unshare,pthread_create,calloc; see the Makefile), the knobs that make
 * them fail, a socket directory per test (setup/teardown), a server on
 * both sockets answering ok, and one request answered.
 * Include once, after the system headers, <cmocka.h> and "server.h".
 */
#ifndef SL_TEST_SERVER_HARNESS_H
#define SL_TEST_SERVER_HARNESS_H

#include "unix_client.h"

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

static int setup(void **state)
{
	(void)state;
	sock_dir_make("sl-test-server", dir, sizeof(dir), rw_path, sizeof(rw_path),
		      ro_path, sizeof(ro_path));
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

#endif
