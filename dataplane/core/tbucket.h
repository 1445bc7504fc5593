/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A token bucket on the worker's millisecond clock: `per_sec` tokens a
 * second, at most `depth` saved up. Used for ICMP "fragmentation needed"
 * (worker_local.c), whose own budget keeps path MTU discovery working
 * while other ICMP errors are being limited, and bounds what a flood of
 * oversized packets can make Sluice send. A zeroed bucket starts full.
 * Tokens are kept in thousandths, so any rate up to a million a second
 * refills exactly, with no drift from rounding.
 */
#ifndef SL_TBUCKET_H
#define SL_TBUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct sl_tbucket {
	uint32_t milli;     /* tokens x 1000 */
	uint32_t at_ms;     /* refilled up to here */
	bool started;
};

static inline bool sl_tbucket_take(struct sl_tbucket *b, uint32_t now_ms,
				   uint32_t per_sec, uint32_t depth)
{
	uint64_t full = (uint64_t)depth * 1000;
	uint64_t milli = b->started
				 ? b->milli + (uint64_t)(uint32_t)(now_ms - b->at_ms) * per_sec
				 : full;

	b->started = true;
	b->at_ms = now_ms;
	b->milli = (uint32_t)(milli < full ? milli : full);
	if (b->milli < 1000)
		return false;
	b->milli -= 1000;
	return true;
}

#endif
