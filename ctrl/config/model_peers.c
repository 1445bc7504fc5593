/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster peers' local addresses (session sync, issue 16): set from
 * the config's cluster.peers[].local_addresses, read by the control
 * thread when it checks a received connection (its local address must be
 * ours or a peer's) and by publish, which gives them to the workers as
 * "synced" addresses (snapshot.h).
 */
#include <string.h>

#include "model.h"

bool sl_model_is_own_laddr(const struct sl_model *m, const struct sl_addr *a)
{
	if (a->af == SL_AF_V4)
		return sl_model_find_laddr(m, a->v4) != NULL;
	for (uint32_t i = 0; i < m->nladdrs6; i++)
		if (memcmp(m->laddrs6[i].ip, a->v6, 16) == 0)
			return true;
	return false;
}

static bool same_addr(const struct sl_addr *a, const struct sl_addr *b)
{
	return a->af == b->af &&
	       (a->af == SL_AF_V4 ? a->v4 == b->v4 : memcmp(a->v6, b->v6, 16) == 0);
}

bool sl_model_is_peer_laddr(const struct sl_model *m, const struct sl_addr *a)
{
	for (uint32_t i = 0; i < m->npeer_laddrs; i++)
		if (same_addr(&m->peer_laddrs[i], a))
			return true;
	return false;
}

int sl_model_set_peer_laddrs(struct sl_model *m, const struct sl_addr *addrs,
			     uint32_t n, const char *where, struct sl_err *err)
{
	if (n > SL_MAX_PEER_LADDRS)
		return sl_err_set(err, SL_E_LIMIT, where,
				  "%u peer local addresses, at most %u", n,
				  SL_MAX_PEER_LADDRS);
	for (uint32_t i = 0; i < n; i++) {
		const struct sl_addr *a = &addrs[i];
		if (a->af != SL_AF_V4 && a->af != SL_AF_V6)
			return sl_err_set(err, SL_E_INVALID, where,
					  "peer local address %u: not an address", i);
		if (sl_model_is_own_laddr(m, a))
			return sl_err_set(err, SL_E_INVALID, where,
					  "peer local address %u is one of this node's "
					  "local addresses", i);
		for (uint32_t j = 0; j < i; j++)
			if (same_addr(&addrs[j], a))
				return sl_err_set(err, SL_E_EXISTS, where,
						  "peer local address %u repeats %u", i, j);
	}
	memcpy(m->peer_laddrs, addrs, n * sizeof(*addrs));
	m->npeer_laddrs = n;
	return 0;
}
