/*
 * Unit tests for afs_rx/xdr.[ch] and the byte cursor under it (net/wire.h).
 *
 * Known-answer bytes were produced on this machine by OpenAFS 1.8.9's own
 * XDR routines (libafsrpc from libopenafs-dev: xdr_string, xdr_afs_uint64,
 * xdr_opaque, xdr_char through xdr_uvldbentry) writing into an xdrmem
 * buffer, in a throwaway program that is not part of netfuse; no server was
 * involved.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "afs_rx/xdr.h"

/* xdr_string("hello", 65), xdr_afs_uint64(0x0102030405060708), xdr_opaque({1,2,3}, 3) */
static const uint8_t openafs_mix[24] = {
    0x00, 0x00, 0x00, 0x05, 'h',  'e',	'l',  'l',  0x6f, 0x00, 0x00, 0x00,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x02, 0x03, 0x00,
};

Test(xdr, decode_openafs_mix)
{
	struct wire_dec d;
	char s[66];
	uint64_t h;
	uint8_t op[3];

	wire_dec_init(&d, openafs_mix, sizeof(openafs_mix));
	cr_assert_eq(xdr_dec_string(&d, s, sizeof(s), 65), 0);
	cr_assert_str_eq(s, "hello");
	cr_assert_eq(wire_dec_be64(&d, &h), 0);
	cr_assert_eq(h, 0x0102030405060708ULL);
	cr_assert_eq(xdr_dec_opaque_fixed(&d, op, 3), 0);
	cr_assert_arr_eq(op, ((uint8_t[]){1, 2, 3}), 3);
	cr_assert_eq(wire_dec_finish(&d), 0);
}

Test(xdr, encode_openafs_mix)
{
	struct wire_enc e;

	wire_enc_init(&e);
	xdr_enc_string(&e, "hello", 65);
	wire_enc_be64(&e, 0x0102030405060708ULL);
	xdr_enc_opaque_fixed(&e, (uint8_t[]){1, 2, 3}, 3);
	cr_assert_eq(wire_enc_error(&e), 0);
	cr_assert_eq(e.len, sizeof(openafs_mix));
	cr_assert_arr_eq(e.buf, openafs_mix, sizeof(openafs_mix));
	wire_enc_free(&e);
	cr_assert_null(e.buf);
	cr_assert_eq(e.len, 0);
}

Test(xdr, integers)
{
	struct wire_enc e;
	struct wire_dec d;
	uint32_t u;
	int32_t s;
	uint64_t h;
	bool b;
	uint16_t w;
	uint8_t c;

	wire_enc_init(&e);
	wire_enc_be32(&e, 0xdeadbeef);
	xdr_enc_s32(&e, -5);
	wire_enc_be64(&e, 0xfedcba9876543210ULL);
	xdr_enc_bool(&e, true);
	xdr_enc_bool(&e, false);
	wire_enc_be16(&e, 0xbeef);
	wire_enc_u8(&e, 0x42);
	cr_assert_eq(e.len, 4 + 4 + 8 + 4 + 4 + 2 + 1);
	cr_assert_arr_eq(e.buf, ((uint8_t[]){0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xfb}), 8);

	wire_dec_init(&d, e.buf, e.len);
	cr_assert_eq(wire_dec_be32(&d, &u), 0);
	cr_assert_eq(u, 0xdeadbeef);
	cr_assert_eq(xdr_dec_s32(&d, &s), 0);
	cr_assert_eq(s, -5);
	cr_assert_eq(wire_dec_be64(&d, &h), 0);
	cr_assert_eq(h, 0xfedcba9876543210ULL);
	cr_assert_eq(xdr_dec_bool(&d, &b), 0);
	cr_assert(b);
	cr_assert_eq(xdr_dec_bool(&d, &b), 0);
	cr_assert_not(b);
	cr_assert_eq(wire_dec_be16(&d, &w), 0);
	cr_assert_eq(w, 0xbeef);
	cr_assert_eq(wire_dec_u8(&d, &c), 0);
	cr_assert_eq(c, 0x42);
	cr_assert_eq(wire_dec_finish(&d), 0);
	wire_enc_free(&e);
}

Test(xdr, bool_other_than_0_1_is_malformed)
{
	const uint8_t two[4] = {0, 0, 0, 2};
	struct wire_dec d;
	bool b;

	wire_dec_init(&d, two, 4);
	cr_assert_eq(xdr_dec_bool(&d, &b), -EBADMSG);
	cr_assert(d.bad);
}

Test(xdr, failure_is_sticky)
{
	const uint8_t buf[6] = {0, 0, 0, 1, 0, 0};
	struct wire_dec d;
	uint32_t u;
	uint8_t c;

	wire_dec_init(&d, buf, sizeof(buf));
	cr_assert_eq(wire_dec_be32(&d, &u), 0);
	cr_assert_eq(wire_dec_be32(&d, &u), -EBADMSG); /* only 2 left */
	cr_assert_eq(wire_dec_left(&d), 0);
	cr_assert_eq(wire_dec_u8(&d, &c), -EBADMSG); /* would fit, but the cursor is bad */
	cr_assert_eq(wire_dec_finish(&d), -EBADMSG);
}

Test(xdr, finish_wants_everything_consumed)
{
	const uint8_t buf[5] = {0};
	struct wire_dec d;
	uint32_t u;

	wire_dec_init(&d, buf, sizeof(buf));
	wire_dec_be32(&d, &u);
	cr_assert_eq(wire_dec_finish(&d), -EBADMSG);
}

Test(xdr, opaque_bounds_and_padding)
{
	/* opaque<8> of 5 bytes, pad bytes not zero (ignored, as OpenAFS does) */
	const uint8_t v[12] = {0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0xee, 0xee, 0xee};
	struct wire_dec d;
	const uint8_t *p;
	uint32_t n;

	wire_dec_init(&d, v, sizeof(v));
	cr_assert_eq(xdr_dec_opaque(&d, &p, &n, 8), 0);
	cr_assert_eq(n, 5);
	cr_assert_arr_eq(p, "abcde", 5);
	cr_assert_eq(wire_dec_finish(&d), 0);

	wire_dec_init(&d, v, sizeof(v));
	cr_assert_eq(xdr_dec_opaque(&d, &p, &n, 4), -EBADMSG); /* over the bound */
	wire_dec_init(&d, v, 11);
	cr_assert_eq(xdr_dec_opaque(&d, &p, &n, 8), -EBADMSG); /* padding cut short */
	wire_dec_init(&d, v, 8);
	cr_assert_eq(xdr_dec_opaque(&d, &p, &n, 8), -EBADMSG); /* data cut short */

	/* fixed opaque[5]: the padding belongs to it, the output stays alone if it is cut */
	uint8_t five[5] = {9, 9, 9, 9, 9};
	wire_dec_init(&d, v + 4, 7);
	cr_assert_eq(xdr_dec_opaque_fixed(&d, five, 5), -EBADMSG);
	cr_assert_arr_eq(five, ((uint8_t[]){9, 9, 9, 9, 9}), 5);
	wire_dec_init(&d, v + 4, 8);
	cr_assert_eq(xdr_dec_opaque_fixed(&d, five, 5), 0);
	cr_assert_arr_eq(five, "abcde", 5);
	cr_assert_eq(wire_dec_finish(&d), 0);

	const uint8_t huge[8] = {0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4};
	wire_dec_init(&d, huge, sizeof(huge));
	cr_assert_eq(xdr_dec_opaque(&d, &p, &n, UINT32_MAX), -EBADMSG);

	struct wire_enc e;
	wire_enc_init(&e);
	xdr_enc_opaque(&e, "abcde", 5);
	xdr_enc_opaque(&e, "", 0);
	xdr_enc_opaque(&e, "wxyz", 4);
	cr_assert_eq(e.len, 12 + 4 + 8);
	cr_assert_arr_eq(e.buf, ((uint8_t[]){0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0, 0, 0, 0, 0, 0, 0}), 16);
	wire_enc_free(&e);
}

Test(xdr, strings_hostile)
{
	struct wire_dec d;
	char s[8];

	/* a NUL inside */
	const uint8_t nul[8] = {0, 0, 0, 3, 'a', 0, 'b', 0};
	wire_dec_init(&d, nul, sizeof(nul));
	cr_assert_eq(xdr_dec_string(&d, s, sizeof(s), 64), -EBADMSG);

	/* longer than the bound */
	const uint8_t longer[12] = {0, 0, 0, 6, 'a', 'b', 'c', 'd', 'e', 'f', 0, 0};
	wire_dec_init(&d, longer, sizeof(longer));
	cr_assert_eq(xdr_dec_string(&d, s, sizeof(s), 5), -EBADMSG);
	/* within the bound but not the caller's buffer (needs 7) */
	wire_dec_init(&d, longer, sizeof(longer));
	cr_assert_eq(xdr_dec_string(&d, s, 6, 64), -EBADMSG);
	wire_dec_init(&d, longer, sizeof(longer));
	cr_assert_eq(xdr_dec_string(&d, s, 7, 64), 0);
	cr_assert_str_eq(s, "abcdef");

	/* empty */
	const uint8_t empty[4] = {0};
	wire_dec_init(&d, empty, sizeof(empty));
	cr_assert_eq(xdr_dec_string(&d, s, 1, 0), 0);
	cr_assert_str_eq(s, "");

	struct wire_enc e;
	wire_enc_init(&e);
	xdr_enc_string(&e, "abcdef", 5);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_be32(&e, 1); /* dropped after the error */
	cr_assert_eq(e.len, 0);
	wire_enc_free(&e);
}

Test(xdr, array_counts)
{
	const uint8_t v[12] = {0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 9};
	struct wire_dec d;
	uint32_t n;

	wire_dec_init(&d, v, sizeof(v));
	cr_assert_eq(xdr_dec_count(&d, 500, 4, &n), 0);
	cr_assert_eq(n, 2);
	wire_dec_init(&d, v, sizeof(v));
	cr_assert_eq(xdr_dec_count(&d, 1, 4, &n), -EBADMSG); /* over the array bound */
	wire_dec_init(&d, v, sizeof(v));
	cr_assert_eq(xdr_dec_count(&d, 500, 8, &n), -EBADMSG); /* 2 x 8 bytes are not there */
	wire_dec_init(&d, v, sizeof(v));
	cr_assert_eq(xdr_dec_count(&d, 500, 0, &n), 0);

	const uint8_t hostile[8] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
	wire_dec_init(&d, hostile, sizeof(hostile));
	cr_assert_eq(xdr_dec_count(&d, UINT32_MAX, 4, &n), -EBADMSG);
}

Test(xdr, rxgen_char_arrays_as_openafs)
{
	/* xdr_char of (char)0x88, 'r', 0: one sign-extended int each */
	const uint8_t want[12] = {0xff, 0xff, 0xff, 0x88, 0, 0, 0, 'r', 0, 0, 0, 0};
	struct wire_enc e;
	struct wire_dec d;
	char out[3];
	uint8_t raw[2] = {0x88, 'r'};

	wire_enc_init(&e);
	xdr_enc_char_bytes(&e, raw, 2);
	xdr_enc_s32(&e, 0);
	cr_assert_eq(e.len, 12);
	cr_assert_arr_eq(e.buf, want, 12);
	wire_enc_free(&e);

	wire_enc_init(&e);
	xdr_enc_chars(&e, "\x88r", 3);
	cr_assert_arr_eq(e.buf, want, 12);
	xdr_enc_chars(&e, "abc", 3); /* no room for the NUL */
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);

	wire_dec_init(&d, want, sizeof(want));
	cr_assert_eq(xdr_dec_chars(&d, out, 3), 0);
	cr_assert_eq((uint8_t)out[0], 0x88);
	cr_assert_eq(out[1], 'r');
	cr_assert_eq(out[2], 0);

	/* zero-extended (kAFS) reads the same */
	const uint8_t zext[4] = {0, 0, 0, 0x88};
	wire_dec_init(&d, zext, sizeof(zext));
	cr_assert_eq(xdr_dec_chars(&d, out, 1), 0);
	cr_assert_eq((uint8_t)out[0], 0x88);

	wire_dec_init(&d, want, 11);
	cr_assert_eq(xdr_dec_chars(&d, out, 3), -EBADMSG);
}

Test(xdr, encoder_grows)
{
	struct wire_enc e;
	static uint8_t big[100000];

	memset(big, 0x5a, sizeof(big));
	wire_enc_init(&e);
	wire_enc_be32(&e, 7);
	xdr_enc_opaque(&e, big, sizeof(big));
	cr_assert_eq(wire_enc_error(&e), 0);
	cr_assert_eq(e.len, 4 + 4 + sizeof(big));
	cr_assert_arr_eq(e.buf + 8, big, sizeof(big));
	cr_assert_null(wire_enc_reserve(&e, SIZE_MAX - 10)); /* cannot grow that far */
	cr_assert_eq(wire_enc_error(&e), -ENOMEM);
	wire_enc_free(&e);
}
