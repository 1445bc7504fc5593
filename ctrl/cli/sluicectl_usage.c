/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How sluicectl reports a bad command line: one line naming the command
 * and what is wrong, then where its help is. Nothing has been sent when
 * these run; the caller exits 2.
 */
#include <stdarg.h>
#include <stdio.h>

#include "sluicectl.h"

const char *slc_cmd_words(const struct slc_cmd *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->group, c->verb ? " " : "",
		 c->verb ? c->verb : "");
	return buf;
}

/* `words` is what --help goes after: "" for the top, "vip", "rs add". */
static void vusage(const char *words, const char *fmt, va_list ap)
{
	fprintf(stderr, "sluicectl: %s%s", words, *words ? ": " : "");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'sluicectl %s%s--help'.\n", words,
		*words ? " " : "");
}

void slc_usage_words(const char *words, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage(words, fmt, ap);
	va_end(ap);
}

void slc_usage_error(const struct slc_cmd *c, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vusage(c ? slc_cmd_words(c, buf, sizeof(buf)) : "", fmt, ap);
	va_end(ap);
}
