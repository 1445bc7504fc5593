/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a Unix stream socket carrying newline-delimited
 * JSON, served from the control thread with epoll. Requests on one
 * connection are answered in order; a line longer than SL_SERVER_MAX_LINE
 * gets a bad_request answer and the connection is closed.
 */
#ifndef SL_SERVER_H
#define SL_SERVER_H

#include <stddef.h>

#define SL_SERVER_MAX_LINE (1u << 20)
#define SL_SERVER_MAX_CLIENTS 32

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
};

/* Create the socket at `path` (mode 0600; parent directory created).
 * Refuses if another process is serving there. 0, or -1 with errbuf. */
int sl_server_open(struct sl_server *s, const char *path,
		   sl_server_handler handler, void *ctx, char *errbuf,
		   size_t errlen);
/* Serve whatever is ready, waiting at most timeout_ms. */
void sl_server_poll(struct sl_server *s, int timeout_ms);
void sl_server_close(struct sl_server *s);

#endif
