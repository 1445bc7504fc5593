/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's side of /metrics: when a scrape asks for a fresh
 * text (metrics_http.h), the stats command's answer is rendered
 * (metrics_text.h) and handed to the server threads. Called from the
 * control loop only.
 */
#ifndef SL_CTL_METRICS_H
#define SL_CTL_METRICS_H

#include "ctl.h"
#include "metrics_http.h"

/* Render and publish if a scrape waits; h NULL: no endpoint. */
void sl_ctl_metrics_work(struct sl_ctl *ctl, struct sl_metrics_http *h);

#endif
