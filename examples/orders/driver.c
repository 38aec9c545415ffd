/* driver: a stream of customers. Every ORDER_EVERY seconds it checks a user
 * with user-manager and, if allowed, places an order with order-processor,
 * then prints what became of it:
 *
 *   order 17: placed 2 apples for $1.00 (apples left: 41)
 *   order 18: failed: peer restarted (inventory-tracker went down mid-call)
 *
 * and after every TALLY_EVERY orders, the share that succeeded (placed,
 * or refused because the user may not order: the right answer), which is
 * what a fault plan (faults.jsonc) puts to the test:
 *
 *   orders: 40 done, 33 placed, 5 refused, 2 failed: 95% succeeded
 *
 * Orders overlap: a slow one does not hold up the next. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero.h>

#include "examples/serve.h"

#define ORDER_EVERY 0.3		/* seconds */
#define CALL_TIMEOUT 5.0
#define TALLY_EVERY 10

static const char *const users[] = { "alice", "bob", "carol", "dave", "mallory", "erin", "frank" };
static const char *const skus[] = { "apple", "pear", "plum" };

struct order {
	int id;
	char user[16];
	const char *sku;
	int qty;
};

static struct prospero_binding *users_b, *orders_b;
static int next_id = 1;

enum outcome { PLACED, REFUSED, FAILED };
static unsigned long outcomes[3];

static void tally(enum outcome o)
{
	unsigned long done;

	outcomes[o]++;
	done = outcomes[PLACED] + outcomes[REFUSED] + outcomes[FAILED];
	if (done % TALLY_EVERY == 0)
		printf("orders: %lu done, %lu placed, %lu refused, %lu failed: %lu%% succeeded\n", done,
		       outcomes[PLACED], outcomes[REFUSED], outcomes[FAILED],
		       (outcomes[PLACED] + outcomes[REFUSED]) * 100 / done);
}

static const char *code_name(int err)
{
	switch (err) {
	case PROSPERO_E_TIMEOUT: return "timeout";
	case PROSPERO_E_PEER_RESTARTED: return "peer restarted";
	case PROSPERO_E_NO_SUCH_METHOD: return "no such method";
	case PROSPERO_E_BAD_REQUEST: return "bad request";
	case PROSPERO_E_UNAVAILABLE: return "unavailable";
	default: return "internal error";
	}
}

/* "failed: peer restarted", with the service's own words when it said more */
static void print_failure(const struct order *o, int err, const void *body, size_t len)
{
	const char *name = code_name(err);

	if (len == 0 || (len == strlen(name) && memcmp(body, name, len) == 0) ||
	    (err == PROSPERO_E_PEER_RESTARTED && len == 14 && memcmp(body, "peer restarted", 14) == 0))
		printf("order %d: failed: %s\n", o->id, name);
	else
		printf("order %d: failed: %s (%.*s)\n", o->id, name, (int)(len < 200 ? len : 200), (const char *)body);
}

static void placed(int err, const void *body, size_t len, void *arg)
{
	struct order *o = arg;
	json_t *r = NULL;
	json_int_t cents, left;

	if (err) {
		print_failure(o, err, body, len);
		tally(FAILED);
	} else if (!(r = json_loadb(body, len, 0, NULL)) ||
		   json_unpack(r, "{s:I, s:I}", "cents", &cents, "left", &left) < 0) {
		printf("order %d: placed, but the reply made no sense: %.*s\n", o->id, (int)len, (const char *)body);
		tally(FAILED);
	} else {
		printf("order %d: placed %d %s%s for $%lld.%02lld (%ss left: %lld)\n", o->id, o->qty, o->sku,
		       o->qty > 1 ? "s" : "", (long long)(cents / 100), (long long)(cents % 100), o->sku, (long long)left);
		tally(PLACED);
	}
	json_decref(r);
	free(o);
}

static void checked(int err, const void *body, size_t len, void *arg)
{
	struct order *o = arg;
	json_t *r = NULL;
	int allowed = 0;
	char call[160];
	int n;

	if (err) {
		print_failure(o, err, body, len);
		tally(FAILED);
		goto done;
	}
	r = json_loadb(body, len, 0, NULL);
	if (!r || json_unpack(r, "{s:b}", "allowed", &allowed) < 0 || !allowed) {
		printf("order %d: refused: user %s may not order\n", o->id, o->user);
		tally(REFUSED);
		goto done;
	}
	json_decref(r);
	n = snprintf(call, sizeof call, "{\"order\":%d,\"user\":\"%s\",\"sku\":\"%s\",\"qty\":%d}", o->id, o->user,
		     o->sku, o->qty);
	if (prospero_call(orders_b, "place", call, (size_t)n, CALL_TIMEOUT, placed, o) == 0)
		return;
	printf("order %d: not sent: %s\n", o->id, strerror(errno));
	tally(FAILED);
	r = NULL;
done:
	json_decref(r);
	free(o);
}

static void tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct order *o = calloc(1, sizeof *o);
	char call[64];
	int n;

	if (!o)
		return;
	o->id = next_id++;
	snprintf(o->user, sizeof o->user, "%s", users[(size_t)o->id % (sizeof users / sizeof users[0])]);
	o->sku = skus[(size_t)o->id % (sizeof skus / sizeof skus[0])];
	o->qty = 1 + o->id % 3;
	n = snprintf(call, sizeof call, "{\"user\":\"%s\"}", o->user);
	if (prospero_call(users_b, "check", call, (size_t)n, CALL_TIMEOUT, checked, o) < 0) {
		printf("order %d: not sent: %s\n", o->id, strerror(errno));
		tally(FAILED);
		free(o);
	}
}

static ev_timer ticker;

static void stopped(struct prospero *p, void *arg)
{
	ev_timer_stop(arg, &ticker);
	ev_break(arg, EVBREAK_ALL);
}

int main(void)
{
	static const char *const need[] = { "USERS", "ORDERS", NULL };
	struct prospero_binding *b[2];
	struct ev_loop *loop = EV_DEFAULT;
	struct prospero *p;

	if (!(p = example_open(loop, need, b)))
		return 1;
	users_b = b[0];
	orders_b = b[1];
	if (prospero_stop_on_sigterm(p, stopped, loop) < 0) {
		fprintf(stderr, "cannot handle SIGTERM: %s\n", strerror(errno));
		prospero_close(p);
		return 1;
	}
	ev_timer_init(&ticker, tick, ORDER_EVERY, ORDER_EVERY);
	ev_timer_start(loop, &ticker);
	ev_run(loop, 0);
	prospero_close(p);
	return 0;
}
