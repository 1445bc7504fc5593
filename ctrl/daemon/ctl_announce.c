/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's side of the announcer (announce.h): a server is
 * healthy for it once its health check passed and while it is not down
 * (sl_ann_server_up; panic's fail-open aside, see announce.h); every
 * publish (a change of the model or of a server's health) recomputes the
 * wanted routes on the same turn.
 */
#include <stdio.h>

#include "announce.h"
#include "ctl.h"
#include "log.h"

static bool rs_up(void *ctx, const struct sl_model_svc *svc,
		  const struct sl_model_rs *rs)
{
	return sl_ann_server_up(sl_ctl_rs_target(ctx, svc, rs), svc, rs);
}

int sl_ctl_announce_init(struct sl_ctl *ctl, char *errbuf, size_t errlen)
{
	if (!ctl->model.announce_table)
		return 0;
	ctl->announce = sl_announce_new(ctl->model.announce_table, errbuf, errlen);
	if (!ctl->announce)
		return -1;
	sl_info("announce: keeping host routes in kernel table %u (protocol %u)",
		ctl->model.announce_table, SL_ANN_RTPROT);
	return 0;
}

void sl_ctl_announce_work(struct sl_ctl *ctl)
{
	if (!ctl->announce)
		return;
	if (ctl->publishes != ctl->announce_publishes) {
		ctl->announce_publishes = ctl->publishes;
		sl_announce_touch(ctl->announce);
	}
	sl_announce_work(ctl->announce, &ctl->model, rs_up, ctl);
}

void sl_ctl_announce_free(struct sl_ctl *ctl)
{
	sl_announce_free(ctl->announce);
	ctl->announce = NULL;
}
