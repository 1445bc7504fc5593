/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum sl_log_level current = SL_LOG_INFO;
static const char *const names[] = {"error", "warn", "info", "debug"};
/* syslog priorities (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG). */
static const int priorities[] = {3, 4, 6, 7};
static int journal = -1; /* -1: not decided yet */

int sl_log_set_level(const char *name)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			current = (enum sl_log_level)i;
			return 0;
		}
	return -1;
}

bool sl_log_journal_stream(const char *env, int fd)
{
	unsigned long long dev, ino;
	struct stat st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(fd, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void sl_log_detect_journal(void)
{
	journal = sl_log_journal_stream(getenv("JOURNAL_STREAM"), 2);
}

char *sl_log_prefix(enum sl_log_level level, bool in_journal, const struct timespec *ts,
		    char *buf, size_t len)
{
	struct tm tm;
	char stamp[32];

	if (in_journal) {
		snprintf(buf, len, "<%d>", priorities[level]);
		return buf;
	}
	gmtime_r(&ts->tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ sluice %s: ", stamp, ts->tv_nsec / 1000000,
		 names[level]);
	return buf;
}

/* The line is formatted whole and written with one write(2): the HTTP
 * threads log too, and lines written piecewise would interleave. */
static void vlog(enum sl_log_level level, const char *suffix, const char *fmt, va_list ap)
{
	struct timespec ts;
	char line[SL_LOG_LINE_MAX];
	size_t n, room = sizeof(line) - 1; /* the newline's place kept */

	if (journal < 0)
		sl_log_detect_journal();
	clock_gettime(CLOCK_REALTIME, &ts);
	sl_log_prefix(level, journal == 1, &ts, line, room);
	n = strlen(line);
	vsnprintf(line + n, room - n, fmt, ap);
	n = strlen(line);
	snprintf(line + n, room - n, "%s", suffix);
	n = strlen(line);
	line[n++] = '\n';
	if (write(2, line, n) < 0)
		return; /* nowhere left to say it */
}

void sl_log(enum sl_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current)
		return;
	va_start(ap, fmt);
	vlog(level, "", fmt, ap);
	va_end(ap);
}

bool sl_log_limit_due(struct sl_log_limit *lim, uint64_t now_ms, uint64_t *unlogged)
{
	if (lim->last_ms && now_ms - lim->last_ms < SL_LOG_LIMIT_MS) {
		lim->unlogged++;
		return false;
	}
	*unlogged = lim->unlogged;
	lim->unlogged = 0;
	lim->last_ms = now_ms ? now_ms : 1;
	return true;
}

void sl_log_limited(struct sl_log_limit *lim, enum sl_log_level level,
		    const char *fmt, ...)
{
	struct timespec ts;
	uint64_t unlogged;
	char suffix[64] = "";
	va_list ap;

	if (level > current)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!sl_log_limit_due(lim, (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000,
			      &unlogged))
		return;
	if (unlogged)
		snprintf(suffix, sizeof(suffix), " (%llu more like it not logged)",
			 (unsigned long long)unlogged);
	va_start(ap, fmt);
	vlog(level, suffix, fmt, ap);
	va_end(ap);
}
