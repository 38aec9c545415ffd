/* order-processor: places an order by asking three services in turn.
 *
 *   place {"order": 17, "user": "alice", "sku": "apple", "qty": 2}
 *     -> PRICING "quote"     (the Python actor: what it costs)
 *     -> INVENTORY "reserve" (take it off the shelf)
 *     -> PAYMENT "charge"
 *     -> SHIPMENTS "send"    (the shipments queue: on its disk once answered)
 *     <- {"order": 17, "sku": "apple", "qty": 2, "cents": 100, "left": 41}
 *
 * Each step is a call with a timeout on a binding; the request is deferred
 * while they run, so orders overlap freely. A failed step fails the order
 * with the same error code, so a caller sees "peer restarted" when a
 * service went down with its order in flight. A paid order is not failed
 * for want of a shipment: its shipment is sent again until the queue has
 * it, which a restart of the queue only delays. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prospero.h>

#include "examples/serve.h"
#include <prospero_queue.h>

#define STEP_TIMEOUT 2.0	/* seconds; a restart is reported long before */
#define SHIP_AGAIN 0.5		/* seconds before a shipment is sent again */

struct order {
	struct prospero_request *req;
	json_int_t id, qty, cents, left;
	char sku[32], user[32];
	ev_timer again;
};

static struct ev_loop *loop;
static struct prospero_binding *pricing, *inventory, *payment, *shipments;

static void finish(struct order *o, int err, const char *message)
{
	char reply[256];
	int n;

	if (err) {
		prospero_fail(o->req, err, message);
	} else {
		n = snprintf(reply, sizeof reply, "{\"order\":%lld,\"sku\":\"%s\",\"qty\":%lld,\"cents\":%lld,\"left\":%lld}",
			     (long long)o->id, o->sku, (long long)o->qty, (long long)o->cents, (long long)o->left);
		prospero_reply(o->req, reply, (size_t)n);
	}
	free(o);
}

/* A step failed: the order fails with the step's code, naming the service. */
static void step_failed(struct order *o, const char *service, int err, const void *body, size_t len)
{
	char message[256];

	if (err == PROSPERO_E_PEER_RESTARTED)
		snprintf(message, sizeof message, "%s went down mid-call", service);
	else if (err == PROSPERO_E_TIMEOUT)
		snprintf(message, sizeof message, "%s did not answer in time", service);
	else
		snprintf(message, sizeof message, "%s: %.*s", service, (int)(len < 200 ? len : 200), (const char *)body);
	finish(o, err, message);
}

/* One integer field of a JSON reply; -1 if absent or malformed. */
static json_int_t field(const void *body, size_t len, const char *key)
{
	json_t *o = json_loadb(body, len, 0, NULL);
	json_int_t v = -1;

	if (!o || json_unpack(o, "{s:I}", key, &v) < 0)
		v = -1;
	json_decref(o);
	return v;
}

static void ship(struct order *o);

static void queued(int err, const void *body, size_t len, void *arg)
{
	struct order *o = arg;

	if (err == PROSPERO_OK) {
		finish(o, 0, NULL);
		return;
	}
	/* peer_restarted or timeout: the queue may or may not have it, and
	 * delivery is at least once, so again; a refusal is final */
	if (err == PROSPERO_E_BAD_REQUEST) {
		step_failed(o, "shipments", err, body, len);
		return;
	}
	printf("order %lld: shipment not queued yet (%.*s), again in %.1f s\n", (long long)o->id,
	       (int)(len < 100 ? len : 100), (const char *)body, SHIP_AGAIN);
	ev_timer_start(loop, &o->again);
}

static void ship_again(struct ev_loop *l, ev_timer *w, int revents)
{
	ship(w->data);
}

static void ship(struct order *o)
{
	char shipment[160];
	int n = snprintf(shipment, sizeof shipment, "{\"order\":%lld,\"user\":\"%s\",\"sku\":\"%s\",\"qty\":%lld}",
			 (long long)o->id, o->user, o->sku, (long long)o->qty);

	if (prospero_queue_send(shipments, shipment, (size_t)n, STEP_TIMEOUT, queued, o) < 0)
		ev_timer_start(loop, &o->again);
}

static void charged(int err, const void *body, size_t len, void *arg)
{
	struct order *o = arg;

	if (err) {
		step_failed(o, "payment", err, body, len);
		return;
	}
	ev_timer_init(&o->again, ship_again, SHIP_AGAIN, 0);
	o->again.data = o;
	ship(o);
}

static void reserved(int err, const void *body, size_t len, void *arg)
{
	struct order *o = arg;
	char call[128];
	int n;

	if (err) {
		step_failed(o, "inventory-tracker", err, body, len);
		return;
	}
	o->left = field(body, len, "left");
	n = snprintf(call, sizeof call, "{\"order\":%lld,\"cents\":%lld}", (long long)o->id, (long long)o->cents);
	if (prospero_call(payment, "charge", call, (size_t)n, STEP_TIMEOUT, charged, o) < 0)
		finish(o, PROSPERO_E_UNAVAILABLE, "payment: cannot send");
}

static void quoted(int err, const void *body, size_t len, void *arg)
{
	struct order *o = arg;
	char call[128];
	int n;

	if (err) {
		step_failed(o, "pricing", err, body, len);
		return;
	}
	o->cents = field(body, len, "price_cents");
	if (o->cents < 0) {
		finish(o, PROSPERO_E_INTERNAL, "pricing: reply without price_cents");
		return;
	}
	n = snprintf(call, sizeof call, "{\"sku\":\"%s\",\"qty\":%lld}", o->sku, (long long)o->qty);
	if (prospero_call(inventory, "reserve", call, (size_t)n, STEP_TIMEOUT, reserved, o) < 0)
		finish(o, PROSPERO_E_UNAVAILABLE, "inventory-tracker: cannot send");
}

static void on_place(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	json_t *in;
	struct order *o;
	const char *sku, *user;
	char call[128];
	int n;

	if (!req)
		return;
	in = json_loadb(body, len, 0, NULL);
	o = calloc(1, sizeof *o);
	if (!o) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "out of memory");
		goto out;
	}
	if (!in || json_unpack(in, "{s:I, s:s, s:s, s:I}", "order", &o->id, "user", &user, "sku", &sku, "qty", &o->qty) < 0 ||
	    o->qty < 1 || strlen(sku) >= sizeof o->sku || strpbrk(sku, "\"\\") ||
	    strlen(user) >= sizeof o->user || strpbrk(user, "\"\\")) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "want {\"order\", \"user\", \"sku\", \"qty\"}");
		free(o);
		goto out;
	}
	strcpy(o->sku, sku);
	strcpy(o->user, user);
	o->req = prospero_defer(req);
	n = snprintf(call, sizeof call, "{\"sku\":\"%s\",\"qty\":%lld}", o->sku, (long long)o->qty);
	if (prospero_call(pricing, "quote", call, (size_t)n, STEP_TIMEOUT, quoted, o) < 0)
		finish(o, PROSPERO_E_UNAVAILABLE, "pricing: cannot send");
out:
	json_decref(in);
}

int main(void)
{
	static const char *const need[] = { "PRICING", "INVENTORY", "PAYMENT", "SHIPMENTS", NULL };
	struct prospero_binding *b[4];
	struct prospero *p;

	loop = EV_DEFAULT;
	if (!(p = example_open(loop, need, b)))
		return 1;
	pricing = b[0];
	inventory = b[1];
	payment = b[2];
	shipments = b[3];
	return example_serve_on(p, "place", on_place, NULL, NULL);
}
