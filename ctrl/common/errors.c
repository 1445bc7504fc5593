/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error values. Validation code fills the field relative to what it was
 * given ("weight"); each caller up the stack prepends its own part of the
 * path ("real_servers[1].", then "vips[0].", then "$."), so no function
 * needs to know where its input came from.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int sl_err_set(struct sl_err *e, const char *code, const char *field,
	       const char *fmt, ...)
{
	va_list ap;

	copy_str(e->code, sizeof(e->code), code);
	copy_str(e->field, sizeof(e->field), field);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* An empty field means "the object itself is at fault" (a limit, a
 * missing section): the path is then the prefix without its trailing
 * separator, so "$.ports[8]." names the element, not "$.ports[8].". */
void sl_err_prefix(struct sl_err *e, const char *prefix)
{
	char joined[sizeof(e->field)];
	size_t plen = strlen(prefix);

	if (e->field[0] == '\0') {
		if (plen > 0 && prefix[plen - 1] == '.')
			plen--;
		snprintf(joined, sizeof(joined), "%.*s", (int)plen, prefix);
	} else {
		snprintf(joined, sizeof(joined), "%s%s", prefix, e->field);
	}
	memcpy(e->field, joined, sizeof(e->field));
}

void sl_err_clear(struct sl_err *e)
{
	memset(e, 0, sizeof(*e));
}
