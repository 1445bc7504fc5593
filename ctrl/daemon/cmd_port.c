/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.list and port.show: what each port was given at start (driver,
 * queues, RSS functions and key, checksum offloads, MTU) and its link as
 * last polled (ctl_link.c). port.show adds the driver's extended
 * counters (xstats). stats shows the same per port (sl_ctl_port_json).
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "jsonutil.h"

#define XSTATS_MAX 512 /* more than any driver we know reports */

static json_t *csum_names(uint64_t offloads, uint64_t ipv4, uint64_t tcp, uint64_t udp)
{
	json_t *a = json_array();

	if (offloads & ipv4)
		json_array_append_new(a, json_string("ipv4"));
	if (offloads & tcp)
		json_array_append_new(a, json_string("tcp"));
	if (offloads & udp)
		json_array_append_new(a, json_string("udp"));
	return a;
}

/* {"functions": [...], "key": "symmetric"|"default", "reta_size"}, or
 * null with the reason in "no_rss" of the port (when it has queues to
 * spread over). */
static json_t *rss_json(const struct sl_port_info *pi)
{
	const struct sl_port_choice *c = &pi->choice;
	char names[96];

	if (c->rss_hf == 0)
		return json_null();
	return json_pack("{s:s,s:s,s:i}", "functions",
			 sl_port_rss_names(c->rss_hf, names, sizeof(names)), "key",
			 c->key_len ? "symmetric" : "default", "reta_size", pi->reta_size);
}

static json_t *link_json(const struct sl_ctl_link *k)
{
	if (!k->known)
		return json_null(); /* the driver never said */
	return json_pack("{s:b,s:I,s:s,s:b}", "up", k->now.up, "speed_mbps",
			 (json_int_t)k->now.speed_mbps, "duplex",
			 k->now.full_duplex ? "full" : "half", "autoneg", k->now.autoneg);
}

json_t *sl_ctl_port_json(const struct sl_ctl *ctl, uint32_t p)
{
	const struct sl_port_info *pi = &ctl->ports[p];
	const struct sl_port_choice *c = &pi->choice;
	json_t *o = json_pack(
		"{s:s,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:o,s:i,s:o,s:I}", "driver",
		pi->driver, "ethdev", pi->ethdev, "rx_queues", pi->queues, "tx_queues",
		pi->queues, "rx_desc", pi->rx_desc, "tx_desc", pi->tx_desc, "rss",
		rss_json(pi), "rx_checksum_offload",
		csum_names(c->rx_offloads, RTE_ETH_RX_OFFLOAD_IPV4_CKSUM,
			   RTE_ETH_RX_OFFLOAD_TCP_CKSUM, RTE_ETH_RX_OFFLOAD_UDP_CKSUM),
		"tx_checksum_offload",
		csum_names(c->tx_offloads, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM,
			   RTE_ETH_TX_OFFLOAD_TCP_CKSUM, RTE_ETH_TX_OFFLOAD_UDP_CKSUM),
		"mtu", pi->mtu, "link", link_json(&ctl->links[p]), "link_flaps",
		(json_int_t)ctl->links[p].flaps);

	if (c->no_rss)
		json_object_set_new(o, "no_rss", json_string(c->no_rss));
	/* Ports on one device share the lines above and the driver's counters. */
	uint16_t vlan = ctl->model.ports[p].vlan;
	json_object_set_new(o, "vlan", vlan ? json_integer(vlan) : json_null());
	json_object_update_new(o, sl_ctl_flow_json(ctl, p));
	return o;
}

/* The port named `name` with its devargs: the config's word for it. */
static json_t *named_port_json(const struct sl_ctl *ctl, uint32_t p)
{
	json_t *o = json_pack("{s:s,s:s}", "port", ctl->model.ports[p].name,
			      "devargs", ctl->model.ports[p].devargs);

	json_object_update_new(o, sl_ctl_port_json(ctl, p));
	return o;
}

int sl_cmd_port_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		     json_t **result, struct sl_err *err)
{
	json_t *list = json_array();
	(void)m, (void)args, (void)err;

	for (uint32_t p = 0; p < ctl->dp->nports; p++)
		json_array_append_new(list, named_port_json(ctl, p));
	*result = json_pack("{s:o}", "ports", list);
	return 0;
}

/* The driver's extended counters, by name; {} when it has none. */
static json_t *xstats_json(uint16_t ethdev)
{
	struct rte_eth_xstat_name *names = calloc(XSTATS_MAX, sizeof(*names));
	struct rte_eth_xstat *vals = calloc(XSTATS_MAX, sizeof(*vals));
	json_t *o = json_object();
	int n = names && vals ? rte_eth_xstats_get_names(ethdev, names, XSTATS_MAX) : 0;

	if (n > XSTATS_MAX || rte_eth_xstats_get(ethdev, vals, (unsigned)n) != n)
		n = 0;
	for (int i = 0; i < n; i++)
		if (vals[i].id < (uint64_t)n)
			json_object_set_new(o, names[vals[i].id].name,
					    json_integer((json_int_t)vals[i].value));
	free(names);
	free(vals);
	return o;
}

int sl_cmd_port_show(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		     json_t **result, struct sl_err *err)
{
	const char *name;

	if (sl_json_string(args, "name", true, &name, err) != 0)
		return -1;
	int p = sl_model_port_index(m, name);
	if (p < 0 || (uint32_t)p >= ctl->dp->nports)
		return sl_err_set(err, SL_E_NOT_FOUND, "name",
				  "no port named '%.40s' (port.list lists them)", name);
	*result = named_port_json(ctl, (uint32_t)p);
	json_object_set_new(*result, "xstats", xstats_json(ctl->dp->ethdev[p]));
	return 0;
}
