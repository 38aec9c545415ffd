/* research: looks into one angle of a question (a pool: "instances": 2).
 *
 *   research {"question": "...", "angle": "background"}
 *     -> {"angle": "background", "notes": "..."}
 *
 * The work is simulated: an ev timer stands for the time a model or a search
 * would take, and the notes are a deterministic function of the request.
 * The request is deferred meanwhile, so an instance keeps serving. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero.h>

#define WORK_SECONDS 0.5

struct job {
	ev_timer timer;
	struct prospero_request *req;
	char *reply;
};

static unsigned long hash(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void done(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct job *j = w->data;

	prospero_reply(j->req, j->reply, strlen(j->reply));
	free(j->reply);
	free(j);
}

static void on_research(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct ev_loop *loop = arg;
	json_t *in = NULL, *out = NULL;
	const char *question, *angle;
	char notes[512];
	struct job *j = NULL;

	if (!req)
		return;
	in = json_loadb(body, len, 0, NULL);
	if (!in || json_unpack(in, "{s:s, s:s}", "question", &question, "angle", &angle) < 0) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "want {\"question\": string, \"angle\": string}");
		goto out;
	}
	printf("researching the %s of \"%s\"\n", angle, question);
	snprintf(notes, sizeof notes, "%lu sources on the %s of \"%s\", %lu of them agreeing",
		 3 + hash(angle) % 5, angle, question, 2 + hash(question) % 2);
	out = json_pack("{s:s, s:s}", "angle", angle, "notes", notes);
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
	if (prospero_handle(p, "research", on_research, loop) < 0 || prospero_serve(p) < 0 ||
	    prospero_stop_on_sigterm(p, NULL, NULL) < 0 || prospero_ready(p) < 0) {
		fprintf(stderr, "cannot start serving: %s\n", strerror(errno));
		prospero_close(p);
		return 1;
	}
	ev_run(loop, 0);
	prospero_close(p);
	return 0;
}
