/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Static IPv6 neighbors (config neighbors[] with a v6 `ip`). Kept apart
 * from the v4 list: a short fixed array in the model (SL_MAX_NEIGH6),
 * each entry's port the one whose v6 prefix holds its address, as a v4
 * neighbor's is the port whose subnet holds it.
 */
#include <string.h>

#include "addr.h"
#include "model.h"

const struct sl_model_neigh6 *sl_model_find_neigh6(const struct sl_model *m,
						   const uint8_t ip[16])
{
	for (uint32_t i = 0; i < m->nneigh6; i++)
		if (memcmp(m->neigh6[i].ip, ip, 16) == 0)
			return &m->neigh6[i];
	return NULL;
}

/* The port whose v6 prefix holds `a`, or -1. */
static int port_of6(const struct sl_model *m, const struct sl_addr *a)
{
	for (uint32_t p = 0; p < m->nports; p++)
		if (m->ports[p].ip6.af == SL_AF_V6 &&
		    sl_addr_in_prefix(a, &m->ports[p].ip6, m->ports[p].plen6))
			return (int)p;
	return -1;
}

static int check_port6(const struct sl_model *m, const struct sl_addr *a,
		       int port_index, struct sl_err *err)
{
	char text[SL_ADDR_STRLEN];
	int port = port_of6(m, a);

	if (port < 0)
		return sl_err_set(err, SL_E_INVALID, "ip",
				  "neighbor %s is on no port's IPv6 prefix",
				  sl_fmt_addr(a, text));
	if (port_index >= 0 && port_index != port)
		return sl_err_set(err, SL_E_INVALID, "port",
				  "neighbor %s is on port %s's IPv6 prefix",
				  sl_fmt_addr(a, text), m->ports[port].name);
	return port;
}

/* Sluice's own v6 addresses the model holds: the ports'. */
static bool owned6(const struct sl_model *m, const struct sl_addr *a)
{
	for (uint32_t p = 0; p < m->nports; p++)
		if (sl_addr_eq(&m->ports[p].ip6, a))
			return true;
	return false;
}

int sl_model_add_neigh6(struct sl_model *m, const uint8_t ip[16],
			const uint8_t mac[6], int port_index, struct sl_err *err)
{
	static const uint8_t zero[6];
	struct sl_addr a = {.af = SL_AF_V6};
	char text[SL_ADDR_STRLEN];

	memcpy(a.v6, ip, 16);
	if (!sl_ipv6_is_unicast(ip))
		return sl_err_set(err, SL_E_INVALID, "ip",
				  "neighbor %s is not a unicast host address",
				  sl_fmt_addr(&a, text));
	if ((mac[0] & 1) || memcmp(mac, zero, 6) == 0)
		return sl_err_set(err, SL_E_INVALID, "mac", "mac must be a unicast address");
	if (sl_model_find_neigh6(m, ip))
		return sl_err_set(err, SL_E_EXISTS, "ip", "neighbor %s exists",
				  sl_fmt_addr(&a, text));
	if (owned6(m, &a))
		return sl_err_set(err, SL_E_INVALID, "ip",
				  "%s is a port's own address", sl_fmt_addr(&a, text));
	int port = check_port6(m, &a, port_index, err);
	if (port < 0)
		return -1;
	if (m->nneigh6 >= SL_MAX_NEIGH6)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d static IPv6 neighbors",
				  SL_MAX_NEIGH6);
	struct sl_model_neigh6 *n = &m->neigh6[m->nneigh6++];
	memcpy(n->ip, ip, 16);
	memcpy(n->mac, mac, 6);
	n->port = (uint8_t)port;
	return 0;
}

int sl_model_del_neigh6(struct sl_model *m, const uint8_t ip[16], struct sl_err *err)
{
	const struct sl_model_neigh6 *n = sl_model_find_neigh6(m, ip);
	char text[SL_IPV6_STRLEN];

	if (n == NULL)
		return sl_err_set(err, SL_E_NOT_FOUND, "ip", "no neighbor %s",
				  sl_fmt_ipv6(ip, text));
	uint32_t i = (uint32_t)(n - m->neigh6);
	memmove(&m->neigh6[i], &m->neigh6[i + 1],
		(m->nneigh6 - i - 1) * sizeof(m->neigh6[0]));
	m->nneigh6--;
	return 0;
}
