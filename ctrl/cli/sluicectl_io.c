/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One request/answer exchange with sluice over its Unix stream socket.
 *
 * The socket is non-blocking and every wait goes through poll() against
 * one deadline for the whole exchange, so a daemon that is stuck (a full
 * accept backlog, a busy control thread) costs at most --timeout seconds
 * and never hangs the caller. Writes and reads loop until done because a
 * stream socket may move any number of bytes per call; the answer buffer
 * doubles as needed, since an answer line (a connection list, a config)
 * has no fixed size.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sluicectl.h"

#define RETRY_MS 10 /* pause between connects while the backlog is full */

struct xchg {
	const char *path;
	double timeout_s;
	double deadline; /* CLOCK_MONOTONIC seconds; 0: none */
	int fd;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds left for poll(): -1 without a deadline, 0 once past it. */
static int left_ms(const struct xchg *x)
{
	double left;

	if (x->deadline == 0)
		return -1;
	left = (x->deadline - now_s()) * 1000.0;
	if (left <= 0)
		return 0;
	return left > 1e9 ? 1000000000 : (int)left + 1;
}

static void timed_out(const struct xchg *x, const char *doing)
{
	fprintf(stderr,
		"sluicectl: timed out after %g s %s sluice at %s\n",
		x->timeout_s, doing, x->path);
}

/* Wait until fd is ready for `events`. 1: ready, 0: timed out, -1: poll
 * failed (errno set). */
static int wait_fd(const struct xchg *x, short events)
{
	struct pollfd p = { .fd = x->fd, .events = events };

	for (;;) {
		int ms = left_ms(x);
		int n;

		if (ms == 0)
			return 0;
		n = poll(&p, 1, ms);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

static void connect_failed(const struct xchg *x, int err)
{
	const char *hint = "";

	if (err == ENOENT || err == ECONNREFUSED || err == ENOTSOCK)
		hint = " (is sluice running?)";
	else if (err == EACCES || err == EPERM)
		hint = " (the socket is only open to its owner; try as root)";
	fprintf(stderr, "sluicectl: cannot connect to %s: %s%s\n", x->path,
		strerror(err), hint);
}

/* An in-progress connect finished (or not): its result is SO_ERROR. */
static int connect_result(struct xchg *x)
{
	int err = 0;
	socklen_t len = sizeof(err);
	int r = wait_fd(x, POLLOUT);

	if (r == 0) {
		timed_out(x, "connecting to");
		return -1;
	}
	if (r < 0 || getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		connect_failed(x, err);
		return -1;
	}
	return 0;
}

/* Connect, retrying while the daemon's accept backlog is full (EAGAIN:
 * a Unix socket then never signals readiness, so poll cannot help). */
static int open_socket(struct xchg *x)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(x->path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sluicectl: socket path too long (max %zu bytes): %s\n",
			sizeof(sa.sun_path) - 1, x->path);
		return -1;
	}
	strcpy(sa.sun_path, x->path);
	x->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		fprintf(stderr, "sluicectl: socket: %s\n", strerror(errno));
		return -1;
	}
	for (;;) {
		/* EISCONN: an attempt cut short by EINTR went through. */
		if (connect(x->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		    errno == EISCONN)
			return 0;
		if (errno == EINPROGRESS)
			return connect_result(x);
		if (errno != EAGAIN && errno != EINTR) {
			connect_failed(x, errno);
			return -1;
		}
		if (left_ms(x) == 0) {
			timed_out(x, "connecting to");
			return -1;
		}
		if (errno == EAGAIN)
			poll(NULL, 0, RETRY_MS);
	}
}

/* Write all of buf. 0: sent; 1: the daemon closed its end first (it may
 * still have said why, so the caller reads on); -1: failed, reported. */
static int send_all(struct xchg *x, const char *buf, size_t len)
{
	while (len > 0) {
		/* MSG_NOSIGNAL: a closed peer is an error code, not SIGPIPE. */
		ssize_t n = send(x->fd, buf, len, MSG_NOSIGNAL);
		int r;

		if (n >= 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return 1;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			fprintf(stderr, "sluicectl: sending to %s: %s\n",
				x->path, strerror(errno));
			return -1;
		}
		r = wait_fd(x, POLLOUT);
		if (r == 0) {
			timed_out(x, "sending to");
			return -1;
		}
		if (r < 0) {
			fprintf(stderr, "sluicectl: poll: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void closed_early(const struct xchg *x, size_t got)
{
	if (got)
		fprintf(stderr,
			"sluicectl: sluice at %s closed the connection in the "
			"middle of its answer (%zu bytes, no end of line)\n",
			x->path, got);
	else
		fprintf(stderr,
			"sluicectl: sluice at %s closed the connection without "
			"answering\n", x->path);
}

/* Read one call's worth into buf[*len..cap). 1: got bytes, 0: end of
 * stream, -1: failed (reported). */
static int read_some(struct xchg *x, char *buf, size_t *len, size_t cap)
{
	for (;;) {
		ssize_t n = recv(x->fd, buf + *len, cap - *len, 0);
		int r;

		if (n > 0) {
			*len += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN) {
			fprintf(stderr, "sluicectl: reading from %s: %s\n",
				x->path, strerror(errno));
			return -1;
		}
		r = wait_fd(x, POLLIN);
		if (r == 0) {
			timed_out(x, "waiting for an answer from");
			return -1;
		}
		if (r < 0) {
			fprintf(stderr, "sluicectl: poll: %s\n", strerror(errno));
			return -1;
		}
	}
}

/* Read up to the first newline. Anything after it is not ours: one
 * request was sent, so one answer line is expected. */
static int recv_line(struct xchg *x, char **out)
{
	size_t cap = 4096, len = 0, scanned = 0;
	char *buf = slc_xmalloc(cap);
	char *nl = NULL;

	while (!nl) {
		int r;

		if (cap - len < 1024) {
			if (cap > ((size_t)-1) / 2) {
				fputs("sluicectl: answer too large\n", stderr);
				free(buf);
				return -1;
			}
			cap *= 2;
			buf = slc_xrealloc(buf, cap);
		}
		r = read_some(x, buf, &len, cap - 1);
		if (r <= 0) {
			if (r == 0)
				closed_early(x, len);
			free(buf);
			return -1;
		}
		nl = memchr(buf + scanned, '\n', len - scanned);
		scanned = len;
	}
	*nl = '\0';
	*out = buf;
	return 0;
}

int slc_connect(const char *path, double timeout_s)
{
	struct xchg x = { .path = path, .timeout_s = timeout_s, .fd = -1 };

	if (timeout_s > 0)
		x.deadline = now_s() + timeout_s;
	if (open_socket(&x) == 0)
		return x.fd;
	if (x.fd >= 0)
		close(x.fd);
	return -1;
}

/* The first byte of the request with descriptor `pass_fd` attached
 * (SCM_RIGHTS): the daemon takes it with the line it came with. */
static int send_fd(struct xchg *x, const char *req, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)req, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(u.buf, 0, sizeof(u.buf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	while (sendmsg(x->fd, &msg, MSG_NOSIGNAL) != 1) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN && wait_fd(x, POLLOUT) > 0)
			continue;
		fprintf(stderr, "sluicectl: passing the file to %s: %s\n", x->path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int slc_call(int fd, const char *path, double timeout_s, const char *line,
	     int pass_fd, char **answer)
{
	struct xchg x = { .path = path, .timeout_s = timeout_s, .fd = fd };
	size_t n = strlen(line), off = 0;
	char *req = slc_xmalloc(n + 2);
	int rc = -1;

	memcpy(req, line, n);
	req[n] = '\n';
	req[n + 1] = '\0';
	if (timeout_s > 0)
		x.deadline = now_s() + timeout_s;
	if (pass_fd >= 0) {
		if (send_fd(&x, req, pass_fd) < 0)
			goto out;
		off = 1;
	}
	/* A daemon that hung up mid-request may have answered first (a
	 * line that is too long, say): read on, and only if nothing is
	 * there report the early close. */
	if (send_all(&x, req + off, n + 1 - off) < 0)
		goto out;
	rc = recv_line(&x, answer);
out:
	free(req);
	return rc;
}

int slc_exchange(const char *path, double timeout_s, const char *line,
		 char **answer)
{
	double deadline = now_s() + timeout_s;
	int fd = slc_connect(path, timeout_s);
	int rc;

	if (fd < 0)
		return -1;
	/* One deadline for the whole exchange, connecting included. */
	if (timeout_s > 0) {
		timeout_s = deadline - now_s();
		if (timeout_s <= 0)
			timeout_s = 0.001;
	}
	rc = slc_call(fd, path, timeout_s, line, -1, answer);
	close(fd);
	return rc;
}
