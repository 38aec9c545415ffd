/* synthesis: writes the answer from the analysis.
 *
 *   synthesize {"question": "...", "analysis": "..."}  ->  {"answer": "..."}
 *
 * Simulated work, deterministic text; deferred while it "writes". */
#include <jansson.h>
#include <stdio.h>

#include "examples/serve.h"

#define WORK_SECONDS 0.2

static void on_synthesize(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct ev_loop *loop = arg;
	json_t *in = NULL;
	const char *question, *analysis;
	char text[1024];

	if (!req)
		return;
	in = json_loadb(body, len, 0, NULL);
	if (!in || json_unpack(in, "{s:s, s:s}", "question", &question, "analysis", &analysis) < 0) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "want {\"question\": string, \"analysis\": string}");
		goto out;
	}
	printf("writing the answer to \"%s\"\n", question);
	snprintf(text, sizeof text, "in short: yes, with care (%s)", analysis);
	example_reply_later(loop, req, json_pack("{s:s}", "answer", text), WORK_SECONDS);
out:
	json_decref(in);
}

int main(void)
{
	return example_serve("synthesize", on_synthesize, EV_DEFAULT, NULL);
}
