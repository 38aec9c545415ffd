/* Methods and requests. A request answered in its handler lives on the
 * stack; only a deferred one is copied to the heap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/libprospero/memfd.h"
#include "src/libprospero/serve.h"
#include "src/proto/error.h"

struct prospero_request {
	struct pr_server *srv;
	struct pr_chan *chan;
	uint64_t id;
	bool answered, deferred, heap;
	struct prospero_request *prev, *next;	/* in srv->held, when heap */
	void (*at_close)(void *arg);	/* answers it at the close, or NULL */
	void *close_arg;
	char method[PF_MAX_METHOD + 1];
};

void pr_server_init(struct pr_server *srv, void (*settled)(struct pr_server *))
{
	*srv = (struct pr_server){ .settled = settled };
}

void pr_server_abandon(struct pr_server *srv)
{
	while (srv->held) {
		struct prospero_request *req = srv->held;

		if (req->at_close)
			req->at_close(req->close_arg);	/* answers and frees it */
		else
			prospero_fail(req, PROSPERO_E_UNAVAILABLE, "the service closed");
	}
}

void pr_request_at_close(struct prospero_request *held, void (*fn)(void *arg), void *arg)
{
	held->at_close = fn;
	held->close_arg = arg;
}

void pr_server_fini(struct pr_server *srv)
{
	for (unsigned i = 0; i < srv->nmethods; i++)
		free(srv->methods[i].name);
	free(srv->methods);
}

static struct pr_method *lookup(const struct pr_server *srv, const char *name, size_t len)
{
	for (unsigned i = 0; i < srv->nmethods; i++)
		if (srv->methods[i].len == len && memcmp(srv->methods[i].name, name, len) == 0)
			return &srv->methods[i];
	return NULL;
}

int pr_server_handle(struct pr_server *srv, const char *method, prospero_handler_fn *fn, void *arg)
{
	size_t len = method ? strlen(method) : 0;
	struct pr_method *m;

	if (len == 0 || len > PF_MAX_METHOD || !fn) {
		errno = EINVAL;
		return -1;
	}
	m = lookup(srv, method, len);
	if (m) {
		m->fn = fn;
		m->arg = arg;
		return 0;
	}
	m = realloc(srv->methods, sizeof *m * (srv->nmethods + 1));
	if (!m)
		return -1;
	srv->methods = m;
	m = &srv->methods[srv->nmethods];
	m->name = strdup(method);
	if (!m->name)
		return -1;
	m->len = len;
	m->fn = fn;
	m->arg = arg;
	srv->nmethods++;
	return 0;
}

void pr_server_dispatch(struct pr_server *srv, struct pr_chan *c, const struct pf_frame *f, const void *body)
{
	const struct pr_method *m;
	struct prospero_request req;

	if (f->kind != PF_CALL && f->kind != PF_CAST)
		return;		/* replies have no business on a served edge */
	m = lookup(srv, f->method, f->method_len);
	if (f->kind == PF_CAST) {
		if (m)
			m->fn(NULL, body, f->body_len, m->arg);
		return;
	}
	if (!m) {
		pr_chan_send_error(c, f->id, PROSPERO_E_NO_SUCH_METHOD, "no such method");
		return;
	}
	req.srv = srv;
	req.chan = c;
	req.id = f->id;
	req.answered = req.deferred = req.heap = false;
	req.at_close = NULL;
	memcpy(req.method, f->method, f->method_len);
	req.method[f->method_len] = '\0';
	m->fn(&req, body, f->body_len, m->arg);
	if (req.answered || req.deferred)
		return;
	if (c->port->closed)	/* the handler closed its actor */
		pr_chan_send_error(c, f->id, PROSPERO_E_UNAVAILABLE, "the service closed");
	else
		pr_chan_send_error(c, f->id, PROSPERO_E_INTERNAL, "the handler did not answer");
}

struct prospero_request *prospero_defer(struct prospero_request *req)
{
	struct prospero_request *held;

	/* HEAP: kept already; a second copy would answer the call twice */
	if (!req || req->answered || req->deferred || req->heap) {
		errno = EINVAL;
		return NULL;
	}
	held = malloc(sizeof *held);
	if (!held)
		return NULL;
	*held = *req;
	held->heap = true;
	held->prev = NULL;
	held->next = req->srv->held;
	if (held->next)
		held->next->prev = held;
	req->srv->held = held;
	req->deferred = true;
	req->srv->deferred++;
	return held;
}

/* The handler's own REQ, after prospero_defer copied it: the copy is
 * the one to answer, and a second answer through REQ would be sent. */
static bool handed_over(const struct prospero_request *req)
{
	return req->deferred && !req->heap;
}

/* Send the answer (with memfd FD or -1) and release a deferred request. */
static int answer(struct prospero_request *req, const struct pf_frame *f, int fd)
{
	struct pr_server *srv;
	int r, e;

	if (!req || req->answered || handed_over(req)) {
		if (fd >= 0)
			close(fd);
		/* a cast has nobody to answer; a request, one answer */
		errno = req && req->answered ? EALREADY : EINVAL;
		return -1;
	}
	srv = req->srv;
	req->answered = true;
	r = pr_chan_send(req->chan, f, fd, true);
	e = errno;
	if (req->heap) {
		if (req->prev)
			req->prev->next = req->next;
		else
			srv->held = req->next;
		if (req->next)
			req->next->prev = req->prev;
		free(req);
		srv->deferred--;
		if (srv->settled)
			srv->settled(srv);
	}
	errno = e;
	return r;
}

int prospero_reply(struct prospero_request *req, const void *body, size_t len)
{
	struct pf_frame f = { .kind = PF_REPLY, .body = body, .body_len = (uint32_t)len };
	int fd;

	/* refused, and not answered internal: EINVAL, or EALREADY whatever
	 * this body is */
	if (!req || req->answered || handed_over(req))
		return answer(req, &f, -1);
	f.id = req->id;
	/* the call is answered anyway: internal, in place of the reply */
	if (len > PF_MAX_BODY) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "the reply body is too large");
		errno = EMSGSIZE;
		return -1;
	}
	if (len && !body) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "no reply body at the length given");
		errno = EINVAL;
		return -1;
	}
	if (pr_memfd_body(&f, &fd) < 0) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "could not pass the reply body");
		return -1;
	}
	return answer(req, &f, fd);
}

int prospero_fail(struct prospero_request *req, int code, const char *message)
{
	const char *name = pf_error_name(code);
	size_t len = message ? strlen(message) : 0;
	struct pf_frame f = {
		.kind = PF_ERROR, .id = req ? req->id : 0,
		.method = name, .method_len = (uint16_t)strlen(name),
		.body = message, .body_len = (uint32_t)len,
	};

	if (PF_HEADER + f.method_len + len > PF_MAX_DGRAM)
		f.body_len = PF_MAX_DGRAM - PF_HEADER - f.method_len;	/* a message, not a body */
	return answer(req, &f, -1);
}

const char *prospero_request_method(const struct prospero_request *req)
{
	if (!req) {
		errno = EINVAL;
		return NULL;
	}
	return req->method;
}
