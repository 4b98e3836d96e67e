/*
 * Fuzz target: cephmon/msgr/msgr2_frame.c's decoders (banner, preamble, frames in
 * crc mode and in secure mode under a fixed test key).
 *
 * Input: one mode byte, then a byte stream. Mode bit 0 picks secure mode
 * (key 00..0f, the client's rx nonce 10..1b, as in test_msgr2_frame.c),
 * bit 1 makes the stream a banner instead of frames. Frames are decoded one
 * after another until the stream ends or fails. Checked on every frame:
 * lengths stay within the input and the limits; a failure changes neither the
 * frame nor the nonce; an aborted frame comes back empty; and what decodes
 * re-encodes (as the peer would have, from the same nonce) into a frame that
 * decodes to the same segments and moves the nonce by the same amount.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/msgr2_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t limit[MSGR2_MAX_SEGMENTS] = {MSGR2_MAX_CONTROL_LEN, MSGR2_MAX_FRONT_LEN, MSGR2_MAX_MIDDLE_LEN,
						   MSGR2_MAX_DATA_LEN};

static void check_reencode(const struct msgr2_frame *f, const struct msgr2_gcm *before, const struct msgr2_gcm *after)
{
	struct msgr2_seg s[MSGR2_MAX_SEGMENTS];
	struct msgr2_gcm tx, rx;
	struct msgr2_frame g;
	struct wire_enc e;
	size_t fl;

	for (unsigned i = 0; i < f->num_segments; i++)
		s[i] = (struct msgr2_seg){f->seg[i], f->len[i]};
	if (before) {
		tx = *before;
		rx = *before;
	}
	wire_enc_init(&e);
	if (msgr2_frame_encode(&e, f->tag, s, f->num_segments, before ? &tx : NULL))
		abort();
	if (before && (tx.nonce.counter != after->nonce.counter || tx.nonce.fixed != after->nonce.fixed))
		abort();
	if (msgr2_frame_decode(e.buf, e.len, before ? &rx : NULL, &g, &fl) || fl != e.len)
		abort();
	if (g.tag != f->tag || g.num_segments != f->num_segments)
		abort();
	for (unsigned i = 0; i < f->num_segments; i++)
		if (g.len[i] != f->len[i] || (f->len[i] && memcmp(g.seg[i], f->seg[i], f->len[i])))
			abort();
	msgr2_frame_free(&g);
	wire_enc_free(&e);
}

static void fuzz_frames(const uint8_t *p, size_t n, bool secure)
{
	static const uint8_t key[MSGR2_GCM_KEY_LEN] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	static const uint8_t nonce[MSGR2_GCM_NONCE_LEN] = {16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27};
	struct msgr2_gcm rx, before;

	msgr2_gcm_init(&rx, key, nonce);
	for (int frames = 0; frames < 16 && n; frames++) {
		struct msgr2_frame f;
		size_t fl = 0;
		int err;

		before = rx;
		memset(&f, 0x5a, sizeof(f));
		err = msgr2_frame_decode(p, n, secure ? &rx : NULL, &f, &fl);
		if (err < 0) {
			if (memcmp(&before, &rx, sizeof(rx)) || ((const uint8_t *)&f)[0] != 0x5a)
				abort(); /* a failure changed state */
			if (err == -EAGAIN && fl <= n)
				abort();
			return;
		}
		if (fl > n || fl < msgr2_head_len(secure))
			abort();
		if (err == MSGR2_FRAME_ABORTED) {
			if (f.buf || f.num_segments)
				abort();
		} else if (err == 0) {
			if (f.num_segments < 1 || f.num_segments > MSGR2_MAX_SEGMENTS || f.tag < MSGR2_TAG_HELLO ||
			    f.tag > MSGR2_TAG_MAX)
				abort();
			for (unsigned i = 0; i < f.num_segments; i++)
				if (f.len[i] > limit[i] || f.len[i] > fl || (f.len[i] && !f.seg[i]))
					abort();
			check_reencode(&f, secure ? &before : NULL, &rx);
			msgr2_frame_free(&f);
		} else {
			abort();
		}
		p += fl;
		n -= fl;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t plen;
	uint64_t s, r;

	if (!size)
		return 0;
	if (data[0] & 2) {
		if (msgr2_banner_decode_prefix(data + 1, size - 1, &plen) == 0 && size - 1 >= MSGR2_BANNER_PREFIX_LEN &&
		    msgr2_banner_decode_payload(
			data + 1 + MSGR2_BANNER_PREFIX_LEN,
			size - 1 - MSGR2_BANNER_PREFIX_LEN < plen ? size - 1 - MSGR2_BANNER_PREFIX_LEN : plen, &s,
			&r) == 0)
			(void)msgr2_banner_check(s, r);
		return 0;
	}
	fuzz_frames(data + 1, size - 1, data[0] & 1);
	return 0;
}
