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

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq_len(const unsigned char *s)
{
	static const struct { unsigned char lead_lo, lead_hi, next_lo, next_hi, len; } forms[] = {
		{0xc2, 0xdf, 0x80, 0xbf, 2}, {0xe0, 0xe0, 0xa0, 0xbf, 3},
		{0xe1, 0xec, 0x80, 0xbf, 3}, {0xed, 0xed, 0x80, 0x9f, 3},
		{0xee, 0xef, 0x80, 0xbf, 3}, {0xf0, 0xf0, 0x90, 0xbf, 4},
		{0xf1, 0xf3, 0x80, 0xbf, 4}, {0xf4, 0xf4, 0x80, 0x8f, 4},
	};

	if (s[0] < 0x80)
		return 1;
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		if (s[0] < forms[f].lead_lo || s[0] > forms[f].lead_hi)
			continue;
		if (s[1] < forms[f].next_lo || s[1] > forms[f].next_hi)
			return 0;
		for (unsigned i = 2; i < forms[f].len; i++)
			if (s[i] < 0x80 || s[i] > 0xbf)
				return 0;
		return forms[f].len;
	}
	return 0;
}

/* Messages quote what a client sent (jansson's "near '...'" token, a
 * command name) and snprintf may cut a character in half: either makes
 * the error unencodable as a JSON string, and the client would get no
 * answer at all. Every byte that is not part of a whole character
 * becomes '?'. */
static void utf8_repair(char *text)
{
	unsigned char *s = (unsigned char *)text;

	while (*s) {
		size_t n = utf8_seq_len(s);
		if (n == 0)
			*s++ = '?';
		else
			s += n;
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
