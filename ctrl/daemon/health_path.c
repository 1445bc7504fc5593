/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which path a health check takes (health.h): the host's kernel stack
 * (health.path "kernel", the default), from health.source when set; or
 * the data path (health.path "data"): the check's socket is bound to the
 * exception tap of the port that reaches the server (SO_BINDTODEVICE),
 * from the tap's address on the servers' side, so what it sends leaves
 * by Sluice's DPDK port and the answer, for an address Sluice does not
 * own, comes back to the kernel through the tap. Such a check sees the
 * port, its link, the neighbor entries and the server, and none of the
 * host's management network. The data path is IPv4 only (the taps'
 * addresses are); an IPv6 server is checked over the kernel's v6 stack,
 * to the address its target holds (sl_hc_target_sockaddr).
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "health.h"
#include "log.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

/* Why the model gives no tap for this server, for the check's reason. */
static void no_source(struct sl_hc_target *t, const struct sl_model *m, int rc,
		      uint8_t port)
{
	const char *name = rc == SL_HC_SRC_NO_ROUTE ? "" : m->ports[port].name;

	snprintf(t->path_err, sizeof(t->path_err), "data path: %s%s%s",
		 rc == SL_HC_SRC_NO_ROUTE ? "no port reaches the server" : "port ",
		 name, rc == SL_HC_SRC_NO_DEVICE ? " has no exception device"
		       : rc == SL_HC_SRC_NO_ADDRESS ? " has no exception address"
		       : rc == SL_HC_SRC_NO_TAP_ROUTE ? "'s exception has no route to it"
		       : "");
}

bool sl_hc_path_sync(struct sl_hc_target *t, const struct sl_model *m)
{
	struct sl_hc_target was = *t;
	uint8_t port = 0;
	sl_be32 src = 0;

	t->data_path = m->hc_data_path;
	t->src = 0;
	t->ifname[0] = t->path_err[0] = '\0';
	if (t->data_path && t->ip == 0) /* the config refuses it too */
		snprintf(t->path_err, sizeof(t->path_err),
			 "data path: IPv4 only (an IPv6 server takes the kernel path)");
	else if (t->data_path) {
		int rc = sl_model_hc_source(m, t->ip, &port, &src);
		if (rc == 0) {
			t->src = src;
			sl_model_exception_ifname(&m->ports[port], t->ifname,
						  sizeof(t->ifname));
		} else {
			no_source(t, m, rc, port);
		}
	}
	return was.data_path != t->data_path || was.src != t->src ||
	       strcmp(was.ifname, t->ifname) != 0;
}

/* A v6 check on the kernel path leaves from health.source's v6 address
 * when one is set (the kernel picks otherwise). */
static int bind_source6(const struct sl_health *h, int fd, char *why, size_t len)
{
	static const uint8_t none[16];
	struct sockaddr_in6 from = {.sin6_family = AF_INET6};
	int one = 1;

	if (memcmp(h->source6, none, 16) == 0)
		return 0;
	memcpy(&from.sin6_addr, h->source6, 16);
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0) {
		char a[SL_IPV6_STRLEN];
		snprintf(why, len, "bind to health.source %s: %s",
			 sl_fmt_ipv6(h->source6, a), strerror(errno));
		return -1;
	}
	return 0;
}

int sl_hc_path_bind(const struct sl_health *h, const struct sl_hc_target *t,
		    int fd, char *why, size_t len)
{
	sl_be32 src = t->data_path ? t->src : h->source;
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_addr.s_addr = src};
	int one = 1;

	if (t->data_path && t->path_err[0]) {
		snprintf(why, len, "%s", t->path_err);
		return -1;
	}
	if (t->data_path &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t->ifname,
		       (socklen_t)strlen(t->ifname)) != 0) {
		snprintf(why, len, "data path: bind to %s: %s", t->ifname,
			 strerror(errno));
		return -1;
	}
	if (t->ip == 0) /* a v6 server: health.source's v6 address, if any */
		return t->data_path ? 0 : bind_source6(h, fd, why, len);
	if (!src)
		return 0;
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0) {
		char a[SL_IPV4_STRLEN];
		snprintf(why, len, "bind to %s %s: %s",
			 t->data_path ? t->ifname : "health.source",
			 sl_fmt_ipv4(src, a), strerror(errno));
		return -1;
	}
	return 0;
}

const char *sl_hc_path_name(const struct sl_hc_target *t, char *buf, size_t len)
{
	char a[SL_IPV4_STRLEN];

	if (!t->data_path)
		return "kernel";
	if (t->path_err[0])
		return t->path_err;
	snprintf(buf, len, "data: %s from %s", t->ifname, sl_fmt_ipv4(t->src, a));
	return buf;
}

const char *sl_hc_target_name(const struct sl_hc_target *t, char *buf, size_t len)
{
	char a[SL_ADDRPORT_STRLEN], b[SL_ADDRPORT_STRLEN];

	snprintf(buf, len, "%s of %s/%s", sl_hc_target_addr(t, a),
		 sl_fmt_addrport(&t->vaddr, t->vport, b), sl_proto_name(t->proto));
	return buf;
}

/* Whether the whole process may log one more local-error line now: a
 * management link flap hits every server at once, and thousands of
 * servers each saying so would flood the journal (which then drops
 * lines that matter). A server refused here is not marked as logged,
 * so it says so in a later second, with its count. */
static bool local_log_budget(uint64_t now)
{
	static uint64_t window_ms;
	static unsigned used;

	if (window_ms == 0 || now - window_ms >= 1000) {
		window_ms = now;
		used = 0;
	}
	return used++ < SL_HC_LOCAL_LOG_PER_S;
}

void sl_hc_local_log(struct sl_hc_target *t, uint64_t now)
{
	char name[96];

	if ((t->local_log_ms != 0 && now - t->local_log_ms < SL_HC_LOCAL_LOG_MS) ||
	    !local_log_budget(now)) {
		t->local_unlogged++;
		return;
	}
	sl_warn("health: real server %s is not being checked: %s (%llu more of its "
		"local errors since its last warning; stats health.local_errors)",
		sl_hc_target_name(t, name, sizeof(name)), t->last_reason,
		(unsigned long long)t->local_unlogged);
	t->local_log_ms = now;
	t->local_unlogged = 0;
}

/* An interface's rp_filter under `root` (conf/NAME/rp_filter), or -1
 * with the file's path and what was wrong with it in `err`. */
static int rp_filter(const char *root, const char *name, char *err, size_t len)
{
	char path[128];
	int v = -1;

	snprintf(path, sizeof(path), "%s/sys/net/ipv4/conf/%s/rp_filter", root, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fscanf(f, "%d", &v) != 1 || v < 0) {
		snprintf(err, len, "%s: not a number", path);
		v = -1;
	}
	fclose(f);
	return v;
}

int sl_hc_rp_filter_check(const struct sl_model *m, const char *root, char *why,
			  size_t len)
{
	char a[SL_IPV4_STRLEN], err[192];

	for (uint32_t p = 0; m->hc_data_path && p < m->nports; p++) {
		const struct sl_model_port *mp = &m->ports[p];
		const char *iface = strstr(mp->devargs, ",iface=");
		if (strncmp(mp->devargs, "net_af_packet", 13) != 0 || !iface ||
		    mp->nhost_addrs == 0)
			continue;
		char name[IF_NAMESIZE];
		iface += strlen(",iface=");
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(iface, ","), iface);
		/* The kernel applies the larger of "all" and the interface's. */
		int all = rp_filter(root, "all", err, sizeof(err));
		int own = all < 0 ? -1 : rp_filter(root, name, err, sizeof(err));
		if (all < 0 || own < 0) {
			/* A file missing or unreadable says nothing of the
			 * setting: name the file, never a made-up value. */
			snprintf(why, len, "port %s (net_af_packet on %s): cannot "
				 "read %s; data-path checks need strict rp_filter "
				 "there", mp->name, name, err);
			return -1;
		}
		int v = all > own ? all : own;
		if (v == 1)
			continue;
		/* Kept under sl_err's 256 bytes (31-character port, 15 interface):
		 * the sysctl that fixes it comes whole. */
		snprintf(why, len, "port %s (net_af_packet on %s): its kernel would "
			 "reset answers to the tap's %s; rp_filter is %d, strict "
			 "needed: sysctl -w net.ipv4.conf.%s.rp_filter=1 "
			 "(conf.all.rp_filter <= 1)",
			 mp->name, name, sl_fmt_ipv4(mp->host_addrs[0].ip, a), v, name);
		return -1;
	}
	return 0;
}

int sl_hc_path_refuse(const struct sl_model *next, const char *root, struct sl_err *err)
{
	char why[512];

	if (sl_hc_rp_filter_check(next, root, why, sizeof(why)) == 0)
		return 0;
	return sl_err_set(err, SL_E_INVALID, "health.path", "%s", why);
}

/* ---- a target's server: identity and address (IPv4 or IPv6) ------------ */

bool sl_hc_target_is(const struct sl_hc_target *t, uint16_t svc_id,
		     const struct sl_model_rs *rs)
{
	return t->svc_id == svc_id && t->ip == rs->ip && t->port == rs->port &&
	       (rs->ip != 0 || memcmp(t->ip6, rs->ip6, 16) == 0);
}

char *sl_hc_target_addr(const struct sl_hc_target *t, char *buf)
{
	struct sl_addr a = sl_addr_v4(t->ip);

	if (t->ip == 0) {
		a.af = SL_AF_V6;
		memcpy(a.v6, t->ip6, 16);
	}
	return sl_fmt_addrport(&a, t->port, buf);
}

socklen_t sl_hc_target_sockaddr(const struct sl_hc_target *t, uint16_t port,
				struct sockaddr_storage *to)
{
	memset(to, 0, sizeof(*to));
	if (t->ip == 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)to;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, t->ip6, 16);
		s6->sin6_port = sl_htons(port);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)to;
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = t->ip;
	s4->sin_port = sl_htons(port);
	return sizeof(*s4);
}
