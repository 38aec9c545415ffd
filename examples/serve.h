/* What every example service does around its handler, written once, so
 * each example shows only what is its own. */
#ifndef PROSPERO_EXAMPLE_SERVE_H
#define PROSPERO_EXAMPLE_SERVE_H

#include <jansson.h>
#include <prospero.h>
#include <prospero_queue.h>

/* Adopt this actor's fds (stdout line-buffered: it is a pipe to the
 * daemon) and look up each binding of NAMES (NULL-terminated; may be
 * NULL) into FOUND. NULL, said on stderr, when one is missing. */
struct prospero *example_open(struct ev_loop *loop, const char *const *names, struct prospero_binding **found);

/* Serve METHOD with FN on P (from example_open on the default loop) as
 * example_serve does. */
int example_serve_on(struct prospero *p, const char *method, prospero_handler_fn *fn, void *arg,
		     const char *greeting);

/* Adopt the bindings, serve METHOD with FN (ARG is passed to it), stop
 * gracefully on SIGTERM, say READY, print GREETING (if any) and run the
 * default loop until stopped. Returns main's exit status. */
int example_serve(const char *method, prospero_handler_fn *fn, void *arg, const char *greeting);

/* The same for a queue's consumer: take the batches of the queue whose
 * CONSUMER this actor is with FN. */
int example_consume(prospero_queue_fn *fn, const char *greeting);

/* V as compact JSON, malloc'd; NULL when memory ran out, also when
 * jansson (2.14) wrote a shorter text for want of it, which it does not
 * report: a key left out, and the reader sees another answer. */
char *example_dumps(const json_t *v);

/* Answer REQ with OUT as compact JSON, or "internal" when OUT is NULL or
 * cannot be written. Takes OUT's reference. */
void example_reply_json(struct prospero_request *req, json_t *out);

/* The same after SECONDS of simulated work on LOOP: the request is
 * deferred meanwhile, so the service goes on serving others. */
void example_reply_later(struct ev_loop *loop, struct prospero_request *req, json_t *out,
			 double seconds);

#endif
