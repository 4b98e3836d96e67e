/*
 * Fuzz target: afs_rx/cb_service.c's request decoder, fed what a fileserver
 * (or anyone) may send to the callback service. Whatever decodes must
 * encode back to as many bytes as it came in, and decoding that encoding
 * must give the same request (the uuid's char units are lenient on
 * input, so the bytes themselves may differ).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/cb_service.h"
#include "test/lib/afs_server_enc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cb_request a, b;
	struct wire_enc e;
	int ret;

	memset(&a, 0, sizeof(a));
	ret = cb_request_decode(data, size, &a);
	if (ret == -EOPNOTSUPP || ret == -EBADMSG)
		return 0;
	if (ret)
		abort();
	if (a.nfids > AFSCB_MAX || a.ncbs > AFSCB_MAX)
		abort();
	wire_enc_init(&e);
	cb_request_encode(&e, &a);
	if (wire_enc_error(&e) || e.len != size)
		abort();
	memset(&b, 0, sizeof(b));
	if (cb_request_decode(e.buf, e.len, &b) || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	wire_enc_free(&e);
	return 0;
}
