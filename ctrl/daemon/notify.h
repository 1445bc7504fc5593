/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * systemd's service notifications (sd_notify(3)) for Type=notify:
 * READY=1 once every worker has been round its loop, RELOADING=1 and
 * READY=1 around a SIGHUP reload, STOPPING=1 when the loop ends. Outside
 * systemd (no NOTIFY_SOCKET) each call does nothing, so a sluice started
 * by hand or by the tests behaves exactly as before.
 */
#ifndef SL_NOTIFY_H
#define SL_NOTIFY_H

#include <stdbool.h>

#include "worker.h"

/* True once each worker has finished at least one turn of its loop
 * (dataplane/worker.h `loops`): launched is not enough, a worker that
 * was launched may still be waiting for its lcore's command pipe. */
bool sl_notify_workers_running(const struct sl_dataplane *dp);

void sl_notify_ready(unsigned workers);
void sl_notify_reloading(void);
void sl_notify_stopping(void);

#endif
