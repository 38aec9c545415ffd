/* user-manager: says whether a user may order.
 *
 *   check {"user": "alice"}  ->  {"user": "alice", "allowed": true}
 *
 * The "auth" subsystem: it never crashes, so it shows that a restart in
 * "data" leaves it alone. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "examples/serve.h"

static const char *const blocked[] = { "mallory", NULL };

static void on_check(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	json_t *in = NULL;
	const char *user;
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
	example_reply_json(req, json_pack("{s:s, s:b}", "user", user, "allowed", allowed));
out:
	json_decref(in);
}

int main(void)
{
	return example_serve("check", on_check, NULL, NULL);
}
