/* inventory-tracker: holds the stock and serves "reserve".
 *
 *   reserve {"sku": "apple", "qty": 2}  ->  {"sku": "apple", "left": 41}
 *
 * It has a bug on purpose: every CRASH_EVERY-th reservation it aborts, so
 * the example shows a crash and what its supervisor ("data", rest_for_one)
 * does about it. The stock lives in memory only, so a restart starts from
 * full shelves: the state a crash loses is exactly what was not kept
 * elsewhere. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero.h>

#define CRASH_EVERY 20

static struct {
	const char *sku;
	long left;
} stock[] = {
	{ "apple", 120 }, { "pear", 80 }, { "plum", 150 },
};
static unsigned long reservations;

static void fail_bad(struct prospero_request *req, const char *why)
{
	prospero_fail(req, PROSPERO_E_BAD_REQUEST, why);
}

static void on_reserve(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	json_t *in = NULL, *out = NULL;
	const char *sku;
	json_int_t qty;
	char *text = NULL;
	size_t i;

	if (!req)
		return;		/* a cast: nothing to answer */
	in = json_loadb(body, len, 0, NULL);
	if (!in || json_unpack(in, "{s:s, s:I}", "sku", &sku, "qty", &qty) < 0 || qty < 1) {
		fail_bad(req, "want {\"sku\": string, \"qty\": integer >= 1}");
		goto out;
	}
	for (i = 0; i < sizeof stock / sizeof stock[0] && strcmp(stock[i].sku, sku) != 0; i++)
		;
	if (i == sizeof stock / sizeof stock[0]) {
		fail_bad(req, "no such sku");
		goto out;
	}
	if (++reservations % CRASH_EVERY == 0) {
		printf("reservation %lu: simulated bug, aborting\n", reservations);
		abort();
	}
	if (stock[i].left < qty) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "out of stock");
		goto out;
	}
	stock[i].left -= qty;
	out = json_pack("{s:s, s:I}", "sku", stock[i].sku, "left", (json_int_t)stock[i].left);
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

	setvbuf(stdout, NULL, _IOLBF, 0);	/* a pipe to the daemon: one line at a time */
	p = prospero_open(loop);
	if (!p) {
		fprintf(stderr, "cannot adopt my bindings: %s\n", strerror(errno));
		return 1;
	}
	if (prospero_handle(p, "reserve", on_reserve, NULL) < 0 || prospero_serve(p) < 0 ||
	    prospero_stop_on_sigterm(p, NULL, NULL) < 0 || prospero_ready(p) < 0) {
		fprintf(stderr, "cannot start serving: %s\n", strerror(errno));
		prospero_close(p);
		return 1;
	}
	printf("serving: %ld apples, %ld pears, %ld plums\n", stock[0].left, stock[1].left, stock[2].left);
	ev_run(loop, 0);
	prospero_close(p);
	return 0;
}
