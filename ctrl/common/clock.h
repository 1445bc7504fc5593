/* SPDX-License-Identifier: BSD-3-Clause */
/* The control side's clock: monotonic milliseconds, one definition for
 * the control thread, its health checks and sluicectl's deadlines. */
#ifndef SL_CLOCK_H
#define SL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t sl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
