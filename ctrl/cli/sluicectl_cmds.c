/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's commands: what each accepts, its help, and how its
 * arguments become the request's "args" (ctrl/README.md gives every
 * request's shape). Arguments are parsed with the same functions the
 * daemon uses (addr.h), so what passes here is in the form the daemon
 * expects; the daemon still checks everything, and has the last word on
 * anything that depends on its state (reachability, names of ports).
 *
 * Defaults: "proto" is always sent ("tcp" unless --proto), since it is
 * part of a service's identity and the confirmation names it; the
 * scheduler and the weight are sent only when given, so the daemon's
 * defaults apply and its answer reports what it chose.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "protocol.h"
#include "sluicectl.h"

#define LIMIT_MAX 10000 /* conn.list's own cap (ctrl/README.md) */

static int build_vip_add(const struct slc_cmd *c, const struct slc_args *a,
			 json_t *args)
{
	if (slc_put_service(c, a, args) < 0)
		return -1;
	return slc_put_svc_opts(c, a, args);
}

static int build_vip_set(const struct slc_cmd *c, const struct slc_args *a,
			 json_t *args)
{
	if (!slc_any_of(a, SLC_SVC_OPTS)) {
		slc_usage_error(c, "nothing to change: give --sched, --hash-ports, "
				"--persist, --mh-size, --on-down, --panic-percent, "
				"--announce-when or --check options");
		return -1;
	}
	return build_vip_add(c, a, args);
}

static int build_service(const struct slc_cmd *c, const struct slc_args *a,
			 json_t *args)
{
	return slc_put_service(c, a, args);
}

/* rs.*: the service, then "rs": {ip, port[, weight]}. */
static int build_rs(const struct slc_cmd *c, const struct slc_args *a,
		    json_t *args)
{
	json_t *rs;

	if (slc_put_service(c, a, args) < 0)
		return -1;
	rs = json_object();
	if (slc_set(c, args, "rs", rs) < 0) /* args now owns rs */
		return -1;
	if (slc_put_ipport(c, "real server address", a->pos[1], rs, "ip",
		       "port") < 0)
		return -1;
	if (slc_put_uint_opt(c, a, SLC_O_WEIGHT, 0, SL_MAX_WEIGHT, rs, "weight") < 0)
		return -1;
	if (slc_put_check(c, a, rs, c->build != build_rs) < 0 ||
	    slc_put_flag(c, a, SLC_O_FORCE, args, "force") < 0)
		return -1;
	return slc_put_flag(c, a, SLC_O_FLUSH, args, "flush");
}

static int build_rs_set(const struct slc_cmd *c, const struct slc_args *a,
			json_t *args)
{
	if (!a->opt[SLC_O_WEIGHT] && !slc_any_of(a, SLC_CHECK_OPTS)) {
		slc_usage_error(c, "missing --weight N (0..%u) or --check options",
				SL_MAX_WEIGHT);
		return -1;
	}
	return build_rs(c, a, args);
}

static int build_laddr_add(const struct slc_cmd *c, const struct slc_args *a,
			   json_t *args)
{
	if (slc_put_ip(c, "local address", a->pos[0], true, args, "ip") < 0)
		return -1;
	return slc_put_port_name(c, a, args);
}

static int build_laddr_del(const struct slc_cmd *c, const struct slc_args *a,
			   json_t *args)
{
	return slc_put_ip(c, "local address", a->pos[0], true, args, "ip");
}

static int build_neigh_add(const struct slc_cmd *c, const struct slc_args *a,
			   json_t *args)
{
	char buf[SL_MAC_STRLEN];
	uint8_t mac[6];

	if (slc_put_ip(c, "neighbor address", a->pos[0], true, args, "ip") < 0)
		return -1;
	if (sl_parse_mac(a->pos[1], mac) < 0) {
		slc_usage_error(c, "bad MAC address '%s': expected "
				"aa:bb:cc:dd:ee:ff", a->pos[1]);
		return -1;
	}
	if (slc_set(c, args, "mac", json_string(sl_fmt_mac(mac, buf))) < 0)
		return -1;
	return slc_put_port_name(c, a, args);
}

static int build_neigh_del(const struct slc_cmd *c, const struct slc_args *a,
			   json_t *args)
{
	return slc_put_ip(c, "neighbor address", a->pos[0], true, args, "ip");
}

/* --src PREFIX as the daemon reads it ("198.18.2.0/24"). */
static int put_src_prefix(const struct slc_cmd *c, const struct slc_args *a,
			  json_t *args)
{
	sl_be32 ip;
	uint8_t plen;

	if (!a->opt[SLC_O_SRC]) {
		slc_usage_error(c, "missing --src PREFIX (A.B.C.D/LEN)");
		return -1;
	}
	if (sl_parse_prefix(a->opt[SLC_O_SRC], &ip, &plen, true) < 0) {
		slc_usage_error(c, "bad --src '%s': expected a network A.B.C.D/LEN",
				a->opt[SLC_O_SRC]);
		return -1;
	}
	return slc_set(c, args, "src", json_string(a->opt[SLC_O_SRC]));
}

static int build_snat_add(const struct slc_cmd *c, const struct slc_args *a,
			  json_t *args)
{
	const char *f = a->opt[SLC_O_FILTERING];
	sl_be32 first, last;

	if (put_src_prefix(c, a, args) < 0)
		return -1;
	if (!a->opt[SLC_O_POOL] ||
	    sl_parse_ipv4_range(a->opt[SLC_O_POOL], &first, &last) < 0) {
		slc_usage_error(c, "%s --pool '%s': expected FIRST-LAST (A.B.C.D-E.F.G.H)",
				a->opt[SLC_O_POOL] ? "bad" : "missing",
				a->opt[SLC_O_POOL] ? a->opt[SLC_O_POOL] : "");
		return -1;
	}
	if (slc_set(c, args, "pool", json_string(a->opt[SLC_O_POOL])) < 0)
		return -1;
	if (f && strcmp(f, "eif") && strcmp(f, "adf") &&
	    strcmp(f, "endpoint-independent") && strcmp(f, "address-dependent")) {
		slc_usage_error(c, "bad --filtering '%s': expected eif or adf", f);
		return -1;
	}
	if (f && slc_set(c, args, "filtering", json_string(f)) < 0)
		return -1;
	return slc_put_port_name(c, a, args);
}

static int build_snat_del(const struct slc_cmd *c, const struct slc_args *a,
			  json_t *args)
{
	return put_src_prefix(c, a, args);
}

static int build_snat_sessions(const struct slc_cmd *c, const struct slc_args *a,
			       json_t *args)
{
	if (a->opt[SLC_O_SRC] &&
	    slc_put_ip(c, "--src address", a->opt[SLC_O_SRC], false, args, "src") < 0)
		return -1;
	return slc_put_uint_opt(c, a, SLC_O_LIMIT, 1, LIMIT_MAX, args, "limit");
}

/* --vip takes an address ("A.B.C.D", "2001:db8::1") or a service
 * ("A.B.C.D:PORT", "[V6]:PORT"); a filter need not be unicast (it only
 * has to match), so only its syntax is checked. */
static bool names_service(const char *vip)
{
	const char *colon = strchr(vip, ':');

	return vip[0] == '[' || (colon && !strchr(colon + 1, ':'));
}

static int build_conn_list(const struct slc_cmd *c, const struct slc_args *a,
			   json_t *args)
{
	const char *vip = a->opt[SLC_O_VIP];
	char buf[SL_ADDR_STRLEN];
	struct sl_addr ip;
	sl_be16 port;

	if (vip && names_service(vip)) {
		if (sl_parse_addr_port(vip, &ip, &port) < 0) {
			slc_bad_ipport(c, "--vip", vip);
			return -1;
		}
		if (slc_set(c, args, "vip", json_string(sl_fmt_addr(&ip, buf))) < 0 ||
		    slc_set(c, args, "port", json_integer(sl_ntohs(port))) < 0)
			return -1;
	} else if (vip && slc_put_ip(c, "--vip", vip, false, args, "vip") < 0) {
		return -1;
	}
	return slc_put_uint_opt(c, a, SLC_O_LIMIT, 1, LIMIT_MAX, args, "limit");
}

static int build_none(const struct slc_cmd *c, const struct slc_args *a,
		      json_t *args)
{
	(void)c;
	(void)a;
	(void)args;
	return 0;
}

/* PREFIX of either family, host bits zero, or one address. */
static int build_blocklist(const struct slc_cmd *c, const struct slc_args *a,
			   json_t *args)
{
	const char *s = a->pos[0];
	struct sl_addr ip;
	uint8_t plen;

	if (strchr(s, '/') ? sl_parse_addr_prefix(s, &ip, &plen, true) < 0
			   : sl_parse_addr(s, &ip) < 0) {
		slc_usage_error(c, "bad prefix '%s': expected A.B.C.D/LEN or "
				"2001:db8::/LEN with host bits zero, or one address", s);
		return -1;
	}
	if (slc_set(c, args, "prefix", json_string(s)) < 0)
		return -1;
	return slc_put_flag(c, a, SLC_O_FORCE, args, "force");
}

static int build_xdp_syn_rate(const struct slc_cmd *c, const struct slc_args *a,
			      json_t *args)
{
	static const char *const keys[] = { "syn_rate", "syn_burst" };
	unsigned long v;

	for (unsigned i = 0; i < 2; i++) {
		if (sl_parse_uint(a->pos[i], 0, 10000000, &v) < 0) {
			slc_usage_error(c, "bad %s '%s': expected 0..10000000",
					c->posname[i], a->pos[i]);
			return -1;
		}
		if (slc_set(c, args, keys[i], json_integer((json_int_t)v)) < 0)
			return -1;
	}
	return 0;
}

#define PROTO_HELP "  --proto tcp|udp   the service's protocol (default tcp)\n"
#define PORT_HELP(what)                                                        \
	"  --port NAME       the port (from the config) " what " is on;\n"        \
	"                    default: the port whose prefix holds the address\n"

#define SVC_HELP                                                               \
	"  --sched S         scheduler: rr, wrr (weighted round robin), lc, wlc\n"  \
	"                    (least connections, weighted), sh (source hash),\n"    \
	"                    mh (Maglev hash); the daemon's default: wrr\n"        \
	"  --hash-ports[=on|off]  sh/mh hash the client port too\n"                \
	"  --persist SEC     a client keeps its server for SEC seconds after its\n" \
	"                    last new connection (0: off)\n"                       \
	"  --mh-size N       Maglev table size, a prime (default 65537)\n"         \
	"  --on-down keep|flush  a server that goes down keeps its connections,\n" \
	"                    or they are reset (RST both sides)\n"                \
	"  --panic-percent N more than N% of the servers down: health is\n"      \
	"                    ignored, all are kept up (fail open; 0: off)\n"     \
	"  --announce-when any|all  with announce.table, the VIP's route is\n"   \
	"                    announced while any (default) / all of its\n"       \
	"                    servers are healthy\n"
#define CHECK_HELP                                                             \
	"  --check T         health check: tcp, http, udp or none\n"               \
	"  --interval MS     between checks (default 2000)\n"                      \
	"  --timeout MS      a check fails after MS (default 1000; at most the\n"  \
	"                    interval); also --check-timeout\n"                    \
	"  --rise N          passes in a row to come up (default 2)\n"             \
	"  --fall N          failures in a row to go down (default 3)\n"           \
	"  --check-port N    port to check (default 0: the server's own)\n"        \
	"  --check-path P    http: the path (default /)\n"                         \
	"  --check-status N  http: the status that passes (default 200)\n"

const struct slc_cmd slc_cmds[] = {
	{ "vip", "add", "vip.add", "VIP:PORT [--proto tcp|udp] [--sched S] [OPTIONS]",
	  "add a virtual service",
	  "Options:\n" PROTO_HELP SVC_HELP CHECK_HELP
	  "\nExamples:\n  sluicectl vip add 198.18.0.100:80 --sched wrr\n"
	  "  sluicectl vip add [2001:db8::100]:80 --sched mh\n"
	  "  sluicectl vip add 198.18.0.100:80 --sched mh --check tcp --interval 1000\n",
	  { "VIP:PORT" }, 1, SLC_OPT(SLC_O_PROTO) | SLC_SVC_OPTS, true,
	  build_vip_add, slc_print_vip_add },
	{ "vip", "set", "vip.set", "VIP:PORT [--proto tcp|udp] OPTIONS",
	  "change a virtual service's scheduler, persistence or health check",
	  "Only what is given changes; health-check options change only those\n"
	  "fields of the check.\n\nOptions:\n" PROTO_HELP SVC_HELP CHECK_HELP
	  "\nExamples:\n  sluicectl vip set 198.18.0.100:80 --check http --check-path /health\n"
	  "  sluicectl vip set 198.18.0.100:80 --sched lc --persist 300\n",
	  { "VIP:PORT" }, 1, SLC_OPT(SLC_O_PROTO) | SLC_SVC_OPTS, true,
	  build_vip_set, slc_print_vip_set },
	{ "vip", "del", "vip.del", "VIP:PORT [--proto tcp|udp]",
	  "delete a virtual service and its real servers",
	  "Options:\n" PROTO_HELP
	  "\nConnections already open keep running until they end.\n"
	  "\nExample:\n  sluicectl vip del 198.18.0.100:80\n",
	  { "VIP:PORT" }, 1, SLC_OPT(SLC_O_PROTO), true, build_service,
	  slc_print_vip_del },
	{ "vip", "list", "vip.list", "", "list virtual services and their real servers",
	  "Example:\n  sluicectl vip list\n", { NULL }, 0, 0, false, build_none,
	  slc_print_vip_list },
	{ "rs", "add", "rs.add",
	  "VIP:PORT RS:PORT [--proto tcp|udp] [--weight N] [CHECK] [--force]",
	  "add a real server to a virtual service",
	  "Options:\n" PROTO_HELP
	  "  --weight N        0..65535 (the daemon's default: 1); 0 takes no new\n"
	  "                    connections\n"
	  "  --force           add it even inside a blocklist prefix (refused\n"
	  "                    otherwise: its replies would be dropped)\n"
	  "Check options override the service's check for this server only:\n"
	  CHECK_HELP
	  "\nExamples:\n  sluicectl rs add 198.18.0.100:80 198.18.1.11:8080 --weight 10\n"
	  "  sluicectl rs add [2001:db8::100]:80 [2001:db8:1::11]:8080\n"
	  "  sluicectl rs add [2001:db8::64]:80 198.18.1.11:8080   # NAT64\n",
	  { "VIP:PORT", "RS:PORT" }, 2,
	  SLC_OPT(SLC_O_PROTO) | SLC_OPT(SLC_O_WEIGHT) | SLC_CHECK_OPTS |
	  SLC_OPT(SLC_O_FORCE), true, build_rs, slc_print_rs_add },
	{ "rs", "del", "rs.del", "VIP:PORT RS:PORT [--proto tcp|udp] [--flush]",
	  "remove a real server from a virtual service",
	  "Options:\n" PROTO_HELP
	  "  --flush           reset its open connections (RST both sides); by\n"
	  "                    default they run on until they end\n"
	  "\nExample:\n  sluicectl rs del 198.18.0.100:80 198.18.1.11:8080 --flush\n",
	  { "VIP:PORT", "RS:PORT" }, 2, SLC_OPT(SLC_O_PROTO) | SLC_OPT(SLC_O_FLUSH),
	  true, build_rs, slc_print_rs_del },
	{ "rs", "set", "rs.set", "VIP:PORT RS:PORT [--weight N] [CHECK] [--proto tcp|udp]",
	  "change a real server's weight or its health-check overrides",
	  "Options:\n"
	  "  --weight N        0..65535; 0 drains: no new connections, open ones\n"
	  "                    continue\n"
	  PROTO_HELP
	  "Check options override the service's check for this server only;\n"
	  "--check inherit drops every override:\n" CHECK_HELP
	  "\nExamples:\n  sluicectl rs set 198.18.0.100:80 198.18.1.11:8080 --weight 0\n"
	  "  sluicectl rs set 198.18.0.100:80 198.18.1.11:8080 --check-port 9000\n",
	  { "VIP:PORT", "RS:PORT" }, 2,
	  SLC_OPT(SLC_O_PROTO) | SLC_OPT(SLC_O_WEIGHT) | SLC_CHECK_OPTS, true,
	  build_rs_set, slc_print_rs_set },
	{ "rs", "list", "rs.list", "VIP:PORT [--proto tcp|udp]",
	  "list a virtual service's real servers: weight, state, connections, checks",
	  "States: up; down (failed its health checks: no new connections);\n"
	  "draining (weight 0: no new connections).\n"
	  "Options:\n" PROTO_HELP
	  "\nExample:\n  sluicectl rs list 198.18.0.100:80\n",
	  { "VIP:PORT" }, 1, SLC_OPT(SLC_O_PROTO), true, build_service,
	  slc_print_rs_list },
	{ "laddr", "add", "laddr.add", "IP [--port NAME]",
	  "add a local address (a source towards real servers)",
	  "Options:\n" PORT_HELP("the address")
	  "\nExamples:\n  sluicectl laddr add 198.18.1.3 --port lan\n"
	  "  sluicectl laddr add 2001:db8:1::10 --port lan\n",
	  { "IP" }, 1, SLC_OPT(SLC_O_PORT), true, build_laddr_add,
	  slc_print_laddr_add },
	{ "laddr", "del", "laddr.del", "IP", "delete a local address",
	  "Example:\n  sluicectl laddr del 198.18.1.3\n", { "IP" }, 1, 0, true,
	  build_laddr_del, slc_print_laddr_del },
	{ "laddr", "list", "laddr.list", "", "list local addresses",
	  "Example:\n  sluicectl laddr list\n", { NULL }, 0, 0, false, build_none,
	  slc_print_laddr_list },
	{ "neigh", "add", "neigh.add", "IP MAC [--port NAME]",
	  "add a static neighbor (never ages)",
	  "Options:\n" PORT_HELP("the neighbor")
	  "\nExamples:\n  sluicectl neigh add 198.18.1.11 02:00:00:00:01:0b --port lan\n"
	  "  sluicectl neigh add 2001:db8:1::11 02:00:00:00:01:0c\n"
	  "    (IPv6: the port is the one whose ipv6 prefix holds the address)\n",
	  { "IP", "MAC" }, 2, SLC_OPT(SLC_O_PORT), true, build_neigh_add,
	  slc_print_neigh_add },
	{ "neigh", "del", "neigh.del", "IP",
	  "delete a neighbor (a learned one is learned again on its next ARP or NDP)",
	  "Examples:\n  sluicectl neigh del 198.18.1.11\n  sluicectl neigh del 2001:db8:1::11\n", { "IP" }, 1, 0, true,
	  build_neigh_del, slc_print_neigh_del },
	{ "neigh", "list", "neigh.list", "", "list the neighbor (ARP and NDP) table",
	  "States: static, reachable, stale (being probed), incomplete.\n"
	  "IPv6 neighbors are learned from advertisements Sluice asked for.\n"
	  "\nExample:\n  sluicectl neigh list\n", { NULL }, 0, 0, false, build_none,
	  slc_print_neigh_list },
	{ "port", "list", "port.list", "",
	  "list ports: driver, queues, RSS, checksum offloads, MTU, link",
	  "What each port was given at start: RX/TX queues (one per worker),\n"
	  "the RSS hash functions and key (symmetric or the driver's default),\n"
	  "the checksum offloads taken (none: checked or written in software),\n"
	  "the MTU, and the link as last polled (once a second) with the number\n"
	  "of up/down changes since start.\n"
	  "\nExample:\n  sluicectl port list\n", { NULL }, 0, 0, false, build_none,
	  slc_print_port_list },
	{ "port", "show", "port.show", "NAME",
	  "one port as port list shows it, with the driver's extended counters",
	  "NAME is a port's name in the config (\"wan\", \"lan\").\n"
	  "\nExample:\n  sluicectl port show wan\n", { "NAME" }, 1, 0, true,
	  slc_build_port_show, slc_print_port_show },
	{ "capture", NULL, "capture.start",
	  "PORT -w FILE [--count N] [--filter EXPR] [--direction rx|tx|both] [--duration S]",
	  "capture a port's frames into a pcapng file",
	  "Workers copy the port's frames that EXPR matches (a pcap filter, as\n"
	  "tcpdump takes it) to sluice, which writes them to FILE (pcapng; read\n"
	  "it with tcpdump -r or wireshark). RX: every frame taken from the\n"
	  "port, before Sluice looks at it; TX: every frame handed to the port.\n"
	  "sluicectl opens FILE itself and passes it to sluice. Runs until N\n"
	  "frames are written, S seconds pass, or Ctrl-C; then prints the\n"
	  "counts. Copies that found the ring to sluice full, or no buffer,\n"
	  "are lost and counted (the frames themselves are never held up).\n"
	  "Needs the control socket (not the read-only one); one capture at a\n"
	  "time.\n"
	  "\nOptions:\n"
	  "  -w, --write FILE     the capture file (created or truncated)\n"
	  "  --count N            stop after N frames, 1..4294967295\n"
	  "  --filter EXPR        a pcap filter expression (default: every frame)\n"
	  "  --direction DIR      rx, tx or both (default both)\n"
	  "  --duration S         stop after S seconds\n"
	  "\nExamples:\n"
	  "  sluicectl capture wan -w /tmp/wan.pcapng --count 100 --filter 'tcp port 80'\n"
	  "  sluicectl capture lan -w /tmp/lan.pcapng --direction rx --duration 10\n",
	  { "PORT" }, 1,
	  SLC_OPT(SLC_O_COUNT) | SLC_OPT(SLC_O_FILTER) | SLC_OPT(SLC_O_WRITE) |
	  SLC_OPT(SLC_O_DIRECTION) | SLC_OPT(SLC_O_DURATION), true,
	  slc_build_capture, slc_print_capture },
	{ "stats", NULL, "stats", "", "show counters: totals, workers, services, drops",
	  "Examples:\n  sluicectl stats\n  sluicectl --json stats\n", { NULL }, 0,
	  0, false, build_none, slc_print_stats },
	{ "conn", "list", "conn.list", "[--vip VIP[:PORT]] [--limit N]",
	  "list connections",
	  "Options:\n"
	  "  --vip VIP[:PORT]  only connections to this VIP (and port)\n"
	  "  --limit N         at most N connections, 1..10000 (the daemon's\n"
	  "                    default: 100)\n"
	  "\nExamples:\n  sluicectl conn list --vip 198.18.0.100:80 --limit 20\n"
	  "  sluicectl conn list --vip 2001:db8::100\n",
	  { NULL }, 0, SLC_OPT(SLC_O_VIP) | SLC_OPT(SLC_O_LIMIT), true,
	  build_conn_list, slc_print_conn_list },
	{ "snat", "add", "snat.add",
	  "--src PREFIX --pool FIRST-LAST [--port NAME] [--filtering eif|adf]",
	  "add a source NAT rule: inside hosts in PREFIX leave as pool addresses",
	  "Options:\n"
	  "  --src PREFIX       inside network, A.B.C.D/LEN\n"
	  "  --pool FIRST-LAST  outside addresses (at most 64), e.g.\n"
	  "                     198.19.0.100-198.19.0.101\n"
	  "  --port NAME        the port the pool lives on (default: the one\n"
	  "                     whose prefix holds the pool)\n"
	  "  --filtering eif|adf  endpoint-independent or address-dependent\n"
	  "                     (default) filtering of inbound packets\n"
	  "\nExample:\n  sluicectl snat add --src 198.18.2.0/24 "
	  "--pool 198.19.0.100-198.19.0.101 --port out\n",
	  { NULL }, 0,
	  SLC_OPT(SLC_O_SRC) | SLC_OPT(SLC_O_POOL) | SLC_OPT(SLC_O_PORT) |
		  SLC_OPT(SLC_O_FILTERING),
	  true, build_snat_add, slc_print_snat_add },
	{ "snat", "del", "snat.del", "--src PREFIX", "delete a source NAT rule",
	  "Existing sessions run until they end.\n"
	  "\nExample:\n  sluicectl snat del --src 198.18.2.0/24\n",
	  { NULL }, 0, SLC_OPT(SLC_O_SRC), true, build_snat_del, slc_print_snat_del },
	{ "snat", "list", "snat.list", "", "list source NAT rules",
	  "Example:\n  sluicectl snat list\n", { NULL }, 0, 0, false, build_none,
	  slc_print_snat_list },
	{ "snat", "sessions", "snat.sessions", "[--src IP] [--limit N]",
	  "list source NAT sessions",
	  "Options:\n"
	  "  --src IP   only this inside host's sessions\n"
	  "  --limit N  at most N sessions, 1..10000 (default 100)\n"
	  "\nExample:\n  sluicectl snat sessions --src 198.18.2.10\n",
	  { NULL }, 0, SLC_OPT(SLC_O_SRC) | SLC_OPT(SLC_O_LIMIT), true,
	  build_snat_sessions, slc_print_snat_sessions },
	{ "config", "show", "config.show", "",
	  "print the running configuration as a config file",
	  "The output is a config file that `sluice -c` accepts (also with\n"
	  "--json).\n\nExample:\n  sluicectl config show > sluice.json\n",
	  { NULL }, 0, 0, false, build_none, slc_print_config },
	{ "config", "apply", "config.apply", "FILE [--dry-run] [--force]",
	  "replace the whole configuration with FILE, as one change",
	  "FILE is a config file (as `sluice -c` takes). It is checked whole,\n"
	  "then applied as one change, or refused with nothing changed. Settings\n"
	  "fixed at start-up (eal, workers, ports, control, idle, conn_table,\n"
	  "local_port_range, checksum) must be unchanged. VIPs, servers and\n"
	  "addresses that stay keep their statistics and connections. Prints what\n"
	  "was added (+), removed (-) and modified (~). FILE must fit one 64 KiB\n"
	  "request; bigger ones: edit sluice's own file and send it SIGHUP.\n"
	  "A new blocklist prefix that would lock Sluice out (as blocklist add\n"
	  "says) refuses the whole file unless --force.\n"
	  "\nOptions:\n"
	  "  --dry-run   check and list the changes, apply nothing\n"
	  "  --force     take blocklist prefixes that lock Sluice out\n"
	  "\nExample:\n  sluicectl config apply new.json --dry-run\n",
	  { "FILE" }, 1, SLC_OPT(SLC_O_DRY_RUN) | SLC_OPT(SLC_O_FORCE), true, slc_build_config_apply,
	  slc_print_config_apply },
	{ "config", "save", "config.save", "[FILE]",
	  "write the running configuration to a file, atomically",
	  "Without FILE, sluice rewrites the config file it was started with, so\n"
	  "a restart comes back as it is now. With FILE, sluicectl writes it.\n"
	  "Either way the file is replaced atomically (temporary file, fsync,\n"
	  "rename).\n"
	  "\nExamples:\n  sluicectl config save\n  sluicectl config save /tmp/running.json\n",
	  { "[FILE]" }, 1, 0, false, slc_build_config_save, slc_print_config_save },
	{ "blocklist", "add", "blocklist.add", "PREFIX [--force]",
	  "drop frames from a source prefix in XDP, before any worker sees them",
	  "PREFIX is A.B.C.D/LEN or an IPv6 prefix (2001:db8:bad::/48), host\n"
	  "bits zero, or one address (a /32 or /128).\n"
	  "Enforced on net_af_xdp ports running Sluice's XDP program.\n"
	  "A prefix covering every source (/0), a route's gateway, a static\n"
	  "neighbor, the host's gateway on an exception device, a real server, or\n"
	  "(with the prefixes already there) the whole of an SNAT inside network\n"
	  "would cut Sluice or the host off from it, and is refused unless:\n"
	  "  --force           block it all the same\n"
	  "\nExamples:\n  sluicectl blocklist add 203.0.113.0/24\n"
	  "  sluicectl blocklist add 2001:db8:bad::/48\n",
	  { "PREFIX" }, 1, SLC_OPT(SLC_O_FORCE), true, build_blocklist, slc_print_blocklist_add },
	{ "blocklist", "del", "blocklist.del", "PREFIX", "stop dropping a source prefix",
	  "Example:\n  sluicectl blocklist del 203.0.113.0/24\n",
	  { "PREFIX" }, 1, 0, true, build_blocklist, slc_print_blocklist_del },
	{ "blocklist", "list", "blocklist.list", "",
	  "list blocked prefixes and the frames each dropped",
	  "Example:\n  sluicectl blocklist list\n", { NULL }, 0, 0, false,
	  build_none, slc_print_blocklist_list },
	{ "cluster", "status", "cluster.status", "",
	  "session sync: peers, their state, records, loss, refusals, takeover",
	  "Each peer: alive, dead or unknown, when it was last heard, records\n"
	  "sent and received, sync lag (time since its newest record), loss,\n"
	  "replays, bad HMACs and the other refusals; whether this node is ready\n"
	  "(has its full dump) and the peers' local addresses it announces.\n"
	  "Then every other counter that is not 0 (--json shows them all): each\n"
	  "peer's refusals (refused_share summed over the workers), dumps, deaths\n"
	  "and the connections it holds here; the sync engine's, the control\n"
	  "thread's (\"control thread:\") and the workers' (\"workers:\"); the\n"
	  "routes announced by kind. /metrics has them as sluice_cluster_*.\n"
	  "\nExample:\n  sluicectl cluster status\n", { NULL }, 0, 0, false,
	  build_none, slc_print_cluster_status },
	{ "xdp", "syn-rate", "xdp.set", "RATE BURST",
	  "limit TCP SYNs to Sluice's addresses per source, in XDP",
	  "RATE is SYNs per second per source (0: no limit); BURST how many may\n"
	  "come back to back (0: as many as RATE). Enforced on net_af_xdp ports\n"
	  "running Sluice's XDP program.\n"
	  "\nExample:\n  sluicectl xdp syn-rate 100 20\n",
	  { "RATE", "BURST" }, 2, 0, true, build_xdp_syn_rate, slc_print_xdp_set },
	{ "node", "drain", "node.drain", "",
	  "withdraw this node's VIP routes from announce.table",
	  "The routing daemon (BIRD) then withdraws them from the router, so\n"
	  "ECMP sends new flows to the other nodes. Local addresses stay\n"
	  "announced, so replies to open connections still come home. Not kept\n"
	  "across a restart.\n"
	  "\nExample:\n  sluicectl node drain\n",
	  { NULL }, 0, 0, false, build_none, slc_print_node_drain },
	{ "node", "undrain", "node.undrain", "",
	  "announce this node's healthy VIPs again",
	  "Example:\n  sluicectl node undrain\n",
	  { NULL }, 0, 0, false, build_none, slc_print_node_drain },
	{ "node", "status", "node.status", "",
	  "what this node announces, and why each address is or is not",
	  "Every VIP address and local address: announced (wanted) or not and\n"
	  "why, whether its route is in the table yet, the drain and the gate\n"
	  "(closed while cluster sync has no full dump), the prefixes another\n"
	  "protocol's route holds in the table (conflicts: not overwritten),\n"
	  "the counters.\n"
	  "\nExample:\n  sluicectl node status\n",
	  { NULL }, 0, 0, false, build_none, slc_print_node_status },
	{ "raw", NULL, NULL, "JSON-LINE",
	  "send one request line as typed and print the answer line",
	  "For debugging the protocol (ctrl/README.md). The line is not checked\n"
	  "beyond being one line.\n"
	  "\nExample:\n  sluicectl raw '{\"cmd\":\"help\"}'\n",
	  { "JSON-LINE" }, 1, 0, false, NULL, NULL },
};

const unsigned slc_ncmds = SL_ARRAY_SIZE(slc_cmds);
