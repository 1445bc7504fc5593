/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /metrics from the control thread: the very answer `sluicectl stats`
 * gets (sl_cmd_stats), rendered as Prometheus text, plus the endpoint's
 * own counters. Only when a scrape asked; the server threads wait for
 * it a bounded time and never touch the model or a worker.
 */
#include <inttypes.h>

#include "commands.h"
#include "ctl_metrics.h"
#include "log.h"
#include "metrics_text.h"

#define METRICS_SHARE_MS 10

static void endpoint_counters(struct sl_text *t, struct sl_metrics_http *h)
{
	struct sl_metrics_http_stats s;

	sl_metrics_http_stats(h, &s);
	sl_text_printf(t, "# HELP sluice_metrics_scrapes_total Answers to GET /metrics\n"
		       "# TYPE sluice_metrics_scrapes_total counter\n"
		       "sluice_metrics_scrapes_total %" PRIu64 "\n", s.scrapes);
	sl_text_printf(t, "# HELP sluice_metrics_stale_total Answers with an older text: "
		       "the control thread did not render in time\n"
		       "# TYPE sluice_metrics_stale_total counter\n"
		       "sluice_metrics_stale_total %" PRIu64 "\n", s.stale);
	sl_text_printf(t, "# HELP sluice_metrics_not_found_total Requests for other paths "
		       "or methods\n# TYPE sluice_metrics_not_found_total counter\n"
		       "sluice_metrics_not_found_total %" PRIu64 "\n", s.not_found);
}

void sl_ctl_metrics_work(struct sl_ctl *ctl, struct sl_metrics_http *h)
{
	json_t *stats;
	struct sl_text text;

	if (!h || !sl_metrics_http_wanted(h))
		return;
	/* A scrape wants numbers from now, not telemetry's of up to a
	 * second ago; within the same loop turn they are shared. */
	stats = sl_ctl_stats_doc(ctl, METRICS_SHARE_MS);
	if (stats == NULL) {
		sl_warn("metrics: cannot render the stats document");
		return;
	}
	/* Out of memory: the scrapes get the old text; the next turn tries
	 * again, since the scrape still waits. */
	if (sl_metrics_render(stats, &text) == 0) {
		endpoint_counters(&text, h);
		if (!text.failed) {
			sl_metrics_http_publish(h, text.buf, text.len);
			text.buf = NULL;
		}
	}
	sl_text_free(&text);
	json_decref(stats);
}
