/* SPDX-License-Identifier: BSD-3-Clause */
#include "drop.h"

static const char *const drop_names[SL_DROP_MAX] = {
#define SL_DROP_NAME(id, name) [SL_DROP_##id] = name,
	SL_DROP_REASONS(SL_DROP_NAME)
#undef SL_DROP_NAME
};

const char *sl_drop_name(enum sl_drop reason)
{
	if ((unsigned)reason >= SL_DROP_MAX)
		return "invalid";
	return drop_names[reason];
}
