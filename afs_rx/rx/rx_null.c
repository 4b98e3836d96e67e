/*
 * afs_rx/rx/rx_null.c: rxnull, security index 0: no authentication, no
 * checksums, no encryption. Every operation is absent (rx_security.h says
 * what the transport does then): packets go as they are, and a CHALLENGE
 * on an rxnull connection is a protocol error (Linux net/rxrpc/insecure.c).
 */
#include "config.h"

#include "rx_security.h"

static const struct rx_security_ops rxnull_ops = {
    .name = "rxnull",
    .index = RX_SECIDX_NULL,
};

static const struct rx_security rxnull = {.ops = &rxnull_ops};

const struct rx_security *rx_security_null(void)
{
	return &rxnull;
}
