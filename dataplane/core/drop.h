/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why a packet was dropped. Every drop in the dataplane names one of these
 * reasons and bumps that reason's per-worker counter; `sluicectl stats`
 * prints them by name. Add a reason here and it is counted and printed
 * everywhere.
 */
#ifndef SL_DROP_H
#define SL_DROP_H

#define SL_DROP_REASONS(X)                                                     \
	X(NONE, "none")                                                        \
	X(L2_TRUNCATED, "l2_truncated")                                        \
	X(L2_UNSUPPORTED, "l2_unsupported")                                    \
	X(ARP_MALFORMED, "arp_malformed")                                      \
	X(ARP_NOT_OURS, "arp_not_ours")                                        \
	X(IP_TRUNCATED, "ip_truncated")                                        \
	X(IP_BAD_VERSION, "ip_bad_version")                                    \
	X(IP_BAD_IHL, "ip_bad_ihl")                                            \
	X(IP_BAD_LENGTH, "ip_bad_length")                                      \
	X(IP_BAD_CHECKSUM, "ip_bad_checksum")                                  \
	X(IP_OPTIONS, "ip_options")                                            \
	X(IP_FRAGMENT, "ip_fragment")                                          \
	X(IP_BAD_ADDRESS, "ip_bad_address")                                    \
	X(TTL_EXCEEDED, "ttl_exceeded")                                        \
	X(L4_TRUNCATED, "l4_truncated")                                        \
	X(L4_BAD_CHECKSUM, "l4_bad_checksum")                                  \
	X(TCP_BAD_FLAGS, "tcp_bad_flags")                                      \
	X(UNKNOWN_PROTO, "unknown_proto")                                      \
	X(ICMP_UNSUPPORTED, "icmp_unsupported")                                \
	X(ICMP_BAD_QUOTE, "icmp_bad_quote")                                    \
	X(L4_BAD_PORT, "l4_bad_port")                                          \
	X(NOT_LOCAL, "not_local")                                              \
	X(TO_HOST, "to_host")                                                  \
	X(NO_SERVICE, "no_service")                                            \
	X(NO_CONNECTION, "no_connection")                                      \
	X(HOST_QUEUE_FULL, "host_queue_full")                                  \
	X(NO_REAL_SERVER, "no_real_server")                                    \
	X(NO_LOCAL_ADDRESS, "no_local_address")                                \
	X(TABLE_FULL, "table_full")                                            \
	X(PORT_EXHAUSTED, "port_exhausted")                                    \
	X(NO_ROUTE, "no_route")                                                \
	X(NEIGH_UNRESOLVED, "neigh_unresolved")                                \
	X(STEER_RING_FULL, "steer_ring_full")                                  \
	X(TX_FULL, "tx_full")                                                  \
	X(NO_MBUF, "no_mbuf")                                                  \
	X(SNAT_FILTERED, "snat_filtered")                                      \
	X(SNAT_HOST_LIMIT, "snat_host_limit")                                  \
	X(SNAT_HOSTS_FULL, "snat_hosts_full")                                  \
	X(SNAT_NO_MAPPING, "snat_no_mapping")                                  \
	X(TCP_RST_OUT_OF_WINDOW, "tcp_rst_out_of_window")                      \
	X(CONN_FLUSHED, "conn_flushed")                                        \
	X(ICMP_QUOTE_WILDCARD, "icmp_quote_wildcard")                          \
	X(ICMP_MTU_BELOW_FLOOR, "icmp_mtu_below_floor")                        \
	X(L2_OTHER_HOST, "l2_other_host")                                      \
	X(L2_SRC_GROUP, "l2_src_group")                                        \
	X(INGRESS_WRONG_PORT, "ingress_wrong_port")                            \
	X(FLOW_RING_FULL, "flow_ring_full")                                    \
	X(FLUSH_RESET_BUDGET, "flush_reset_budget")                            \
	X(SNAT_RING_FULL, "snat_ring_full")                                    \
	X(SNAT_PORT_PROBES, "snat_port_probes")                                \
	X(MTU_EXCEEDED, "mtu_exceeded")                                        \
	X(MTU_EXCEEDED_DF, "mtu_exceeded_df")                                  \
	X(VLAN_UNKNOWN, "vlan_unknown")                                        \
	X(VLAN_NO_ROOM, "vlan_no_room")                                        \
	X(VLAN_QINQ, "vlan_qinq")                                              \
	X(IP6_TRUNCATED, "ip6_truncated")                                      \
	X(IP6_BAD_LENGTH, "ip6_bad_length")                                    \
	X(IP6_EXT_MALFORMED, "ip6_ext_malformed")                              \
	X(IP6_EXT_ORDER, "ip6_ext_order")                                      \
	X(IP6_EXT_TOO_LONG, "ip6_ext_too_long")                                \
	X(IP6_ROUTING, "ip6_routing")                                          \
	X(IP6_FRAGMENT, "ip6_fragment")                                        \
	X(IP6_MARTIAN, "ip6_martian")                                          \
	X(UDP6_ZERO_CHECKSUM, "udp6_zero_checksum")                            \
	X(NDP_HOP_LIMIT, "ndp_hop_limit")                                      \
	X(NDP_MALFORMED, "ndp_malformed")                                      \
	X(NDP_NOT_OURS, "ndp_not_ours")                                        \
	X(NDP_UNSOLICITED, "ndp_unsolicited")                                  \
	X(NDP_ROUTER_ADV, "ndp_router_adv")                                    \
	X(IPV6_NOT_SERVED, "ipv6_not_served")                                  \
	X(IPV6_PROTO_UNSUPPORTED, "ipv6_proto_unsupported")                    \
	X(ICMP6_QUOTE_TRUNCATED, "icmp6_quote_truncated")                      \
	X(ICMP6_NO_CONNECTION, "icmp6_no_connection")                          \
	X(ICMP6_WRONG_SIDE, "icmp6_wrong_side")                                \
	X(CONN_EXT_FULL, "conn_ext_full")                                      \
	X(ICMP_ECHO_LIMITED, "icmp_echo_limited")                              \
	X(HOLD_PORT_CHANGED, "hold_port_changed")                              \
	/* NAT64 refusals (nat64.h SL_XLAT_RESULTS, same names and order;   \
	 * HOP_LIMIT and TOO_BIG are answered, counted as ttl_exceeded and   \
	 * mtu_exceeded_df, unless about an ICMP error) */                   \
	X(XLAT_TRUNCATED, "xlat_truncated")                                    \
	X(XLAT_BAD_HEADER, "xlat_bad_header")                                  \
	X(XLAT_NO_HEADROOM, "xlat_no_headroom")                                \
	X(XLAT_FRAGMENT, "xlat_fragment")                                      \
	X(XLAT_EXT_HEADERS, "xlat_ext_headers")                                \
	X(XLAT_HOP_LIMIT, "xlat_hop_limit")                                    \
	X(XLAT_TOO_BIG, "xlat_too_big")                                        \
	X(XLAT_NEEDS_FRAGMENTING, "xlat_needs_fragmenting")                    \
	X(XLAT_BAD_CHECKSUM, "xlat_bad_checksum")                              \
	X(XLAT_UNKNOWN_PROTO, "xlat_unknown_proto")                            \
	X(XLAT_ICMP_TYPE, "xlat_icmp_type")                                    \
	X(XLAT_ICMP_CODE, "xlat_icmp_code")                                    \
	X(XLAT_PARAM_POINTER, "xlat_param_pointer")                            \
	X(XLAT_INNER_TRUNCATED, "xlat_inner_truncated")                        \
	X(XLAT_INNER_BAD, "xlat_inner_bad")                                    \
	X(XLAT_INNER_FRAGMENT, "xlat_inner_fragment")                          \
	X(XLAT_INNER_PROTO, "xlat_inner_proto")                                \
	X(XLAT_INNER_ICMP_ERROR, "xlat_inner_icmp_error")                      \
	X(NAT64_SEGMENTED, "nat64_segmented")

enum sl_drop {
#define SL_DROP_ENUM(id, name) SL_DROP_##id,
	SL_DROP_REASONS(SL_DROP_ENUM)
#undef SL_DROP_ENUM
	SL_DROP_MAX
};

/* The reason's stable name as printed by sluicectl and in JSON. */
const char *sl_drop_name(enum sl_drop reason);

#endif
