/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"
#include "icmp6.h"
#include "result_names.h"

#define DEFAULT_HOP_LIMIT 64
#define ICMP6_HDR 8

SL_RESULT_NAMES(sl_icmp6_name, enum sl_icmp6, SL_ICMP6_RESULTS, SL_ICMP6_MAX, "icmp6_unknown")

enum sl_icmp6 sl_icmp6_echo_to_reply(uint8_t *l3, unsigned len)
{
	struct sl_ipv6_hdr *ip = (void *)l3;
	uint8_t *msg = l3 + SL_IPV6_HLEN;

	if (len < SL_IPV6_HLEN + ICMP6_HDR)
		return SL_ICMP6_TRUNCATED;
	unsigned mlen = sl_ntohs(ip->payload_len);
	if (mlen < ICMP6_HDR || SL_IPV6_HLEN + mlen > len)
		return SL_ICMP6_TRUNCATED;
	if (ip->nexthdr != SL_IPPROTO_ICMPV6 || msg[0] != SL_ICMP6_ECHO_REQUEST)
		return SL_ICMP6_NOT_ECHO;
	if (ip->daddr[0] == 0xff)
		return SL_ICMP6_TO_MULTICAST;
	uint64_t pseudo = sl_csum_pseudo6(ip->saddr, ip->daddr, SL_IPPROTO_ICMPV6,
					  (uint16_t)mlen);
	if (sl_csum_fold(sl_csum_partial(msg, mlen, pseudo)) != 0xffff)
		return SL_ICMP6_BAD_CHECKSUM;
	uint8_t requester[16];
	memcpy(requester, ip->saddr, 16);
	memcpy(ip->saddr, ip->daddr, 16);
	memcpy(ip->daddr, requester, 16);
	ip->hop_limit = DEFAULT_HOP_LIMIT;
	/* The swap leaves the pseudo header's sum as it was; only the type
	 * word changes (RFC 1624). */
	uint16_t was, now, csum;
	memcpy(&was, msg, 2);
	msg[0] = SL_ICMP6_ECHO_REPLY;
	memcpy(&now, msg, 2);
	memcpy(&csum, msg + 2, 2);
	csum = sl_csum_apply(csum, sl_csum_fold(sl_csum_delta16(was, now)));
	memcpy(msg + 2, &csum, 2);
	return SL_ICMP6_OK;
}

/* RFC 4443 2.4(e): the packets no error may answer. */
static enum sl_icmp6 error_allowed(const uint8_t *quote, unsigned len,
				   uint8_t type, uint8_t code)
{
	const struct sl_ipv6_hdr *ip = (const void *)quote;
	static const uint8_t unspec[16];

	if (len < SL_IPV6_HLEN || (quote[0] >> 4) != 6)
		return SL_ICMP6_TRUNCATED;
	if (ip->saddr[0] == 0xff || memcmp(ip->saddr, unspec, 16) == 0)
		return SL_ICMP6_BAD_SOURCE;
	if (ip->daddr[0] == 0xff && type != SL_ICMP6_PKT_TOO_BIG &&
	    !(type == SL_ICMP6_PARAM_PROB && code == 2))
		return SL_ICMP6_TO_MULTICAST;
	if (ip->nexthdr == SL_IPPROTO_ICMPV6) {
		if (len < SL_IPV6_HLEN + 1)
			return SL_ICMP6_TRUNCATED;
		uint8_t t = quote[SL_IPV6_HLEN];
		if (t < 128 || t == SL_ICMP6_REDIRECT)
			return SL_ICMP6_ABOUT_ERROR;
	}
	return SL_ICMP6_OK;
}

enum sl_icmp6 sl_icmp6_error_build(uint8_t *quote, unsigned len,
				   const uint8_t src[16], uint8_t type,
				   uint8_t code, uint32_t word,
				   uint16_t *out_len)
{
	enum sl_icmp6 r = error_allowed(quote, len, type, code);

	if (r != SL_ICMP6_OK)
		return r;
	uint8_t *msg = quote - ICMP6_HDR;
	struct sl_ipv6_hdr *ip = (void *)(msg - SL_IPV6_HLEN);
	unsigned mlen = ICMP6_HDR + len;
	if (mlen > SL_IPV6_MIN_MTU - SL_IPV6_HLEN)
		mlen = SL_IPV6_MIN_MTU - SL_IPV6_HLEN;
	memcpy(ip->daddr, quote + 8, 16);
	memcpy(ip->saddr, src, 16);
	ip->vtc_flow = sl_ipv6_vtc_flow(0);
	ip->payload_len = sl_htons((uint16_t)mlen);
	ip->nexthdr = SL_IPPROTO_ICMPV6;
	ip->hop_limit = DEFAULT_HOP_LIMIT;
	msg[0] = type;
	msg[1] = code;
	memset(msg + 2, 0, 2);
	word = sl_htonl(word);
	memcpy(msg + 4, &word, 4);
	uint16_t c = sl_csum(msg, mlen, sl_csum_pseudo6(ip->saddr, ip->daddr,
							SL_IPPROTO_ICMPV6,
							(uint16_t)mlen));
	memcpy(msg + 2, &c, 2);
	*out_len = (uint16_t)(SL_IPV6_HLEN + mlen);
	return SL_ICMP6_OK;
}
