/* Little-endian integers in wire buffers, byte by byte: no alignment or
 * host order assumed. Callers check lengths first. */
#ifndef PROSPERO_PROTO_LE_H
#define PROSPERO_PROTO_LE_H

#include <stdint.h>

/* V as N little-endian bytes at P. */
static inline void pp_put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t pp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t pp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t pp_get64(const uint8_t *p)
{
	return (uint64_t)pp_get32(p) | (uint64_t)pp_get32(p + 4) << 32;
}

#endif
