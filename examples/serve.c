#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples/serve.h"

struct prospero *example_open(struct ev_loop *loop, const char *const *names, struct prospero_binding **found)
{
	struct prospero *p;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* a pipe to the daemon: one line at a time */
	p = prospero_open(loop);
	if (!p) {
		fprintf(stderr, "cannot adopt my bindings: %s\n", strerror(errno));
		return NULL;
	}
	for (size_t i = 0; names && names[i]; i++)
		if (!(found[i] = prospero_binding(p, names[i]))) {
			fprintf(stderr, "need the binding %s\n", names[i]);
			prospero_close(p);
			return NULL;
		}
	return p;
}

/* What serving and consuming share around their own setup (SERVE), on P
 * (or, when NULL, an actor without bindings of its own). */
static int run(struct prospero *p, int (*serve)(struct prospero *p, void *arg), void *arg, const char *greeting)
{
	struct ev_loop *loop = EV_DEFAULT;

	if (!p && !(p = example_open(loop, NULL, NULL)))
		return 1;
	if (serve(p, arg) < 0 || prospero_stop_on_sigterm(p, NULL, NULL) < 0 || prospero_ready(p) < 0) {
		fprintf(stderr, "cannot start serving: %s\n", strerror(errno));
		prospero_close(p);
		return 1;
	}
	if (greeting)
		printf("%s\n", greeting);
	ev_run(loop, 0);
	prospero_close(p);
	return 0;
}

struct handler {
	const char *method;
	prospero_handler_fn *fn;
	void *arg;
};

static int serve_method(struct prospero *p, void *arg)
{
	struct handler *h = arg;

	return prospero_handle(p, h->method, h->fn, h->arg) < 0 ? -1 : prospero_serve(p);
}

int example_serve_on(struct prospero *p, const char *method, prospero_handler_fn *fn, void *arg,
		     const char *greeting)
{
	struct handler h = { method, fn, arg };

	return run(p, serve_method, &h, greeting);
}

int example_serve(const char *method, prospero_handler_fn *fn, void *arg, const char *greeting)
{
	return example_serve_on(NULL, method, fn, arg, greeting);
}

static struct prospero_queue_consumer *consumer;

static int consume(struct prospero *p, void *arg)
{
	consumer = prospero_queue_consume(p, *(prospero_queue_fn **)arg, NULL);
	return consumer ? prospero_serve(p) : -1;
}

int example_consume(prospero_queue_fn *fn, const char *greeting)
{
	int rc = run(NULL, consume, &fn, greeting);

	prospero_queue_consumer_free(consumer);
	return rc;
}

char *example_dumps(const json_t *v)
{
	char *text;

	if (!v)
		return NULL;
	/* json_dumps returns what it could write: errno is the only sign
	 * (and malloc may set it and still succeed: then a false alarm,
	 * which fails safe) */
	errno = 0;
	text = json_dumps(v, JSON_COMPACT);
	if (text && errno == ENOMEM) {
		free(text);
		text = NULL;
	}
	return text;
}

void example_reply_json(struct prospero_request *req, json_t *out)
{
	char *text = example_dumps(out);

	if (!text)
		prospero_fail(req, PROSPERO_E_INTERNAL, "out of memory");
	else
		prospero_reply(req, text, strlen(text));
	free(text);
	json_decref(out);
}

struct job {
	ev_timer timer;
	struct prospero_request *req;
	json_t *out;
};

static void job_done(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct job *j = w->data;

	example_reply_json(j->req, j->out);
	free(j);
}

void example_reply_later(struct ev_loop *loop, struct prospero_request *req, json_t *out,
			 double seconds)
{
	struct job *j = out ? calloc(1, sizeof *j) : NULL;

	if (!j) {
		example_reply_json(req, NULL);
		json_decref(out);
		return;
	}
	j->req = prospero_defer(req);
	j->out = out;
	ev_timer_init(&j->timer, job_done, seconds, 0);
	j->timer.data = j;
	ev_timer_start(loop, &j->timer);
}
