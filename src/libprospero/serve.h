/* The service side: a table of methods, and requests answered exactly
 * once, at once or later, on the channel they came by. */
#ifndef PROSPERO_LIB_SERVE_H
#define PROSPERO_LIB_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "src/libprospero/channel.h"
#include "src/libprospero/prospero.h"

struct pr_method {
	char *name;
	size_t len;
	prospero_handler_fn *fn;
	void *arg;
};

struct pr_server {
	struct pr_method *methods;
	unsigned nmethods;
	unsigned deferred;	/* requests to be answered later */
	struct prospero_request *held;	/* those requests, to answer at close */
	/* after a deferred request was answered */
	void (*settled)(struct pr_server *srv);
};

void pr_server_init(struct pr_server *srv, void (*settled)(struct pr_server *));
/* Answer every deferred request (unavailable, or as it asked) and free
 * it; before the channels close, so that the answers go. */
void pr_server_abandon(struct pr_server *srv);
void pr_server_fini(struct pr_server *srv);
/* prospero_handle */
int pr_server_handle(struct pr_server *srv, const char *method, prospero_handler_fn *fn, void *arg);
/* At the close, HELD (prospero_defer's) is answered by FN(ARG), which
 * must answer it, instead of unavailable: a kept queue batch has an
 * answer of its own. */
void pr_request_at_close(struct prospero_request *held, void (*fn)(void *arg), void *arg);
/* A call or a cast that came by C: to its handler, or answered here. */
void pr_server_dispatch(struct pr_server *srv, struct pr_chan *c, const struct pf_frame *f, const void *body);

#endif
