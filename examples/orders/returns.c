/* returns: the consumer of "shipments-dlq", the dead-letter queue of
 * "shipments": what the shipper could not ship after every retry lands
 * here, and is logged for a person to look at. */
#include <stdio.h>

#include "examples/serve.h"

static void on_batch(struct prospero_queue_batch *b, const struct prospero_queue_message *m, size_t n,
		     void *arg)
{
	for (size_t i = 0; i < n; i++)
		printf("undeliverable, for a person to look at: %.*s\n", (int)(m[i].len < 200 ? m[i].len : 200),
		       (const char *)m[i].body);
	prospero_queue_ack_all(b);
}

int main(void)
{
	return example_consume(on_batch, NULL);
}
