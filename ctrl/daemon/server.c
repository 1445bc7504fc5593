/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
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

#include "log.h"
#include "server.h"

struct sl_server_client {
	int fd;
	char *in;        /* bytes received, not yet a whole line */
	size_t in_len, in_cap;
	char *out;       /* answers not yet written */
	size_t out_len, out_off, out_cap;
	int closing;     /* close once `out` is written */
	uint64_t last_ms; /* last byte received or sent */
	uint64_t id;      /* names it to sl_server_answer() */
	int waiting;      /* an answer comes later: read nothing more */
};

static size_t backlog(const struct sl_server_client *c)
{
	return c->out_len - c->out_off;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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

/* The socket file's mode and owner, now that it exists (the umask made
 * it 0600 meanwhile, so it was never more open than asked). */
static int set_perms(const char *path, const struct sl_server_perms *perms,
		     char *errbuf, size_t errlen)
{
	if (perms == NULL)
		return 0;
	if (chmod(path, perms->mode) != 0) {
		snprintf(errbuf, errlen, "chmod %04o %s: %s", perms->mode, path,
			 strerror(errno));
		return -1;
	}
	if ((perms->uid >= 0 || perms->gid >= 0) &&
	    chown(path, (uid_t)perms->uid, (gid_t)perms->gid) != 0) {
		snprintf(errbuf, errlen, "chown %d:%d %s: %s", perms->uid, perms->gid,
			 path, strerror(errno));
		return -1;
	}
	return 0;
}

int sl_server_open(struct sl_server *s, const char *path,
		   const struct sl_server_perms *perms, sl_server_handler handler,
		   void *ctx, char *errbuf, size_t errlen)
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
	/* A deep backlog: a burst of clients waits in the kernel rather than
	 * being refused while the control thread answers. */
	if (rc != 0 || listen(s->listen_fd, 256) != 0) {
		snprintf(errbuf, errlen, "cannot listen on %s: %s", path, strerror(errno));
		goto fail;
	}
	if (set_perms(path, perms, errbuf, errlen) != 0)
		goto fail;
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

/* A free slot; when there is none, the slot of the client idle longest
 * if it has been idle a while (a silent client must not lock others
 * out). SL_SERVER_MAX_CLIENTS if every client is busy. */
static unsigned free_slot(struct sl_server *s, uint64_t now)
{
	unsigned idlest = SL_SERVER_MAX_CLIENTS;

	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++) {
		if (s->clients[i] == NULL)
			return i;
		if (idlest == SL_SERVER_MAX_CLIENTS ||
		    s->clients[i]->last_ms < s->clients[idlest]->last_ms)
			idlest = i;
	}
	if (now - s->clients[idlest]->last_ms < SL_SERVER_EVICT_IDLE_MS)
		return SL_SERVER_MAX_CLIENTS;
	client_free(s, s->clients[idlest]);
	return idlest;
}

static void accept_client(struct sl_server *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	uint64_t now = now_ms();
	unsigned slot = free_slot(s, now);
	struct sl_server_client *c =
		slot < SL_SERVER_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (c == NULL) {
		sl_warn("control socket: %u busy clients, refusing one",
			SL_SERVER_MAX_CLIENTS);
		close(fd);
		return;
	}
	c->fd = fd;
	c->last_ms = now;
	c->id = ++s->next_id;
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
		c->last_ms = now_ms();
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	/* A client that does not read its answers is not read from. */
	uint32_t in = backlog(c) < SL_SERVER_MAX_BACKLOG && !c->waiting ? EPOLLIN : 0;
	struct epoll_event ev = {.events = in | (c->out_len ? EPOLLOUT : 0),
				 .data.ptr = c};
	epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
	return c->closing && c->out_len == 0 && !c->waiting ? -1 : 0;
}

static void refuse_long_line(struct sl_server_client *c)
{
	queue_answer(c, "{\"ok\":false,\"error\":{\"code\":\"bad_request\","
			"\"field\":\"\",\"message\":\"request line longer than "
			"64 KiB (65536 bytes); the connection is closed\"}}");
	c->closing = 1;
	c->in_len = 0;
}

/* Answer every complete line in the input buffer. */
static int serve_lines(struct sl_server *s, struct sl_server_client *c)
{
	size_t start = 0;
	char *nl;

	while (!c->waiting &&
	       (nl = memchr(c->in + start, '\n', c->in_len - start)) != NULL &&
	       backlog(c) < SL_SERVER_MAX_BACKLOG) {
		size_t len = (size_t)(nl - (c->in + start));
		if (len > SL_SERVER_MAX_LINE) {
			refuse_long_line(c);
			return 0;
		}
		s->serving = c;
		char *answer = s->handler(s->ctx, c->in + start, len);
		s->serving = NULL;
		start += len + 1;
		if (c->waiting)
			break; /* sl_server_defer(): answered later, in its place */
		int rc = answer ? queue_answer(c, answer) : -1;
		free(answer);
		if (rc != 0)
			return -1;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	/* Complete lines may wait for the backlog to drain; a first line
	 * with no end in sight is too long already. */
	if (c->in_len > SL_SERVER_MAX_LINE &&
	    memchr(c->in, '\n', SL_SERVER_MAX_LINE + 1) == NULL)
		refuse_long_line(c);
	return 0;
}

/* Read what the client sent and answer its complete lines, while its
 * backlog of answers has room. -1 when it has to go. */
static int read_client(struct sl_server *s, struct sl_server_client *c)
{
	while (!c->closing && !c->waiting && backlog(c) < SL_SERVER_MAX_BACKLOG) {
		if (grow(&c->in, &c->in_cap, c->in_len + 65536) != 0)
			return -1;
		ssize_t n = recv(c->fd, c->in + c->in_len, 65536, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			/* Peer closed: answer what it sent, then go. */
			c->closing = 1;
			break;
		}
		c->in_len += (size_t)n;
		c->last_ms = now_ms();
		if (serve_lines(s, c) != 0)
			return -1;
	}
	return 0;
}

static int catch_up(struct sl_server *s, struct sl_server_client *c);

static void serve_client(struct sl_server *s, struct sl_server_client *c,
			 uint32_t events)
{
	if (events & EPOLLIN && !c->closing && !c->waiting) {
		if (read_client(s, c) != 0)
			goto gone;
	} else if (events & (EPOLLERR | EPOLLHUP)) {
		goto gone;
	}
	if (catch_up(s, c) == 0)
		return;
gone:
	client_free(s, c);
}

/* Writing makes room for lines read while the backlog was full (or
 * while an answer was pending); answer them, write again, until nothing
 * moves. -1 when the client has to go. */
static int catch_up(struct sl_server *s, struct sl_server_client *c)
{
	while (flush_client(s, c) == 0) {
		size_t left = c->in_len;
		if (left == 0 || backlog(c) >= SL_SERVER_MAX_BACKLOG ||
		    c->waiting || memchr(c->in, '\n', left) == NULL)
			return 0;
		if (serve_lines(s, c) != 0)
			return -1;
		if (c->in_len == left)
			return 0;
	}
	return -1;
}

uint64_t sl_server_defer(struct sl_server *s)
{
	if (s == NULL || s->serving == NULL)
		return 0;
	s->serving->waiting = 1;
	return s->serving->id;
}

void sl_server_answer(struct sl_server *s, uint64_t id, const char *answer)
{
	struct sl_server_client *c = NULL;

	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS && c == NULL; i++)
		if (s->clients[i] && s->clients[i]->id == id)
			c = s->clients[i];
	if (c == NULL || !c->waiting)
		return; /* gone meanwhile: the answer has nobody to go to */
	c->waiting = 0;
	c->last_ms = now_ms();
	if (queue_answer(c, answer) != 0 || catch_up(s, c) != 0)
		client_free(s, c);
}

/* Close clients that have said and read nothing for SL_SERVER_IDLE_MS. */
static void close_idle(struct sl_server *s)
{
	uint64_t now = now_ms();

	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		if (s->clients[i] && now - s->clients[i]->last_ms > SL_SERVER_IDLE_MS)
			client_free(s, s->clients[i]);
}

void sl_server_poll(struct sl_server *s, int timeout_ms)
{
	struct epoll_event evs[16];
	int n = epoll_wait(s->epoll_fd, evs, 16, timeout_ms);
	bool pending = false;

	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == NULL)
			pending = true;
		else
			serve_client(s, evs[i].data.ptr, evs[i].events);
	}
	/* Accept last: making room may free a client, whose events later in
	 * this batch would otherwise reach a freed (or reused) pointer. */
	if (pending)
		accept_client(s);
	close_idle(s);
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
