/* SPDX-License-Identifier: BSD-3-Clause */
/* The NIC's checksum verdicts (dataplane/rx_csum.h), through the worker:
 * read only on a port given RX checksum offload; there GOOD skips the
 * software check and BAD forces it, verify_l4 or not (included by
 * conformance_checks.h). */

#define CSUM_BOTH (SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM)

/* A client's SYN to the VIP on the outside port, its TCP (or IPv4
 * header) checksum broken if asked, with the NIC's flags; whether the
 * worker forwarded it to the server. */
static bool csum_syn_forwarded(struct harness *h, uint16_t sport, bool bad_l4,
			       bool bad_ip, uint64_t ol_flags)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	uint32_t len = build(f, SL_IPPROTO_TCP, SERVER, sport, VIP, 80, SYN);

	if (bad_l4)
		f[FR_L4_OFF + 16] ^= 0x5a;
	if (bad_ip)
		f[FR_IP_OFF + 10] ^= 0x5a;
	h_flush(h);
	h_send_flags(h, OUT, f, len, ol_flags);
	return h_recv(h, IN, out) != 0;
}

static void csum_verify_all(struct harness *h, unsigned verify)
{
	for (unsigned i = 0; i < h->nworkers; i++)
		h->dp.workers[i]->parse_verify = verify;
}

/* verify_l4 off, the port given the offload: a segment the NIC calls
 * L4-bad is checked all the same and dropped as l4_bad_checksum; one it
 * calls bad wrongly is forwarded (software is the judge); with no
 * verdict, the config's "off" holds. */
static bool csum_l4_bad_flag_run(struct harness *h, char *why)
{
	uint64_t l4 = h_drops(h, SL_DROP_L4_BAD_CHECKSUM);

	if (csum_syn_forwarded(h, 41301, true, false, RTE_MBUF_F_RX_L4_CKSUM_BAD))
		return WHY("verify_l4 off: a segment flagged L4 BAD (and bad) was forwarded");
	if (h_drops(h, SL_DROP_L4_BAD_CHECKSUM) != l4 + 1)
		return WHY("it was not counted as l4_bad_checksum");
	if (!csum_syn_forwarded(h, 41302, false, false, RTE_MBUF_F_RX_L4_CKSUM_BAD))
		return WHY("a segment flagged L4 BAD but right was dropped");
	if (!csum_syn_forwarded(h, 41303, true, false, RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN))
		return WHY("verify_l4 off, no verdict: a bad segment was checked after all");
	return true;
}

static bool csum_l4_bad_flag_checked(struct harness *h, char *why)
{
	csum_verify_all(h, SL_PARSE_VERIFY_IP_CSUM);
	h_csum_trust(h, OUT, CSUM_BOTH);
	bool ok = csum_l4_bad_flag_run(h, why);
	csum_verify_all(h, CSUM_BOTH);
	h_csum_trust(h, OUT, 0);
	return ok;
}

/* A port given no offload: GOOD verdicts are not believed, a broken
 * checksum is still found. Given the offload, GOOD is believed. */
static bool csum_flags_only_run(struct harness *h, char *why)
{
	uint64_t good = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	uint64_t l4 = h_drops(h, SL_DROP_L4_BAD_CHECKSUM);
	uint64_t ip = h_drops(h, SL_DROP_IP_BAD_CHECKSUM);

	if (csum_syn_forwarded(h, 41311, true, false, good))
		return WHY("no offload: a bad TCP checksum flagged GOOD was forwarded");
	if (csum_syn_forwarded(h, 41312, false, true, good))
		return WHY("no offload: a bad IPv4 header checksum flagged GOOD was forwarded");
	if (h_drops(h, SL_DROP_L4_BAD_CHECKSUM) != l4 + 1 ||
	    h_drops(h, SL_DROP_IP_BAD_CHECKSUM) != ip + 1)
		return WHY("not counted as l4_bad_checksum and ip_bad_checksum");
	h_csum_trust(h, OUT, CSUM_BOTH);
	if (!csum_syn_forwarded(h, 41313, true, false, good))
		return WHY("offloaded: a GOOD verdict was not believed");
	return true;
}

static bool csum_flags_only_where_offloaded(struct harness *h, char *why)
{
	bool ok = csum_flags_only_run(h, why);
	h_csum_trust(h, OUT, 0);
	return ok;
}
