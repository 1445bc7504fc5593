/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration fuzz_packet's workers run (included by fuzz_packet.c
 * only): two ports with v4 and v6 addresses, a route each way, local
 * addresses, static neighbors, full-NAT services (one whose only server
 * has weight 0: refusals), two FNAT66 services, two NAT64 services (v6 VIP,
 * v4 servers), SNAT rules of both
 * filterings; short timeouts, so ADVANCE reaches every expiry. Addresses
 * here belong in fuzz_packet_ops.c's addr_table[] (and fz_owned_table[] if
 * Sluice owns them).
 */
#ifndef SLUICE_FUZZ_PACKET_CONFIG_H
#define SLUICE_FUZZ_PACKET_CONFIG_H

static const char fuzz_packet_config[] =
	"{\"workers\": 2, \"conn_table\": {\"max_connections\": 1024},"
	" \"local_port_range\": {\"min\": 1024, \"max\": 1087},"
	" \"timeouts\": {\"tcp_syn_sent\": 2, \"tcp_syn_recv\": 2, \"tcp_established\": 10,"
	"  \"tcp_fin_wait\": 2, \"tcp_close_wait\": 2, \"tcp_time_wait\": 1,"
	"  \"tcp_close\": 1, \"udp\": 3, \"icmp\": 2},"
	" \"ports\": [{\"name\": \"fz_wan\", \"devargs\": \"fz_wan\", \"ipv4\": \"198.18.0.2/24\","
	"             \"ipv6\": \"2001:db8::2/64\"},"
	"            {\"name\": \"fz_lan\", \"devargs\": \"fz_lan\", \"ipv4\": \"198.18.1.2/24\","
	"             \"ipv6\": \"2001:db8:1::2/64\"}],"
	" \"routes\": [{\"prefix\": \"198.19.0.0/16\", \"via\": \"198.18.0.1\"},"
	"  {\"prefix\": \"2001:db8:5::/64\", \"via\": \"2001:db8::1\"}],"
	" \"local_addresses\": [{\"ip\": \"198.18.1.3\"}, {\"ip\": \"198.18.1.4\"},"
	"  {\"ip\": \"2001:db8:1::3\"}],"
	" \"neighbors\": [{\"ip\": \"198.18.0.1\", \"mac\": \"02:00:00:00:00:01\"},"
	"  {\"ip\": \"198.18.1.11\", \"mac\": \"02:00:00:00:01:0b\"},"
	"  {\"ip\": \"198.18.1.12\", \"mac\": \"02:00:00:00:01:0c\"},"
	"  {\"ip\": \"198.18.1.70\", \"mac\": \"02:00:00:00:01:46\"},"
	"  {\"ip\": \"198.18.1.130\", \"mac\": \"02:00:00:00:01:82\"},"
	"  {\"ip\": \"2001:db8::1\", \"mac\": \"02:00:00:00:00:01\"},"
	"  {\"ip\": \"2001:db8:1::11\", \"mac\": \"02:00:00:00:01:0b\"}],"
	" \"vips\": [{\"vip\": \"198.18.0.100\", \"port\": 80, \"real_servers\": ["
	"    {\"ip\": \"198.18.1.11\", \"port\": 8080}, {\"ip\": \"198.18.1.12\", \"port\": 8080, \"weight\": 3},"
	"    {\"ip\": \"198.18.1.13\", \"port\": 8080}]},"
	"  {\"vip\": \"198.18.0.100\", \"port\": 53, \"proto\": \"udp\", \"scheduler\": \"rr\","
	"   \"real_servers\": [{\"ip\": \"198.18.1.11\", \"port\": 5353}, {\"ip\": \"198.18.1.12\", \"port\": 5353}]},"
	"  {\"vip\": \"198.18.0.101\", \"port\": 443, \"real_servers\": ["
	"    {\"ip\": \"198.18.1.11\", \"port\": 8443, \"weight\": 0}]},"
	"  {\"vip\": \"2001:db8::100\", \"port\": 80, \"real_servers\": ["
	"    {\"ip\": \"2001:db8:1::11\", \"port\": 8080}, {\"ip\": \"2001:db8:1::12\", \"port\": 8080}]},"
	"  {\"vip\": \"2001:db8::100\", \"port\": 53, \"proto\": \"udp\","
	"   \"real_servers\": [{\"ip\": \"2001:db8:1::11\", \"port\": 5353}]},"
	"  {\"vip\": \"2001:db8::100\", \"port\": 443, \"real_servers\": ["
	"    {\"ip\": \"198.18.1.11\", \"port\": 8080}, {\"ip\": \"198.18.1.12\", \"port\": 8080}]},"
	"  {\"vip\": \"2001:db8::100\", \"port\": 8443, \"proto\": \"udp\","
	"   \"real_servers\": [{\"ip\": \"198.18.1.11\", \"port\": 5353}]}],"
	" \"snat\": [{\"src\": \"198.18.1.64/26\", \"pool\": \"198.18.0.50-198.18.0.51\"},"
	"  {\"src\": \"198.18.1.128/26\", \"pool\": \"198.18.0.52\", \"filtering\": \"endpoint-independent\"}],"
	" \"snat_options\": {\"timeouts\": {\"udp\": 3, \"tcp_established\": 10,"
	"  \"tcp_transitory\": 2, \"icmp\": 2}, \"max_mappings_per_host\": 2,"
	"  \"icmp_on_exhaustion\": true}}";

#endif
