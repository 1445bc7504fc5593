/* SPDX-License-Identifier: BSD-3-Clause */
/* Leveled logging to stderr for the control thread and start-up code.
 * Workers never log: they count.
 *
 * Under systemd (JOURNAL_STREAM names our stderr, as systemd sets it for
 * a service whose output goes to the journal) each line starts with its
 * syslog priority, "<3>" error, "<4>" warn, "<6>" info, "<7>" debug
 * (sd-daemon(3)), and carries no timestamp: journald stamps it and files
 * it at that priority, so `journalctl -p warning` finds the warnings.
 * Elsewhere a line is "TIME sluice LEVEL: message". */
#ifndef SL_LOG_H
#define SL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum sl_log_level { SL_LOG_ERROR, SL_LOG_WARN, SL_LOG_INFO, SL_LOG_DEBUG };
/* A line longer than this (prefix and newline included) is cut. */
#define SL_LOG_LINE_MAX 4096

/* Returns 0, or -1 for an unknown name. */
int sl_log_set_level(const char *name);
void sl_log(enum sl_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define sl_err(...) sl_log(SL_LOG_ERROR, __VA_ARGS__)
#define sl_warn(...) sl_log(SL_LOG_WARN, __VA_ARGS__)
#define sl_info(...) sl_log(SL_LOG_INFO, __VA_ARGS__)
#define sl_debug(...) sl_log(SL_LOG_DEBUG, __VA_ARGS__)

/* Whether the JOURNAL_STREAM value `env` ("DEV:INODE", NULL when unset)
 * names the file `fd` is open on: stderr goes to journald. */
bool sl_log_journal_stream(const char *env, int fd);
/* Decide once (at start, and again if stderr changes) whether lines get
 * the journal's form. sl_log() decides on its first call by itself. */
void sl_log_detect_journal(void);
/* The start of a line of `level`, what sl_log() prints before the
 * message: "<4>" in journal form, else "2026-12-06T22:40:01.123Z sluice
 * warn: " for the time `ts`. Returns buf. */
char *sl_log_prefix(enum sl_log_level level, bool journal, const struct timespec *ts,
		    char *buf, size_t len);

/* Under journald (JOURNAL_STREAM names stderr), DPDK's own log lines to
 * stderr with their priority too (log_dpdk.c; rte_openlog_stream).
 * Before rte_eal_init, so that EAL's lines are among them. */
void sl_log_dpdk_to_journal(void);

/* A message that can repeat at the pace of packets or ARP learning
 * (out of memory per probe, a publish failing per learned neighbor):
 * logged the first time, then at most once per SL_LOG_LIMIT_MS with how
 * many like it went unlogged meanwhile. One per call site (static). */
#define SL_LOG_LIMIT_MS 1000
struct sl_log_limit {
	uint64_t last_ms;   /* when last logged; 0: never */
	uint64_t unlogged;  /* suppressed since */
};
void sl_log_limited(struct sl_log_limit *lim, enum sl_log_level level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same decision with the time given: true if the caller may log
 * now (then *unlogged says how many were suppressed before it). */
bool sl_log_limit_due(struct sl_log_limit *lim, uint64_t now_ms, uint64_t *unlogged);

#endif
