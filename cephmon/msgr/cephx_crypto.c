/*
 * cephmon/msgr/cephx_crypto.c: ceph_crypt (AES-128-CBC, fixed IV, PKCS#7) through
 * OpenSSL EVP, and cephx's encrypted blobs (see cephx_crypto.h).
 *
 * EVP's own padding is switched off and done here, for two reasons: the
 * output sizes are then exact (no EVP "room for one more block" rule), and
 * a bad pad is a result we report (-EKEYREJECTED), not an opaque EVP
 * failure. The pad check is stricter than Ceph's (which takes
 * min(last byte, 16) and looks no further) and the kernel's (last byte in
 * 1..16): every pad byte must equal the pad length. A correct peer always
 * pads that way, and the stricter check catches more wrong keys before the
 * magic does.
 */
#include "config.h"

#include "cephmon/msgr/cephx_crypto.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static int check_key(const struct ceph_crypto_key *key)
{
	if (!key || key->type != CEPH_CRYPTO_AES || key->len != 16)
		return -EINVAL;
	return 0;
}

/* One CBC pass over whole blocks, padding off. */
static int aes_cbc(const struct ceph_crypto_key *key, int enc, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, r = -ENOMEM;

	if (len > INT_MAX)
		return -EBADMSG;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_cbc(), NULL, key->secret, (const unsigned char *)CEPHX_AES_IV, enc) !=
		1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + n, &fin) != 1 || (size_t)n + (size_t)fin != len)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

int cephx_aes_encrypt(const struct ceph_crypto_key *key, const void *in, size_t len, uint8_t *out)
{
	size_t clen = cephx_crypt_len(len);
	uint8_t pad = (uint8_t)(clen - len);
	uint8_t *tmp;
	int r;

	if (check_key(key))
		return -EINVAL;
	if (clen < len)
		return -EBADMSG;
	/* Pad in a private copy: @in may be a key and @out too small to stage it. */
	tmp = malloc(clen);
	if (!tmp)
		return -ENOMEM;
	if (len)
		memcpy(tmp, in, len);
	memset(tmp + len, pad, pad);
	r = aes_cbc(key, 1, tmp, clen, out);
	OPENSSL_cleanse(tmp, clen);
	free(tmp);
	return r;
}

int cephx_aes_decrypt(const struct ceph_crypto_key *key, const void *in, size_t len, uint8_t *out, size_t *outlen)
{
	uint8_t pad, bad = 0;
	int r;

	if (check_key(key))
		return -EINVAL;
	if (len == 0 || len % CEPHX_AES_BLOCK)
		return -EBADMSG;
	r = aes_cbc(key, 0, in, len, out);
	if (r)
		return r;
	pad = out[len - 1];
	if (pad == 0 || pad > CEPHX_AES_BLOCK)
		bad = 1;
	else
		for (size_t i = len - pad; i < len; i++)
			bad |= out[i] != pad;
	if (bad) {
		OPENSSL_cleanse(out, len);
		return -EKEYREJECTED;
	}
	*outlen = len - pad;
	return 0;
}

void cephx_plain_free(struct cephx_plain *p)
{
	if (p->buf) {
		OPENSSL_cleanse(p->buf, p->cap);
		free(p->buf);
	}
	memset(p, 0, sizeof(*p));
}

static int encrypt_append(const struct ceph_crypto_key *key, const void *payload, size_t len, struct wire_enc *out,
			  bool with_len)
{
	size_t plen = CEPHX_ENC_HDR_LEN + len, clen = cephx_crypt_len(plen);
	uint8_t *plain, *dst;
	int r;

	if (check_key(key))
		return -EINVAL;
	if (len > UINT32_MAX - 2 * CEPHX_AES_BLOCK)
		return -EMSGSIZE;
	plain = malloc(plen);
	if (!plain)
		return -ENOMEM;
	plain[0] = 1;
	put_le32(plain + 1, (uint32_t)CEPHX_ENC_MAGIC);
	put_le32(plain + 5, (uint32_t)(CEPHX_ENC_MAGIC >> 32));
	if (len)
		memcpy(plain + CEPHX_ENC_HDR_LEN, payload, len);
	if (with_len)
		wire_enc_le32(out, (uint32_t)clen);
	dst = wire_enc_reserve(out, clen);
	r = dst ? cephx_aes_encrypt(key, plain, plen, dst) : -ENOMEM;
	OPENSSL_cleanse(plain, plen);
	free(plain);
	if (!r)
		r = wire_enc_error(out);
	return r;
}

int cephx_encrypt_enc_bl(const struct ceph_crypto_key *key, const void *payload, size_t len, struct wire_enc *out)
{
	return encrypt_append(key, payload, len, out, false);
}

int cephx_encode_encrypt(const struct ceph_crypto_key *key, const void *payload, size_t len, struct wire_enc *out)
{
	return encrypt_append(key, payload, len, out, true);
}

int cephx_decrypt_enc_bl(const struct ceph_crypto_key *key, const void *ct, size_t len, struct cephx_plain *out)
{
	static const uint8_t magic[8] = {0x55, 0xaa, 0x26, 0x88, 0xad, 0x9c, 0x00, 0xff};
	struct cephx_plain p = {0};
	size_t plen;
	int r;

	memset(out, 0, sizeof(*out));
	if (check_key(key))
		return -EINVAL;
	if (len == 0 || len % CEPHX_AES_BLOCK)
		return -EBADMSG;
	p.buf = malloc(len);
	if (!p.buf)
		return -ENOMEM;
	p.cap = len;
	r = cephx_aes_decrypt(key, ct, len, p.buf, &plen);
	if (r)
		goto fail;
	/* struct_v is not checked: Ceph decodes and ignores it. */
	if (plen < CEPHX_ENC_HDR_LEN || memcmp(p.buf + 1, magic, sizeof(magic))) {
		r = -EKEYREJECTED;
		goto fail;
	}
	p.data = p.buf + CEPHX_ENC_HDR_LEN;
	p.len = plen - CEPHX_ENC_HDR_LEN;
	*out = p;
	return 0;
fail:
	cephx_plain_free(&p);
	return r;
}

int cephx_decode_decrypt(const struct ceph_crypto_key *key, struct wire_dec *d, struct cephx_plain *out)
{
	struct wire_dec tmp = *d;
	const uint8_t *ct;
	uint32_t len;
	int r;

	memset(out, 0, sizeof(*out));
	if (ceph_dec_blob(&tmp, &ct, &len)) {
		d->bad = true;
		return -EBADMSG;
	}
	r = cephx_decrypt_enc_bl(key, ct, len, out);
	if (r) {
		d->bad = true;
		return r;
	}
	*d = tmp;
	return 0;
}
