/* SPDX-License-Identifier: BSD-3-Clause */
/* One devargs reader (devargs.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "devargs.h"

bool sl_devargs_get(const char *devargs, const char *key, char *out, size_t len)
{
	const char *args = strchr(devargs, ',');
	struct rte_kvargs *kv;
	const char *v;

	out[0] = '\0';
	if (args == NULL || (kv = rte_kvargs_parse(args + 1, NULL)) == NULL)
		return false;
	v = rte_kvargs_get(kv, key);
	if (v)
		snprintf(out, len, "%s", v);
	rte_kvargs_free(kv);
	return v != NULL;
}

bool sl_devargs_has(const char *devargs, const char *key)
{
	char v[8];

	return sl_devargs_get(devargs, key, v, sizeof(v));
}

unsigned long sl_devargs_num(const char *devargs, const char *key, unsigned long dflt)
{
	char v[32], *end;

	if (!sl_devargs_get(devargs, key, v, sizeof(v)) || v[0] < '0' || v[0] > '9')
		return dflt;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	return *end == '\0' && errno == 0 ? n : dflt;
}
