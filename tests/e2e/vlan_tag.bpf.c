// SPDX-License-Identifier: BSD-3-Clause
/*
 * 802.1Q for a lab host, where the kernel has no VLAN devices and no tc
 * vlan action: a tc classifier (direct action) on the host's veth.
 * Egress ("vlan_push"): a frame whose sender is 198.18.V.x with V >= 10
 * (the IPv4 source, or an ARP's sender address) leaves tagged with VLAN
 * V, so one host can play several VLANs' hosts by the address it sends
 * from; anything else leaves untagged. Ingress ("vlan_pop"): a tag is
 * removed, whatever its VLAN (the kernel has moved it out of the frame
 * before tc sees it), so the host's stack takes the frame.
 *
 *   tc qdisc add dev IF clsact
 *   tc filter add dev IF egress bpf da obj vlan_tag.bpf.o sec vlan_push
 *   tc filter add dev IF ingress bpf da obj vlan_tag.bpf.o sec vlan_pop
 *
 * Built by the Makefile into build/tests/vlan_tag.bpf.o; used by
 * tests/e2e/test_vlan.sh.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define LAB_NET 0xc612u          /* 198.18.0.0/16 */
#define FIRST_VLAN 10

/* The sender's address, host order; 0 when the frame has none. */
static __always_inline __u32 sender(struct __sk_buff *skb)
{
	__be16 proto;
	__be32 src;
	__u32 at;

	if (bpf_skb_load_bytes(skb, 12, &proto, 2) != 0)
		return 0;
	if (proto == bpf_htons(ETH_P_IP))
		at = ETH_HLEN + 12;      /* IPv4 source */
	else if (proto == bpf_htons(ETH_P_ARP))
		at = ETH_HLEN + 14;      /* ARP sender protocol address */
	else
		return 0;
	if (bpf_skb_load_bytes(skb, at, &src, 4) != 0)
		return 0;
	return bpf_ntohl(src);
}

int tag_egress(struct __sk_buff *skb);
int untag_ingress(struct __sk_buff *skb);

SEC("vlan_push")
int tag_egress(struct __sk_buff *skb)
{
	__u32 s = sender(skb);
	__u32 vid = (s >> 8) & 0xff;

	if ((s >> 16) == LAB_NET && vid >= FIRST_VLAN)
		bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), (__u16)vid);
	return TC_ACT_OK;
}

SEC("vlan_pop")
int untag_ingress(struct __sk_buff *skb)
{
	if (skb->vlan_present)
		bpf_skb_vlan_pop(skb);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
