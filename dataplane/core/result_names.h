/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The name lookup of a result enum made from an X-macro list
 * (X(ID, "name")): the enum's values follow the list's order, so its
 * names are the list's strings in order.
 */
#ifndef SL_RESULT_NAMES_H
#define SL_RESULT_NAMES_H

#define SL_RESULT_NAME_STR(id, name) name,

/* Define `const char *fn(type r)`: r's name, `unknown` out of range. */
#define SL_RESULT_NAMES(fn, type, LIST, max, unknown)                          \
	const char *fn(type r)                                                 \
	{                                                                      \
		static const char *const names[] = {                           \
			LIST(SL_RESULT_NAME_STR)};                             \
		_Static_assert(sizeof(names) / sizeof(names[0]) == (max),      \
			       "one name per value");                          \
		return (unsigned)r < (max) ? names[r] : (unknown);             \
	}

#endif
