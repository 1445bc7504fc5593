/* SPDX-License-Identifier: BSD-3-Clause */
/* 802.1Q with neither strip nor insert offered (the worker's software
 * path, dataplane/worker_vlan.c and sl_worker_tx): port OUT made a VLAN
 * port of its device for the check (included by conformance_checks.h,
 * after the checks before it, whose helpers it may use). */

#include "ringport.h"

#define VLAN_OUT 7

/* OUT as the only port on its device, on VLAN `vid` (0: untagged again). */
static void vlan_out(struct harness *h, uint16_t vid)
{
	struct sl_dataplane *dp = &h->dp;

	dp->rx_mode[OUT] = vid ? SL_RX_VLAN : SL_RX_PLAIN;
	dp->vlan_map[OUT] = (struct sl_vlan_map){.n = vid ? 1 : 0, .port = {OUT}, .vid = {vid}};
	dp->rx_id[OUT] = dp->ethdev[OUT];
	dp->vlan_tci[OUT] = vid;
	dp->tx_vlan[OUT] = vid ? SL_TX_VLAN_SW : SL_TX_VLAN_NONE;
}

/* `f` (len bytes) with an 802.1Q tag for `vid` after the MACs. */
static uint32_t tagged(uint8_t *f, uint32_t len, uint16_t vid)
{
	memmove(f + 16, f + 12, len - 12);
	fr_put16(f + 12, 0x8100);
	fr_put16(f + 14, vid);
	return len + 4;
}

/* A frame Sluice sent on OUT: tagged `vid`, and valid once untagged. */
static bool sent_tagged(struct seen *g, uint16_t vid, char *why)
{
	if (fr_get16(g->frame + 12) != 0x8100 || (fr_get16(g->frame + 14) & 0xfff) != vid)
		return WHY("sent with ethertype %04x tag %u, want 8100 tag %u",
			   fr_get16(g->frame + 12), fr_get16(g->frame + 14) & 0xfff, vid);
	memmove(g->frame + 12, g->frame + 16, g->len - 16);
	g->len -= 4;
	return true;
}

static bool vlan_sw_body(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen to_rs, g;
	uint64_t unknown0 = h_drops(h, SL_DROP_VLAN_UNKNOWN);

	uint32_t len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41400, VIP, 80, SYN), VLAN_OUT);
	h_flush(h);
	h_send(h, OUT, f, len);
	if ((to_rs.len = h_recv(h, IN, to_rs.frame)) == 0)
		return WHY("a SYN tagged %u not forwarded to the server", VLAN_OUT);
	if (fr_get16(to_rs.frame + 12) != SL_ETHERTYPE_IPV4 || !frame_ok(&to_rs))
		return WHY("forwarded to the untagged side with ethertype %04x or bad checksums",
			   fr_get16(to_rs.frame + 12));
	uint16_t lport = fr_get16(to_rs.frame + FR_L4_OFF);
	if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, lport, SYN | ACK, &g))
		return WHY("the server's SYN+ACK not sent to the client");
	if (!sent_tagged(&g, VLAN_OUT, why))
		return false;
	if (fr_get32(g.frame + FR_IP_OFF + 16) != SERVER || !frame_ok(&g))
		return WHY("reply to %08x or bad checksums once untagged",
			   fr_get32(g.frame + FR_IP_OFF + 16));
	/* ARP for the port's address, on its VLAN: answered on it. */
	len = tagged(f, fr_build_arp(f, 1, SERVER, IP(198, 19, 0, 1)), VLAN_OUT);
	h_flush(h);
	h_send(h, OUT, f, len);
	if ((g.len = h_recv(h, OUT, g.frame)) == 0)
		return WHY("ARP request on vlan %u not answered", VLAN_OUT);
	if (!sent_tagged(&g, VLAN_OUT, why))
		return false;
	/* Another VLAN, and no tag at all: no port of this device. */
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41401, VIP, 80, SYN), VLAN_OUT + 1);
	h_flush(h);
	h_send(h, OUT, f, len);
	len = build(f, SL_IPPROTO_TCP, SERVER, 41402, VIP, 80, SYN);
	h_send(h, OUT, f, len);
	if (h_recv(h, IN, g.frame) || h_recv(h, OUT, g.frame))
		return WHY("a frame of vlan %u or untagged was forwarded or answered",
			   VLAN_OUT + 1);
	if (h_drops(h, SL_DROP_VLAN_UNKNOWN) != unknown0 + 2)
		return WHY("vlan_unknown grew by %llu, want 2",
			   (unsigned long long)(h_drops(h, SL_DROP_VLAN_UNKNOWN) - unknown0));
	return true;
}

static bool vlan_software(struct harness *h, char *why)
{
	vlan_out(h, VLAN_OUT);
	bool ok = vlan_sw_body(h, why);
	vlan_out(h, 0);
	return ok;
}

/* A ring port standing in for OUT's kernel exception device: what the
 * worker hands the host lands in its TX rings. */
static struct ringport vlan_host;

static bool vlan_host_attach(struct harness *h)
{
	static bool open;

	if (!open && ringport_open(&vlan_host, "conf_vlan_host", h->nworkers, h->dp.pool,
				   RINGPORT_TX_ROOMY) != 0)
		return false;
	open = true;
	h->dp.host_ethdev[OUT] = vlan_host.ethdev;
	h->dp.host_mask = 1u << OUT;
	return true;
}

/* Frames handed to the host since the last call, freed. */
static unsigned vlan_host_frames(const struct harness *h)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	for (unsigned q = 0; q < h->nworkers; q++)
		for (; rte_ring_sc_dequeue(vlan_host.tx[q], (void **)&m) == 0; n++)
			rte_pktmbuf_free(m);
	return n;
}

/* OUT as the untagged port of a device that carries VLANs. */
static void vlan_out_untagged(struct harness *h)
{
	vlan_out(h, 0);
	h->dp.rx_mode[OUT] = SL_RX_VLAN;
	h->dp.vlan_map[OUT] = (struct sl_vlan_map){.n = 1, .port = {OUT}, .vid = {0}};
}

/* Nothing out on either port, nothing to the host, `why_drop` grown by n. */
static bool vlan_dropped(struct harness *h, enum sl_drop reason, uint64_t before,
			 unsigned n, const char *what, char *why)
{
	struct seen g;

	if (h_recv(h, IN, g.frame) || h_recv(h, OUT, g.frame))
		return WHY("%s forwarded or answered", what);
	if (vlan_host_frames(h) != 0)
		return WHY("%s handed to the host's exception device", what);
	if (h_drops(h, reason) != before + n)
		return WHY("%s: %s grew by %llu, want %u", what, sl_drop_name(reason),
			   (unsigned long long)(h_drops(h, reason) - before), n);
	return true;
}

static bool vlan_edges_body(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen g;
	uint64_t unknown0 = h_drops(h, SL_DROP_VLAN_UNKNOWN);
	uint64_t qinq0 = h_drops(h, SL_DROP_VLAN_QINQ);
	uint32_t len;

	/* A VLAN of no port, with an exception device on the port. */
	vlan_out(h, VLAN_OUT);
	h_flush(h);
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41410, VIP, 80, SYN), VLAN_OUT + 1);
	h_send(h, OUT, f, len);
	if (!vlan_dropped(h, SL_DROP_VLAN_UNKNOWN, unknown0, 1, "an unknown VLAN's SYN", why))
		return false;
	/* The device's untagged port: a priority tag (VID 0, PCP 5) is untagged. */
	vlan_out_untagged(h);
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41411, VIP, 80, SYN), 0xa000);
	h_send(h, OUT, f, len);
	if ((g.len = h_recv(h, IN, g.frame)) == 0)
		return WHY("a priority-tagged (VID 0) SYN not forwarded by the untagged port");
	/* Stacked tags: 802.1ad outside 802.1Q, 802.1Q twice, 802.1Q behind
	 * a tag the NIC stripped; and a lone 802.1ad tag. */
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41412, VIP, 80, SYN), VLAN_OUT);
	len = tagged(f, len, 0);
	fr_put16(f + 12, 0x88a8);
	h_send(h, OUT, f, len);
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41413, VIP, 80, SYN), VLAN_OUT);
	len = tagged(f, len, 0);
	h_send(h, OUT, f, len);
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41414, VIP, 80, SYN), VLAN_OUT);
	h_send_flags(h, OUT, f, len, RTE_MBUF_F_RX_VLAN_STRIPPED);
	/* A lone 802.1ad tag, left in the frame (af_packet cannot show it:
	 * README "VLANs"). */
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41415, VIP, 80, SYN), VLAN_OUT);
	fr_put16(f + 12, 0x88a8);
	h_send(h, OUT, f, len);
	return vlan_dropped(h, SL_DROP_VLAN_QINQ, qinq0, 4, "stacked tags", why) &&
	       h_drops(h, SL_DROP_VLAN_UNKNOWN) == unknown0 + 1;
}

static bool vlan_edges(struct harness *h, char *why)
{
	if (!vlan_host_attach(h))
		return WHY("cannot open a ring port for the exception device");
	bool ok = vlan_edges_body(h, why);
	h->dp.host_mask = 0;
	vlan_out(h, 0);
	return ok;
}

/* The next RX copy in the capture's rings: its frame's ethertype and the
 * tag after it (0 when none is left). pcapng's Enhanced Packet Block
 * puts 28 bytes before the frame. */
static uint16_t copy_ethertype(const struct harness *h, struct sl_capture *cap,
			       uint16_t *tci)
{
	struct rte_mbuf *m;

	for (unsigned w = 0; w < h->nworkers; w++) {
		if (rte_ring_sc_dequeue(cap->ring[w], (void **)&m) != 0)
			continue;
		const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *) + 28;
		uint16_t type = fr_get16(frame + 12);
		*tci = fr_get16(frame + 14);
		rte_pktmbuf_free(m);
		return type;
	}
	return 0;
}

/* Frames of no port's VLAN, dropped before any port has them, are in
 * the RX capture of the device's untagged port, or of its first port
 * when it has none, as they arrived (a tag the worker took off put back);
 * a capture of another port has none of them. */
static bool vlan_capture_body(struct harness *h, struct sl_capture *cap, char *why)
{
	uint8_t f[FR_MAX];
	uint16_t tci = 0, type;
	uint32_t len;

	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41420, VIP, 80, SYN), VLAN_OUT + 1);
	h_send(h, OUT, f, len);
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41421, VIP, 80, SYN), VLAN_OUT);
	len = tagged(f, len, 0);
	fr_put16(f + 12, 0x88a8);
	h_send(h, OUT, f, len);
	if ((type = copy_ethertype(h, cap, &tci)) != 0x8100 || (tci & 0xfff) != VLAN_OUT + 1)
		return WHY("the unknown VLAN's frame captured as %04x tag %u, want 8100 tag %u",
			   type, tci & 0xfff, VLAN_OUT + 1);
	if ((type = copy_ethertype(h, cap, &tci)) != 0x88a8)
		return WHY("the stacked tags' frame captured as %04x, want 88a8", type);
	if (copy_ethertype(h, cap, &tci) != 0)
		return WHY("more copies than the two frames");
	/* The untagged port of a device is where they are, too. */
	vlan_out_untagged(h);
	len = tagged(f, build(f, SL_IPPROTO_TCP, SERVER, 41422, VIP, 80, SYN), VLAN_OUT);
	h_send(h, OUT, f, len);
	if ((type = copy_ethertype(h, cap, &tci)) != 0x8100 || (tci & 0xfff) != VLAN_OUT)
		return WHY("with an untagged port: captured as %04x tag %u, want 8100 tag %u",
			   type, tci & 0xfff, VLAN_OUT);
	cap->port = IN;
	h_send(h, OUT, f, len);
	if (copy_ethertype(h, cap, &tci) != 0)
		return WHY("a capture of another port has the unknown VLAN's frame");
	return true;
}

static bool vlan_capture(struct harness *h, char *why)
{
	struct sl_capture cap;

	if (!capture_make(h, &cap, OUT))
		return WHY("cannot make the capture's pool and rings");
	vlan_out(h, VLAN_OUT);
	h->dp.capture = &cap;
	bool ok = vlan_capture_body(h, &cap, why);
	h->dp.capture = NULL;
	h_flush(h);
	capture_teardown(&cap);
	vlan_out(h, 0);
	return ok;
}
