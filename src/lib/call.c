/* The client side of a binding: calls with an id, a timer each, and an
 * answer that arrives as a reply, an error, a timeout or PEER_RESTARTED —
 * exactly one of them. Call records are reused, so a steady stream of calls
 * allocates nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/lib/internal.h"

static struct pr_call *call_get(struct prospero_binding *b)
{
	struct pr_call *c = b->free_calls;

	if (c) {
		b->free_calls = c->next_free;
		return c;
	}
	if (b->nslots == UINT32_MAX) {
		errno = EAGAIN;
		return NULL;
	}
	if (b->nslots == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 16;
		struct pr_call **s = realloc(b->slots, sizeof *s * cap);

		if (!s)
			return NULL;
		b->slots = s;
		b->cap = cap;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->b = b;
	c->slot = b->nslots;
	b->slots[b->nslots++] = c;
	return c;
}

static void call_put(struct prospero_binding *b, struct pr_call *c)
{
	c->id = 0;
	c->doomed = false;
	c->next_free = b->free_calls;
	b->free_calls = c;
}

/* Answer C once: the record is free again before the callback runs, so the
 * callback may call at once. */
static void finish(struct pr_call *c, int err, const void *body, size_t len)
{
	struct prospero_binding *b = c->b;
	prospero_reply_fn *cb = c->cb;
	void *arg = c->arg;

	ev_timer_stop(b->p->loop, &c->timer);
	b->pending--;
	call_put(b, c);
	cb(err, body, len, arg);
	if (b->p->stopping)
		pr_check_stopped(b->p);
}

static void expired(struct ev_loop *loop, ev_timer *w, int revents)
{
	static const char msg[] = "no answer within the timeout";

	finish((struct pr_call *)w, PF_E_TIMEOUT, msg, sizeof msg - 1);
}

static int frame_for(struct pf_frame *f, int kind, const char *method, const void *body, size_t len, int *fd)
{
	size_t mlen = method ? strlen(method) : 0;

	*fd = -1;
	if (mlen == 0 || mlen > PF_MAX_METHOD || len > PF_MAX_BODY || (len && !body)) {
		errno = EINVAL;
		return -1;
	}
	*f = (struct pf_frame){
		.kind = kind, .method_len = mlen, .body_len = len,
		.method = method, .body = body,
	};
	if (PF_HEADER + mlen + len > PF_MAX_DGRAM) {
		*fd = pr_memfd_make(body, len);
		if (*fd < 0)
			return -1;
		f->flags = PF_FLAG_MEMFD;
		f->body = NULL;
	}
	return 0;
}

int prospero_call(struct prospero_binding *b, const char *method, const void *body, size_t len,
		  double timeout, prospero_reply_fn *cb, void *arg)
{
	struct pf_frame f;
	struct pr_call *c;
	int fd;

	if (!b || b->serve || !cb || !(timeout > 0)) {
		errno = EINVAL;
		return -1;
	}
	if (b->p->stopping && !b->p->deferred) {
		errno = ESHUTDOWN;
		return -1;
	}
	if (frame_for(&f, PF_CALL, method, body, len, &fd) < 0)
		return -1;
	c = call_get(b);
	if (!c)
		goto fail;
	if (++b->generation == 0)
		++b->generation;
	c->id = (uint64_t)b->generation << 32 | c->slot;
	c->cb = cb;
	c->arg = arg;
	f.id = c->id;
	if (pr_chan_send(b, &f, fd, false) < 0) {
		fd = -1;	/* pr_chan_send closed it */
		call_put(b, c);
		return -1;
	}
	b->pending++;
	ev_timer_init(&c->timer, expired, timeout, 0);
	ev_timer_start(b->p->loop, &c->timer);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

int prospero_cast(struct prospero_binding *b, const char *method, const void *body, size_t len)
{
	struct pf_frame f;
	int fd;

	if (!b || b->serve) {
		errno = EINVAL;
		return -1;
	}
	if (frame_for(&f, PF_CAST, method, body, len, &fd) < 0)
		return -1;
	return pr_chan_send(b, &f, fd, false);
}

int pr_call_dispatch(struct prospero_binding *b, const struct pf_frame *f, const void *body)
{
	uint32_t slot = (uint32_t)f->id;
	struct pr_call *c;

	switch (f->kind) {
	case PF_REPLY:
	case PF_ERROR:
		if (slot >= b->nslots || b->slots[slot]->id != f->id)
			return 0;	/* late: it timed out, or its peer restarted */
		c = b->slots[slot];
		if (f->kind == PF_REPLY)
			finish(c, PROSPERO_OK, body, f->body_len);
		else
			finish(c, pf_error_code(f->method, f->method_len), body, f->body_len);
		return 0;
	case PF_CALL:
		pr_serve_reject(b, f->id, PF_E_BAD_REQUEST, "this end of the binding serves no calls");
		return -1;
	default:
		return -1;	/* a cast to a client: nobody listens for it */
	}
}

void pr_call_fail_all(struct prospero_binding *b, int code, const char *why)
{
	/* Mark first: a callback may make new calls, which must not fail too. */
	for (uint32_t i = 0; i < b->nslots; i++)
		b->slots[i]->doomed = b->slots[i]->id != 0;
	for (uint32_t i = 0; i < b->nslots; i++)
		if (b->slots[i]->doomed)
			finish(b->slots[i], code, why, strlen(why));
}
