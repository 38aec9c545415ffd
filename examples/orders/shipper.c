/* shipper: the consumer of the "shipments" queue. It takes the shipments
 * order-processor queued, in batches, and ships them:
 *
 *   shipped orders 12, 13, 14
 *
 * Now and then a truck is full, and the shipment is retried: the queue
 * delivers it again later (its attempt number says which time it is).
 * The shipment of order POISON_ORDER goes to an address no truck finds:
 * it fails every time, and after the queue's retries it goes to the
 * dead-letter queue, where "returns" takes it. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "examples/serve.h"

#define POISON_ORDER 5
#define TRUCK_FULL_EVERY 9	/* deliveries */

static unsigned long deliveries;

static void on_batch(struct prospero_queue_batch *b, const struct prospero_queue_message *m, size_t n,
		     void *arg)
{
	char shipped[512] = "";
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		json_t *s = json_loadb(m[i].body, m[i].len, 0, NULL);
		json_int_t order = -1;

		if (!s || json_unpack(s, "{s:I}", "order", &order) < 0) {
			printf("shipment %llu makes no sense, dropped: %.*s\n", (unsigned long long)m[i].id,
			       (int)(m[i].len < 100 ? m[i].len : 100), (const char *)m[i].body);
			prospero_queue_ack(b, i);
		} else if (order == POISON_ORDER) {
			printf("order %lld: no such address (attempt %u)\n", (long long)order, m[i].attempt);
			prospero_queue_retry(b, i, 0);
		} else if (++deliveries % TRUCK_FULL_EVERY == 0) {
			printf("order %lld: truck full, later (attempt %u)\n", (long long)order, m[i].attempt);
			prospero_queue_retry(b, i, 0);
		} else {
			prospero_queue_ack(b, i);
			if (used < sizeof shipped - 32)
				used += (size_t)snprintf(shipped + used, sizeof shipped - used, "%s%lld",
							 used ? ", " : "", (long long)order);
		}
		json_decref(s);
	}
	if (used)
		printf("shipped order%s %s\n", strchr(shipped, ',') ? "s" : "", shipped);
}

int main(void)
{
	return example_consume(on_batch, NULL);
}
