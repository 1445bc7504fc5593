/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats command's answer as Prometheus's text exposition format
 * (version 0.0.4): one source for `sluicectl stats` and /metrics. Pure
 * (jansson only), so the unit tests check names, escaping and grouping
 * without a daemon.
 */
#ifndef SL_METRICS_TEXT_H
#define SL_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* A growing text buffer (written by metrics_family.c); `failed` once an
 * allocation failed (the text is then incomplete and must not be served). */
struct sl_text {
	char *buf;
	size_t len, cap;
	bool failed;
};

void sl_text_printf(struct sl_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A label value with \, " and newline escaped, as the format requires. */
void sl_text_label_value(struct sl_text *t, const char *v);
/* HELP text: \ and newline escaped. */
void sl_text_help(struct sl_text *t, const char *v);
void sl_text_free(struct sl_text *t);

/* prefix + key + suffix with every character outside [A-Za-z0-9_:]
 * made '_' and a leading digit prefixed with '_' (a metric name). */
void sl_metrics_name(char *out, size_t len, const char *prefix, const char *key,
		     const char *suffix);

/* `stats` (the stats command's result) as exposition text in *out.
 * 0, or -1 out of memory (out freed). */
int sl_metrics_render(const json_t *stats, struct sl_text *out);

#endif
