/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Errors the control plane reports: a stable code, the offending field
 * (a JSON path such as "$.vips[0].port" for config files, "args.weight"
 * for requests) and a message for a human.
 */
#ifndef SL_ERRORS_H
#define SL_ERRORS_H

#include <stddef.h>

#define SL_E_BAD_REQUEST "bad_request"         /* not JSON / not an object */
#define SL_E_UNKNOWN_COMMAND "unknown_command"
#define SL_E_MISSING "missing_argument"
#define SL_E_INVALID "invalid_argument"
#define SL_E_NOT_FOUND "not_found"
#define SL_E_EXISTS "exists"
#define SL_E_LIMIT "limit_reached"
#define SL_E_BUSY "busy"                       /* a worker did not answer */
#define SL_E_READ_ONLY "read_only"             /* a change on the read-only socket */
#define SL_E_INTERNAL "internal"

struct sl_err {
	char code[32];
	char field[160];
	char message[256];
};

/* Fill an error. `field` may be NULL or "". Returns -1 so callers can
 * `return sl_err_set(...)`. */
int sl_err_set(struct sl_err *e, const char *code, const char *field,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Prepend a path to e->field: "weight" with prefix "args." gives
 * "args.weight"; with prefix "$.vips[0]." gives "$.vips[0].weight".
 * An empty field (the object itself is at fault, e.g. a limit) becomes
 * the prefix without its trailing '.': "$.ports[8]", "args". */
void sl_err_prefix(struct sl_err *e, const char *prefix);

void sl_err_clear(struct sl_err *e);

/* Length of the well-formed UTF-8 character at p (at most n bytes), 0
 * if malformed (or a NUL): what the request precheck (jsonutil.c) and
 * the errors' repair (errors.c) both judge text by. */
size_t sl_utf8_len(const unsigned char *p, size_t n);

#endif
