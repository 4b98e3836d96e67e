/* test/lib/monmap_enc.h: encode a struct monmap as MonMap v9 (tests only). */
#ifndef NETFUSE_TEST_MONMAP_ENC_H
#define NETFUSE_TEST_MONMAP_ENC_H

#include "cephmon/mon/monmap.h"
#include "net/wire.h"

int monmap_encode(const struct monmap *m, struct wire_enc *e);

#endif
