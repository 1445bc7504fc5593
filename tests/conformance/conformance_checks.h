/* SPDX-License-Identifier: BSD-3-Clause */
/* The checks, included by conformance.c: the early RFC checks in one
 * header per RFC (checks_rfc*.h), the later ones in topic headers
 * (checks_*.h), each check a small function named for the requirement it
 * shows; then the table that names and runs them. */

static void neighbors_json(char *buf, size_t len)
{
	static const uint32_t hosts[] = {SERVER, OTHER, ROUTER_OUT, ROUTER_IN, RS,
					 RS_LPORT(0), RS_LPORT(1), RS_LPORT(2), RS_LPORT(3)};
	size_t n = 0;

	for (unsigned i = 0; i < SL_ARRAY_SIZE(hosts); i++)
		n += (size_t)snprintf(buf + n, len - n,
				      "%s{\"ip\": \"%u.%u.%u.%u\", \"mac\": \"02:00:00:00:%02x:%02x\"}",
				      n ? "," : "", hosts[i] >> 24, (hosts[i] >> 16) & 255,
				      (hosts[i] >> 8) & 255, hosts[i] & 255, i, hosts[i] & 255);
	for (unsigned i = 10; i <= 40 && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n,
				      ",{\"ip\": \"198.18.2.%u\", \"mac\": \"02:00:00:01:02:%02x\"}"
				      ",{\"ip\": \"198.18.3.%u\", \"mac\": \"02:00:00:01:03:%02x\"}",
				      i, i, i, i);
}

static bool is_pool_ab(uint32_t ip)
{
	return ip == POOL_A || ip == POOL_B;
}

/* An outbound UDP packet and where it came out as. */
static bool udp_out(struct harness *h, uint32_t s, uint16_t sp, uint32_t d,
		    uint16_t dp, struct seen *g, char *why)
{
	if (!OUTBOUND(SL_IPPROTO_UDP, s, sp, d, dp, 0, g))
		return WHY("outbound UDP from %08x:%u was not forwarded", s, sp);
	if (!frame_ok(g))
		return WHY("outbound frame has a bad checksum");
	return true;
}

#include "checks_rfc4787.h"
#include "checks_rfc5382.h"
#include "checks_rfc5508.h"
#include "checks_rfc7857.h"
#include "checks_fnat.h"
#include "checks_snat_reconfig.h"
#include "checks_ingress.h"
#include "checks_csum.h"
#include "checks_pick.h"
#include "checks_neigh.h"
#include "checks_state.h"
#include "checks_service.h"
#include "checks_capture.h"
#include "checks_mtu.h"
#include "checks_vlan.h"
#include "checks_ipv6.h"
#include "checks_fnat66.h"
#include "checks_flush6.h"
#include "checks_ctl6.h"
#include "checks_ndp.h"
#include "checks_ndp_hold.h"
#include "checks_echo6.h"
#include "checks_publish6.h"
#include "checks_icmp6.h"
#include "checks_nat64.h"
#include "checks_nat64_path.h"
#include "checks_sync.h"

struct check {
	const char *name;
	check_fn fn;
};

static const struct check checks[] = {
	{"RFC 4787 REQ-1 endpoint-independent mapping (UDP)", eim_udp},
	{"RFC 4787 REQ-2 paired address pooling", paired_pooling},
	{"RFC 4787 REQ-3 port preservation", port_preservation},
	{"RFC 4787 REQ-3 no port overloading", no_port_overloading},
	{"RFC 4787 REQ-3 port kept in its range (0-1023)", port_range_kept},
	{"RFC 4787 REQ-5 mapping timeout >= 2 min, default 5 min", mapping_timeout},
	{"RFC 4787 REQ-6 outbound refresh", outbound_refresh},
	{"RFC 4787 REQ-8 address-dependent filtering", adf_filtering},
	{"RFC 4787 REQ-8 endpoint-independent filtering", eif_filtering},
	{"RFC 4787 REQ-9 hairpinning (UDP)", hairpin_udp},
	{"RFC 4787 REQ-11 deterministic mapping", deterministic},
	{"RFC 5382 REQ-1 endpoint-independent mapping (TCP)", eim_tcp},
	{"RFC 5382 REQ-2 open and close", tcp_open_close},
	{"RFC 5382 REQ-2 simultaneous open", tcp_simultaneous_open},
	{"RFC 5382 REQ-5 established idle timeout >= 2 h 4 min", tcp_established_timeout},
	{"RFC 5382 REQ-5 transitory idle timeout >= 4 min", tcp_transitory_timeout},
	{"RFC 5382 REQ-8 hairpinning (TCP)", hairpin_tcp},
	{"RFC 5382 REQ-4 unsolicited inbound SYN dropped", unsolicited_syn},
	{"RFC 5508 REQ-1 echo queries mapped by identifier", echo_by_id},
	{"RFC 5508 REQ-1 query timeout >= 60 s", query_timeout},
	{"RFC 5508 REQ-3 port unreachable translated", error_port_unreachable},
	{"RFC 5508 REQ-3 fragmentation needed translated", error_frag_needed},
	{"RFC 5508 REQ-3 time exceeded translated", error_time_exceeded},
	{"RFC 5508 REQ-3 error quoting 8 bytes of transport", error_8_byte_quote},
	{"RFC 5508 REQ-3 bad ICMP or quoted IP checksum dropped", error_bad_checksums},
	{"RFC 5508 REQ-4 errors never create or refresh mappings", errors_touch_nothing},
	{"ICMP error quoting address 0 or port 0 dropped (icmp_quote_wildcard)",
	 error_wildcard_quote},
	{"RFC 7857 2.2 session kept 4 min after RST", rst_kept_4_min},
	{"RFC 7857 2.1 outbound RST does not refresh the mapping", rst_no_refresh},
	{"RFC 5961 3 inbound RST: far dropped, near kept open, at the edge closes",
	 rst_sequence_checked},
	{"per-host mapping limit", host_limit},
	{"a full host table is snat_hosts_full, not a host's limit", hosts_full},
	{"pool port exhaustion: counted drop, ICMP 3/13, existing mappings work",
	 port_exhaustion},
	{"full-NAT: ICMP error from the server side reaches the client", fnat_icmp_error},
	{"full-NAT: a client's frag-needed below icmp.mtu_floor dropped, counted",
	 fnat_client_mtu_floor},
	{"unicast for another MAC dropped (l2_other_host), not forwarded",
	 foreign_mac_dropped},
	{"IPv6 parsed, never forwarded: ipv6_not_served, ip6_fragment; v4 unharmed",
	 ipv6_not_served},
	{"IPv6 hostile input: extension headers out of order, looping, routing, "
	 "malformed, too long; martian sources: each its own reason", ipv6_hostile},
	{"FNAT66: v6 TCP and UDP both ways, rewritten, checksums sound, split by rr",
	 fnat66_tcp_udp},
	{"FNAT66: no_connection, no_service, hop limit 1 (time exceeded), no_route",
	 fnat66_refusals},
	{"FNAT66: no v6 key left in the table's pool: conn_ext_full, not table_full",
	 fnat66_ext_full},
	{"FNAT66: persist_netmask6 64 keeps a /64's clients on one server; 128 each "
	 "address its own", fnat66_persist_netmask6},
	{"FNAT66: a flushed v6 connection probes both sides and answers each with "
	 "an exact v6 RST (resets_sent)", flush6_resets_both_ways},
	{"conn.list: a v6 connection dumped with its v6 tuple, found by its v6 VIP "
	 "only", conn_dump_v6},
	{"FNAT66 ICMPv6: a PTB from the server side reaches the client (VIP, quote "
	 "rewritten, checksums sound), MTU clamped to the egress port", icmp6_ptb_to_client},
	{"FNAT66 ICMPv6: a PTB from the client side to the VIP reaches the server, "
	 "MTU floor 1280", icmp6_ptb_to_server},
	{"FNAT66 ICMPv6: a server's port unreachable reaches the client",
	 icmp6_unreachable_to_client},
	{"FNAT66 ICMPv6: unknown quote (icmp6_no_connection), short quote "
	 "(icmp6_quote_truncated), wrong side (icmp6_wrong_side) dropped", icmp6_refused},
	{"ICMPv6 own errors rate-limited: a hop-limit-1 flood all counted ttl_exceeded, "
	 "answered only within the window", icmp6_own_errors_limited},
	{"NAT64: SYN 6->4 from the local address (MSS clamped to both sides), "
	 "SYN+ACK 4->6 from the VIP, UDP both ways, checksums sound, split by rr",
	 nat64_tcp_udp},
	{"NAT64: a server's reply on any worker's queue reaches the local port's owner",
	 nat64_reply_steered},
	{"NAT64 ICMP server side -> client: frag needed 1400 -> PTB 1420, port "
	 "unreachable, time exceeded; quote the client's packet", nat64_icmp_to_client},
	{"NAT64 ICMPv6 client side -> server: PTB 1400 -> frag needed 1380, "
	 "unreachable, time exceeded, parameter problem; quote the server's packet", nat64_icmp_to_server},
	{"NAT64 answers: PTB (v4 MTU + 20), frag needed (v6 MTU - 20), time "
	 "exceeded; a bad checksum refused (xlat_bad_checksum)", nat64_answers},
	{"NAT64: a flushed connection's client segment is answered with a v6 RST, "
	 "not translated on to the removed server", nat64_flushed},
	{"NAT64: an established packet routes by its cached next hops, both ways: "
	 "with a family's routes hidden (same generation) it still goes, its MTU "
	 "the cached port's (PTB 1320, frag needed 1260)", nat64_cached_path},
	{"NAT64: a new snapshot generation makes the cached next hops stale, both ways: "
	 "with a family's routes gone the packet is no_route, with them back it goes",
	 nat64_generation_stale},
	{"NAT64: workers count IPv4 Identifications apart (65536 / workers)",
	 nat64_ip_id_apart},
	{"IPv6: other ICMPv6/protocols to owned addresses ipv6_proto_unsupported, "
	 "not owned ipv6_not_served", ipv6_proto_split},
	{"NDP: NS for a port's address (solicited-node group, unicast, unicast from a "
	 "link-local source) and a VIP (either port) answered with a solicited NA",
	 ndp_ns_answers_check},
	{"NDP: NS for another port's address, another host, another group or MAC: "
	 "ndp_not_ours; hop limit 254: ndp_hop_limit", ndp_ns_refused_check},
	{"NDP: Router Advertisement ignored, counted as ndp_router_adv", ndp_ra_counted_check},
	{"NDP: unsolicited NA not learned; a held packet's NS sent once, released "
	 "by the NA it asked for", ndp_hold_released_check},
	{"NDP: control thread learns a v6 reply only when wanted, on its prefix, "
	 "into the view's v6 table", ndp_control_learns_check},
	{"NDP: a held v6 packet whose next hop never answers: neigh_unresolved after "
	 "SL_HOLD_MS", ndp_hold_expires_check},
	{"ICMPv6 echo to a v6 VIP answered, routed to the neighbor; to another host "
	 "not_local", ndp_echo_check},
	{"ICMPv6 echo flood: past the burst, icmp_echo_limited", ndp_echo_limited_check},
	{"ICMPv6 echo from a link-local source answered on the ingress port, to the "
	 "frame's MAC, rate-limited", ndp_echo_link_local_check},
	{"NDP: an NA without Override keeps the learned MAC, with it replaces it",
	 ndp_na_override_check},
	{"NDP hold: next hop off its port before release: routed again while a route "
	 "remains, else hold_port_changed", ndp_hold_port_changed_check},
	{"NDP hold: a packet held for a link-local router (via fe80::1) waits for it, "
	 "then goes out to it", ndp_hold_link_local_check},
	{"ARP hold: next hop off its port before release: routed again while a route "
	 "remains, else hold_port_changed", ndp_arp_hold_port_changed_check},
	{"NDP hold: a packet routed again to an unresolved next hop is held for it, "
	 "keeping the time it was first held, and sent once it resolves",
	 ndp_hold_rerouted_unresolved_check},
	{"hold queues: a packet routed again to a port whose MTU is smaller is dropped "
	 "as hold_port_changed (no error, no fragments), v6 and v4; at the MTU it is "
	 "sent", ndp_hold_reroute_mtu_check},
	{"NDP hold: two held next hops sharing a solicited slot: at most one NS per "
	 "SL_ARP_RETRY_MS for the slot over many loop turns", ndp_ask_paced_per_slot_check},
	{"full-NAT: local ports per server, 60,000 to each of 4 through one local address",
	 fnat_lport_per_server},
	{"SNAT pool grown, shrunk, re-added under live mappings: no duplicate,"
	 " pairing kept", pool_change_keeps_mappings},
	{"SNAT pool address removed and re-added, mapping expired while out or after:"
	 " its port free again", readd_after_expiry},
	{"SNAT pool re-added under 300 live mappings: one packet tries at most"
	 " SL_SNAT_PORT_PROBES ports (snat_port_probes), the next goes on", pool_port_probes_bounded},
	{"RX checksum: an L4 BAD verdict is checked and dropped (l4_bad_checksum)"
	 " with verify_l4 off", csum_l4_bad_flag_checked},
	{"RX checksum: verdicts read only on a port given the offload",
	 csum_flags_only_where_offloaded},
	{"full-NAT: a server's packets only on the server's port (ingress_wrong_port)",
	 fnat_reply_wrong_port},
	{"SNAT: an inside source arriving on the outside port is not NATed",
	 snat_inside_source_from_outside},
	{"SNAT: an inside server's answer to the host's tap address goes to the host,"
	 " not SNAT (to_host)", snat_reply_to_host_address},
	{"ICMP: a server's error about the host's own probe goes to the host (to_host),"
	 " on any worker", icmp_error_to_host_address},
	{"SNAT/ICMP: frames for another port's tap address go to the host (to_host),"
	 " not SNAT", other_ports_host_address_to_host},
	{"ARP: a reply to the host's tap address refreshes no neighbor of Sluice's",
	 arp_reply_to_host_not_learned},
	{"ARP: a reply to the port's own address learned even where its tap shares it",
	 arp_reply_to_shared_addr_learned},
	{"SNAT: our own pool address as a source from outside is dropped",
	 spoofed_pool_source},
	{"SNAT: a pool source from outside forged into a live hairpin session is dropped",
	 spoofed_pool_into_hairpin},
	{"ACK flood from random ports: each segment dropped after at most one hop",
	 flood_one_hop},
	{"ACK flood on the worker a transfer's replies arrive on: every reply delivered",
	 flood_keeps_replies},
	{"UDP flood at a pool address on the worker a transfer's replies arrive on: "
	 "every reply delivered", pool_flood_keeps_replies},
	{"TCP flood at the local address from outside: dropped where it lands, "
	 "every reply delivered", lip_flood_keeps_replies},
	{"UDP flow arriving on every worker: one connection, one server",
	 udp_flow_one_server},
	{"replies counted per port: on their owner's queue, or by ring from another's",
	 replies_counted_by_path},
	{"flush of 50,000 connections: every client and server socket gets its RST, "
	 "no TX queue overrun", flush_every_client_reset},
	{"flush of a server whose neighbor is gone: hold queue at most half full, "
	 "every client reset", flush_hold_queue_half},
	{"flush of 200 servers at once, more than a control ring holds: every "
	 "connection reset", flush_many_servers_at_once},
	{"persistence: 1M spoofed sources at a cap of 65,536: held at the cap, "
	 "memory flat, the table workers read never copied", persist_flood_flat},
	{"persistence: first live choice wins, expired replaced and swept",
	 persist_merge_rules},
	{"persistence: max_templates lowered live keeps templates up to the cap",
	 persist_cap_lowered},
	{"neighbors published alone: a live connection still reaches its server's MAC",
	 neighbor_publish_moves_slots},
	{"ARP request from an unknown sender answered, not passed on to be learned",
	 arp_request_filter},
	{"ARP hold: two held next hops sharing an asked slot: at most one request per "
	 "SL_ARP_RETRY_MS for the slot over many loop turns", arp_ask_paced_per_slot},
	{"pick tables: a weight change on one VIP builds its table alone, the "
	 "others are shared with the previous snapshot", pick_tables_shared},
	{"pick tables: VIPs replaced leave no table cached for them", pick_tables_swept},
	{"RFC 5508 REQ-4 errors never delete or close a session", errors_delete_nothing},
	{"RFC 5382 REQ-1 TCP opened from outside to an endpoint-independent mapping",
	 eim_tcp_from_outside},
	{"full-NAT: a client RST far dropped, near the window kept open, at the edge"
	 " closes", fnat_client_rst_window},
	{"full-NAT: ICMP error from the client side reaches the server, quote"
	 " restored, connection kept", fnat_client_icmp_error},
	{"RFC 4787 REQ-6 inbound packets do not refresh a mapping",
	 inbound_no_mapping_refresh},
	{"full-NAT: refusals at most 1000 a second per worker, then no_real_server drops",
	 refusals_rate_limited},
	{"full-NAT: a UDP flow's server flushed: its next datagram scheduled afresh",
	 udp_flush_reschedules},
	{"sh and sh --hash-ports through the worker: the server sched.h's hash names",
	 sh_through_worker},
	{"persistence: template kept while live, lapsed after persist_s, replaced"
	 " when its server is down", persist_lapse_replace},
	{"capture: frames received on the port copied until the ring is full, the rest"
	 " counted as dropped copies, every frame forwarded; none without a capture",
	 capture_ring_full},
	{"RFC 1191 port MTU: DF over it answered with frag-needed (next-hop MTU, quote"
	 " as sent), without DF dropped, at it forwarded", mtu_egress},
	{"RFC 1191 frag-needed rate-limited by its own bucket, every one counted",
	 mtu_frag_needed_rate},
	{"MSS clamp: a SYN's and a SYN+ACK's MSS lowered to the MTU less 40 of the"
	 " port their answers leave by, each port its own; checksums right (also"
	 " at an odd offset)", mss_clamp},
	{"MSS clamp: the route a client's SYN looks up for its answers' port is"
	 " kept as the reply's next hop (no second lookup for the SYN+ACK)",
	 mss_clamp_route_once},
	{"802.1Q in software: a tagged SYN forwarded untagged, the reply and an ARP"
	 " answer tagged with the port's VLAN, another VLAN or none dropped"
	 " (vlan_unknown)", vlan_software},
	{"802.1Q edges: an unknown VLAN (vlan_unknown) and stacked tags (802.1ad,"
	 " double 802.1Q, a tag behind a stripped one, a lone 802.1ad tag: vlan_qinq)"
	 " dropped, never"
	 " handed to the exception device; a priority tag (VID 0) taken as untagged",
	 vlan_edges},
	{"802.1Q capture: frames of no port's VLAN (vlan_unknown, vlan_qinq) in the RX"
	 " capture of the device's untagged port, or its first, as received",
	 vlan_capture},
	{"IPv6 published: v6 ports, route, local address and FNAT66 VIP in the"
	 " snapshot's v6 half; NAT64 marked; v4 unharmed", v6_published},
	{"session sync: NEW once established, STATE with the new state's timeout, GONE"
	 " of a v4 connection", sync_events_v4},
	{"session sync: UDP synced on its first reply; no record for a handshake never"
	 " completed", sync_events_udp},
	{"session sync: NEW once established, GONE of FNAT66 and NAT64 connections",
	 sync_events_v6},
	{"session sync: an installed connection forwards both ways, once", sync_install_forwards},
	{"session sync: a peer's share of the table is capped, and all peers'",
	 sync_peer_share},
	{"session sync: a full sync ring loses a record, no packet", sync_ring_full},
	{"session sync: one turn drains every ring, woken past its mark", sync_drain_all},
	{"session sync: a full dump walks every synced connection", sync_dump},
	{"session sync: the refresh goes by the time left at the peers", sync_refresh},
	{"session sync: an update only of the very connection; FIN flags add up",
	 sync_update_whole},
	{"session sync: a GONE leaves a copy serving traffic here; a pure copy sends no"
	 " GONE", sync_gone_serving},
	{"session sync: a stale copy gives its local port to a newer record",
	 sync_stale_copy},
	{"session sync: a NEW on a reused client port replaces the old pure copy",
	 sync_client_port_reuse},
	{"session sync: a peer's established NEW replaces our own half-open entry",
	 sync_own_handshake_replaced},
	{"session sync: a replacing NEW refused past the share leaves the old entry",
	 sync_refused_keeps_old},
	{"session sync: a NEW on a closed copy of its connection is taken",
	 sync_new_on_closed},
	{"session sync: a record's timeout clamped; installs counted as synced",
	 sync_install_clamp},
	{"session sync: records of a connection after its GONE are late, ignored",
	 sync_late_after_gone},
	{"session sync: a NEW of a tombstone's tuple is its next connection",
	 sync_reopen_after_gone},
	{"session sync: a full dump sends no tombstone", sync_dump_no_tombstone},
	{"session sync: a record never moves a TCP state back; a new SYN cycle does",
	 sync_state_order},
	{"session sync: a UDP flow's replies send one NEW, again after sync off and on",
	 sync_udp_told_again},
	{NULL, NULL},
};
