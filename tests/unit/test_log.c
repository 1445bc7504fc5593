/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging (ctrl/daemon/log.c): the line prefix in the journal's form
 * ("<N>" syslog priority, no timestamp) and the terminal's, JOURNAL_STREAM
 * matched against the file stderr is open on, and the rate limit of
 * messages that can repeat per packet or per learned neighbor; lines of
 * several threads logging at once come out whole, never interleaved.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static void test_journal_prefix(void **state)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 0};
	char buf[64];
	(void)state;

	assert_string_equal(sl_log_prefix(SL_LOG_ERROR, true, &ts, buf, sizeof(buf)), "<3>");
	assert_string_equal(sl_log_prefix(SL_LOG_WARN, true, &ts, buf, sizeof(buf)), "<4>");
	assert_string_equal(sl_log_prefix(SL_LOG_INFO, true, &ts, buf, sizeof(buf)), "<6>");
	assert_string_equal(sl_log_prefix(SL_LOG_DEBUG, true, &ts, buf, sizeof(buf)), "<7>");
}

static void test_terminal_prefix(void **state)
{
	struct timespec ts = {.tv_sec = 1796596801, .tv_nsec = 123456789};
	char buf[64];
	(void)state;

	assert_string_equal(sl_log_prefix(SL_LOG_WARN, false, &ts, buf, sizeof(buf)),
			    "2026-12-06T22:40:01.123Z sluice warn: ");
}

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected; it is
 * ours only while stderr is still that file (a redirect in between makes
 * the lines plain again). */
static void test_journal_stream(void **state)
{
	char env[64];
	struct stat st;
	FILE *f = tmpfile(), *g = tmpfile();
	(void)state;

	assert_non_null(f);
	assert_non_null(g);
	assert_int_equal(fstat(fileno(f), &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	assert_true(sl_log_journal_stream(env, fileno(f)));
	assert_false(sl_log_journal_stream(env, fileno(g)));
	assert_false(sl_log_journal_stream(NULL, fileno(f)));
	assert_false(sl_log_journal_stream("", fileno(f)));
	assert_false(sl_log_journal_stream("garbage", fileno(f)));
	fclose(f);
	fclose(g);
}

/* Once, then nothing for SL_LOG_LIMIT_MS; the next one counts what it
 * stood for. */
static void test_limit(void **state)
{
	struct sl_log_limit lim = {0};
	uint64_t unlogged = 99;
	(void)state;

	assert_true(sl_log_limit_due(&lim, 5000, &unlogged));
	assert_int_equal(unlogged, 0);
	for (int i = 0; i < 1000; i++)
		assert_false(sl_log_limit_due(&lim, 5000 + (uint64_t)i % SL_LOG_LIMIT_MS,
					      &unlogged));
	assert_true(sl_log_limit_due(&lim, 5000 + SL_LOG_LIMIT_MS, &unlogged));
	assert_int_equal(unlogged, 1000);
	assert_false(sl_log_limit_due(&lim, 5000 + SL_LOG_LIMIT_MS + 1, &unlogged));
	assert_true(sl_log_limit_due(&lim, 5000 + 3 * SL_LOG_LIMIT_MS, &unlogged));
	assert_int_equal(unlogged, 1);
	/* A clock at 0 still counts as having logged. */
	struct sl_log_limit zero = {0};
	assert_true(sl_log_limit_due(&zero, 0, &unlogged));
	assert_false(sl_log_limit_due(&zero, 1, &unlogged));
}

#define LOGGERS 4
#define LINES 2000

static void *logger(void *arg)
{
	for (int i = 0; i < LINES; i++)
		sl_info("logger %ld line %d ends here", (long)(intptr_t)arg, i);
	return NULL;
}

/* Four threads log at once into a file: every line comes out whole,
 * "TIME sluice info: logger N line I ends here". */
static void test_lines_whole(void **state)
{
	char path[] = "/tmp/sl-test-log.XXXXXX", line[256];
	int fd = mkstemp(path), saved = dup(2), whole = 0;
	pthread_t t[LOGGERS];
	(void)state;

	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	sl_log_detect_journal(); /* JOURNAL_STREAM unset: terminal form */
	for (long i = 0; i < LOGGERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, logger, (void *)(intptr_t)i), 0);
	for (int i = 0; i < LOGGERS; i++)
		pthread_join(t[i], NULL);
	dup2(saved, 2);
	close(saved);
	FILE *f = fdopen(fd, "r");
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		long who;
		int n, end = 0;
		if (sscanf(line, "%*s sluice info: logger %ld line %d ends here\n%n", &who,
			   &n, &end) == 2 && end == (int)strlen(line))
			whole++;
	}
	fclose(f);
	unlink(path);
	assert_int_equal(whole, LOGGERS * LINES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_prefix),
		cmocka_unit_test(test_terminal_prefix),
		cmocka_unit_test(test_journal_stream),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_lines_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
