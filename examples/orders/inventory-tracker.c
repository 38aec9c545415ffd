/* inventory-tracker: holds the stock and serves "reserve".
 *
 *   reserve {"sku": "apple", "qty": 2}  ->  {"sku": "apple", "left": 41}
 *
 * It has a bug on purpose: every CRASH_EVERY-th reservation it aborts, so
 * the example shows a crash and what its supervisor ("data", rest_for_one)
 * does about it. The stock lives in memory only, so a restart starts from
 * full shelves: the state a crash loses is exactly what was not kept
 * elsewhere. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples/serve.h"

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
	json_t *in = NULL;
	const char *sku;
	json_int_t qty;
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
	example_reply_json(req, json_pack("{s:s, s:I}", "sku", stock[i].sku, "left", (json_int_t)stock[i].left));
out:
	json_decref(in);
}

int main(void)
{
	char greeting[128];

	snprintf(greeting, sizeof greeting, "serving: %ld apples, %ld pears, %ld plums",
		 stock[0].left, stock[1].left, stock[2].left);
	return example_serve("reserve", on_reserve, NULL, greeting);
}
