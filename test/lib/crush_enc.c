/*
 * test/lib/crush_enc.c: see crush_enc.h.
 */
#include "config.h"

#include "test/lib/crush_enc.h"

#include "cephmon/msgr/ceph_codec.h"

void crush_enc32(struct wire_enc *e, uint32_t v)
{
	wire_enc_le32(e, v);
}

/* a straw2 (or other simple) bucket at index -1 - id */
void crush_enc_bucket(struct wire_enc *e, int32_t id, uint16_t type, uint8_t alg, const int32_t *items, uint32_t n)
{
	crush_enc32(e, alg);
	crush_enc32(e, (uint32_t)id);
	wire_enc_le16(e, type);
	wire_enc_u8(e, alg);
	wire_enc_u8(e, CRUSH_HASH_RJENKINS1);
	crush_enc32(e, n * 0x10000);
	crush_enc32(e, n);
	for (uint32_t i = 0; i < n; i++)
		crush_enc32(e, (uint32_t)items[i]);
	switch (alg) {
	case CRUSH_BUCKET_UNIFORM:
		crush_enc32(e, 0x10000);
		break;
	case CRUSH_BUCKET_LIST:
		for (uint32_t i = 0; i < n; i++) {
			crush_enc32(e, 0x10000);
			crush_enc32(e, (i + 1) * 0x10000);
		}
		break;
	case CRUSH_BUCKET_STRAW:
		for (uint32_t i = 0; i < n; i++) {
			crush_enc32(e, 0x10000);
			crush_enc32(e, 0x10000);
		}
		break;
	case CRUSH_BUCKET_STRAW2:
		for (uint32_t i = 0; i < n; i++)
			crush_enc32(e, 0x10000);
		break;
	}
}

void crush_enc_tree(struct wire_enc *e, int32_t id, const int32_t *items, uint32_t n, uint8_t num_nodes)
{
	crush_enc32(e, CRUSH_BUCKET_TREE);
	crush_enc32(e, (uint32_t)id);
	wire_enc_le16(e, 1);
	wire_enc_u8(e, CRUSH_BUCKET_TREE);
	wire_enc_u8(e, 0);
	crush_enc32(e, n * 0x10000);
	crush_enc32(e, n);
	for (uint32_t i = 0; i < n; i++)
		crush_enc32(e, (uint32_t)items[i]);
	wire_enc_u8(e, num_nodes);
	for (uint32_t i = 0; i < num_nodes; i++)
		crush_enc32(e, i & 1 ? 0x10000 : 0x20000);
}

void crush_enc_rule(struct wire_enc *e, uint8_t type, const struct crush_rule_step *s, uint32_t n)
{
	crush_enc32(e, 1);
	crush_enc32(e, n);
	wire_enc_u8(e, 0);
	wire_enc_u8(e, type);
	wire_enc_u8(e, 1);
	wire_enc_u8(e, 10);
	for (uint32_t i = 0; i < n; i++) {
		crush_enc32(e, s[i].op);
		crush_enc32(e, (uint32_t)s[i].arg1);
		crush_enc32(e, (uint32_t)s[i].arg2);
	}
}

void crush_enc_name(struct wire_enc *e, int32_t id, const char *name)
{
	crush_enc32(e, (uint32_t)id);
	ceph_enc_string(e, name);
}

/* jewel tunables, no classes yet */
void crush_enc_tunables(struct wire_enc *e)
{
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 50);
	crush_enc32(e, 1);
	wire_enc_u8(e, 1);
	wire_enc_u8(e, 1);
	crush_enc32(e, 54);
	wire_enc_u8(e, 1);
}

/*
 * The standard test map: devices 0-3, hosts -1 {0,1} and -2 {2,3} (type 1,
 * straw2), root -3 {-1,-2} (type 2, straw2); rule 0 chooseleaf firstn 0
 * type host, rule 1 chooseleaf indep 0 type host; names, tunables, one
 * device class table and optionally choose_args.
 */
void crush_enc_standard_head(struct wire_enc *e)
{
	static const int32_t h0[] = {0, 1}, h1[] = {2, 3}, root[] = {-1, -2};
	static const struct crush_rule_step firstn[] = {
	    {CRUSH_RULE_TAKE, -3, 0}, {CRUSH_RULE_CHOOSELEAF_FIRSTN, 0, 1}, {CRUSH_RULE_EMIT, 0, 0}};
	static const struct crush_rule_step indep[] = {
	    {CRUSH_RULE_TAKE, -3, 0}, {CRUSH_RULE_CHOOSELEAF_INDEP, 0, 1}, {CRUSH_RULE_EMIT, 0, 0}};

	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 3);
	crush_enc32(e, 2);
	crush_enc32(e, 4);
	crush_enc_bucket(e, -1, 1, CRUSH_BUCKET_STRAW2, h0, 2);
	crush_enc_bucket(e, -2, 1, CRUSH_BUCKET_STRAW2, h1, 2);
	crush_enc_bucket(e, -3, 2, CRUSH_BUCKET_STRAW2, root, 2);
	crush_enc_rule(e, 1, firstn, 3);
	crush_enc_rule(e, 3, indep, 3);
	crush_enc32(e, 3); /* types */
	crush_enc_name(e, 0, "osd");
	crush_enc_name(e, 1, "host");
	crush_enc_name(e, 2, "root");
	crush_enc32(e, 3); /* buckets */
	crush_enc_name(e, -1, "h0");
	crush_enc_name(e, -2, "h1");
	crush_enc_name(e, -3, "default");
	crush_enc32(e, 1); /* rules */
	crush_enc_name(e, 0, "rep");
}

void crush_enc_standard_tail(struct wire_enc *e, int ca)
{
	crush_enc_tunables(e);
	crush_enc32(e, 1); /* class_map: osd.0 hdd */
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 1); /* class_name */
	crush_enc_name(e, 0, "hdd");
	crush_enc32(e, 0); /* class_bucket */
	if (ca == CRUSH_ENC_CA_NONE)
		return;
	crush_enc32(e, 1);	      /* one choose_args map */
	wire_enc_le64(e, UINT64_MAX); /* index -1 */
	crush_enc32(e, ca == CRUSH_ENC_CA_BAD_ORDER ? 2 : 1);
	crush_enc32(e, 2); /* bucket index 2: the root */
	crush_enc32(e, 1); /* one position */
	crush_enc32(e, ca == CRUSH_ENC_CA_BAD_SIZE ? 3 : 2);
	crush_enc32(e, 0); /* h0 never */
	crush_enc32(e, 0x10000);
	if (ca == CRUSH_ENC_CA_BAD_SIZE)
		crush_enc32(e, 1);
	crush_enc32(e, 0); /* no ids */
	if (ca == CRUSH_ENC_CA_BAD_ORDER) {
		crush_enc32(e, 1); /* index 1 after 2 */
		crush_enc32(e, 0);
		crush_enc32(e, 0);
	}
}

void crush_enc_standard(struct wire_enc *e, int ca)
{
	crush_enc_standard_head(e);
	crush_enc_standard_tail(e, ca);
}
