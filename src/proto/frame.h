/* The wire format of bindings: pure encode/decode of frames, no fd, no
 * allocation. One SEQPACKET datagram carries one or more frames back to back;
 * the layout is documented in README.md ("Wire protocol and fd convention"). */
#ifndef PROSPERO_PROTO_FRAME_H
#define PROSPERO_PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PF_MAGIC0 'P'
#define PF_MAGIC1 'R'
#define PF_VERSION 1
#define PF_HEADER 20

enum pf_kind {
	PF_CALL = 1,
	PF_REPLY = 2,
	PF_ERROR = 3,
	PF_CAST = 4,
};

/* The body is not inline: it is the content of a sealed memfd passed with
 * SCM_RIGHTS in the same datagram, body_len bytes long. */
#define PF_FLAG_MEMFD 0x01u
#define PF_FLAGS_KNOWN PF_FLAG_MEMFD

/* A datagram is never larger than this; larger bodies travel as a memfd. */
#define PF_MAX_DGRAM 65536u
#define PF_MAX_METHOD 255u
/* The largest body a peer must accept, in a memfd. */
#define PF_MAX_BODY (64u << 20)
/* File descriptors one datagram may carry. */
#define PF_MAX_FDS 8u

struct pf_frame {
	uint8_t kind;
	uint8_t flags;
	uint16_t method_len;	/* a method name, or for PF_ERROR the error code */
	uint32_t body_len;
	uint64_t id;		/* matches a reply or error to its call; 0 for casts */
	const char *method;	/* not NUL-terminated */
	const void *body;	/* NULL when PF_FLAG_MEMFD */
};

/* Bytes the frame takes in a datagram. */
size_t pf_size(const struct pf_frame *f);

/* Encode F at BUF; the bytes written, or -1 with errno EMSGSIZE (does not fit
 * CAP) or EINVAL (F breaks a rule decoders enforce). */
long pf_encode(void *buf, size_t cap, const struct pf_frame *f);

/* Decode the frame at BUF: the bytes it took (> 0), or -1 with errno
 * EBADMSG and *why naming the broken rule. On failure, F still holds the
 * header's kind and id when at least the fixed header was readable with a
 * good magic (f->kind is 0 otherwise), so a call can be answered. */
long pf_decode(const void *buf, size_t len, struct pf_frame *f, const char **why);

#endif
