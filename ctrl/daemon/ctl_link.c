/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link state, polled from the control loop once a second
 * (rte_eth_link_get_nowait: no waiting, and no interrupt handling that
 * some PMDs lack). A change is logged once, when it is seen; a change
 * between up and down is also counted (links[].flaps, in port.list and
 * stats). A link that goes down and up again within one second is not
 * seen: the driver's own counters keep what it lost.
 */
#include "ctl.h"
#include "log.h"

#define LINK_POLL_MS 1000

static void link_check(struct sl_ctl *ctl, uint32_t p)
{
	struct sl_ctl_link *k = &ctl->links[p];
	const char *name = ctl->model.ports[p].name;
	struct sl_port_link now;
	char was[64], is[64];

	if (sl_port_link_get(ctl->dp->ethdev[p], &now) != 0)
		return; /* the driver cannot say: keep what we had */
	if (k->known && !sl_port_link_differs(&k->now, &now))
		return;
	if (!k->known)
		sl_info("port %s: link %s", name, sl_port_link_str(&now, is, sizeof(is)));
	else if (k->now.up != now.up)
		sl_warn("port %s: link %s (was %s; %llu changes since start)", name,
			sl_port_link_str(&now, is, sizeof(is)),
			sl_port_link_str(&k->now, was, sizeof(was)),
			(unsigned long long)++k->flaps);
	else
		sl_info("port %s: link %s (was %s)", name,
			sl_port_link_str(&now, is, sizeof(is)),
			sl_port_link_str(&k->now, was, sizeof(was)));
	k->now = now;
	k->known = true;
}

void sl_ctl_link_poll(struct sl_ctl *ctl)
{
	uint64_t now = sl_ctl_now_ms();

	if (ctl->last_link_ms != 0 && now - ctl->last_link_ms < LINK_POLL_MS)
		return;
	ctl->last_link_ms = now;
	for (uint32_t p = 0; p < ctl->dp->nports; p++)
		link_check(ctl, p);
}
