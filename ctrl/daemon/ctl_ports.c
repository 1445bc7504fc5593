/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a port may need beyond its ethdev: the maps of its XDP program
 * (ctl_xdp.c) and a kernel exception device (dataplane/worker_host.c).
 *
 * The exception device is a DPDK virtual device Sluice creates next to
 * the port, named after it: "exception": "net_tap" becomes
 * "net_tap_sl<P>,iface=sl-<port name>,mac=<the port's MAC>" (the config
 * may add or override arguments); "net_virtio_user,path=/dev/vhost-net"
 * (vhost-kernel) gets queues= one per worker as well. The kernel interface gets the port's
 * MAC, so what the kernel sends leaves with the address the wire knows
 * and answers come back to the same MAC; a tap also gets the port's MTU
 * (what the kernel sends leaves by the port unchecked, so it must not be
 * longer than the port carries; a virtio-user device keeps its own). The host's addresses and routes
 * on that interface come from the config (ctl_hostif.c), given to the
 * kernel each time the device is created.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ctl.h"
#include "devargs.h"
#include "log.h"

uint32_t sl_model_exception_ports(const struct sl_model *m)
{
	uint32_t n = 0;

	for (uint32_t p = 0; p < m->nports; p++)
		n += m->ports[p].exception[0] != '\0';
	return n;
}

/* "net_tap[,args]" -> "net_tap_sl<P>[,args],iface=...,mac=..." */
static void exception_devargs(const struct sl_ctl *ctl, uint32_t p, char *out,
			      size_t len)
{
	const struct sl_model_port *mp = &ctl->model.ports[p];
	const uint8_t *mac = ctl->ports[p].mac;
	const char *args = strchr(mp->exception, ',');
	size_t drv = args ? (size_t)(args - mp->exception) : strlen(mp->exception);
	bool tap = strncmp(mp->exception, "net_tap", drv) == 0;
	int n;

	n = snprintf(out, len, "%.*s_sl%u%s", (int)drv, mp->exception, p, args ? args : "");
	/* virtio-user names its tap with iface= too (vhost-kernel). */
	if (!sl_devargs_has(mp->exception, "iface")) {
		char ifname[IF_NAMESIZE];
		sl_model_exception_ifname(mp, ifname, sizeof(ifname));
		n += snprintf(out + n, len - (size_t)n, ",iface=%s", ifname);
	}
	if (!tap && !sl_devargs_has(mp->exception, "queues"))
		n += snprintf(out + n, len - (size_t)n, ",queues=%u", ctl->model.workers);
	if (!sl_devargs_has(mp->exception, "mac"))
		snprintf(out + n, len - (size_t)n, ",mac=%02x:%02x:%02x:%02x:%02x:%02x",
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* The kernel interface of port p's exception device gets the host's
 * addresses and routes from the config. */
static int host_side(struct sl_ctl *ctl, uint32_t p, char *errbuf, size_t errlen)
{
	const struct sl_model_port *mp = &ctl->model.ports[p];
	struct rte_eth_dev_info info;
	char ifname[IF_NAMESIZE], why[200];

	if (mp->nhost_addrs == 0 && mp->nhost_routes == 0)
		return 0;
	if (rte_eth_dev_info_get(ctl->host_ports[p].ethdev, &info) != 0 ||
	    info.if_index == 0 || !if_indextoname(info.if_index, ifname)) {
		snprintf(errbuf, errlen, "port %s: the exception device has no kernel "
			 "interface to give the host's addresses to", mp->name);
		return -1;
	}
	if (sl_ctl_hostif_apply(mp, ifname, why, sizeof(why)) != 0) {
		snprintf(errbuf, errlen, "port %s: exception.%s", mp->name, why);
		return -1;
	}
	return 0;
}

int sl_ctl_port_kernel_forwarding(const struct sl_ctl *ctl, uint32_t p)
{
	char ifname[IF_NAMESIZE + 1], path[96], v[4] = "";

	if (!sl_devargs_get(ctl->model.ports[p].devargs, "iface", ifname, sizeof(ifname)) ||
	    strchr(ifname, '/') != NULL)
		return -1;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding", ifname);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	bool got = fgets(v, sizeof(v), f) != NULL;
	fclose(f);
	return got ? v[0] == '1' : -1;
}

/* A port on a kernel interface: the kernel sees its frames too (all of
 * them on af_packet; on af_xdp, all of them whenever Sluice's program is
 * not attached: before start, after a stop or a cleanup). Forwarding
 * there sends frames out a second time, and inside hosts' out
 * untranslated. Sluice needs none of it. */
static void warn_kernel_forwarding(const struct sl_ctl *ctl, uint32_t p)
{
	char ifname[IF_NAMESIZE + 1];

	if (sl_ctl_port_kernel_forwarding(ctl, p) != 1)
		return;
	sl_devargs_get(ctl->model.ports[p].devargs, "iface", ifname, sizeof(ifname));
	sl_warn("port %s: the kernel forwards IPv4 on %s (net.ipv4.conf.%s.forwarding=1): "
		"it may send frames Sluice also handles a second time, and inside hosts' "
		"traffic out untranslated while Sluice's XDP program is not attached; "
		"Sluice needs no kernel forwarding: sysctl -w net.ipv4.conf.%s.forwarding=0",
		ctl->model.ports[p].name, ifname, ifname, ifname);
}

int sl_ctl_port_extras(struct sl_ctl *ctl, uint32_t p, char *errbuf, size_t errlen)
{
	const struct sl_model_port *mp = &ctl->model.ports[p];
	struct sl_dataplane *dp = ctl->dp;
	char devargs[SL_DEVARGS_MAX + 96], why[200];

	warn_kernel_forwarding(ctl, p);
	if (sl_ctl_xdp_port_opened(ctl, p, errbuf, errlen) != 0)
		return -1;
	if (mp->exception[0] == '\0')
		return 0;
	exception_devargs(ctl, p, devargs, sizeof(devargs));
	/* A tap gets the port's MTU: the host must not send frames longer
	 * than the port carries (they would leave by it unchecked). */
	struct sl_port_opts opts = {.offloads = true};
	if (strncmp(devargs, "net_tap", 7) == 0)
		opts.mtu = dp->mtu[p];
	if (sl_port_open(devargs, (uint16_t)ctl->model.workers, &opts, dp->pool,
			 &ctl->host_ports[p], why, sizeof(why)) != 0) {
		snprintf(errbuf, errlen, "exception device %s: %s", devargs, why);
		return -1;
	}
	dp->host_ethdev[p] = ctl->host_ports[p].ethdev;
	dp->host_mask |= (uint8_t)(1u << p);
	sl_info("port %s: exception device %s (ethdev %u): frames that are not "
		"Sluice's go to the kernel through it", mp->name, devargs,
		ctl->host_ports[p].ethdev);
	return host_side(ctl, p, errbuf, errlen);
}

void sl_ctl_ports_close(struct sl_ctl *ctl)
{
	struct sl_dataplane *dp = ctl->dp;

	for (uint32_t p = 0; p < SL_MAX_PORTS; p++)
		if (dp->host_mask & (1u << p))
			sl_port_close(dp->host_ethdev[p]);
	dp->host_mask = 0;
	sl_ctl_xdp_close(ctl);
}
