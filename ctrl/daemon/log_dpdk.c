/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's own log lines in the journal at their priority (log.h). DPDK
 * 22.11 writes them to stdout (and syslog) with no priority, so under
 * systemd journald files every one, errors included, at the unit's
 * default. Here they go through a stream of our own: each line to
 * stderr, as sluice's own lines, prefixed "<N>" with the syslog priority
 * of the message's DPDK level (RTE_LOG_EMERG 1 .. RTE_LOG_DEBUG 8 are
 * the syslog priorities plus one).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_log.h>

#include "log.h"

static bool mid_line; /* the last write ended without a newline */

static ssize_t journal_write(void *cookie, const char *buf, size_t len)
{
	int level = rte_log_cur_msg_loglevel();
	int lo = RTE_LOG_EMERG, hi = RTE_LOG_DEBUG;
	char prefix[8];
	size_t off = 0;

	(void)cookie;
	snprintf(prefix, sizeof(prefix), "<%d>",
		 level >= lo && level <= hi ? level - 1 : 6);
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t seg = nl ? (size_t)(nl - (buf + off)) + 1 : len - off;
		struct iovec iov[2] = {{prefix, mid_line ? 0 : strlen(prefix)},
				       {(void *)(buf + off), seg}};
		/* One writev a line: lines of other threads do not cut in. */
		if (writev(2, iov, 2) < 0)
			break;
		mid_line = nl == NULL;
		off += seg;
	}
	return (ssize_t)len;
}

void sl_log_dpdk_to_journal(void)
{
	static char buf[8192];
	cookie_io_functions_t io = {.write = journal_write};
	FILE *f;

	if (!sl_log_journal_stream(getenv("JOURNAL_STREAM"), 2))
		return;
	f = fopencookie(NULL, "w", io);
	if (f == NULL) {
		sl_warn("DPDK's log lines go out without a priority: fopencookie failed");
		return;
	}
	/* Fully buffered: DPDK flushes after each message, so a message is
	 * one write here. */
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	rte_openlog_stream(f);
}
