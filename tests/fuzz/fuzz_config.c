/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the config file loader (sl_config_load_string).
 *
 * Beyond "no crash, no leak, no undefined behaviour":
 *  - a refusal names a code, a JSON path starting with "$" and a message;
 *  - what loads writes back out (sl_config_to_json, i.e. `config show`)
 *    as a document that loads again into the same configuration: the
 *    second write-out is identical to the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_config: %s\n%s\n", what, detail ? detail : "");
	abort();
}

static char *write_out(const struct sl_model *m)
{
	json_t *doc = sl_config_to_json(m);
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(doc);
	if (text == NULL)
		broken("a loaded config cannot be written out", NULL);
	return text;
}

static void check_refusal(const struct sl_err *err)
{
	if (err->code[0] == '\0' || err->message[0] == '\0')
		broken("refusal without a code or message", err->field);
	if (err->field[0] != '$')
		broken("refusal whose field is not a JSON path", err->field);
}

static void check_round_trip(const struct sl_model *m)
{
	struct sl_model again;
	struct sl_err err;
	char *first = write_out(m);

	if (sl_config_load_string(first, &again, &err) != 0) {
		fprintf(stderr, "%s: %s\n", err.field, err.message);
		broken("the written-out config does not load", first);
	}
	char *second = write_out(&again);
	if (strcmp(first, second) != 0) {
		fprintf(stderr, "first:  %s\nsecond: %s\n", first, second);
		broken("the written-out config loads into another configuration", NULL);
	}
	sl_model_free(&again);
	free(first);
	free(second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct sl_model m;
	struct sl_err err;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sl_config_load_string(text, &m, &err) != 0) {
		check_refusal(&err);
	} else {
		check_round_trip(&m);
		sl_model_free(&m);
	}
	free(text);
	return 0;
}
