/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl config apply FILE [--dry-run] and config save [FILE].
 *
 * Files are read and written here, by the client, as the user running
 * sluicectl: the daemon never opens a path a client names. `config save`
 * without FILE asks the daemon to write the file it was started with;
 * with FILE it fetches the running configuration (config.show) and
 * writes it locally. Both writes are atomic (fileio.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "protocol.h"
#include "sluicectl.h"

/* The request must fit the daemon's line limit. */
#define REQUEST_MAX SL_PROTO_MAX_LINE

/* Where `config save FILE` writes: set by the build step, used by the
 * printer once the configuration has arrived. */
static const char *save_path;

int slc_build_config_apply(const struct slc_cmd *c, const struct slc_args *a,
			   json_t *args)
{
	json_error_t jerr;
	json_t *doc = json_load_file(a->pos[0], JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				     &jerr);

	if (doc == NULL && jerr.line < 0) { /* not read at all */
		slc_usage_error(c, "%s", jerr.text);
		return -1;
	}
	if (doc == NULL) {
		slc_usage_error(c, "%s: line %d, column %d: %s", a->pos[0], jerr.line,
				jerr.column, jerr.text);
		return -1;
	}
	char *text = json_dumps(doc, JSON_COMPACT);
	size_t len = text ? strlen(text) : 0;
	free(text);
	if (len + 64 > REQUEST_MAX) {
		json_decref(doc);
		slc_usage_error(c, "%s is %zu bytes as one request, over the control "
				"socket's 64 KiB; put it in the file sluice was started "
				"with and send sluice SIGHUP instead", a->pos[0], len);
		return -1;
	}
	json_object_set_new(args, "config", doc);
	const char *dry = a->opt[SLC_O_DRY_RUN]; /* "on" unless --dry-run=off */
	if (dry && strcmp(dry, "off") != 0)
		json_object_set_new(args, "dry_run", json_true());
	return slc_put_flag(c, a, SLC_O_FORCE, args, "force");
}

const char *slc_request_name(const struct slc_cmd *c, const struct slc_args *a)
{
	if (c->build == slc_build_config_save && a->npos)
		return "config.show";
	return c->name;
}

int slc_build_config_save(const struct slc_cmd *c, const struct slc_args *a,
			  json_t *args)
{
	(void)c, (void)args;
	save_path = a->npos ? a->pos[0] : NULL;
	return 0;
}

static void print_list(const json_t *result, const char *key, const char *verb)
{
	const json_t *list = json_object_get(result, key), *item;
	size_t i;

	json_array_foreach(list, i, item)
		printf("  %s %s\n", verb, json_string_value(item));
}

void slc_print_config_apply(const json_t *args, const json_t *result)
{
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	size_t n = json_array_size(json_object_get(result, "added")) +
		   json_array_size(json_object_get(result, "removed")) +
		   json_array_size(json_object_get(result, "modified"));

	(void)args;
	if (n == 0) {
		printf("%s\n", dry ? "dry run: nothing would change" : "nothing changed");
		return;
	}
	printf("%s %zu change%s:\n", dry ? "dry run, not applied:" : "applied", n,
	       n == 1 ? "" : "s");
	print_list(result, "added", "+");
	print_list(result, "removed", "-");
	print_list(result, "modified", "~");
}

void slc_print_config_save(const json_t *args, const json_t *result)
{
	const json_t *cfg = json_object_get(result, "config");
	char errbuf[256];

	(void)args;
	if (save_path == NULL) {
		printf("saved to %s (%lld bytes)\n",
		       json_string_value(json_object_get(result, "path")),
		       (long long)json_integer_value(json_object_get(result, "bytes")));
		return;
	}
	char *text = cfg ? json_dumps(cfg, JSON_INDENT(2)) : NULL;
	if (text == NULL)
		slc_oom();
	size_t len = strlen(text);
	text[len] = '\n';
	int rc = sl_write_file_atomic(save_path, text, len + 1, errbuf, sizeof(errbuf));
	free(text);
	if (rc != 0) {
		fprintf(stderr, "sluicectl: %s\n", errbuf);
		exit(SLC_EXIT_FAIL);
	}
	printf("saved to %s (%zu bytes)\n", save_path, len + 1);
}
