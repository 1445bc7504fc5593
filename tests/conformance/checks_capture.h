/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet capture in the worker (dataplane/capture.h), with a capture
 * published by hand and rings of 3 copies: frames received on the port
 * are copied until the ring is full, the rest counted as dropped
 * copies, and every frame still forwarded; frames of another port are
 * not copied; with nothing published, nothing is. */

static void capture_counts(const struct harness *h, uint64_t *copied, uint64_t *dropped)
{
	*copied = *dropped = 0;
	for (unsigned w = 0; w < h->nworkers; w++) {
		*copied += h->dp.workers[w]->stats.capture_copied;
		*dropped += h->dp.workers[w]->stats.capture_dropped;
	}
}

static void capture_teardown(struct sl_capture *cap)
{
	struct rte_mbuf *m;

	for (unsigned w = 0; w < SL_MAX_WORKERS; w++) {
		while (cap->ring[w] && rte_ring_sc_dequeue(cap->ring[w], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(cap->ring[w]);
	}
	rte_mempool_free(cap->pool);
}

/* An RX capture of `port` with rings of 3 copies (torn down by
 * capture_teardown), not yet published. */
static bool capture_make(const struct harness *h, struct sl_capture *cap, uint8_t port)
{
	char name[32];
	bool ok = true;

	*cap = (struct sl_capture){.port = port, .dirs = SL_CAPTURE_RX, .snaplen = UINT32_MAX};
	/* pcapng copies carry a block around the frame: room to spare. */
	cap->pool = rte_pktmbuf_pool_create("conf_cap", 63, 0, 0, 4096, SOCKET_ID_ANY);
	for (unsigned w = 0; w < h->nworkers && cap->pool; w++) {
		snprintf(name, sizeof(name), "conf_cap%u", w);
		cap->ring[w] = rte_ring_create(name, 4, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		ok = ok && cap->ring[w];
	}
	if (!cap->pool || !ok) {
		capture_teardown(cap);
		return false;
	}
	return true;
}

static bool capture_ring_full(struct harness *h, char *why)
{
	struct sl_capture cap;
	uint64_t c0, d0, c1, d1;
	struct seen g;
	bool ok = true;

	if (!capture_make(h, &cap, IN))
		return WHY("cannot make the capture's pool and rings");
	capture_counts(h, &c0, &d0);
	h->dp.capture = &cap;
	for (uint16_t p = 6000; p < 6010 && ok; p++)
		ok = udp_out(h, H(20), p, SERVER, 53, &g, why);
	h->dp.capture = NULL;
	capture_counts(h, &c1, &d1);
	if (ok && (c1 - c0 != 3 || d1 - d0 != 7))
		ok = WHY("10 frames in on the captured port: %lu copied, %lu dropped copies "
			 "(want 3 and 7: a ring holds 3)", c1 - c0, d1 - d0);
	unsigned held = 0;
	for (unsigned w = 0; w < h->nworkers; w++)
		held += rte_ring_count(cap.ring[w]);
	if (ok && held != 3)
		ok = WHY("%u copies in the rings, want 3", held);
	capture_teardown(&cap);
	if (ok && udp_out(h, H(20), 6010, SERVER, 53, &g, why)) {
		capture_counts(h, &c0, &d0);
		if (c0 != c1 || d0 != d1)
			ok = WHY("copies made with no capture published");
	}
	return ok;
}
