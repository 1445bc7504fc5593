/* SPDX-License-Identifier: BSD-3-Clause */
/* The device side of flow_steer.h: rte_flow (flow_rte.c). */
#ifndef SL_FLOW_RTE_H
#define SL_FLOW_RTE_H

#include "flow_steer.h"

extern const struct sl_flow_ops sl_flow_rte_ops;

#endif
