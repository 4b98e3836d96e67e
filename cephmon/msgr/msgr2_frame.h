/*
 * cephmon/msgr/msgr2_frame.h: the Ceph messenger v2.1 (msgr2.1) wire codec, client
 * side: the banner, frame preambles, and whole frames in crc and secure
 * (AES-128-GCM) modes. Pure functions over byte buffers: no sockets, no
 * threads, no logging; the connection state machine feeds them what it read
 * and sends what they produce.
 *
 * Sources: Ceph src/msg/async/frames_v2.{h,cc} (FrameAssembler, rev1 paths),
 * src/msg/async/crypto_onwire.cc (AES-128-GCM, nonce_t), doc/dev/msgr2.rst,
 * and Linux net/ceph/messenger_v2.c + include/linux/ceph/messenger.h
 * (CEPH_PREAMBLE_*, CEPH_EPILOGUE_*, setup_crypto()).
 *
 * A frame is a preamble and up to four segments (a control frame uses one; a
 * MESSAGE frame uses header, front, middle, data). msgr2.1 on the wire:
 *
 *   crc mode     preamble (32, own crc32c seeded 0)
 *                segment 1, then its crc32c (seeded -1)    [if not empty]
 *                segments 2..4, then the epilogue:          [if more than
 *                  u8 late_status, le32 crc of segments 2..4    one segment]
 *   secure mode  GCM(preamble + first 48 bytes of segment 1, zero padded)
 *                GCM(rest of segment 1, padded to 16)       [if over 48 bytes]
 *                GCM(segments 2..4 each padded to 16 +      [if more than
 *                    16-byte epilogue block: late_status, 15 zero bytes)  one]
 *
 * Each GCM operation uses the next nonce (le32 fixed, le64 counter + 1 per
 * operation) and appends a 16-byte tag; there is no AAD. The preamble crc is
 * computed and checked in secure mode too. Every frame up to and including
 * AUTH_DONE is in crc mode; from AUTH_SIGNATURE on, frames are in the mode
 * AUTH_DONE chose (pass the struct msgr2_gcm, or NULL for crc mode).
 *
 * Decoding is two calls so a reader can go from a fixed-size read to an exact
 * one: msgr2_frame_decode_head() on the first msgr2_head_len() bytes says how
 * many bytes follow (rest_len); msgr2_frame_decode_rest() on those yields the
 * segments. Error codes: -EBADMSG when a crc or GCM tag does not match (an
 * integrity error), -EPROTO when the frame is well protected but malformed
 * (segment count or length, tag, flags, late_status), -EINVAL when a buffer
 * has the wrong length for its step, -ENOMEM, -EIO when OpenSSL fails. A
 * failed call changes no state.
 */
#ifndef NETFUSE_MSGR2_FRAME_H
#define NETFUSE_MSGR2_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_codec.h"

/* ---- banner --------------------------------------------------------------- */

#define MSGR2_BANNER		 "ceph v2\n"
#define MSGR2_BANNER_LEN	 8
#define MSGR2_BANNER_PREFIX_LEN	 10 /* banner + le16 payload length */
#define MSGR2_BANNER_PAYLOAD_LEN 16 /* ours: le64 supported, le64 required */

/* msgr2 protocol features (a namespace of their own, not CEPH_FEATURE_*). */
#define MSGR2_FEATURE_REVISION_1  (1ULL << 0) /* msgr2.1 */
#define MSGR2_FEATURE_COMPRESSION (1ULL << 1)
/* Like the kernel: msgr2.1 only, no on-wire compression. */
#define MSGR2_SUPPORTED_FEATURES MSGR2_FEATURE_REVISION_1
#define MSGR2_REQUIRED_FEATURES	 MSGR2_FEATURE_REVISION_1

/* Append our banner (26 bytes). */
void msgr2_banner_encode(struct wire_enc *e);

/*
 * The first MSGR2_BANNER_PREFIX_LEN bytes of the peer's banner: the length of
 * the payload that follows. -EPROTONOSUPPORT if the peer speaks msgr1 ("ceph
 * v027"), -EBADMSG for anything else that is not a msgr2 banner.
 */
int msgr2_banner_decode_prefix(const uint8_t *buf, size_t len, uint16_t *payload_len);

/* The payload: the peer's supported and required features. Extra bytes are
 * ignored, as Ceph does; fewer than 16 is -EBADMSG. */
int msgr2_banner_decode_payload(const uint8_t *buf, size_t len, uint64_t *supported, uint64_t *required);

/* 0 if we can talk to a peer with these features, else -EPROTONOSUPPORT
 * (it lacks a feature we require, or requires one we lack). */
int msgr2_banner_check(uint64_t peer_supported, uint64_t peer_required);

/* ---- frames ----------------------------------------------------------------- */

enum msgr2_tag {
	MSGR2_TAG_HELLO = 1,
	MSGR2_TAG_AUTH_REQUEST = 2,
	MSGR2_TAG_AUTH_BAD_METHOD = 3,
	MSGR2_TAG_AUTH_REPLY_MORE = 4,
	MSGR2_TAG_AUTH_REQUEST_MORE = 5,
	MSGR2_TAG_AUTH_DONE = 6,
	MSGR2_TAG_AUTH_SIGNATURE = 7,
	MSGR2_TAG_CLIENT_IDENT = 8,
	MSGR2_TAG_SERVER_IDENT = 9,
	MSGR2_TAG_IDENT_MISSING_FEATURES = 10,
	MSGR2_TAG_SESSION_RECONNECT = 11,
	MSGR2_TAG_SESSION_RESET = 12,
	MSGR2_TAG_SESSION_RETRY = 13,
	MSGR2_TAG_SESSION_RETRY_GLOBAL = 14,
	MSGR2_TAG_SESSION_RECONNECT_OK = 15,
	MSGR2_TAG_WAIT = 16,
	MSGR2_TAG_MESSAGE = 17,
	MSGR2_TAG_KEEPALIVE2 = 18,
	MSGR2_TAG_KEEPALIVE2_ACK = 19,
	MSGR2_TAG_ACK = 20,
	MSGR2_TAG_COMPRESSION_REQUEST = 21,
	MSGR2_TAG_COMPRESSION_DONE = 22,
};
#define MSGR2_TAG_MAX MSGR2_TAG_COMPRESSION_DONE

#define MSGR2_MAX_SEGMENTS	  4
#define MSGR2_PREAMBLE_LEN	  32
#define MSGR2_CRC_LEN		  4
#define MSGR2_INLINE_LEN	  48 /* secure mode: segment 1 bytes inside the preamble block */
#define MSGR2_GCM_KEY_LEN	  16
#define MSGR2_GCM_NONCE_LEN	  12
#define MSGR2_GCM_TAG_LEN	  16
#define MSGR2_GCM_BLOCK_LEN	  16
#define MSGR2_PREAMBLE_SECURE_LEN (MSGR2_PREAMBLE_LEN + MSGR2_INLINE_LEN + MSGR2_GCM_TAG_LEN)
#define MSGR2_EPILOGUE_CRC_LEN	  (1 + 3 * MSGR2_CRC_LEN)
#define MSGR2_EPILOGUE_SECURE_LEN (MSGR2_GCM_BLOCK_LEN + MSGR2_GCM_TAG_LEN)

/* Segment size limits: the kernel client's CEPH_MSG_MAX_*_LEN. A larger
 * length in a preamble is -EPROTO before anything is allocated. */
#define MSGR2_MAX_CONTROL_LEN (16u << 20)
#define MSGR2_MAX_FRONT_LEN   (16u << 20)
#define MSGR2_MAX_MIDDLE_LEN  (16u << 20)
#define MSGR2_MAX_DATA_LEN    (64u << 20)

/* Preamble flags (Ceph quincy+); we never negotiate compression, so a frame
 * that says it is compressed is rejected. */
#define MSGR2_FRAME_FLAG_COMPRESSED 0x01

/* Epilogue late_status (msgr2.1): a nibble with two far-apart code words. */
#define MSGR2_LATE_STATUS_ABORTED      0x1
#define MSGR2_LATE_STATUS_COMPLETE     0xe
#define MSGR2_LATE_STATUS_ABORTED_MASK 0xf

/* Returned by the decoders (> 0) for a frame its sender aborted after the
 * first segment: its bytes were consumed and checked; drop it. */
#define MSGR2_FRAME_ABORTED 1

struct msgr2_preamble {
	uint8_t tag;
	uint8_t num_segments;		    /* 1..4 */
	uint8_t flags;			    /* MSGR2_FRAME_FLAG_* */
	uint32_t len[MSGR2_MAX_SEGMENTS];   /* zero past num_segments */
	uint16_t align[MSGR2_MAX_SEGMENTS]; /* advisory; zero past num_segments */
};

/* Write @p's 32 wire bytes, crc included. */
void msgr2_preamble_encode(const struct msgr2_preamble *p, uint8_t out[MSGR2_PREAMBLE_LEN]);

/* Check the crc and the structure (segment count, lengths within the limits,
 * last segment not empty, known tag, no compression flag). */
int msgr2_preamble_decode(const uint8_t in[MSGR2_PREAMBLE_LEN], struct msgr2_preamble *p);

/* ---- secure mode state ---------------------------------------------------------- */

struct msgr2_gcm_nonce {
	uint32_t fixed;
	uint64_t counter; /* + 1 for each GCM operation (msgr2.1) */
};

/* One direction of a secure connection. Holds key material: wipe it. */
struct msgr2_gcm {
	uint8_t key[MSGR2_GCM_KEY_LEN];
	struct msgr2_gcm_nonce nonce; /* the next one to use */
	struct msgr2_gcm_nonce first;
	bool used_first; /* coming back to @first means the counter wrapped */
};

struct msgr2_crypto {
	struct msgr2_gcm rx, tx;
};

/* Set one direction from a key and a 12-byte nonce as Ceph lays it out. */
void msgr2_gcm_init(struct msgr2_gcm *g, const uint8_t key[MSGR2_GCM_KEY_LEN],
		    const uint8_t nonce[MSGR2_GCM_NONCE_LEN]);

/*
 * Split the connection secret from AUTH_DONE as the kernel's setup_crypto()
 * does for a client: key = bytes 0..15, rx nonce = 16..27, tx nonce = 28..39
 * (Ceph's create_handler_pair, not crossed). Shorter than 40 bytes: -EINVAL.
 */
int msgr2_crypto_init_client(struct msgr2_crypto *c, const uint8_t *secret, size_t len);

void msgr2_crypto_wipe(struct msgr2_crypto *c);

/* ---- encoding ---------------------------------------------------------------------- */

struct msgr2_seg {
	const void *data;
	uint32_t len;
};

/*
 * Append one frame with @tag and segments @segs[0..nsegs) (1 to 4; trailing
 * empty segments are dropped, as Ceph does) to @out: crc mode when @tx is
 * NULL, else secure mode, using and advancing @tx's nonce. -EINVAL for a bad
 * segment count or a segment over its limit, -EOVERFLOW when the nonce would
 * repeat; on failure @out and @tx are as they were.
 */
int msgr2_frame_encode(struct wire_enc *out, uint8_t tag, const struct msgr2_seg *segs, unsigned nsegs,
		       struct msgr2_gcm *tx);
/* The same in crc mode, except that the last segment (the last of @nsegs,
 * not empty, not the first) is left out: its crc is in the epilogue, and
 * *@hole is the offset in @out where its bytes belong on the wire, for a
 * sender that writes them from where they are (no copy). */
int msgr2_frame_encode_crc_hole(struct wire_enc *out, uint8_t tag, const struct msgr2_seg *segs, unsigned nsegs,
				size_t *hole);

/* ---- decoding ---------------------------------------------------------------------- */

/* Bytes to read for the head of a frame: 32, or 96 in secure mode. */
size_t msgr2_head_len(bool secure);

struct msgr2_rx_head {
	struct msgr2_preamble pre;
	bool secure;
	size_t rest_len;		      /* bytes that follow the head */
	uint8_t inline_seg[MSGR2_INLINE_LEN]; /* secure: segment 1's first bytes */
};

/*
 * Decode the head of a frame (@len must be msgr2_head_len()); @rx is NULL in
 * crc mode. Does not advance @rx: msgr2_frame_decode_rest() does, so it must
 * be called for every head, even when rest_len is 0.
 */
int msgr2_frame_decode_head(const uint8_t *buf, size_t len, const struct msgr2_gcm *rx, struct msgr2_rx_head *h);

/* A decoded frame. In crc mode its segments point into the buffer it was
 * decoded from (valid as long as that is; no copy of a large data segment);
 * in secure mode they are decrypted into one allocation of its own (buf),
 * which may hold secrets and is wiped when freed. */
struct msgr2_frame {
	uint8_t tag;
	uint8_t flags;
	unsigned num_segments;
	uint32_t len[MSGR2_MAX_SEGMENTS];
	const uint8_t *seg[MSGR2_MAX_SEGMENTS]; /* NULL for an empty segment */
	uint8_t *buf;
	size_t buf_len;
};

/*
 * Decode the @h->rest_len bytes after a head: check crcs or decrypt, and fill
 * @f. Returns 0, MSGR2_FRAME_ABORTED (@f set empty; the frame must be
 * dropped), or a negative error (@f untouched). On success or abort @rx's
 * nonce moves past every GCM operation of the frame.
 */
int msgr2_frame_decode_rest(const struct msgr2_rx_head *h, const uint8_t *buf, size_t len, struct msgr2_gcm *rx,
			    struct msgr2_frame *f);

/*
 * Both steps on a buffer that may hold a whole frame or less: -EAGAIN with
 * *@frame_len set to the bytes needed so far when @len is short; otherwise
 * as msgr2_frame_decode_rest(), with *@frame_len the frame's length.
 */
int msgr2_frame_decode(const uint8_t *buf, size_t len, struct msgr2_gcm *rx, struct msgr2_frame *f, size_t *frame_len);

/*
 * crc mode, a frame whose last segment was received apart from the rest
 * (a message's data straight into its reader's buffer): @buf holds the
 * preamble, the other segments and the epilogue back to back, @last the
 * last segment's @last_len bytes (the preamble must say as much). As
 * msgr2_frame_decode otherwise, *@frame_len counting the bytes of @buf; the
 * last segment's crc is checked where it lies.
 */
int msgr2_frame_decode_crc_split(const uint8_t *buf, size_t len, const uint8_t *last, size_t last_len,
				 struct msgr2_frame *f, size_t *frame_len);

/* Wipe and free @f's segments (safe on a zeroed or already freed frame). */
void msgr2_frame_free(struct msgr2_frame *f);

#endif
