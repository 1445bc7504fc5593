/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * node.drain, node.undrain, node.status: this node's part in a cluster's
 * announcements (announce.h). A drain is run-time state, like a
 * neighbor: not in the configuration, not kept across a restart.
 */
#include "announce.h"
#include "commands.h"

static int need_announcer(const struct sl_ctl *ctl, struct sl_err *err)
{
	if (ctl->announce)
		return 0;
	return sl_err_set(err, SL_E_NOT_FOUND, "",
			  "this node announces nothing: the configuration has no "
			  "announce.table");
}

static int set_drain(struct sl_ctl *ctl, bool drained, json_t **result,
		     struct sl_err *err)
{
	bool was;

	if (need_announcer(ctl, err) < 0)
		return -1;
	was = sl_announce_drained(ctl->announce);
	sl_announce_drain(ctl->announce, drained);
	*result = json_pack("{s:b, s:b}", "drained", drained, "changed", was != drained);
	return 0;
}

int sl_cmd_node_drain(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		      json_t **result, struct sl_err *err)
{
	(void)m, (void)args;
	return set_drain(ctl, true, result, err);
}

int sl_cmd_node_undrain(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			json_t **result, struct sl_err *err)
{
	(void)m, (void)args;
	return set_drain(ctl, false, result, err);
}

int sl_cmd_node_status(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		       json_t **result, struct sl_err *err)
{
	(void)m, (void)args;
	if (need_announcer(ctl, err) < 0)
		return -1;
	*result = json_pack("{s:o}", "announce", sl_announce_json(ctl->announce));
	return *result ? 0 : sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
}
