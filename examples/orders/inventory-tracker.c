/* inventory-tracker: holds the stock and serves "reserve".
 *
 *   reserve {"sku": "apple", "qty": 2}  ->  {"sku": "apple", "left": 41}
 *
 * It has a bug on purpose: every CRASH_EVERY-th reservation it aborts, so
 * the example shows a crash and what its supervisor ("data", rest_for_one)
 * does about it. The stock is kept with the state API ("state": true), in
 * $STATE_DIRECTORY: a reservation is on disk before it is answered, so a
 * restart, of the actor or of the daemon, finds the shelves as they were.
 * A shelf that runs short is restocked in the same transaction. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero_state.h>

#include "examples/serve.h"

#define CRASH_EVERY 20
#define RESTOCK 100

static struct {
	const char *sku;
	long left;		/* as on disk */
} stock[] = {
	{ "apple", 120 }, { "pear", 80 }, { "plum", 150 },
};
#define NSKUS (sizeof stock / sizeof stock[0])
static unsigned long reservations;
static struct prospero_state *st;

static void fail_bad(struct prospero_request *req, const char *why)
{
	prospero_fail(req, PROSPERO_E_BAD_REQUEST, why);
}

/* Shelf I's count to disk as "stock/SKU": a transaction of its own. */
static int keep(size_t i, long left)
{
	char key[64], value[32];

	snprintf(key, sizeof key, "stock/%s", stock[i].sku);
	snprintf(value, sizeof value, "%ld", left);
	if (prospero_state_put(st, key, value, strlen(value)) < 0)
		return -1;
	stock[i].left = left;
	return 0;
}

static void on_reserve(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	json_t *in = NULL;
	const char *sku;
	json_int_t qty;
	long left;
	size_t i;

	if (!req)
		return;		/* a cast: nothing to answer */
	in = json_loadb(body, len, 0, NULL);
	if (!in || json_unpack(in, "{s:s, s:I}", "sku", &sku, "qty", &qty) < 0 || qty < 1 || qty > RESTOCK) {
		fail_bad(req, "want {\"sku\": string, \"qty\": integer from 1 to 100}");
		goto out;
	}
	for (i = 0; i < NSKUS && strcmp(stock[i].sku, sku) != 0; i++)
		;
	if (i == NSKUS) {
		fail_bad(req, "no such sku");
		goto out;
	}
	if (++reservations % CRASH_EVERY == 0) {
		printf("reservation %lu: simulated bug, aborting\n", reservations);
		abort();
	}
	left = stock[i].left;
	if (left < qty) {
		printf("restocked %d %ss\n", RESTOCK, stock[i].sku);
		left += RESTOCK;
	}
	if (keep(i, left - (long)qty) < 0) {
		prospero_fail(req, PROSPERO_E_UNAVAILABLE, prospero_state_errmsg(st));
		goto out;
	}
	example_reply_json(req, json_pack("{s:s, s:I}", "sku", stock[i].sku, "left", (json_int_t)stock[i].left));
out:
	json_decref(in);
}

/* The shelves as the last incarnation left them; full ones the first time. */
static int load(void)
{
	char key[64], *end;
	void *v;
	size_t len;

	for (size_t i = 0; i < NSKUS; i++) {
		snprintf(key, sizeof key, "stock/%s", stock[i].sku);
		if (prospero_state_get(st, key, &v, &len) < 0) {
			if (errno != ENOENT || keep(i, stock[i].left) < 0)
				return -1;
			continue;
		}
		stock[i].left = strtol(v, &end, 10);
		free(v);
	}
	return 0;
}

int main(void)
{
	char greeting[128];
	int rc;

	if (!(st = prospero_state_open(NULL)) || load() < 0) {
		fprintf(stderr, "cannot read the stock from $STATE_DIRECTORY: %s\n",
			st ? prospero_state_errmsg(st) : strerror(errno));
		prospero_state_close(st);
		return 1;
	}
	snprintf(greeting, sizeof greeting, "serving: %ld apples, %ld pears, %ld plums",
		 stock[0].left, stock[1].left, stock[2].left);
	rc = example_serve("reserve", on_reserve, NULL, greeting);
	prospero_state_close(st);
	return rc;
}
