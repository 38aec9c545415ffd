/* The settings table, the queue's options, and the retry policy they
 * make. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/queue/settings.h"

const struct pq_setting pq_settings[PQ_NSETTINGS] = {
	[PQ_MAX_BATCH_SIZE] = { "max_batch_size", "max-batch-size", 1, 100, 10, "messages" },
	[PQ_MAX_BATCH_TIMEOUT] = { "max_batch_timeout", "max-batch-timeout", 0, 86400000, 5000, "ms" },
	[PQ_MAX_RETRIES] = { "max_retries", "max-retries", 0, 1000, 3, "retries" },
	[PQ_RETRY_DELAY] = { "retry_delay", "retry-delay", 0, PQ_MAX_WAIT_MS, 0, "ms" },
	[PQ_RETRY_BACKOFF] = { "retry_backoff", "retry-backoff", 1, 10, 1, "times" },
	[PQ_MAX_MESSAGE_SIZE] = { "max_message_size", "max-message-size", 1, 16 << 20, 128 << 10, "bytes" },
	[PQ_RETENTION] = { "retention", "retention", 60, 31536000, 345600, "s" },
	[PQ_DELIVERY_TIMEOUT] = { "delivery_timeout", "delivery-timeout", 1, 86400000, 30000, "ms" },
	[PQ_MAX_CONCURRENCY] = { "max_concurrency", "max-concurrency", 1, 100, 1, "batches" },
};

void pq_options_default(struct pq_options *o)
{
	for (int i = 0; i < PQ_NSETTINGS; i++)
		o->v[i] = pq_settings[i].def;
}

/* The setting whose option ARG ("--NAME" or "--NAME=...") names, with
 * *VALUE at what follows '=' (NULL without one). */
static int lookup(const char *arg, const char **value)
{
	size_t n;

	if (strncmp(arg, "--", 2) != 0)
		return -1;
	arg += 2;
	n = strcspn(arg, "=");
	*value = arg[n] == '=' ? arg + n + 1 : NULL;
	for (int i = 0; i < PQ_NSETTINGS; i++)
		if (strlen(pq_settings[i].option) == n && strncmp(pq_settings[i].option, arg, n) == 0)
			return i;
	return -1;
}

static int number(const struct pq_setting *s, const char *text, long *out, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < s->min || v > s->max) {
		snprintf(err, errlen, "--%s: \"%s\": expected an integer from %ld to %ld (%s)", s->option, text,
			 s->min, s->max, s->unit);
		return -1;
	}
	*out = v;
	return 0;
}

int pq_options_parse(struct pq_options *o, int argc, char *const *argv, char *err, size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const char *value;
		int k = lookup(argv[i], &value);

		if (k < 0) {
			snprintf(err, errlen, "unknown argument \"%s\"", argv[i]);
			return -1;
		}
		if (!value && (value = argv[++i]) == NULL) {
			snprintf(err, errlen, "--%s needs a value", pq_settings[k].option);
			return -1;
		}
		if (number(&pq_settings[k], value, &o->v[k], err, errlen) < 0)
			return -1;
	}
	return 0;
}

long pq_retry_wait(const struct pq_options *o, unsigned failed, unsigned long asked_ms)
{
	long wait = o->v[PQ_RETRY_DELAY];

	if (failed > (unsigned long)o->v[PQ_MAX_RETRIES])
		return -1;
	/* grows until it reaches the cap; no overflow on the way */
	for (unsigned i = 1; i < failed && wait < PQ_MAX_WAIT_MS; i++)
		wait *= o->v[PQ_RETRY_BACKOFF];
	if (asked_ms > (unsigned long)wait)
		wait = asked_ms > (unsigned long)PQ_MAX_WAIT_MS ? PQ_MAX_WAIT_MS : (long)asked_ms;
	return wait < PQ_MAX_WAIT_MS ? wait : PQ_MAX_WAIT_MS;
}
