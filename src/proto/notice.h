/* The daemon's peer_restarted notice on a binding (README "Frames"): an
 * error frame with id 0, code peer_restarted and body
 * {"incarnation":N,"at":NS}, NS the service's end on CLOCK_MONOTONIC. */
#ifndef PROSPERO_PROTO_NOTICE_H
#define PROSPERO_PROTO_NOTICE_H

#include <stddef.h>
#include <stdint.h>

/* Encode the notice at BUF as pf_encode does: the bytes written or -1. */
long pf_encode_notice(void *buf, size_t cap, unsigned long incarnation, uint64_t at_ns);
/* N and NS from a notice's BODY (LEN bytes): 0, or -1 (both 0) when
 * BODY is not exactly that, with N and NS positive decimals. */
int pf_notice_fields(const void *body, size_t len, unsigned long *incarnation, uint64_t *at_ns);

#endif
