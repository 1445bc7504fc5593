/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replacing the running configuration with a whole new one (`config
 * apply`, SIGHUP), the parts that need neither DPDK nor a socket:
 *
 *  - settings fixed at start-up (EAL, workers, ports, the socket, table
 *    sizes...) must be the same, or the new file needs a restart;
 *  - every object that exists in both keeps its stable id or slot, so its
 *    statistics, its scheduler position and the connections and local
 *    ports that refer to it are untouched; new objects get ids no running
 *    object has, where there are enough;
 *  - what changed is listed for the operator.
 *
 * The new model itself is loaded by config.c, validated whole exactly as
 * at start-up; publishing it is the caller's (one snapshot, one swap).
 */
#ifndef SL_CONFIG_APPLY_H
#define SL_CONFIG_APPLY_H

#include <jansson.h>

#include "errors.h"
#include "model.h"

/* Ids `next` gave to objects `running` did not have (their statistics
 * start from zero). */
struct sl_fresh_ids {
	uint8_t svc[SL_MAX_SVC / 8];
	uint8_t rs[SL_MAX_RS / 8];
};

static inline bool sl_fresh_has(const uint8_t *bits, unsigned id)
{
	return bits[id / 8] & (1u << (id % 8));
}

/* 0, or -1 with err naming the first fixed setting that differs. */
int sl_config_check_fixed(const struct sl_model *running,
			  const struct sl_model *next, struct sl_err *err);

/* Give `next`'s objects that `running` has their running ids and slots,
 * the others fresh ones (listed in *fresh). 0, or -1 with err. */
int sl_config_carry_ids(const struct sl_model *running, struct sl_model *next,
			struct sl_fresh_ids *fresh, struct sl_err *err);

/* {"added": [...], "removed": [...], "modified": [...]}: one string per
 * object ("vip 198.18.0.100:80/tcp", "real server 198.18.1.11:8080 of
 * vip ...: weight 1 -> 3", "timeouts.udp: 300 -> 60"). New reference. */
json_t *sl_config_diff(const struct sl_model *running, const struct sl_model *next);

#endif
