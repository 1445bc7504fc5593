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

/* errors.h. RFC 3629's table rules out overlong forms, surrogates and
 * anything above U+10FFFF. */
size_t sl_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c >= 0x01 && c <= 0x7f)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (len > n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* Messages quote what a client sent (jansson's "near '...'" token, a
 * command name) and snprintf may cut a character in half: either makes
 * the error unencodable as a JSON string, and the client would get no
 * answer at all. Every byte that is not part of a whole character
 * becomes '?'. */
static void utf8_repair(char *text)
{
	unsigned char *s = (unsigned char *)text;
	size_t left = strlen(text);

	while (left > 0) {
		size_t n = sl_utf8_len(s, left);
		if (n == 0) {
			*s = '?';
			n = 1;
		}
		s += n;
		left -= n;
	}
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
	utf8_repair(e->field);
	utf8_repair(e->message);
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
	utf8_repair(e->field);
}

void sl_err_clear(struct sl_err *e)
{
	memset(e, 0, sizeof(*e));
}
