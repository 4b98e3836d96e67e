/* test/lib/osd_reply_enc.c: see the header. */
#include "config.h"

#include "test/lib/osd_reply_enc.h"

#include "cephmon/msgr/ceph_codec.h"

void osd_reply_encode(struct wire_enc *e, const struct osd_reply_enc *r)
{
	ceph_enc_string(e, r->oid);
	wire_enc_u8(e, 1), wire_enc_le64(e, (uint64_t)r->pgid.pool), wire_enc_le32(e, r->pgid.seed);
	wire_enc_le32(e, 0xffffffff);
	wire_enc_le64(e, 0x25); /* flags: the request's with ACK|ONDISK */
	wire_enc_le32(e, (uint32_t)r->result);
	wire_enc_le64(e, 0), wire_enc_le32(e, 0); /* bad_replay_version */
	wire_enc_le32(e, r->epoch);
	wire_enc_le32(e, r->nops);
	for (uint32_t i = 0; i < r->nops; i++) {
		wire_enc_le16(e, r->ops[i]), wire_enc_le32(e, 0), wire_enc_zeros(e, 28);
		wire_enc_le32(e, r->out_lens ? r->out_lens[i] : 0);
	}
	wire_enc_le32(e, (uint32_t)r->attempts);
	for (uint32_t i = 0; i < r->nops; i++)
		wire_enc_le32(e, r->rvals ? (uint32_t)r->rvals[i] : 0);
	wire_enc_le64(e, r->version), wire_enc_le32(e, r->epoch); /* replay_version */
	wire_enc_le64(e, r->version);				  /* user_version */
	wire_enc_u8(e, r->redirect_pool != -1);
	if (r->redirect_pool != -1) {
		size_t at = ceph_enc_struct_begin(e, 1, 1), loc = ceph_enc_struct_begin(e, 6, 3);
		wire_enc_le64(e, (uint64_t)r->redirect_pool), wire_enc_le32(e, 0xffffffff);
		ceph_enc_string(e, ""), ceph_enc_string(e, ""), wire_enc_le64(e, ~0ull);
		ceph_enc_struct_end(e, loc);
		ceph_enc_string(e, "");
		wire_enc_le32(e, 0);
		ceph_enc_struct_end(e, at);
	}
	wire_enc_zeros(e, 24); /* trace */
}
