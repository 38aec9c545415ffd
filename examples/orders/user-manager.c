/* user-manager: says whether a user may order.
 *
 *   check {"user": "alice"}  ->  {"user": "alice", "allowed": true}
 *
 * The "auth" subsystem: it never crashes, so it shows that a restart in
 * "data" leaves it alone. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero.h>

static const char *const blocked[] = { "mallory", NULL };

static void on_check(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	json_t *in = NULL, *out = NULL;
	const char *user;
	char *text = NULL;
	int allowed = 1;

	if (!req)
		return;
	in = json_loadb(body, len, 0, NULL);
	if (!in || json_unpack(in, "{s:s}", "user", &user) < 0) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "want {\"user\": string}");
		goto out;
	}
	for (const char *const *b = blocked; *b; b++)
		if (strcmp(*b, user) == 0)
			allowed = 0;
	out = json_pack("{s:s, s:b}", "user", user, "allowed", allowed);
	text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	if (!text)
		prospero_fail(req, PROSPERO_E_INTERNAL, "out of memory");
	else
		prospero_reply(req, text, strlen(text));
out:
	free(text);
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
	if (prospero_handle(p, "check", on_check, NULL) < 0 || prospero_serve(p) < 0 ||
	    prospero_stop_on_sigterm(p, NULL, NULL) < 0 || prospero_ready(p) < 0) {
		fprintf(stderr, "cannot start serving: %s\n", strerror(errno));
		prospero_close(p);
		return 1;
	}
	ev_run(loop, 0);
	prospero_close(p);
	return 0;
}
