/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sync channel's authentication: HMAC-SHA256 from OpenSSL 3's
 * libcrypto (EVP_MAC), keyed with the cluster's shared key. Never our
 * own crypto: this file only holds the key and calls the library.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sync_wire.h"

struct sl_sync_mac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	size_t key_len;
	uint8_t id;
	uint8_t key[256];
};

/* The context ready for a datagram. Keyed (the digest fetched by name,
 * the key's pads hashed) once, when made; after that each datagram only
 * restarts it from those pads: init with no key, no parameters (OpenSSL
 * 3's HMAC keeps the key). */
static int mac_init(struct sl_sync_mac *m, bool keyed)
{
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};

	if (!keyed)
		return EVP_MAC_init(m->ctx, NULL, 0, NULL) ? 0 : -1;
	return EVP_MAC_init(m->ctx, m->key, m->key_len, params) ? 0 : -1;
}

struct sl_sync_mac *sl_sync_mac_new(const uint8_t *key, size_t len)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	struct sl_sync_mac *m;

	if (len == 0 || len > sizeof(m->key))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	m->ctx = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
	if (!m->ctx) {
		sl_sync_mac_free(m);
		return NULL;
	}
	memcpy(m->key, key, len);
	m->key_len = len;
	if (mac_init(m, true) < 0 ||
	    !EVP_Digest(key, len, digest, NULL, EVP_sha256(), NULL)) {
		sl_sync_mac_free(m);
		return NULL;
	}
	m->id = digest[0];
	OPENSSL_cleanse(digest, sizeof(digest));
	return m;
}

void sl_sync_mac_free(struct sl_sync_mac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	OPENSSL_cleanse(m->key, sizeof(m->key));
	free(m);
}

uint8_t sl_sync_mac_id(const struct sl_sync_mac *m)
{
	return m->id;
}

int sl_sync_mac_compute(struct sl_sync_mac *m, const uint8_t *data, size_t len,
			uint8_t out[SL_SYNC_MAC_LEN])
{
	size_t n = 0;

	if (mac_init(m, false) < 0 || !EVP_MAC_update(m->ctx, data, len) ||
	    !EVP_MAC_final(m->ctx, out, &n, SL_SYNC_MAC_LEN) || n != SL_SYNC_MAC_LEN)
		return -1;
	return 0;
}
