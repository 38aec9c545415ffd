/* synthesis: writes the answer from the analysis.
 *
 *   synthesize {"question": "...", "analysis": "..."}  ->  {"answer": "..."}
 *
 * Simulated work, deterministic text; deferred while it "writes". */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero.h>

#define WORK_SECONDS 0.2

struct job {
	ev_timer timer;
	struct prospero_request *req;
	char *reply;
};

static void done(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct job *j = w->data;

	prospero_reply(j->req, j->reply, strlen(j->reply));
	free(j->reply);
	free(j);
}

static void on_synthesize(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct ev_loop *loop = arg;
	json_t *in = NULL, *out = NULL;
	const char *question, *analysis;
	char text[1024];
	struct job *j = NULL;

	if (!req)
		return;
	in = json_loadb(body, len, 0, NULL);
	if (!in || json_unpack(in, "{s:s, s:s}", "question", &question, "analysis", &analysis) < 0) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "want {\"question\": string, \"analysis\": string}");
		goto out;
	}
	printf("writing the answer to \"%s\"\n", question);
	snprintf(text, sizeof text, "in short: yes, with care (%s)", analysis);
	out = json_pack("{s:s}", "answer", text);
	j = calloc(1, sizeof *j);
	if (!out || !j || !(j->reply = json_dumps(out, JSON_COMPACT))) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "out of memory");
		free(j);
		goto out;
	}
	j->req = prospero_defer(req);
	ev_timer_init(&j->timer, done, WORK_SECONDS, 0);
	j->timer.data = j;
	ev_timer_start(loop, &j->timer);
out:
	json_decref(out);
	json_decref(in);
}

int main(void)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct prospero *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	p = prospero_open(loop);
	if (!p) {
		fprintf(stderr, "cannot adopt my bindings: %s\n", strerror(errno));
		return 1;
	}
	if (prospero_handle(p, "synthesize", on_synthesize, loop) < 0 || prospero_serve(p) < 0 ||
	    prospero_stop_on_sigterm(p, NULL, NULL) < 0 || prospero_ready(p) < 0) {
		fprintf(stderr, "cannot start serving: %s\n", strerror(errno));
		prospero_close(p);
		return 1;
	}
	ev_run(loop, 0);
	prospero_close(p);
	return 0;
}
