/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl/daemon/notify.c's logging of a failed send: the first failure is
 * a warning, repeats are debug, and a success in between makes the next
 * failure a warning again (a listener gone after a working start is
 * news). sd_notify(f) and sl_log are this file's.
 */
#include <errno.h>

/* DPDK's headers (through notify.h) before cmocka's, which redefines
 * uintptr_t when it thinks it is missing. */
#include "log.h"
#include "notify.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <systemd/sd-daemon.h>

static int send_rc;   /* what the next sd_notify(f) returns */
static int warnings;  /* sl_log calls at SL_LOG_WARN */

int sd_notify(int unset_environment, const char *state)
{
	(void)unset_environment;
	(void)state;
	return send_rc;
}

int sd_notifyf(int unset_environment, const char *format, ...)
{
	(void)unset_environment;
	(void)format;
	return send_rc;
}

void sl_log(enum sl_log_level level, const char *fmt, ...)
{
	(void)fmt;
	if (level == SL_LOG_WARN)
		warnings++;
}

static void test_warn_again_after_success(void **state)
{
	(void)state;
	send_rc = -ECONNREFUSED;
	sl_notify_ready(1);
	sl_notify_reloading();
	assert_int_equal(warnings, 1);   /* the repeat at debug */
	send_rc = 1;
	sl_notify_ready(1);
	assert_int_equal(warnings, 1);
	send_rc = -ENOENT;
	sl_notify_stopping();
	assert_int_equal(warnings, 2);   /* after a success: news again */
	sl_notify_stopping();
	assert_int_equal(warnings, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warn_again_after_success),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
