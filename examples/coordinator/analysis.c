/* analysis: weighs the findings research brought back.
 *
 *   analyze {"question": "...", "findings": ["...", "..."]}
 *     -> {"analysis": "..."}
 *
 * Simulated work, deterministic text; deferred while it "thinks". */
#include <jansson.h>
#include <stdio.h>

#include "examples/serve.h"

#define WORK_SECONDS 0.3

static void on_analyze(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct ev_loop *loop = arg;
	json_t *in = NULL, *findings;
	const char *question;
	char text[256];

	if (!req)
		return;
	in = json_loadb(body, len, 0, NULL);
	if (!in || json_unpack(in, "{s:s, s:o}", "question", &question, "findings", &findings) < 0 ||
	    !json_is_array(findings) || json_array_size(findings) == 0) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "want {\"question\": string, \"findings\": [string, ...]}");
		goto out;
	}
	printf("weighing %zu findings\n", json_array_size(findings));
	snprintf(text, sizeof text, "%zu independent lines of research point the same way; confidence: %s",
		 json_array_size(findings), json_array_size(findings) > 1 ? "high" : "moderate");
	example_reply_later(loop, req, json_pack("{s:s}", "analysis", text), WORK_SECONDS);
out:
	json_decref(in);
}

int main(void)
{
	return example_serve("analyze", on_analyze, EV_DEFAULT, NULL);
}
