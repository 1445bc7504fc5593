/* SPDX-License-Identifier: BSD-3-Clause */
/* laddr.* and neigh.*: local addresses and neighbors. */
#include <string.h>

#include "addr.h"
#include "commands.h"
#include "jsonutil.h"

/* Optional args.port: a port name, -1 when absent ("infer"). */
static int read_port_name(const struct sl_model *m, json_t *args, int *port,
			  struct sl_err *err)
{
	const char *name;
	int rc = sl_json_string(args, "port", false, &name, err);

	*port = -1;
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	*port = sl_model_port_index(m, name);
	if (*port < 0)
		return sl_err_set(err, SL_E_NOT_FOUND, "port", "no port named '%s'", name);
	return 0;
}

/* A local address of either family, with its port and slot. */
static json_t *laddr_entry(const struct sl_model *m, const struct sl_addr *a,
			   uint8_t port, uint8_t slot)
{
	char ip[SL_ADDR_STRLEN];

	return json_pack("{s:s,s:s,s:i}", "ip", sl_fmt_addr(a, ip), "port",
			 m->ports[port].name, "slot", slot);
}

static json_t *laddr_json(const struct sl_model *m, const struct sl_addr *a)
{
	const struct sl_model_laddr *la;

	if (a->af == SL_AF_V4) {
		la = sl_model_find_laddr(m, a->v4);
		return laddr_entry(m, a, la->port, la->slot);
	}
	for (uint32_t i = 0; i < m->nladdrs6; i++)
		if (memcmp(m->laddrs6[i].ip, a->v6, 16) == 0)
			return laddr_entry(m, a, m->laddrs6[i].port, m->laddrs6[i].slot);
	return json_object();
}

int sl_cmd_laddr_add(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		     json_t **result, struct sl_err *err)
{
	struct sl_addr addr;
	int port;
	(void)ctl;

	if (sl_json_addr(args, "ip", true, &addr, err) < 0 ||
	    read_port_name(m, args, &port, err) != 0)
		return -1;
	if (addr.af == SL_AF_V4 ? sl_model_add_laddr(m, addr.v4, port, err) != 0
				: sl_model_add_laddr6(m, addr.v6, port, err) != 0)
		return -1;
	*result = laddr_json(m, &addr);
	return 0;
}

int sl_cmd_laddr_del(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		     json_t **result, struct sl_err *err)
{
	struct sl_addr addr;
	(void)ctl;

	if (sl_json_addr(args, "ip", true, &addr, err) < 0)
		return -1;
	if (addr.af == SL_AF_V4 ? sl_model_del_laddr(m, addr.v4, err) != 0
				: sl_model_del_laddr6(m, addr.v6, err) != 0)
		return -1;
	*result = json_object();
	return 0;
}

int sl_cmd_laddr_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		      json_t **result, struct sl_err *err)
{
	(void)ctl, (void)args, (void)err;

	json_t *list = json_array();
	for (uint32_t i = 0; i < m->nladdrs; i++) {
		const struct sl_model_laddr *la = &m->laddrs[i];
		struct sl_addr a = sl_addr_v4(la->ip);
		json_array_append_new(list, laddr_entry(m, &a, la->port, la->slot));
	}
	for (uint32_t i = 0; i < m->nladdrs6; i++) {
		const struct sl_model_laddr6 *la = &m->laddrs6[i];
		struct sl_addr a = {.af = SL_AF_V6};
		memcpy(a.v6, la->ip, 16);
		json_array_append_new(list, laddr_entry(m, &a, la->port, la->slot));
	}
	*result = json_pack("{s:o}", "local_addresses", list);
	return 0;
}

int sl_cmd_neigh_add(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		     json_t **result, struct sl_err *err)
{
	struct sl_addr addr;
	uint8_t mac[6];
	int port;
	(void)ctl;

	if (sl_json_addr(args, "ip", true, &addr, err) < 0 ||
	    sl_json_mac(args, "mac", true, mac, err) < 0 ||
	    read_port_name(m, args, &port, err) != 0)
		return -1;
	if ((addr.af == SL_AF_V6 ? sl_model_add_neigh6(m, addr.v6, mac, port, err)
				 : sl_model_add_neigh(m, addr.v4, mac, port, err)) != 0)
		return -1;
	*result = json_object();
	return 0;
}

/* Not a "mutating" command in the dispatcher's sense: it may delete a
 * static entry (a model change, published here) or forget a learned one
 * (not in the model at all). */
int sl_cmd_neigh_del(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		     json_t **result, struct sl_err *err)
{
	char ip[SL_ADDR_STRLEN];
	struct sl_addr addr;

	if (sl_json_addr(args, "ip", true, &addr, err) < 0)
		return -1;
	if (sl_ctl_static_neigh(m, &addr)) {
		struct sl_model next;
		if (sl_model_clone(&next, m) != 0)
			return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
		int rc = addr.af == SL_AF_V6 ? sl_model_del_neigh6(&next, addr.v6, err)
					     : sl_model_del_neigh(&next, addr.v4, err);
		if (rc != 0 || sl_ctl_publish(ctl, &next, err) != 0) {
			sl_model_free(&next);
			return -1;
		}
		sl_model_free(&ctl->model);
		ctl->model = next;
	} else if (!sl_neigh_forget_addr(&ctl->neigh, &addr)) {
		return sl_err_set(err, SL_E_NOT_FOUND, "ip", "no neighbor %s",
				  sl_fmt_addr(&addr, ip));
	} else if (sl_ctl_publish_neigh(ctl, &ctl->model, err) != 0) {
		return -1;
	}
	*result = json_object();
	return 0;
}

static json_t *neigh_json(const struct sl_model *m, const struct sl_addr *a,
			  const uint8_t *mac, uint8_t port, const char *state,
			  uint64_t age_s)
{
	char ipbuf[SL_ADDR_STRLEN], macbuf[SL_MAC_STRLEN];
	return json_pack("{s:s,s:s,s:s,s:s,s:I}", "ip", sl_fmt_addr(a, ipbuf), "mac",
			 sl_fmt_mac(mac, macbuf), "port",
			 port < m->nports ? m->ports[port].name : "?", "state", state,
			 "age_s", (json_int_t)age_s);
}

int sl_cmd_neigh_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		      json_t **result, struct sl_err *err)
{
	uint64_t now = sl_ctl_now_ms();
	(void)args, (void)err;

	json_t *list = json_array();
	for (uint32_t i = 0; i < m->nneigh; i++) {
		struct sl_addr a = sl_addr_v4(m->neigh[i].ip);
		json_array_append_new(list, neigh_json(m, &a, m->neigh[i].mac,
						       m->neigh[i].port, "static",
						       (now - ctl->start_ms) / 1000));
	}
	for (uint32_t i = 0; i < m->nneigh6; i++) {
		struct sl_addr a = {.af = SL_AF_V6};
		memcpy(a.v6, m->neigh6[i].ip, 16);
		json_array_append_new(list, neigh_json(m, &a, m->neigh6[i].mac,
						       m->neigh6[i].port, "static",
						       (now - ctl->start_ms) / 1000));
	}
	for (uint32_t i = 0; i < ctl->neigh.n; i++) {
		const struct sl_neigh_entry *e = &ctl->neigh.e[i];
		if (sl_ctl_static_neigh(m, &e->addr))
			continue;
		json_array_append_new(list, neigh_json(m, &e->addr, e->mac, e->port,
						       sl_neigh_state_name(e->state),
						       (now - e->confirmed_ms) / 1000));
	}
	*result = json_pack("{s:o}", "neighbors", list);
	return 0;
}
