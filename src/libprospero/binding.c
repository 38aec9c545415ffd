/* A binding: a channel, and the calls made on it or the requests served
 * on it. The channel's frames go to the client side or the server side
 * here, and what the layers below report comes back up here. */
#include <errno.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "src/libprospero/actor.h"
#include "src/proto/error.h"
#include "src/proto/notice.h"

/* A new call is refused once the actor stops, unless it still has
 * requests to answer, whose handlers may need to call; and always once
 * it closes, when no loop will answer it or time it out. */
static bool refusing_calls(const struct prospero *p)
{
	return p->closing || (p->stopping && !p->server.deferred);
}

/* The daemon's peer_restarted notice on B, an error frame with id 0. */
static void notice(struct prospero_binding *b, const struct pf_frame *f, const void *body)
{
	struct prospero *p = b->p;
	unsigned long inc;
	uint64_t at;

	/* a body not the daemon's says nothing to trust: ignored, as a code
	 * not expected is; not once a failed call's callback closed P */
	if (pf_error_code(f->method, f->method_len) == PROSPERO_E_PEER_RESTARTED &&
	    pf_notice_fields(body, f->body_len, &inc, &at) == 0 &&
	    pr_calls_peer_restarted(&b->calls, inc, at) && p->on_peer_restarted && !p->closing)
		p->on_peer_restarted(p, b->name, inc, p->restart_arg);
}

static void on_frame(struct pr_chan *c, const struct pf_frame *f, const void *body)
{
	struct prospero_binding *b = pr_binding_of(c);

	if (b->p->closing) {
		/* what followed, in one datagram, the frame whose callback
		 * closed the actor: a call to it is answered, the rest dropped
		 * (its own calls fail as the close runs) */
		if (b->serve && f->kind == PF_CALL)
			pr_chan_send_error(c, f->id, PROSPERO_E_UNAVAILABLE, "the service closed");
		return;
	}
	if (b->serve) {
		pr_server_dispatch(&b->p->server, c, f, body);
		return;
	}
	switch (f->kind) {
	case PF_ERROR:
		if (f->id == 0) {
			notice(b, f, body);
			break;
		}
		/* fall through */
	case PF_REPLY:
		pr_calls_answer(&b->calls, f, body);
		break;
	case PF_CALL:
		pr_chan_send_error(c, f->id, PROSPERO_E_BAD_REQUEST, "this end of the binding serves no calls");
		break;
	default:
		break;	/* a cast to a client: nobody listens for it */
	}
}

static int on_answered(struct pr_chan *c)
{
	struct prospero_binding *b = pr_binding_of(c);

	return b->serve && b->p->linger > 0 ? pr_linger_served(b) : 1;
}

static void on_read_done(struct pr_chan *c)
{
	struct prospero_binding *b = pr_binding_of(c);

	if (b->serve && (c->full || b->p->stopping))
		pr_chan_pause(c);	/* backpressure, or no new work */
}

static void on_sent(struct pr_chan *c, bool drained)
{
	struct prospero_binding *b = pr_binding_of(c);
	struct prospero *p = b->p;

	if (drained) {
		if (b->serve && p->serving && !p->stopping)
			pr_chan_start(c);
		if (b->on_writable)
			b->on_writable(b, b->wr_arg);
	}
	pr_check_stopped(p);
}

static void on_wrote(struct pr_chan *c, uint64_t last, uint64_t at)
{
	pr_calls_written(&pr_binding_of(c)->calls, last, at);
}

static void on_settled(struct pr_calls *calls)
{
	pr_check_stopped(pr_container_of(calls, struct prospero_binding, calls)->p);
}

static const struct pr_chan_ops binding_ops = {
	.frame = on_frame,
	.answered = on_answered,
	.read_done = on_read_done,
	.sent = on_sent,
	.wrote = on_wrote,
};

struct prospero_binding *pr_binding_new(struct prospero *p, const char *name, int fd, bool serve)
{
	struct prospero_binding *b = calloc(1, sizeof *b);

	if (!b)
		return NULL;
	b->name = strdup(name);
	if (!b->name) {
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	b->p = p;
	b->serve = serve;
	pr_calls_init(&b->calls, &p->port, on_settled);
	pr_chan_init(&b->chan, &p->port, fd, &binding_ops);
	b->chan.reads_on = !serve;	/* for its replies, full queue or not */
	return b;
}

void pr_binding_free(struct prospero_binding *b)
{
	pr_calls_fail_all(&b->calls, PROSPERO_E_UNAVAILABLE, "the binding was closed");
	pr_chan_fini(&b->chan);
	pr_calls_fini(&b->calls);
	free(b->name);
	free(b);
}

int prospero_call(struct prospero_binding *b, const char *method, const void *body, size_t len,
		  double timeout, prospero_reply_fn *cb, void *arg)
{
	if (!b || b->serve) {
		errno = EINVAL;
		return -1;
	}
	if (pr_calls_send(&b->calls, &b->chan, refusing_calls(b->p), method, body, len, timeout, cb, arg) < 0)
		return -1;
	if (b->p->linger > 0)
		pr_port_wake(&b->p->port);	/* linger for the answer */
	return 0;
}

int prospero_call_wait(struct prospero_binding *b, const char *method, const void *body, size_t len,
		       double timeout, prospero_reply_fn *cb, void *arg)
{
	struct pr_port *port;
	int r, e;

	if (!b || b->serve || !(timeout > 0)) {
		errno = EINVAL;
		return -1;
	}
	/* CB may close the actor: the close waits for this to return */
	port = &b->p->port;
	pr_port_enter(port);
	r = pr_calls_wait(&b->calls, &b->chan, refusing_calls(b->p), method, body, len, timeout, cb, arg);
	e = errno;
	pr_port_leave(port);
	errno = e;
	return r;
}

int prospero_cast(struct prospero_binding *b, const char *method, const void *body, size_t len)
{
	if (!b || b->serve) {
		errno = EINVAL;
		return -1;
	}
	return pr_cast_send(&b->chan, method, body, len);
}

void prospero_on_writable(struct prospero_binding *b, void (*cb)(struct prospero_binding *, void *), void *arg)
{
	if (!b)
		return;
	b->on_writable = cb;
	b->wr_arg = arg;
}

void prospero_set_coalesce(struct prospero_binding *b, int on)
{
	if (!b)
		return;
	b->chan.coalesce = on != 0;
}

unsigned prospero_pending(const struct prospero_binding *b)
{
	if (!b) {
		errno = EINVAL;
		return 0;
	}
	return b->calls.pending;
}

int pr_binding_unread(const struct prospero_binding *b)
{
	int bytes;

	if (b->chan.qlen)
		return 1;
	/* on AF_UNIX, what was sent and not yet taken off the peer's end */
	if (ioctl(b->chan.fd, SIOCOUTQ, &bytes) < 0)
		return -1;
	return bytes > 0;
}
