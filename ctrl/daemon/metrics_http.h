/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus endpoint (config metrics.listen): GNU libmicrohttpd
 * serves GET /metrics from its own threads, one per connection (at most
 * SL_METRICS_CONNECTIONS, each timed out after SL_METRICS_TIMEOUT_S
 * idle), and only ever reads the last text the control thread handed
 * over. A scrape finding that text older than SL_METRICS_FRESH_MS asks
 * for a new one (an eventfd wakes the control loop) and waits at most
 * SL_METRICS_WAIT_MS for it, then serves what there is; so the control
 * thread renders at most once per SL_METRICS_FRESH_MS whatever the
 * number of scrapers, only while somebody scrapes, and never waits for
 * a client. Texts are reference counted: one being sent stays alive
 * after a newer one replaces it.
 */
#ifndef SL_METRICS_HTTP_H
#define SL_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_types.h"

#define SL_METRICS_CONNECTIONS 64
#define SL_METRICS_TIMEOUT_S 10
#define SL_METRICS_FRESH_MS 250
#define SL_METRICS_WAIT_MS 1000

struct sl_metrics_http;

/* Listen on ip:port (network order) and serve. NULL with a message
 * naming the address and the reason. */
struct sl_metrics_http *sl_metrics_http_start(sl_be32 ip, sl_be16 port, char *errbuf,
					      size_t errlen);
/* Readable when a scrape asks for a fresh text: the control loop's
 * epoll set watches it. */
int sl_metrics_http_fd(const struct sl_metrics_http *h);
/* Whether a scrape waits for a fresh text (the eventfd drained). */
bool sl_metrics_http_wanted(struct sl_metrics_http *h);
/* Serve `text` (malloc'd, len bytes; taken) from now on and wake the
 * scrapes waiting for it. */
void sl_metrics_http_publish(struct sl_metrics_http *h, char *text, size_t len);

struct sl_metrics_http_stats {
	uint64_t scrapes;   /* /metrics answered with a text */
	uint64_t stale;     /* of those, answered with an old text after waiting */
	uint64_t not_found; /* other paths or methods */
};
void sl_metrics_http_stats(struct sl_metrics_http *h, struct sl_metrics_http_stats *out);

/* Stop the threads, close the socket, free the texts. NULL is fine. */
void sl_metrics_http_stop(struct sl_metrics_http *h);

#endif
