/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "server.h"

struct sl_server_client {
	int fd;
	char *in;        /* bytes received, not yet a whole line */
	size_t in_len, in_cap;
	char *out;       /* answers not yet written */
	size_t out_len, out_off, out_cap;
	int closing;     /* close once `out` is written */
};

static int make_parent_dir(const char *path)
{
	char copy[108];
	snprintf(copy, sizeof(copy), "%s", path);
	char *dir = dirname(copy);
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* Is somebody answering at `path` already? */
static int socket_in_use(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int in_use = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(fd);
	return in_use;
}

int sl_server_open(struct sl_server *s, const char *path,
		   sl_server_handler handler, void *ctx, char *errbuf,
		   size_t errlen)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	memset(s, 0, sizeof(*s));
	s->listen_fd = s->epoll_fd = -1;
	s->handler = handler;
	s->ctx = ctx;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(errbuf, errlen, "socket path too long: %s", path);
		return -1;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (make_parent_dir(path) != 0) {
		snprintf(errbuf, errlen, "cannot create the directory of %s: %s",
			 path, strerror(errno));
		return -1;
	}
	if (socket_in_use(&addr)) {
		snprintf(errbuf, errlen, "%s is in use: is another sluice running?", path);
		return -1;
	}
	unlink(path); /* a stale socket from a process that died */

	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old = umask(0177); /* the socket is created 0600 */
	int rc = s->listen_fd < 0 ? -1
				  : bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (rc != 0 || listen(s->listen_fd, 16) != 0) {
		snprintf(errbuf, errlen, "cannot listen on %s: %s", path, strerror(errno));
		goto fail;
	}
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (s->epoll_fd < 0 ||
	    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev) != 0) {
		snprintf(errbuf, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	sl_server_close(s);
	return -1;
}

static void client_free(struct sl_server *s, struct sl_server_client *c)
{
	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		if (s->clients[i] == c)
			s->clients[i] = NULL;
	epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

static void accept_client(struct sl_server *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	unsigned slot = 0;
	while (slot < SL_SERVER_MAX_CLIENTS && s->clients[slot])
		slot++;
	struct sl_server_client *c =
		slot < SL_SERVER_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (c == NULL) {
		sl_warn("control socket: too many clients, refusing one");
		close(fd);
		return;
	}
	c->fd = fd;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		free(c);
		return;
	}
	s->clients[slot] = c;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 4096;
	while (ncap < need)
		ncap *= 2;
	char *nb = realloc(*buf, ncap);
	if (nb == NULL)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 0;
}

static int queue_answer(struct sl_server_client *c, const char *answer)
{
	size_t len = strlen(answer);
	if (grow(&c->out, &c->out_cap, c->out_len + len + 1) != 0)
		return -1;
	memcpy(c->out + c->out_len, answer, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	return 0;
}

/* Write what can be written; watch for writability if some is left.
 * Returns -1 when the client is gone. */
static int flush_client(struct sl_server *s, struct sl_server_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	struct epoll_event ev = {.events = EPOLLIN | (c->out_len ? EPOLLOUT : 0),
				 .data.ptr = c};
	epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
	return c->closing && c->out_len == 0 ? -1 : 0;
}

/* Answer every complete line in the input buffer. */
static int serve_lines(struct sl_server *s, struct sl_server_client *c)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(c->in + start, '\n', c->in_len - start)) != NULL) {
		size_t len = (size_t)(nl - (c->in + start));
		char *answer = s->handler(s->ctx, c->in + start, len);
		int rc = answer ? queue_answer(c, answer) : -1;
		free(answer);
		if (rc != 0)
			return -1;
		start += len + 1;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->in_len > SL_SERVER_MAX_LINE) {
		queue_answer(c, "{\"ok\":false,\"error\":{\"code\":\"bad_request\","
				"\"field\":\"\",\"message\":\"request line longer than "
				"1 MiB\"}}");
		c->closing = 1;
	}
	return 0;
}

static void serve_client(struct sl_server *s, struct sl_server_client *c,
			 uint32_t events)
{
	if (events & EPOLLIN && !c->closing) {
		for (;;) {
			if (grow(&c->in, &c->in_cap, c->in_len + 65536) != 0)
				goto gone;
			ssize_t n = recv(c->fd, c->in + c->in_len, 65536, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n <= 0) {
				/* Peer closed: answer what it sent, then go. */
				c->closing = 1;
				break;
			}
			c->in_len += (size_t)n;
			if (serve_lines(s, c) != 0)
				goto gone;
			if (c->closing)
				break;
		}
	} else if (events & (EPOLLERR | EPOLLHUP)) {
		goto gone;
	}
	if (flush_client(s, c) == 0)
		return;
gone:
	client_free(s, c);
}

void sl_server_poll(struct sl_server *s, int timeout_ms)
{
	struct epoll_event evs[16];
	int n = epoll_wait(s->epoll_fd, evs, 16, timeout_ms);

	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == NULL)
			accept_client(s);
		else
			serve_client(s, evs[i].data.ptr, evs[i].events);
	}
}

void sl_server_close(struct sl_server *s)
{
	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		if (s->clients[i])
			client_free(s, s->clients[i]);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	s->listen_fd = s->epoll_fd = -1;
}
