/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The answer line of a control request: {"ok": true, "result": ...} or
 * {"ok": false, "error": {"code", "field", "message"}}, with the
 * request's "id" echoed. Used by the dispatcher (commands.c) for answers
 * given at once and by ctl_dump.c for answers given later; it calls
 * nothing of the daemon, so neither depends on the other through it.
 */
#ifndef SL_CTL_ANSWER_H
#define SL_CTL_ANSWER_H

#include <jansson.h>

#include "errors.h"

/* The answer line for a result (err NULL; takes the reference to
 * `result`, NULL: an empty object) or an error, with the request's id
 * (may be NULL). malloc'd, no newline; an answer that cannot be
 * encoded gives sl_ctl_unencodable instead; NULL only out of memory. */
char *sl_ctl_answer(json_t *result, const struct sl_err *err, json_t *id);

/* The internal-error answer given in place of an unencodable one. */
extern const char sl_ctl_unencodable[];

#endif
