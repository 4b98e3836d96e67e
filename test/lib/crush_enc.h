/*
 * test/lib/crush_enc.h: CRUSH maps built field by field as CrushWrapper::encode
 * writes them (tests only): the pieces, for tests that make malformed maps,
 * and the standard test map test_crush and test_osdmap decode.
 */
#ifndef NETFUSE_TEST_CRUSH_ENC_H
#define NETFUSE_TEST_CRUSH_ENC_H

#include "cephosd/crush.h"
#include "net/wire.h"

enum { CRUSH_ENC_CA_NONE, CRUSH_ENC_CA_DEFAULT, CRUSH_ENC_CA_BAD_SIZE, CRUSH_ENC_CA_BAD_ORDER };

void crush_enc32(struct wire_enc *e, uint32_t v);
void crush_enc_bucket(struct wire_enc *e, int32_t id, uint16_t type, uint8_t alg, const int32_t *items, uint32_t n);
void crush_enc_tree(struct wire_enc *e, int32_t id, const int32_t *items, uint32_t n, uint8_t num_nodes);
void crush_enc_rule(struct wire_enc *e, uint8_t type, const struct crush_rule_step *s, uint32_t n);
void crush_enc_name(struct wire_enc *e, int32_t id, const char *name);
void crush_enc_tunables(struct wire_enc *e);
void crush_enc_standard_head(struct wire_enc *e);
void crush_enc_standard_tail(struct wire_enc *e, int ca);
void crush_enc_standard(struct wire_enc *e, int ca);

#endif
