/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A spell of failing XDP map writes (ctl_xdp.h): the errors counted and
 * kept for stats and the client, the back-off of the retries, and the
 * log lines that bound the spell. Plain state over struct sl_ctl_xdp and
 * the time given, no maps and no clock, so a unit test drives it whole
 * (tests/unit/test_ctl_xdp_state.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl_xdp.h"
#include "log.h"

uint64_t sl_ctl_xdp_backoff_ms(uint64_t prev_ms)
{
	if (prev_ms == 0)
		return SL_XDP_RETRY_MS;
	return prev_ms >= SL_XDP_RETRY_MAX_MS / 2 ? SL_XDP_RETRY_MAX_MS : prev_ms * 2;
}

void sl_ctl_xdp_attempt(struct sl_ctl_xdp *x)
{
	x->commit_errors = 0;
	x->commit_error[0] = '\0';
}

void sl_ctl_xdp_map_error(struct sl_ctl_xdp *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->last_error, sizeof(x->last_error), fmt, ap);
	va_end(ap);
	sl_debug("%s", x->last_error);
	x->map_errors++;
	if (x->commit_errors++ == 0)
		memcpy(x->commit_error, x->last_error, sizeof(x->commit_error));
}

enum sl_xdp_spell sl_ctl_xdp_settle(struct sl_ctl_xdp *x, uint64_t now)
{
	x->synced = x->commit_errors == 0;
	if (x->synced) {
		bool ended = x->failing;
		if (ended)
			sl_warn("XDP maps back in step with the configuration after "
				"%lu s (%lu retries)",
				(unsigned long)((now - x->fail_since_ms) / 1000),
				(unsigned long)x->spell_retries);
		x->failing = false;
		x->backoff_ms = 0;
		x->spell_retries = 0;
		x->logged_error[0] = '\0';
		return ended ? SL_XDP_SPELL_ENDED : SL_XDP_SPELL_NONE;
	}
	enum sl_xdp_spell st = SL_XDP_SPELL_GOING;
	if (!x->failing) {
		sl_err("XDP maps out of step: %s (%u map writes failed); retrying "
		       "the writes after %u s, doubling up to %u s, quiet until "
		       "they succeed or fail otherwise (stats xdp)", x->commit_error,
		       x->commit_errors, SL_XDP_RETRY_MS / 1000, SL_XDP_RETRY_MAX_MS / 1000);
		x->failing = true;
		x->fail_since_ms = now;
		x->backoff_ms = 0;
		st = SL_XDP_SPELL_STARTED;
	} else if (strcmp(x->commit_error, x->logged_error) != 0) {
		/* Another failure than the one logged: said once more. */
		sl_err("XDP maps still out of step, now: %s (%u map writes failed)",
		       x->commit_error, x->commit_errors);
		st = SL_XDP_SPELL_CHANGED;
	}
	memcpy(x->logged_error, x->commit_error, sizeof(x->logged_error));
	x->backoff_ms = sl_ctl_xdp_backoff_ms(x->backoff_ms);
	x->retry_ms = now + x->backoff_ms;
	return st;
}
