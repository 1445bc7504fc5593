/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The answer line of a control request (ctl_answer.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_answer.h"

/* What a client gets when its answer cannot be encoded (a string
 * jansson refuses, or no memory): an answer still, never a hang-up. */
const char sl_ctl_unencodable[] =
	"{\"ok\":false,\"error\":{\"code\":\"internal\",\"field\":\"\","
	"\"message\":\"the answer could not be encoded as JSON\"}}";

char *sl_ctl_answer(json_t *result, const struct sl_err *err, json_t *id)
{
	json_t *ans;

	if (err)
		ans = json_pack("{s:b,s:{s:s,s:s,s:s}}", "ok", 0, "error", "code",
				err->code, "field", err->field, "message", err->message);
	else
		ans = json_pack("{s:b,s:o}", "ok", 1, "result",
				result ? result : json_object());
	if (ans == NULL)
		return strdup(sl_ctl_unencodable);
	if (id)
		json_object_set(ans, "id", id);
	char *text = json_dumps(ans, JSON_COMPACT);
	json_decref(ans);
	return text ? text : strdup(sl_ctl_unencodable);
}
