/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control fuzzer's check of an answer without a JSON tree: under
 * ASan each value jansson builds is a malloc, and parsing every answer
 * (stats and config.show are large) was a third of fuzz_ctl's own time.
 * It accepts exactly what json_loads(text, 0) does, except that a
 * duplicate key in the top-level object or one looked into is refused.
 */
#ifndef SL_FUZZ_JSON_H
#define SL_FUZZ_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum fz_json_kind {
	FZ_JSON_OBJECT, FZ_JSON_ARRAY, FZ_JSON_STRING, FZ_JSON_TRUE,
	FZ_JSON_FALSE, FZ_JSON_OTHER, /* a number or null */
};

/* Where a value is in the text; a string's span is between its quotes,
 * escapes as written. */
struct fz_json_span {
	enum fz_json_kind kind;
	const char *text;
	size_t len;
};

struct fz_json_member {
	struct fz_json_span key, value;
};

/* `text` must be one JSON object and nothing else: the number of its
 * members (the first `max` stored in `members`), or -1. */
int fz_json_object(const char *text, struct fz_json_member *members, unsigned max);

/* The members of an object a span shows (already checked), or -1. */
int fz_json_members(const struct fz_json_span *obj, struct fz_json_member *members,
		    unsigned max);

/* The value of member `key` (written without escapes), or NULL. */
const struct fz_json_span *fz_json_get(const struct fz_json_member *members,
				       int n, const char *key);

#endif
