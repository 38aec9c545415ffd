/* A queue's settings, one table for both sides: the config module reads
 * them as keys of a "queue" definition and passes them to prospero-queue
 * as options, which reads them back with the same table. Pure. */
#ifndef PROSPERO_QUEUE_SETTINGS_H
#define PROSPERO_QUEUE_SETTINGS_H

#include <stddef.h>

enum pq_setting_id {
	PQ_MAX_BATCH_SIZE,
	PQ_MAX_BATCH_TIMEOUT,
	PQ_MAX_RETRIES,
	PQ_RETRY_DELAY,
	PQ_RETRY_BACKOFF,
	PQ_MAX_MESSAGE_SIZE,
	PQ_RETENTION,
	PQ_DELIVERY_TIMEOUT,
	PQ_MAX_CONCURRENCY,
	PQ_NSETTINGS
};

struct pq_setting {
	const char *key;	/* the config key */
	const char *option;	/* prospero-queue's long option */
	long min, max, def;
	const char *unit;	/* for messages: "ms", "bytes", ... */
};

/* Indexed by enum pq_setting_id. */
extern const struct pq_setting pq_settings[PQ_NSETTINGS];

/* The binding names the queue reaches its consumer and its dead-letter
 * queue by. */
#define PQ_BINDING_CONSUMER "CONSUMER"
#define PQ_BINDING_DEAD_LETTER "DEAD_LETTER"

/* The longest a retry waits, whatever the settings or the consumer ask. */
#define PQ_MAX_WAIT_MS 86400000L

/* A value of each setting. */
struct pq_options {
	long v[PQ_NSETTINGS];
};

/* Every setting at its default. */
void pq_options_default(struct pq_options *o);
/* Read "--OPTION=N" or "--OPTION N" arguments (argv[1] on) into O, which
 * holds the defaults or earlier values. 0, or -1 with a message in ERR
 * for anything else, a value out of range included. */
int pq_options_parse(struct pq_options *o, int argc, char *const *argv, char *err, size_t errlen);

/* After failed attempt FAILED (1-based) of a message: -1 when it has had
 * its retries (to the dead-letter queue), else how long to wait, in ms,
 * before the next: retry_delay × retry_backoff^(FAILED-1), or ASKED_MS
 * (the consumer's wish) if longer, at most PQ_MAX_WAIT_MS. */
long pq_retry_wait(const struct pq_options *o, unsigned failed, unsigned long asked_ms);

#endif
