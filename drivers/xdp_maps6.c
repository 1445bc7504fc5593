/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XDP program's IPv6 maps (xdp/xdp_abi.h): the v6 address table and
 * the v6 blocklist, written the way xdp_maps.c writes IPv4's.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "xdp_port.h"

int sl_xdp_addr6_table(const uint8_t (*ips)[16], const struct sl_xdp_addr *vals,
		       uint32_t n)
{
	return sl_xdp_table("sl_addr6_table", 16, SL_XDP_MAX_ADDRS6, ips, vals, n);
}

int sl_xdp_port_set_addrs6(const struct sl_xdp_port *xp, int table_fd)
{
	return sl_xdp_slot_set(xp->addrs6_fd, table_fd);
}

static struct sl_xdp_block6_key block6_key(const uint8_t prefix[16], uint8_t plen)
{
	struct sl_xdp_block6_key k = {.prefixlen = plen};

	memcpy(k.addr, prefix, 16);
	return k;
}

int sl_xdp_port_block6(const struct sl_xdp_port *xp, const uint8_t prefix[16],
		       uint8_t plen, bool add)
{
	struct sl_xdp_block6_key k = block6_key(prefix, plen);

	return sl_xdp_lpm_set(xp->block6_fd, &k, add);
}

int sl_xdp_port_block6_keys(const struct sl_xdp_port *xp,
			    struct sl_xdp_block6_key *out, uint32_t max)
{
	return sl_xdp_map_keys(xp->block6_fd, out, sizeof(*out), max);
}

uint64_t sl_xdp_port_block6_hits(const struct sl_xdp_port *xp,
				 const uint8_t prefix[16], uint8_t plen)
{
	struct sl_xdp_block6_key k = block6_key(prefix, plen);

	return sl_xdp_lpm_hits(xp->block6_fd, &k);
}
