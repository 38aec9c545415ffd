/* asker: puts a question to the coordinator every few seconds and prints
 * the answer with what each stage contributed. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero.h>

#include "examples/serve.h"

#define ASK_EVERY 3.0
#define ANSWER_TIMEOUT 10.0

static const char *const questions[] = {
	"should we cache the price list",
	"is a supervision tree worth it for three services",
	"can actors share one socket",
};

static struct prospero_binding *coord;
static unsigned asked;

static void answered(int err, const void *body, size_t len, void *arg)
{
	unsigned n = (unsigned)(size_t)arg;
	json_t *r = NULL, *research, *item;
	const char *answer, *analysis;
	size_t i;

	if (err) {
		printf("question %u: failed: %.*s\n", n, (int)len, (const char *)body);
		return;
	}
	r = json_loadb(body, len, 0, NULL);
	if (!r || json_unpack(r, "{s:s, s:o, s:s}", "answer", &answer, "research", &research, "analysis", &analysis) < 0) {
		printf("question %u: an answer that made no sense: %.*s\n", n, (int)len, (const char *)body);
		goto out;
	}
	printf("question %u: answer: %s\n", n, answer);
	json_array_foreach(research, i, item)
		printf("question %u:   research: %s\n", n, json_is_string(item) ? json_string_value(item) : "?");
	printf("question %u:   analysis: %s\n", n, analysis);
out:
	json_decref(r);
}

static void ask(struct ev_loop *loop, ev_timer *w, int revents)
{
	const char *q = questions[asked % (sizeof questions / sizeof questions[0])];
	json_t *call = json_pack("{s:s}", "question", q);
	char *text = example_dumps(call);

	asked++;
	printf("question %u: %s?\n", asked, q);
	if (!text || prospero_call(coord, "ask", text, strlen(text), ANSWER_TIMEOUT, answered, (void *)(size_t)asked) < 0)
		printf("question %u: not sent: %s\n", asked, strerror(errno));
	free(text);
	json_decref(call);
}

static ev_timer ticker;

static void stopped(struct prospero *p, void *arg)
{
	ev_timer_stop(arg, &ticker);
	ev_break(arg, EVBREAK_ALL);
}

int main(void)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct prospero *p;

	if (!(p = example_open(loop, (const char *const[]){ "COORDINATOR", NULL }, &coord)))
		return 1;
	if (prospero_stop_on_sigterm(p, stopped, loop) < 0) {
		fprintf(stderr, "cannot handle SIGTERM: %s\n", strerror(errno));
		prospero_close(p);
		return 1;
	}
	ev_timer_init(&ticker, ask, 0.2, ASK_EVERY);
	ev_timer_start(loop, &ticker);
	ev_run(loop, 0);
	prospero_close(p);
	return 0;
}
