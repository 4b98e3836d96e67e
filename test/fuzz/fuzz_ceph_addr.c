/* Fuzz target: cephmon/msgr/ceph_addr.c's monitor address list parser, both syntaxes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ceph_mon_addrs m;
	char err[128];
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (int syn = 0; syn < 2; syn++) {
		if (ceph_parse_mon_addrs(s, syn ? CEPH_ADDR_SYNTAX_MON_ADDR : CEPH_ADDR_SYNTAX_CEPH, &m, err,
					 sizeof(err)) == 0) {
			/* What was accepted must be well formed. */
			if (m.n == 0 || m.n > CEPH_MON_ADDRS_MAX)
				abort();
			for (unsigned i = 0; i < m.n; i++) {
				if (m.mon[i].n == 0 || m.mon[i].n > CEPH_ADDRVEC_MAX)
					abort();
				for (unsigned j = 0; j < m.mon[i].n; j++) {
					char buf[96];
					if (ceph_entity_addr_port(&m.mon[i].v[j]) == 0)
						abort();
					ceph_entity_addr_format(&m.mon[i].v[j], buf, sizeof(buf));
				}
			}
		} else {
			/* Every rejection explains itself, in one printable line. */
			if (err[0] == '\0')
				abort();
			for (const char *p = err; *p; p++)
				if (*p < 0x20 || *p == 0x7f)
					abort();
		}
	}
	free(s);
	return 0;
}
