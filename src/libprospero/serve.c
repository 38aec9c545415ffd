/* The service side: a table of methods, and requests answered exactly once,
 * at once or later. A request answered in its handler lives on the stack. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/libprospero/internal.h"

struct prospero_request {
	struct prospero_binding *b;
	uint64_t id;
	bool answered, deferred, heap;
	char method[PF_MAX_METHOD + 1];
};

int prospero_handle(struct prospero *p, const char *method, prospero_handler_fn *fn, void *arg)
{
	size_t len = method ? strlen(method) : 0;
	struct pr_method *m;

	if (len == 0 || len > PF_MAX_METHOD || !fn) {
		errno = EINVAL;
		return -1;
	}
	for (unsigned i = 0; i < p->nmethods; i++)
		if (p->methods[i].len == len && memcmp(p->methods[i].name, method, len) == 0) {
			p->methods[i].fn = fn;
			p->methods[i].arg = arg;
			return 0;
		}
	m = realloc(p->methods, sizeof *m * (p->nmethods + 1));
	if (!m)
		return -1;
	p->methods = m;
	m = &p->methods[p->nmethods];
	m->name = strdup(method);
	if (!m->name)
		return -1;
	m->len = len;
	m->fn = fn;
	m->arg = arg;
	p->nmethods++;
	return 0;
}

int prospero_serve(struct prospero *p)
{
	p->serving = true;
	for (unsigned i = 0; i < p->nchans; i++)
		if (p->chans[i]->serve && !p->chans[i]->full)
			pr_chan_start(p->chans[i]);
	return 0;
}

static const struct pr_method *lookup(struct prospero *p, const char *name, size_t len)
{
	for (unsigned i = 0; i < p->nmethods; i++)
		if (p->methods[i].len == len && memcmp(p->methods[i].name, name, len) == 0)
			return &p->methods[i];
	return NULL;
}

void pr_serve_reject(struct prospero_binding *b, uint64_t id, int code, const char *why)
{
	const char *name = pf_error_name(code);
	struct pf_frame f = {
		.kind = PF_ERROR, .id = id,
		.method = name, .method_len = strlen(name),
		.body = why, .body_len = strlen(why),
	};

	if (id != 0)
		pr_chan_send(b, &f, -1, true);
}

void pr_serve_dispatch(struct prospero_binding *b, const struct pf_frame *f, const void *body)
{
	const struct pr_method *m;
	struct prospero_request req;

	if (f->kind != PF_CALL && f->kind != PF_CAST)
		return;		/* replies have no business on a served edge */
	m = lookup(b->p, f->method, f->method_len);
	if (f->kind == PF_CAST) {
		if (m)
			m->fn(NULL, body, f->body_len, m->arg);
		return;
	}
	if (!m) {
		pr_serve_reject(b, f->id, PROSPERO_E_NO_SUCH_METHOD, "no such method");
		return;
	}
	req.b = b;
	req.id = f->id;
	req.answered = req.deferred = req.heap = false;
	memcpy(req.method, f->method, f->method_len);
	req.method[f->method_len] = '\0';
	m->fn(&req, body, f->body_len, m->arg);
	if (!req.answered && !req.deferred)
		pr_serve_reject(b, f->id, PROSPERO_E_INTERNAL, "the handler did not answer");
}

struct prospero_request *prospero_defer(struct prospero_request *req)
{
	struct prospero_request *held;

	if (!req || req->answered || req->deferred) {
		errno = EINVAL;
		return NULL;
	}
	held = malloc(sizeof *held);
	if (!held)
		return NULL;
	*held = *req;
	held->heap = true;
	req->deferred = true;
	req->b->p->deferred++;
	return held;
}

/* Send the answer (with memfd FD or -1) and release a deferred request. */
static int answer(struct prospero_request *req, const struct pf_frame *f, int fd)
{
	struct prospero *p = req->b->p;
	int r, e;

	if (!req) {
		if (fd >= 0)
			close(fd);
		errno = EINVAL;	/* a cast: there is nobody to answer */
		return -1;
	}
	if (req->answered) {
		if (fd >= 0)
			close(fd);
		errno = EALREADY;
		return -1;
	}
	req->answered = true;
	r = pr_chan_send(req->b, f, fd, true);
	e = errno;
	if (req->heap) {
		free(req);
		p->deferred--;
		if (p->stopping)
			pr_check_stopped(p);
	}
	errno = e;
	return r;
}

int prospero_reply(struct prospero_request *req, const void *body, size_t len)
{
	struct pf_frame f = { .kind = PF_REPLY, .body = body, .body_len = len };
	int fd = -1;

	if (!req)
		return answer(req, &f, -1);
	f.id = req->id;
	if (len > PF_MAX_BODY || (len && !body)) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "the reply body is too large");
		errno = EMSGSIZE;
		return -1;
	}
	if (PF_HEADER + len > PF_MAX_DGRAM) {
		fd = pr_memfd_make(body, len);
		if (fd < 0) {
			prospero_fail(req, PROSPERO_E_INTERNAL, "could not pass the reply body");
			return -1;
		}
		f.flags = PF_FLAG_MEMFD;
		f.body = NULL;
	}
	return answer(req, &f, fd);
}

int prospero_fail(struct prospero_request *req, int code, const char *message)
{
	const char *name = pf_error_name(code);
	size_t len = message ? strlen(message) : 0;
	struct pf_frame f = {
		.kind = PF_ERROR, .id = req ? req->id : 0,
		.method = name, .method_len = strlen(name),
		.body = message, .body_len = len,
	};

	if (PF_HEADER + f.method_len + len > PF_MAX_DGRAM)
		f.body_len = PF_MAX_DGRAM - PF_HEADER - f.method_len;	/* a message, not a body */
	return answer(req, &f, -1);
}

const char *prospero_request_method(const struct prospero_request *req)
{
	return req->method;
}
