/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's addresses and routes on a port's exception interface
 * (config "exception": {"addresses", "routes"}), given to the kernel each
 * time Sluice creates the interface: it dies with the process, and what
 * an operator put on it by hand was lost at every restart.
 *
 * Classic ioctls on an AF_INET socket: SIOCSIFADDR / SIOCSIFNETMASK (a
 * second address goes on the label IF:1, and so on), IFF_UP, SIOCADDRT.
 * An address or route the kernel already has is fine (a restart); any
 * other refusal is an error naming the address or route.
 */
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "ctl.h"
#include "log.h"

static struct sockaddr_in sin_of(sl_be32 ip)
{
	return (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = ip};
}

/* Address i on `ifname` (a label for all but the first). */
static int set_address(int fd, const char *ifname, unsigned i,
		       const struct sl_hostif_addr *a, char *errbuf, size_t errlen)
{
	struct ifreq ifr = {0};
	struct sockaddr_in ip = sin_of(a->ip), mask = sin_of(sl_prefix_mask(a->plen));
	char s[SL_IPV4_STRLEN];

	if ((i ? snprintf(ifr.ifr_name, IFNAMSIZ, "%s:%u", ifname, i)
	       : snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname)) >= IFNAMSIZ) {
		snprintf(errbuf, errlen, "%s: no room for a label for address %s",
			 ifname, sl_fmt_ipv4(a->ip, s));
		return -1;
	}
	memcpy(&ifr.ifr_addr, &ip, sizeof(ip));
	if (ioctl(fd, SIOCSIFADDR, &ifr) != 0)
		goto fail;
	memcpy(&ifr.ifr_netmask, &mask, sizeof(mask));
	if (ioctl(fd, SIOCSIFNETMASK, &ifr) != 0)
		goto fail;
	return 0;
fail:
	snprintf(errbuf, errlen, "%s: address %s/%u: %s", ifname, sl_fmt_ipv4(a->ip, s),
		 a->plen, strerror(errno));
	return -1;
}

static int bring_up(int fd, const char *ifname, char *errbuf, size_t errlen)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)) {
		snprintf(errbuf, errlen, "%s: up: %s", ifname, strerror(errno));
		return -1;
	}
	return 0;
}

static int add_route(int fd, const char *ifname, const struct sl_hostif_route *r,
		     char *errbuf, size_t errlen)
{
	char dev[IFNAMSIZ], a[SL_IPV4_STRLEN];
	struct rtentry rt = {0};
	struct sockaddr_in dst = sin_of(r->prefix), mask = sin_of(sl_prefix_mask(r->plen)),
			   gw = sin_of(r->via);

	snprintf(dev, sizeof(dev), "%s", ifname);
	memcpy(&rt.rt_dst, &dst, sizeof(dst));
	memcpy(&rt.rt_genmask, &mask, sizeof(mask));
	memcpy(&rt.rt_gateway, &gw, sizeof(gw));
	rt.rt_flags = RTF_UP | (r->via ? RTF_GATEWAY : 0);
	rt.rt_dev = dev;
	if (ioctl(fd, SIOCADDRT, &rt) == 0 || errno == EEXIST)
		return 0;
	snprintf(errbuf, errlen, "%s: route %s/%u: %s", ifname,
		 sl_fmt_ipv4(r->prefix, a), r->plen, strerror(errno));
	return -1;
}

int sl_ctl_hostif_apply(const struct sl_model_port *mp, const char *ifname,
			char *errbuf, size_t errlen)
{
	int rc = 0, fd;

	if (mp->nhost_addrs == 0 && mp->nhost_routes == 0)
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: socket: %s", ifname, strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < mp->nhost_addrs && rc == 0; i++)
		rc = set_address(fd, ifname, i, &mp->host_addrs[i], errbuf, errlen);
	if (rc == 0)
		rc = bring_up(fd, ifname, errbuf, errlen);
	for (unsigned i = 0; i < mp->nhost_routes && rc == 0; i++)
		rc = add_route(fd, ifname, &mp->host_routes[i], errbuf, errlen);
	close(fd);
	if (rc == 0)
		sl_info("%s: the host's %u address%s and %u route%s applied", ifname,
			mp->nhost_addrs, mp->nhost_addrs == 1 ? "" : "es",
			mp->nhost_routes, mp->nhost_routes == 1 ? "" : "s");
	return rc;
}
