/*
 * cephosd/osdmap_internal.h: what osdmap_decode.c shares with osdmap_inc.c,
 * which decodes the same pieces (pools, names, PGs, versioned structures)
 * inside an incremental. Not for users of cephosd: osdmap.h is the API.
 */
#ifndef NETFUSE_OSDMAP_INTERNAL_H
#define NETFUSE_OSDMAP_INTERNAL_H

#include "cephosd/osd_decode.h"
#include "cephosd/osdmap.h"

/* A versioned structure {u8 v, u8 compat, u32 len}: refused below @min_v or
 * above @max_compat; @in gets its body and @s moves past it. */
int osdmap_struct_decode(struct dec *s, uint8_t min_v, uint8_t max_compat, uint8_t *v, struct dec *in);
/* An error inside @in becomes @s's; returns it (0 for none). */
int osdmap_sub_done(struct dec *s, struct dec *in);
int osdmap_skip_blob(struct dec *s);
int osdmap_skip_string_map_map(struct dec *s);
int osdmap_pg_decode(struct dec *s, struct osd_pg *pg);
int osdmap_pg_cmp(const struct osd_pg *a, const struct osd_pg *b);
/* Where @pg's mapping is in @t (sorted by PG), or where it would go; @found
 * says which. */
uint32_t osdmap_mapping_pos(const struct osd_pg_mappings *t, struct osd_pg pg, bool *found);
/* pg_pool_t into @p (its erasure_code_profile allocated; no name). */
int osdmap_pool_decode(struct dec *s, struct osd_pool *p);
int osdmap_pool_cmp(const void *a, const void *b);
/* map<s64, string>: names for @m's pools (unknown ids ignored). */
int osdmap_pool_names_decode(struct dec *s, struct osdmap *m);

/* The u32 crc at @w's position: crc32c seeded -1 over everything from @buf
 * (the start of the encoding) but those four bytes, to @w's end. */
int osdmap_crc_check(struct dec *w, const void *buf);

/* Free what @m owns, CRUSH map included, but not @m. */
void osdmap_free_contents(struct osdmap *m);
/* Free @m and what it owns but its CRUSH map, which another map shares. */
void osdmap_free_shared(struct osdmap *m);

#endif
