/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a Unix stream socket carrying newline-delimited
 * JSON, served from the control thread with epoll. Requests on one
 * connection are answered in order.
 *
 * Nothing a client does can hold up the others: sockets are non-blocking,
 * a line longer than SL_SERVER_MAX_LINE gets a bad_request answer and the
 * connection is closed, a client that does not read its answers is not
 * read from once SL_SERVER_MAX_BACKLOG bytes wait for it, a client silent
 * for SL_SERVER_IDLE_MS is closed, and when all slots are taken the
 * longest-idle client makes room for a new one. A handler may defer its
 * answer (sl_server_defer); the client's later lines wait behind it.
 */
#ifndef SL_SERVER_H
#define SL_SERVER_H

#include <stddef.h>

#include "protocol.h"

#define SL_SERVER_MAX_LINE SL_PROTO_MAX_LINE
#define SL_SERVER_MAX_CLIENTS 64
#define SL_SERVER_MAX_BACKLOG (4u << 20)  /* answer bytes queued per client */
#define SL_SERVER_IDLE_MS 30000
#define SL_SERVER_EVICT_IDLE_MS 1000      /* idle enough to make room */

/* Turns one request line into one answer (malloc'd, without newline). */
typedef char *(*sl_server_handler)(void *ctx, const char *line, size_t len);

struct sl_server_client;

struct sl_server {
	int listen_fd;
	int epoll_fd;
	char path[108];
	struct sl_server_client *clients[SL_SERVER_MAX_CLIENTS];
	sl_server_handler handler;
	void *ctx;
	struct sl_server_client *serving; /* whose line the handler has */
	uint64_t next_id;
};

/* Who may connect: the socket file's mode and owner (-1: leave as is). */
struct sl_server_perms {
	unsigned mode;
	int uid, gid;
};

/* Create the socket at `path` (parent directory created), with `perms`
 * (NULL: mode 0600, owned by us). Refuses if another process is serving
 * there. 0, or -1 with errbuf. */
int sl_server_open(struct sl_server *s, const char *path,
		   const struct sl_server_perms *perms, sl_server_handler handler,
		   void *ctx, char *errbuf, size_t errlen);
/* Serve whatever is ready, waiting at most timeout_ms. */
void sl_server_poll(struct sl_server *s, int timeout_ms);
void sl_server_close(struct sl_server *s);

/* Called by the handler: the line being handled is answered later, by
 * sl_server_answer() with the id returned (0: no client, answer now).
 * Until then that client's further lines wait, unread, in order. */
uint64_t sl_server_defer(struct sl_server *s);
/* The deferred answer (without newline) for client `id`; dropped if the
 * client has gone meanwhile. */
void sl_server_answer(struct sl_server *s, uint64_t id, const char *answer);

#endif
