/*
 * test/lib/mds_reply_enc.h: MDS messages as a Pacific MDS encodes them for a
 * client that advertised REPLY_ENCODING (CInode::encode_inodestat,
 * CDir::encode_dirstat, Locker::encode_lease, MClientReply and
 * MClientSession's encode_payload), for tests of cephmds's decoders.
 */
#ifndef NETFUSE_TEST_MDS_REPLY_ENC_H
#define NETFUSE_TEST_MDS_REPLY_ENC_H

#include <stdint.h>

#include "cephmds/mds_msgs.h"
#include "net/wire.h"

/* An InodeStat of @struct_v (1..8) from @in (its pointers and lengths
 * included; a v5+ snap metadata map and later fields are encoded empty). */
void mds_enc_inode(struct wire_enc *e, const struct mds_inode *in, uint8_t struct_v);
void mds_enc_dirstat(struct wire_enc *e, const struct mds_dirstat *ds);
/* A LeaseStat of @struct_v (1 or 2: with an empty alternate name). */
void mds_enc_lease(struct wire_enc *e, const struct mds_lease *l, uint8_t struct_v);

/* An MClientReply front: the head, then @trace, @extra and @snap as blobs. */
void mds_enc_reply(struct wire_enc *e, const struct mds_reply *head, const void *trace, uint32_t trace_len,
		   const void *extra, uint32_t extra_len);

/* An MClientSession front of header version @version (1: head only; 4 or
 * 5: metadata with @error_string when not NULL, @features, a metric spec,
 * and with 5 the flags). */
void mds_enc_session(struct wire_enc *e, uint16_t version, uint32_t op, uint64_t seq, const char *error_string,
		     uint64_t features, uint32_t flags);

#endif
