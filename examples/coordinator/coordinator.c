/* coordinator: answers a question by fanning work out and back in.
 *
 *   ask {"question": "..."}
 *     -> RESEARCH "research" x2, concurrently (a pool of two instances),
 *        one per angle
 *     -> ANALYSIS "analyze" with both findings
 *     -> SYNTHESIS "synthesize" with the analysis
 *     <- {"answer": "...", "research": [...], "analysis": "..."}
 *
 * Each question is one deferred request and a small state record; any
 * failed step fails the question with that step's code. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero.h>

#include "examples/serve.h"

#define STEP_TIMEOUT 5.0

static const char *const angles[] = { "background", "recent work" };
#define NANGLES (sizeof angles / sizeof angles[0])

struct question {
	struct prospero_request *req;
	json_t *question;	/* the string */
	json_t *findings;	/* array, filled in angle order */
	json_t *analysis;
	unsigned waiting;	/* research calls still out */
	int err;		/* the first research failure */
	char message[256];
};

struct research_call {
	struct question *q;
	size_t angle;
};

static struct prospero_binding *research_b, *analysis_b, *synthesis_b;

static void finish(struct question *q, int err, const char *message, const char *answer)
{
	json_t *out;
	char *text = NULL;

	if (err) {
		prospero_fail(q->req, err, message);
	} else {
		out = json_pack("{s:s, s:O, s:O}", "answer", answer, "research", q->findings, "analysis", q->analysis);
		text = example_dumps(out);
		if (text)
			prospero_reply(q->req, text, strlen(text));
		else
			prospero_fail(q->req, PROSPERO_E_INTERNAL, "out of memory");
		json_decref(out);
	}
	free(text);
	json_decref(q->question);
	json_decref(q->findings);
	json_decref(q->analysis);
	free(q);
}

static void failed(struct question *q, const char *step, int err, const void *body, size_t len)
{
	char message[256];

	snprintf(message, sizeof message, "%s: %.*s", step, (int)(len < 200 ? len : 200), (const char *)body);
	finish(q, err, message, NULL);
}

/* A string field of a JSON reply, as a new reference; NULL if missing. */
static json_t *field(const void *body, size_t len, const char *key)
{
	json_t *o = json_loadb(body, len, 0, NULL), *v = NULL;

	if (o && json_is_string(json_object_get(o, key)))
		v = json_incref(json_object_get(o, key));
	json_decref(o);
	return v;
}

static void synthesized(int err, const void *body, size_t len, void *arg)
{
	struct question *q = arg;
	json_t *answer;

	if (err) {
		failed(q, "synthesis", err, body, len);
		return;
	}
	answer = field(body, len, "answer");
	if (!answer)
		finish(q, PROSPERO_E_INTERNAL, "synthesis: no answer", NULL);
	else
		finish(q, 0, NULL, json_string_value(answer));
	json_decref(answer);
}

/* Send CALL (its reference taken) as METHOD on B, answered to FN; a send
 * that cannot go ends Q with WHY. */
static void next_step(struct prospero_binding *b, const char *method, json_t *call, prospero_reply_fn *fn,
		      struct question *q, const char *why)
{
	char *text = example_dumps(call);

	if (!text || prospero_call(b, method, text, strlen(text), STEP_TIMEOUT, fn, q) < 0)
		finish(q, PROSPERO_E_UNAVAILABLE, why, NULL);
	free(text);
	json_decref(call);
}

static void analyzed(int err, const void *body, size_t len, void *arg)
{
	struct question *q = arg;

	if (err) {
		failed(q, "analysis", err, body, len);
		return;
	}
	if (!(q->analysis = field(body, len, "analysis"))) {
		finish(q, PROSPERO_E_INTERNAL, "analysis: no analysis", NULL);
		return;
	}
	next_step(synthesis_b, "synthesize", json_pack("{s:O, s:O}", "question", q->question, "analysis", q->analysis),
		  synthesized, q, "synthesis: cannot send");
}

/* The fan-in: once every research call has answered, on to analysis. */
static void research_settled(struct question *q)
{
	if (--q->waiting > 0)
		return;
	if (q->err) {
		finish(q, q->err, q->message, NULL);
		return;
	}
	next_step(analysis_b, "analyze", json_pack("{s:O, s:O}", "question", q->question, "findings", q->findings),
		  analyzed, q, "analysis: cannot send");
}

static void research_failed(struct question *q, size_t angle, int err, const void *body, size_t len)
{
	if (q->err)
		return;		/* the first failure is the one reported */
	q->err = err;
	snprintf(q->message, sizeof q->message, "research (%s): %.*s", angles[angle],
		 (int)(len < 200 ? len : 200), (const char *)body);
}

static void researched(int err, const void *body, size_t len, void *arg)
{
	struct research_call *rc = arg;
	struct question *q = rc->q;
	json_t *notes = err ? NULL : field(body, len, "notes");

	if (err)
		research_failed(q, rc->angle, err, body, len);
	else if (!notes)
		research_failed(q, rc->angle, PROSPERO_E_INTERNAL, "no notes", 8);
	else
		json_array_set(q->findings, rc->angle, notes);
	json_decref(notes);
	free(rc);
	research_settled(q);
}

static void on_ask(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	json_t *in;
	struct question *q = NULL;

	if (!req)
		return;
	in = json_loadb(body, len, 0, NULL);
	if (!in || !json_is_string(json_object_get(in, "question"))) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "want {\"question\": string}");
		goto out;
	}
	q = calloc(1, sizeof *q);
	if (!q || !(q->findings = json_array())) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "out of memory");
		free(q);
		goto out;
	}
	q->question = json_incref(json_object_get(in, "question"));
	/* a slot per angle, which each answer fills: one missing, and an
	 * answer would have nowhere to go */
	for (size_t i = 0; i < NANGLES; i++)
		if (json_array_append_new(q->findings, json_null()) < 0) {
			prospero_fail(req, PROSPERO_E_INTERNAL, "out of memory");
			json_decref(q->question);
			json_decref(q->findings);
			free(q);
			goto out;
		}
	q->req = prospero_defer(req);
	printf("question: %s\n", json_string_value(q->question));
	/* Both calls go out before either answer comes back, so they are
	 * worked on at the same time: by the two research instances, or by
	 * one that took both, since each instance answers later. */
	q->waiting = 1;		/* held until every call is out */
	for (size_t i = 0; i < NANGLES; i++) {
		struct research_call *rc = calloc(1, sizeof *rc);
		json_t *call = json_pack("{s:O, s:s}", "question", q->question, "angle", angles[i]);
		char *text = example_dumps(call);
		bool sent = false;

		json_decref(call);
		if (rc && text) {
			*rc = (struct research_call){ q, i };
			sent = prospero_call(research_b, "research", text, strlen(text), STEP_TIMEOUT, researched, rc) == 0;
		}
		if (sent) {
			q->waiting++;
		} else {
			free(rc);
			research_failed(q, i, PROSPERO_E_UNAVAILABLE, "cannot send", 11);
		}
		free(text);
	}
	research_settled(q);
out:
	json_decref(in);
}

int main(void)
{
	static const char *const need[] = { "RESEARCH", "ANALYSIS", "SYNTHESIS", NULL };
	struct prospero_binding *b[3];
	struct prospero *p = example_open(EV_DEFAULT, need, b);

	if (!p)
		return 1;
	research_b = b[0];
	analysis_b = b[1];
	synthesis_b = b[2];
	return example_serve_on(p, "ask", on_ask, NULL, NULL);
}
