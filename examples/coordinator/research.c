/* research: looks into one angle of a question (a pool: "instances": 2).
 *
 *   research {"question": "...", "angle": "background"}
 *     -> {"angle": "background", "notes": "..."}
 *
 * The work is simulated: an ev timer stands for the time a model or a search
 * would take, and the notes are a deterministic function of the request.
 * The request is deferred meanwhile, so an instance keeps serving. */
#include <jansson.h>
#include <stdio.h>

#include "examples/serve.h"

#define WORK_SECONDS 0.5

static unsigned long hash(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void on_research(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct ev_loop *loop = arg;
	json_t *in = NULL;
	const char *question, *angle;
	char notes[512];

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
	example_reply_later(loop, req, json_pack("{s:s, s:s}", "angle", angle, "notes", notes), WORK_SECONDS);
out:
	json_decref(in);
}

int main(void)
{
	return example_serve("research", on_research, EV_DEFAULT, NULL);
}
