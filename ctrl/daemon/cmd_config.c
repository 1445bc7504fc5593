/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.apply, config.save, and the reload SIGHUP asks for.
 *
 * Applying is a transaction: the new document is loaded into a model of
 * its own exactly as a config file is at start-up (every value checked,
 * in the same order), settings fixed at start-up are compared, objects
 * that stay keep their ids (config_apply.h), and only then is the whole
 * model published as one snapshot. Any refusal leaves the running
 * configuration as it was. Connections are never touched: they carry on
 * with the servers and local addresses they have, as after any change.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "config_apply.h"
#include "fileio.h"
#include "health.h"
#include "jsonutil.h"
#include "log.h"

/* Statistics of objects that are new start from zero (their id may have
 * been another object's). */
static void rebase_fresh(struct sl_ctl *ctl, const struct sl_model *next,
			 const struct sl_fresh_ids *fresh)
{
	for (uint32_t i = 0; i < next->nsvcs; i++) {
		const struct sl_model_svc *s = &next->svcs[i];
		if (sl_fresh_has(fresh->svc, s->id))
			sl_ctl_sum_svc(ctl, s->id, &ctl->svc_base[s->id]);
		for (uint32_t j = 0; j < s->nrs; j++)
			if (sl_fresh_has(fresh->rs, s->rs[j].id))
				sl_ctl_sum_rs(ctl, s->rs[j].id, &ctl->rs_base[s->rs[j].id]);
	}
}

int sl_ctl_apply_model(struct sl_ctl *ctl, struct sl_model *next, bool dry_run,
		       bool force, bool reload, json_t **result, struct sl_err *err)
{
	struct sl_fresh_ids fresh;

	if (sl_config_check_fixed(&ctl->model, next, err) != 0 ||
	    sl_model_keep_sizes(&ctl->model, next, err) != 0 ||
	    sl_hc_path_refuse(next, "/proc", err) != 0 ||
	    (!force && sl_model_block_lockout_new(&ctl->model, next, reload, err) != 0) ||
	    sl_config_carry_ids(&ctl->model, next, &fresh, err) != 0)
		goto refuse;
	json_t *diff = sl_config_diff(&ctl->model, next);
	if (diff == NULL) {
		sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
		goto refuse;
	}
	json_object_set_new(diff, "dry_run", json_boolean(dry_run));
	if (dry_run) {
		sl_model_free(next);
		*result = diff;
		return 0;
	}
	if (sl_ctl_publish(ctl, next, err) != 0) {
		json_decref(diff);
		goto refuse;
	}
	rebase_fresh(ctl, next, &fresh);
	sl_model_free(&ctl->model);
	ctl->model = *next;
	sl_ctl_adopted(ctl); /* health targets follow the new servers and checks */
	sl_ctl_cluster_rekey(ctl); /* the key file is read again at each load */
	sl_log_set_level(ctl->model.log_level);
	*result = diff;
	return 0;
refuse:
	sl_model_free(next);
	return -1;
}

/* "$.vips[0].port" (the loader's path) -> "config.vips[0].port". */
static void config_field(struct sl_err *err)
{
	char tail[sizeof(err->field)];

	if (err->field[0] != '$')
		return;
	snprintf(tail, sizeof(tail), "%s", err->field + 1);
	snprintf(err->field, sizeof(err->field), "config%.150s", tail);
}

int sl_cmd_config_apply(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			json_t **result, struct sl_err *err)
{
	json_t *doc = json_object_get(args, "config");
	struct sl_model next;
	bool dry_run = false, force = false;
	(void)m;

	if (doc == NULL)
		return sl_err_set(err, SL_E_MISSING, "config",
				  "config is required: the whole configuration, as a config file");
	if (sl_json_bool(args, "dry_run", false, &dry_run, err) < 0 ||
	    sl_json_bool(args, "force", false, &force, err) < 0)
		return -1;
	if (sl_config_load_json(doc, &next, err) != 0) {
		config_field(err);
		return -1;
	}
	if (sl_ctl_apply_model(ctl, &next, dry_run, force, false, result, err) != 0) {
		if (err->field[0])
			sl_err_prefix(err, "config.");
		return -1;
	}
	if (!dry_run)
		sl_info("configuration applied over the control socket");
	return 0;
}

int sl_cmd_config_save(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		       json_t **result, struct sl_err *err)
{
	char errbuf[256];
	(void)args;

	if (ctl->config_path[0] == '\0')
		return sl_err_set(err, SL_E_INVALID, "",
				  "sluice was started without a config file to save to");
	json_t *doc = sl_config_to_json(m);
	char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	if (text == NULL)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	size_t len = strlen(text);
	text[len] = '\n'; /* json_dumps' NUL becomes the last newline */
	/* Through a symbolic link to the file it names: the rename must
	 * replace the file, not the link. */
	char target[PATH_MAX];
	const char *path = realpath(ctl->config_path, target) ? target : ctl->config_path;
	int rc = sl_write_file_atomic(path, text, len + 1, errbuf, sizeof(errbuf));
	free(text);
	if (rc != 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "%s", errbuf);
	sl_info("configuration saved to %s", path);
	*result = json_pack("{s:s, s:I}", "path", ctl->config_path, "bytes",
			    (json_int_t)(len + 1));
	return 0;
}

void sl_ctl_reload(struct sl_ctl *ctl)
{
	struct sl_model next;
	struct sl_err err;
	json_t *diff = NULL;

	if (sl_config_load_file(ctl->config_path, &next, &err) != 0 ||
	    sl_ctl_apply_model(ctl, &next, false, false, true, &diff, &err) != 0) {
		sl_warn("SIGHUP: %s refused, running configuration unchanged: %s%s%s",
			ctl->config_path, err.field, err.field[0] ? ": " : "", err.message);
		return;
	}
	sl_info("SIGHUP: %s applied: %zu added, %zu removed, %zu modified",
		ctl->config_path, json_array_size(json_object_get(diff, "added")),
		json_array_size(json_object_get(diff, "removed")),
		json_array_size(json_object_get(diff, "modified")));
	json_decref(diff);
}
