/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sd_notify(3) for the systemd unit (conf/sluice.service, Type=notify).
 * A failed send is logged, never fatal: systemd then times the start
 * out, which says more than a sluice that refused to run.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

bool sl_notify_workers_running(const struct sl_dataplane *dp)
{
	for (uint32_t i = 0; i < dp->nworkers; i++)
		if (__atomic_load_n(&dp->workers[i]->loops, __ATOMIC_RELAXED) == 0)
			return false;
	return true;
}

/* The first failure since the last success is a warning naming the
 * socket (a wrong NOTIFY_SOCKET, a listener gone: systemd will time the
 * start out and the operator needs to know why); the rest only at debug,
 * or each reload would repeat it twice. */
static void notify(const char *what, int rc)
{
	static bool warned;
	const char *sock = getenv("NOTIFY_SOCKET");

	if (rc >= 0) {
		/* Sent again: a later failure is news (a listener gone since). */
		warned = false;
		return;
	}
	if (!warned)
		sl_warn("systemd notification %s not sent to NOTIFY_SOCKET %s: %s "
			"(later failures logged at debug)",
			what, sock ? sock : "(unset)", strerror(-rc));
	else
		sl_debug("systemd notification %s not sent to NOTIFY_SOCKET %s: %s",
			 what, sock ? sock : "(unset)", strerror(-rc));
	warned = true;
}

void sl_notify_ready(unsigned workers)
{
	notify("READY=1", sd_notifyf(0, "READY=1\nSTATUS=running: %u workers", workers));
}

/* MONOTONIC_USEC: systemd 253 and later want it with RELOADING=1 (for
 * Type=notify-reload); older ones ignore it. */
void sl_notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify("RELOADING=1",
	       sd_notifyf(0, "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
			  (unsigned long long)ts.tv_sec * 1000000ULL +
				  (unsigned long long)ts.tv_nsec / 1000ULL));
}

void sl_notify_stopping(void)
{
	notify("STOPPING=1", sd_notify(0, "STOPPING=1\nSTATUS=stopping"));
}
