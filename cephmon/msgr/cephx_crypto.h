/*
 * cephmon/msgr/cephx_crypto.h: Ceph's symmetric crypto for cephx ("ceph_crypt"),
 * and the encrypted blobs cephx carries.
 *
 * ceph_crypt is AES-128-CBC with the fixed IV "cephsageyudagreg" and
 * PKCS#7 padding that always adds 1..16 bytes (src/auth/Crypto.cc,
 * CryptoAESKeyHandler; net/ceph/crypto.c, ceph_crypt). A fixed IV leaks
 * equal prefixes; that is the protocol, not a choice made here.
 *
 * cephx never encrypts a bare value: it encrypts the header
 *   u8 struct_v (1), u64 magic 0xff009cad8826aa55,
 * followed by the encoded value (CephxProtocol.h, encode_encrypt_enc_bl /
 * decode_decrypt_enc_bl), and mostly sends the ciphertext behind a u32
 * length (encode_encrypt / decode_decrypt). After decryption the padding
 * and the magic are what tell a wrong key from a right one.
 *
 * Errors, everywhere in this module:
 *   -EINVAL        the key is not a 16-byte AES key
 *   -EBADMSG       the input is malformed: truncated, or a ciphertext whose
 *                  length is not a positive multiple of 16
 *   -EKEYREJECTED  the ciphertext is well formed but does not decrypt under
 *                  this key: bad padding, or no magic (a wrong key, or data
 *                  corrupted in a way no checksum caught)
 *   -ENOMEM
 * Plaintext buffers are wiped before they are freed.
 */
#ifndef NETFUSE_CEPHX_CRYPTO_H
#define NETFUSE_CEPHX_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_codec.h"
#include "cephmon/msgr/ceph_security.h"

#define CEPHX_AES_BLOCK	  16
#define CEPHX_AES_IV	  "cephsageyudagreg"
#define CEPHX_ENC_MAGIC	  0xff009cad8826aa55ULL
#define CEPHX_ENC_HDR_LEN 9 /* u8 struct_v + u64 magic */

/* Bytes of ciphertext for @len bytes of plaintext. */
static inline size_t cephx_crypt_len(size_t len)
{
	return len - len % CEPHX_AES_BLOCK + CEPHX_AES_BLOCK;
}

/* ceph_crypt, encrypting: @out receives exactly cephx_crypt_len(@len) bytes. */
int cephx_aes_encrypt(const struct ceph_crypto_key *key, const void *in, size_t len, uint8_t *out);

/* ceph_crypt, decrypting: @out (room for @len bytes) receives the plaintext
 * and *@outlen its length (@len minus the padding). */
int cephx_aes_decrypt(const struct ceph_crypto_key *key, const void *in, size_t len, uint8_t *out, size_t *outlen);

/* A decrypted payload (what follows the struct_v + magic header). */
struct cephx_plain {
	const uint8_t *data;
	size_t len;
	uint8_t *buf; /* private: the allocation, wiped by cephx_plain_free */
	size_t cap;
};

void cephx_plain_free(struct cephx_plain *p);

/* encode_encrypt_enc_bl: append the ciphertext of header + @payload to
 * @out, with no length in front. */
int cephx_encrypt_enc_bl(const struct ceph_crypto_key *key, const void *payload, size_t len, struct wire_enc *out);

/* encode_encrypt: the same behind a u32 length. */
int cephx_encode_encrypt(const struct ceph_crypto_key *key, const void *payload, size_t len, struct wire_enc *out);

/* decode_decrypt_enc_bl: decrypt the whole of @ct and check the header; on
 * success @out holds the payload (free it with cephx_plain_free). */
int cephx_decrypt_enc_bl(const struct ceph_crypto_key *key, const void *ct, size_t len, struct cephx_plain *out);

/* decode_decrypt: take a u32-length ciphertext from @d and decrypt it as
 * cephx_decrypt_enc_bl does. @d moves past the ciphertext only on success. */
int cephx_decode_decrypt(const struct ceph_crypto_key *key, struct wire_dec *d, struct cephx_plain *out);

#endif
