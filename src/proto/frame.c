/* Frames are read with explicit little-endian getters and a length check
 * before every access: a peer's bytes are never trusted for a size. */
#include <errno.h>
#include <string.h>

#include "src/proto/frame.h"
#include "src/proto/le.h"

static size_t inline_body(const struct pf_frame *f)
{
	return (f->flags & PF_FLAG_MEMFD) ? 0 : f->body_len;
}

size_t pf_size(const struct pf_frame *f)
{
	return PF_HEADER + (size_t)f->method_len + inline_body(f);
}

/* The rules both sides enforce; NULL when F keeps them. */
static const char *check(const struct pf_frame *f)
{
	if (f->kind < PF_CALL || f->kind > PF_CAST)
		return "unknown kind";
	if (f->flags & ~PF_FLAGS_KNOWN)
		return "unknown flags";
	if (f->method_len > PF_MAX_METHOD)
		return "method name too long";
	if ((f->kind == PF_CALL || f->kind == PF_CAST || f->kind == PF_ERROR) && f->method_len == 0)
		return "missing method name";
	if (f->kind == PF_REPLY && f->method_len != 0)
		return "a reply carries no method name";
	if (f->kind == PF_CAST && f->id != 0)
		return "a cast has id 0";
	/* An error with id 0 answers no call: it is a notice about the
	 * binding (the daemon's peer_restarted). */
	if ((f->kind == PF_CALL || f->kind == PF_REPLY) && f->id == 0)
		return "id 0 is reserved for casts and notices";
	if ((f->flags & PF_FLAG_MEMFD) && f->body_len > PF_MAX_BODY)
		return "body too large";
	return NULL;
}

/* check's rules, and a body inline that fits a datagram: what can be sent */
static const char *check_sendable(const struct pf_frame *f)
{
	const char *broken = check(f);

	if (!broken && !(f->flags & PF_FLAG_MEMFD) && f->body_len > PF_MAX_DGRAM - PF_HEADER)
		return "inline body larger than a datagram";
	return broken;
}

long pf_encode(void *buf, size_t cap, const struct pf_frame *f)
{
	uint8_t *p = buf;
	size_t need;

	if (check_sendable(f)) {
		errno = EINVAL;
		return -1;
	}
	need = pf_size(f);
	if (need > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	p[0] = PF_MAGIC0;
	p[1] = PF_MAGIC1;
	p[2] = PF_VERSION;
	p[3] = f->kind;
	p[4] = f->flags;
	p[5] = 0;
	pp_put_le(p + 6, f->method_len, 2);
	pp_put_le(p + 8, f->body_len, 4);
	pp_put_le(p + 12, f->id, 8);
	if (f->method_len)
		memcpy(p + PF_HEADER, f->method, f->method_len);
	if (inline_body(f))
		memcpy(p + PF_HEADER + f->method_len, f->body, f->body_len);
	return (long)need;
}

static long bad(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	errno = EBADMSG;
	return -1;
}

long pf_decode(const void *buf, size_t len, struct pf_frame *f, const char **why)
{
	const uint8_t *p = buf;
	const char *broken;
	size_t need;

	memset(f, 0, sizeof *f);
	if (len < PF_HEADER)
		return bad(why, "truncated header");
	if (p[0] != PF_MAGIC0 || p[1] != PF_MAGIC1)
		return bad(why, "bad magic");
	/* From here the header is ours: keep kind and id so a call can be answered. */
	f->kind = p[3];
	f->id = pp_get64(p + 12);
	if (p[2] != PF_VERSION)
		return bad(why, "unsupported version");
	if (p[5] != 0)
		return bad(why, "reserved byte not zero");
	f->flags = p[4];
	f->method_len = pp_get16(p + 6);
	f->body_len = pp_get32(p + 8);
	broken = check(f);
	if (broken)
		return bad(why, broken);
	/* a body longer than the datagram is one it cut short (and bounds
	 * the size below) */
	if (inline_body(f) > len)
		return bad(why, "truncated frame");
	need = pf_size(f);
	if (need > len)
		return bad(why, "truncated frame");
	f->method = (const char *)p + PF_HEADER;
	f->body = (f->flags & PF_FLAG_MEMFD) ? NULL : p + PF_HEADER + f->method_len;
	return (long)need;
}
