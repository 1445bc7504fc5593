/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON written with single quotes in C strings, for readability: dq()
 * swaps them for double quotes. A malloc'd copy; the caller frees it.
 * Include after <cmocka.h>.
 */
#ifndef SL_TEST_QUOTED_H
#define SL_TEST_QUOTED_H

#include <stdlib.h>
#include <string.h>

static inline char *dq(const char *s)
{
	char *out = strdup(s);

	assert_non_null(out);
	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

#endif
