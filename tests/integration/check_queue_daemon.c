/* prospero-queue under the real daemon (README "Queues"): nothing a
 * producer had acknowledged is lost while producers, the queue, its
 * consumer and once the daemon itself are SIGKILLed at seeded moments;
 * retries and the dead-letter queue follow the configuration. The actors
 * are tests/actors/queueactor.c; the queue is the build's prospero-queue
 * ($PROSPERO_QUEUE), in a state directory under the test's. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;
static char statedir[512];

static void setup(void)
{
	h_init(&h);
	snprintf(statedir, sizeof statedir, "%s", h_path(&h, "state"));
	h_link(&h, "QUEUEACTOR", "qa");
}

static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

static void start(void)
{
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", statedir, NULL });
}

/* An empty record any uid may append to: a dynamic uid is per run */
static void shared_file(const char *name)
{
	h_write(&h, name, "");
	ck_assert(chmod(h_path(&h, name), 0666) == 0);
}

static char file_buf[1 << 22];

/* FILE's whole text, NUL-terminated, in file_buf ("" when absent). */
static char *slurp(const char *name)
{
	int n = h_read(&h, name, file_buf, sizeof file_buf - 1);

	ck_assert(n < (int)sizeof file_buf - 1);
	file_buf[n > 0 ? n : 0] = '\0';
	return file_buf;
}

#define NPROD 4
#define PER_PRODUCER 2500
#define NKILLS 24

/* What the records say, message by message: acknowledged to its
 * producer, and how many times the consumer had it. */
struct tally {
	uint8_t acked[NPROD][PER_PRODUCER + 1];
	uint16_t consumed[NPROD][PER_PRODUCER + 1];
	long nacked, done;
};

static void read_acked(struct tally *t)
{
	char name[32];

	memset(t->acked, 0, sizeof t->acked);
	t->nacked = t->done = 0;
	for (int p = 0; p < NPROD; p++) {
		snprintf(name, sizeof name, "p%d.acked", p);
		for (char *save = NULL, *l = strtok_r(slurp(name), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			int who, seq;

			if (strcmp(l, "done") == 0)
				t->done++;
			else if (sscanf(l, "p%d:%d", &who, &seq) == 2 && who == p && seq >= 1 &&
				 seq <= PER_PRODUCER && !t->acked[p][seq]++)
				t->nacked++;
		}
	}
}

static void read_consumed(struct tally *t)
{
	memset(t->consumed, 0, sizeof t->consumed);
	for (char *save = NULL, *l = strtok_r(slurp("consumed"), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int who, seq;

		if (sscanf(l, "p%d:%d ", &who, &seq) == 2 && who >= 0 && who < NPROD && seq >= 1 &&
		    seq <= PER_PRODUCER && t->consumed[who][seq] < UINT16_MAX)
			t->consumed[who][seq]++;
	}
}

/* Acknowledged and not consumed; *DUPS: consumed more than once. */
static long missing(const struct tally *t, long *dups)
{
	long n = 0;

	*dups = 0;
	for (int p = 0; p < NPROD; p++)
		for (int s = 1; s <= PER_PRODUCER; s++) {
			n += t->acked[p][s] && !t->consumed[p][s];
			*dups += t->consumed[p][s] > 1 ? t->consumed[p][s] - 1 : 0;
		}
	return n;
}

static uint64_t rng;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The running pids, from the events read so far: "p0".."p3", "q", "c". */
static const char *const victims[] = { "p0", "p1", "p2", "p3", "q", "c" };
#define NVICTIMS (sizeof victims / sizeof *victims)
static int pids[NVICTIMS];

/* The events read so far kept in PIDS[i], the running pid of NAMES[i]
 * (0: none). */
static void track_pids(const char *const *names, size_t n, int *pids_of)
{
	struct h_event e;

	while (h_next(&h, &e, 0))
		for (size_t i = 0; i < n; i++) {
			if (strcmp(e.name, names[i]) != 0)
				continue;
			if (strcmp(e.event, "start") == 0)
				pids_of[i] = e.pid;
			else if (strcmp(e.event, "exit") == 0)
				pids_of[i] = 0;
		}
}

static void follow_events(void)
{
	track_pids(victims, NVICTIMS, pids);
}

static void write_chaos_config(void)
{
	char text[4096];
	int n;

	/* an intensity no kill spends; retries enough that no message is
	 * dropped for the consumer's deaths */
	n = snprintf(text, sizeof text,
		     "{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		     "  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/consumed\"] },\n"
		     "  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_size\": 50, \"max_batch_timeout\": 5,\n"
		     "    \"max_retries\": 1000, \"delivery_timeout\": 5000 }");
	for (int p = 0; p < NPROD; p++)
		n += snprintf(text + n, sizeof text - (size_t)n,
			      ",\n  { \"actor\": \"p%d\", \"exec\": [\"@DIR@/qa\", \"produce\", \"@DIR@/p%d.acked\", \"p%d\", \"%d\"],\n"
			      "    \"bindings\": { \"Q\": \"q\" } }", p, p, p, PER_PRODUCER);
	snprintf(text + n, sizeof text - (size_t)n, " ] }\n");
	h_write(&h, "root.jsonc", text);
}

/* Fail at once, with the end of its log, when the daemon has exited: the
 * waits below would otherwise run out their whole time. */
static void daemon_alive(long nacked)
{
	static char err[1 << 16];
	int st = h_wait_exit(&h, 0), n;

	if (st < 0)
		return;
	n = h_read(&h, "err", err, sizeof err - 1);
	err[n > 0 ? n : 0] = '\0';
	ck_abort_msg("the daemon exited (status %d) at %ld acknowledged; its log ends:\n%s", st, nacked,
		     n > 2000 ? err + n - 2000 : err);
}

/* Wait, following events, until at least N messages are acknowledged. */
static void wait_acked(struct tally *t, long n)
{
	for (int waited = 0;; waited += 5) {
		follow_events();
		read_acked(t);
		if (t->nacked >= n || t->done == NPROD)
			return;
		daemon_alive(t->nacked);
		ck_assert_msg(waited < 30 * H_TIMEOUT_MS, "stuck at %ld acknowledged", t->nacked);
		h_sleep_ms(5);
	}
}

START_TEST(nothing_acknowledged_is_lost_under_kills)
{
	static struct tally t;
	const char *s = getenv("CHAOS_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 10) : 20261204;
	long at[NKILLS], daemon_at, lost, dups;
	int kills[NVICTIMS] = { 0 };
	long long t0 = h_now_ms();

	rng = seed * 2654435761u + 1;
	for (int i = 0; i < NKILLS; i++)
		at[i] = 100 + (long)(next_rand() % (NPROD * PER_PRODUCER - 400));
	qsort(at, NKILLS, sizeof *at, cmp_long);
	daemon_at = NPROD * PER_PRODUCER / 4 + (long)(next_rand() % (NPROD * PER_PRODUCER / 2));
	for (int p = 0; p < NPROD; p++) {
		char name[32];

		snprintf(name, sizeof name, "p%d.acked", p);
		shared_file(name);
	}
	shared_file("consumed");
	write_chaos_config();
	start();
	for (int i = 0, daemon_done = 0; i < NKILLS; i++) {
		size_t v = next_rand() % NVICTIMS;

		if (!daemon_done && daemon_at <= at[i]) {
			wait_acked(&t, daemon_at);
			/* the whole daemon, then another on the same state */
			h_signal(&h, SIGKILL);
			ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
			memset(pids, 0, sizeof pids);
			start();
			daemon_done = 1;
		}
		wait_acked(&t, at[i]);
		if (pids[v] > 0 && kill(pids[v], SIGKILL) == 0)
			kills[v]++;
	}
	wait_acked(&t, NPROD * PER_PRODUCER);
	ck_assert_int_eq(t.done, NPROD);
	/* every acknowledged message reaches the consumer, however late */
	for (int waited = 0;; waited += 20) {
		follow_events();
		read_consumed(&t);
		if ((lost = missing(&t, &dups)) == 0)
			break;
		ck_assert_msg(waited < 6 * H_TIMEOUT_MS, "%ld acknowledged messages never consumed", lost);
		h_sleep_ms(20);
	}
	fprintf(stderr, "queue chaos, seed %" PRIu64 ": %ld acknowledged, 0 lost, %ld duplicates; "
		"killed p0-p3 %d %d %d %d, q %d, c %d, the daemon once; %lld ms\n", seed, t.nacked, dups,
		kills[0], kills[1], kills[2], kills[3], kills[4], kills[5], h_now_ms() - t0);
	ck_assert_int_eq(t.nacked, NPROD * PER_PRODUCER);
	ck_assert_msg(kills[4] > 0 && kills[5] > 0, "the seed killed neither queue nor consumer");
	h_stop(&h);
}
END_TEST

/* The whole crash story at once, hundreds of kills: two producers send
 * one message a call and two send_batch calls; a fifth sends poison. The
 * consumer retries every poison message and the first attempt of every
 * fourth id; the dead-letter queue's consumer records what it gets.
 * SIGKILLed at seeded moments: every producer, both queues, both
 * consumers and the daemon. Then: every message a producer had
 * acknowledged reached the consumer or the dead-letter queue; each
 * poison message is in the dead-letter queue; no attempt number goes
 * back or past 1 + max_retries; and once the queue is empty, a SIGKILL
 * of it brings nothing back. CHAOS_SEED, CHAOS_KILLS (default 60). */
#define W_TAGS 5
#define W_PER 1500
#define W_POISON 30
#define W_RETRIES 4

static const char *const w_tags[W_TAGS] = { "p0", "p1", "b2", "b3", "poison" };
static const char *const w_victims[] = { "p0", "p1", "b2", "b3", "pp", "q", "c", "dlq", "dead" };
#define W_NVICTIMS (sizeof w_victims / sizeof *w_victims)
static int w_pids[W_NVICTIMS];

struct wtally {
	uint8_t acked[W_TAGS][W_PER + 1];
	uint16_t consumed[W_TAGS][W_PER + 1], dead[W_TAGS][W_PER + 1];
	uint32_t last_attempt[1 << 16];	/* by id: a message sent again has another */
	long nacked, done, backwards, over, lines;
};

static int w_count(int tag) { return tag == 4 ? W_POISON : W_PER; }

static void w_follow(void)
{
	track_pids(w_victims, W_NVICTIMS, w_pids);
}

static int w_parse(const char *l, int *tag, int *seq)
{
	for (int t = 0; t < W_TAGS; t++) {
		size_t n = strlen(w_tags[t]);

		if (strncmp(l, w_tags[t], n) == 0 && l[n] == ':' && sscanf(l + n + 1, "%d", seq) == 1 && *seq >= 1 &&
		    *seq <= w_count(t)) {
			*tag = t;
			return 1;
		}
	}
	return 0;
}

static void w_read_acked(struct wtally *t)
{
	char name[32];

	memset(t->acked, 0, sizeof t->acked);
	t->nacked = t->done = 0;
	for (int p = 0; p < W_TAGS; p++) {
		snprintf(name, sizeof name, "%s.acked", w_tags[p]);
		for (char *save = NULL, *l = strtok_r(slurp(name), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			int tag, seq;

			if (strcmp(l, "done") == 0)
				t->done++;
			else if (w_parse(l, &tag, &seq) && tag == p && !t->acked[p][seq]++)
				t->nacked++;
		}
	}
}

/* The consumer's record: how often each message came, and whether its
 * attempt numbers ever went back or past the limit. */
static void w_read_consumed(struct wtally *t)
{
	memset(t->consumed, 0, sizeof t->consumed);
	memset(t->last_attempt, 0, sizeof t->last_attempt);
	t->backwards = t->over = t->lines = 0;
	for (char *save = NULL, *l = strtok_r(slurp("consumed"), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int tag, seq;
		unsigned long long id;
		unsigned attempt;
		char *sp = strchr(l, ' ');

		t->lines++;
		if (!w_parse(l, &tag, &seq) || !sp || sscanf(sp, " %llu %u", &id, &attempt) != 2)
			continue;
		if (t->consumed[tag][seq] < UINT16_MAX)
			t->consumed[tag][seq]++;
		ck_assert_uint_lt(id, sizeof t->last_attempt / sizeof *t->last_attempt);
		if (attempt < t->last_attempt[id]) {
			if (t->backwards++ < 5)
				fprintf(stderr, "attempt went back: %s after attempt %u\n", l, t->last_attempt[id]);
		} else {
			t->last_attempt[id] = attempt;
		}
		if (attempt > 1 + W_RETRIES && t->over++ < 5)
			fprintf(stderr, "attempt past 1 + max_retries: %s\n", l);
	}
	memset(t->dead, 0, sizeof t->dead);
	for (char *save = NULL, *l = strtok_r(slurp("dead.rec"), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int tag, seq;

		if (w_parse(l, &tag, &seq) && t->dead[tag][seq] < UINT16_MAX)
			t->dead[tag][seq]++;
	}
}

/* Acknowledged and neither consumed nor dead-lettered; poison messages
 * must be dead-lettered. */
static long w_missing(const struct wtally *t, long *dups, long *dead)
{
	long n = 0;

	*dups = *dead = 0;
	for (int p = 0; p < W_TAGS; p++)
		for (int s = 1; s <= w_count(p); s++) {
			n += t->acked[p][s] && (p == 4 ? !t->dead[p][s] : !t->consumed[p][s] && !t->dead[p][s]);
			*dups += t->consumed[p][s] > 1 ? t->consumed[p][s] - 1 : 0;
			*dead += t->dead[p][s] > 0;
		}
	return n;
}

/* A hook the full-disk variant runs at each kill: fill the disk or free it. */
static void (*w_disk)(void);
static void free_the_rest(void);
static int w_fills, w_stalls;	/* the disk filled; freed for want of acks */

static void w_wait_acked(struct wtally *t, long n)
{
	long had = -1;

	for (int waited = 0, still = 0;; waited += 5, still += 5) {
		w_follow();
		w_read_acked(t);
		if (t->nacked >= n || t->done == W_TAGS)
			return;
		daemon_alive(t->nacked);
		if (t->nacked != had)
			had = t->nacked, still = 0;
		/* a full disk refuses every send: make room after a while */
		if (w_disk && still >= 3000)
			free_the_rest(), still = 0, w_stalls++;
		ck_assert_msg(waited < 30 * H_TIMEOUT_MS, "stuck at %ld acknowledged", t->nacked);
		h_sleep_ms(5);
	}
}


static void wide_chaos(void)
{
	static struct wtally t;
	bool full = w_disk != NULL;
	const char *s = getenv("CHAOS_SEED"), *k = getenv("CHAOS_KILLS");
	uint64_t seed = s ? strtoull(s, NULL, 10) : 20261207;
	long nkills = k ? strtol(k, NULL, 10) : 60, total = 4 * W_PER + W_POISON, lost, dups, dead, lines;
	long *at = calloc((size_t)nkills, sizeof *at);
	int kills[W_NVICTIMS + 1] = { 0 };
	long long t0 = h_now_ms();
	char text[4096];
	int n;

	ck_assert_ptr_nonnull(at);
	rng = seed * 2654435761u + 1;
	for (long i = 0; i < nkills; i++)
		at[i] = 50 + (long)(next_rand() % (uint64_t)(total - 200));
	qsort(at, (size_t)nkills, sizeof *at, cmp_long);
	for (int p = 0; p < W_TAGS; p++) {
		snprintf(text, sizeof text, "%s.acked", w_tags[p]);
		shared_file(text);
	}
	shared_file("consumed");
	shared_file("dead.rec");
	n = snprintf(text, sizeof text,
		     "{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		     "  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/consumed\", \"poison\", \"flaky\"] },\n"
		     "  { \"actor\": \"dead\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/dead.rec\"] },\n"
		     "  { \"queue\": \"dlq\", \"consumer\": \"dead\", \"max_batch_timeout\": 5, \"delivery_timeout\": 5000 },\n"
		     "  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_size\": 20, \"max_batch_timeout\": 5,\n"
		     "    \"max_retries\": %d, \"delivery_timeout\": 5000, \"dead_letter_queue\": \"dlq\" }", W_RETRIES);
	for (int p = 0; p < W_TAGS; p++)
		n += snprintf(text + n, sizeof text - (size_t)n,
			      ",\n  { \"actor\": \"%s\", \"exec\": [\"@DIR@/qa\", \"produce\", \"@DIR@/%s.acked\", \"%s\", \"%d\"%s],\n"
			      "    \"bindings\": { \"Q\": \"q\" } }", p == 4 ? "pp" : w_tags[p], w_tags[p], w_tags[p],
			      w_count(p), p == 2 || p == 3 ? ", \"batch\"" : "");
	snprintf(text + n, sizeof text - (size_t)n, " ] }\n");
	h_write(&h, "root.jsonc", text);
	start();
	for (long i = 0; i < nkills; i++) {
		size_t v = next_rand() % (W_NVICTIMS + 1);

		w_wait_acked(&t, at[i]);
		if (v == W_NVICTIMS) {
			/* the whole daemon, then another on the same state */
			h_signal(&h, SIGKILL);
			ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
			memset(w_pids, 0, sizeof w_pids);
			start();
			kills[v]++;
		} else if (w_pids[v] > 0 && kill(w_pids[v], SIGKILL) == 0) {
			kills[v]++;
		}
		if (w_disk && next_rand() % 3 == 0)
			w_disk();
	}
	free(at);
	if (w_disk)
		w_disk = NULL, free_the_rest();
	w_wait_acked(&t, total);
	ck_assert_int_eq(t.done, W_TAGS);
	for (int waited = 0;; waited += 50) {
		w_follow();
		w_read_consumed(&t);
		if ((lost = w_missing(&t, &dups, &dead)) == 0)
			break;
		ck_assert_msg(waited < 12 * H_TIMEOUT_MS, "%ld acknowledged messages neither consumed nor dead-lettered",
			      lost);
		h_sleep_ms(50);
	}
	/* settled: the queue's acks are in its log, so a kill brings
	 * nothing back */
	h_sleep_ms(1500);
	w_follow();
	w_read_consumed(&t);
	lines = t.lines;
	if (w_pids[5] > 0)
		kill(w_pids[5], SIGKILL);
	h_sleep_ms(2000);
	w_read_consumed(&t);
	fprintf(stderr, "queue chaos wide, seed %" PRIu64 ": %ld acknowledged, 0 lost, %ld duplicates, %ld dead-lettered;"
		" killed p0 %d p1 %d b2 %d b3 %d pp %d q %d c %d dlq %d dead %d daemon %d; %lld ms\n", seed, t.nacked,
		dups, dead, kills[0], kills[1], kills[2], kills[3], kills[4], kills[5], kills[6], kills[7], kills[8],
		kills[9], h_now_ms() - t0);
	ck_assert_int_eq(t.nacked, total);
	/* a kill while the log was full loses the attempts counted in
	 * memory since (README "A full disk"): only then may they go back */
	if (full)
		fprintf(stderr, "the disk filled %d times (freed %d times after 3 s without an ack); attempt numbers"
			" that went back after a kill on a full disk: %ld\n", w_fills, w_stalls, t.backwards);
	else
		ck_assert_int_eq(t.backwards, 0);
	ck_assert_int_eq(t.over, 0);
	ck_assert_msg(t.lines == lines, "%ld deliveries after the queue was empty and killed", t.lines - lines);
	h_stop(&h);
}

START_TEST(hundreds_of_kills_lose_nothing_acknowledged)
{
	wide_chaos();
}
END_TEST

/* Wait until FILE has N lines holding NEEDLE. */
static void wait_count(const char *file, const char *needle, int n)
{
	for (int waited = 0;; waited += 10) {
		int seen = 0;

		for (const char *p = slurp(file); (p = strstr(p, needle)); p++)
			seen++;
		if (seen >= n)
			return;
		ck_assert_msg(waited < 3 * H_TIMEOUT_MS, "%s: %d lines with \"%s\", not %d", file, seen, needle, n);
		h_sleep_ms(10);
	}
}

/* Wait until the daemon has passed on a line of q's that holds WHAT. q
 * says it before it takes the send that shows it, but the daemon copies
 * q's output to its own when it reads the pipe, in no order with what
 * the producer records. */
static void wait_q_line(const char *what)
{
	for (int waited = 0; h_lines_with(&h, "out", "q: ", what) < 1; waited += 10) {
		ck_assert_msg(waited < 3 * H_TIMEOUT_MS, "q never said \"%s\"", what);
		h_sleep_ms(10);
	}
}

/* The consumer retries "poison:1" every time: with max_retries 2 it has
 * attempts 1, 2 and 3, each retry no sooner than retry_delay (300 ms)
 * times retry_backoff (2) to the power of the attempts before, and then
 * the message is in the dead-letter queue, and not in this one; the
 * others are acked at their first delivery. */
START_TEST(retries_and_the_dead_letter_queue_follow_the_configuration)
{
	long long at[4] = { 0 }, dead_at = 0;
	unsigned long long id, dead_id = 0;
	unsigned attempt;
	int ok = 0, tries = 0;
	char *save = NULL;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/c.rec\", \"poison\"] },\n"
		"  { \"actor\": \"dead\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/dead.rec\"] },\n"
		"  { \"queue\": \"dlq\", \"consumer\": \"dead\", \"max_batch_timeout\": 0 },\n"
		"  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_timeout\": 0, \"max_retries\": 2,\n"
		"    \"retry_delay\": 300, \"retry_backoff\": 2, \"dead_letter_queue\": \"dlq\" },\n"
		"  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"produce\", \"@DIR@/p.acked\", \"ok\", \"3\"],\n"
		"    \"bindings\": { \"Q\": \"q\" } },\n"
		"  { \"actor\": \"pp\", \"exec\": [\"@DIR@/qa\", \"produce\", \"@DIR@/pp.acked\", \"poison\", \"1\"],\n"
		"    \"bindings\": { \"Q\": \"q\" } } ] }\n");
	start();
	wait_count("dead.rec", "poison:1 ", 1);
	wait_count("c.rec", "ok:", 3);
	ck_assert_int_eq(sscanf(slurp("dead.rec"), "poison:1 %llu %u %lld", &dead_id, &attempt, &dead_at), 3);
	for (char *l = strtok_r(slurp("c.rec"), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		long long ms;

		if (sscanf(l, "ok:%*d %llu %u %lld", &id, &attempt, &ms) == 3) {
			ck_assert_uint_eq(attempt, 1);
			ok++;
		} else {
			ck_assert_int_eq(sscanf(l, "poison:1 %llu %u %lld", &id, &attempt, &ms), 3);
			ck_assert_msg(attempt == (unsigned)tries + 1 && attempt <= 3, "%s", l);
			at[tries++] = ms;
		}
	}
	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(tries, 3);
	ck_assert_int_ge(at[1] - at[0], 300);
	ck_assert_int_ge(at[2] - at[1], 600);
	ck_assert_int_ge(dead_at, at[2]);
	h_stop(&h);
}
END_TEST

/* A consumer's error text is the consumer's: a newline in it must not
 * start a line that reads as the queue's own ("q: message 1 moved to
 * the dead-letter queue ..."). */
START_TEST(a_consumer_cannot_write_the_queue_s_lines)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"forge\", \"@DIR@/c.rec\"] },\n"
		"  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_timeout\": 0 },\n"
		"  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"produce\", \"@DIR@/p.acked\", \"ok\", \"1\"],\n"
		"    \"bindings\": { \"Q\": \"q\" } } ] }\n");
	shared_file("c.rec");
	start();
	wait_count("c.rec", "forged", 2);
	h_stop(&h);
	ck_assert_int_ge(h_lines_with(&h, "out", "q: a batch of 1 (ids 1...) was not answered: internal: boom", ""), 1);
	ck_assert_int_eq(h_lines_with(&h, "out", "q: message 1 moved", ""), 0);
}
END_TEST

/* STATUS's in_flight counts a batch out with the consumer. The old
 * queue said its STATUS again on an answer, not on a send: a retried
 * message out again with a consumer that took its time showed
 * in_flight=0 until the answer came. */
START_TEST(a_batch_out_with_the_consumer_is_in_flight)
{
	char out[8192] = "";
	int n = 0;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/c.rec\", \"poison\", \"120\"] },\n"
		"  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_timeout\": 0, \"retry_delay\": 2000,\n"
		"    \"delivery_timeout\": 600000 },\n"
		"  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"produce\", \"@DIR@/p.acked\", \"poison\", \"1\"],\n"
		"    \"bindings\": { \"Q\": \"q\" } } ] }\n");
	shared_file("p.acked");
	shared_file("c.rec");
	start();
	wait_count("c.rec", "poison:1 ", 2);	/* its second attempt is out, and held */
	for (int waited = 0; !strstr(out, "in_flight=1 "); waited += 100) {
		ck_assert_msg(waited < 3 * H_TIMEOUT_MS, "no in_flight=1 in the queue's status: %s", out);
		h_sleep_ms(100);
		ck_assert_int_eq(h_run(&h, (const char *const[]){ "status", "q", "--runtime-dir", h.rundir, NULL }), 0);
		n = h_read(&h, "run.out", out, sizeof out - 1);
		out[n > 0 ? n : 0] = '\0';
	}
	h_stop(&h);
}
END_TEST

/* A consumer down (crashed, backing off) reads nothing, so a batch that
 * waited unread in its socket past delivery_timeout is no failed
 * attempt: counted, the message whose first attempt crashed the consumer
 * would be in the dead-letter queue before the consumer was back. */
START_TEST(a_consumer_backing_off_does_not_use_up_attempts)
{
	int attempts = 0, acked_at = 0;
	char *save = NULL;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/c.rec\", \"crash\", \"crash\"],\n"
		"    \"backoff\": { \"initial\": 2500 } },\n"
		"  { \"actor\": \"dead\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/dead.rec\"] },\n"
		"  { \"queue\": \"dlq\", \"consumer\": \"dead\", \"max_batch_timeout\": 0 },\n"
		"  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_timeout\": 0, \"max_retries\": 1,\n"
		"    \"delivery_timeout\": 300, \"dead_letter_queue\": \"dlq\" },\n"
		"  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"produce\", \"@DIR@/p.acked\", \"crash\", \"1\"],\n"
		"    \"bindings\": { \"Q\": \"q\" } } ] }\n");
	shared_file("p.acked");
	shared_file("c.rec");
	shared_file("dead.rec");
	start();
	/* the first attempt, then the second once the consumer is back */
	wait_count("c.rec", "crash:1 ", 2);
	h_sleep_ms(1000);
	for (char *l = strtok_r(slurp("c.rec"), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long id;
		unsigned attempt;
		long long ms;

		ck_assert_int_eq(sscanf(l, "crash:1 %llu %u %lld", &id, &attempt, &ms), 3);
		ck_assert_msg(attempt <= 2, "%s", l);
		attempts++;
		acked_at += attempt == 2;
	}
	ck_assert_int_ge(acked_at, 1);
	ck_assert_int_le(attempts, 3);
	ck_assert_str_eq(slurp("dead.rec"), "");
	h_stop(&h);
}
END_TEST

/* A message over max_message_size is refused with the documented reason,
 * through the daemon as in check_queue; the queue stays up and takes the
 * next one. */
START_TEST(an_oversized_message_is_refused_and_the_queue_goes_on)
{
	char *rec;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/c.rec\"] },\n"
		"  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_timeout\": 0, \"max_message_size\": 1024 },\n"
		"  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"oversize\", \"@DIR@/p.rec\", \"2000\"],\n"
		"    \"bindings\": { \"Q\": \"q\" } } ] }\n");
	start();
	wait_count("c.rec", "small ", 1);
	wait_count("p.rec", "small: sent", 1);
	rec = slurp("p.rec");
	ck_assert_str_eq(rec, "refused: message of 2000 bytes is over max_message_size (1024 bytes)\nsmall: sent\n");
	ck_assert_ptr_null(strstr(slurp("c.rec"), "xxx"));
	/* its figures reach `prospero status` (its STATUS=, sent on change) */
	for (int waited = 0;; waited += 50) {
		const char *const argv[] = { "status", "q", "--runtime-dir", h.rundir, NULL };
		char out[4096] = "";

		h_run(&h, argv);
		if (h_read(&h, "run.out", out, sizeof out) > 0 && strstr(out, " status \"depth=0 ") &&
		    strstr(out, " received=1 "))
			break;
		ck_assert_msg(waited < H_TIMEOUT_MS, "no queue figures in the status: %s", out);
		h_sleep_ms(50);
	}
	h_stop(&h);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero: restart "), 0);	/* nothing crashed */
}
END_TEST

/* A small tmpfs for the full-disk test, mounted and unmounted by the
 * unchecked fixture: it runs in the test program itself, so the mount
 * goes even when the test fails (a failed check ends the test's process
 * before its checked teardown). Root only: "" without. */
static char small_fs[64];

static void mount_small_fs(void)
{
	small_fs[0] = '\0';
	if (geteuid() != 0)
		return;
	strcpy(small_fs, "/tmp/prospero-full.XXXXXX");
	ck_assert(mkdtemp(small_fs) != NULL);
	ck_assert_msg(mount("tmpfs", small_fs, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0755") == 0, "mount: %s",
		      strerror(errno));
}

static void unmount_small_fs(void)
{
	if (!small_fs[0])
		return;
	/* detached: a queue the failed test left may still hold its log */
	umount2(small_fs, MNT_DETACH);
	rmdir(small_fs);
	small_fs[0] = '\0';
}

/* Take every block left on the small file system, as a disk filling for
 * reasons of its own does. */
static void take_the_rest(void)
{
	static char block[4096];
	char path[128];
	int fd;

	memset(block, 'b', sizeof block);
	snprintf(path, sizeof path, "%s/ballast", small_fs);
	ck_assert((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	while (write(fd, block, sizeof block) > 0)
		;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
}

/* Lines of FILE that begin "fill:I" with I from 1 to N: how many times
 * each was seen in SEEN[I]; the count of other "fill:" lines. */
static int count_fills(const char *file, int *seen, int n)
{
	int other = 0;

	memset(seen, 0, (size_t)(n + 1) * sizeof *seen);
	for (char *save = NULL, *l = strtok_r(slurp(file), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int i;

		if (sscanf(l, "fill:%d", &i) != 1)
			continue;
		if (i >= 1 && i <= n)
			seen[i]++;
		else
			other++;
	}
	return other;
}

/* The config of a queue on the 2 MiB file system: its consumer c is run
 * with CONSUMER_ARGS after its record; p fills the log with 100 kB
 * messages. */
static void full_disk_config(const char *consumer_args)
{
	static const char config[] =
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/c.rec\"%s] },\n"
		"  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_size\": 10, \"max_batch_timeout\": 0,\n"
		"    \"max_message_size\": 200000, \"delivery_timeout\": 1000, \"max_retries\": 1000 },\n"
		"  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"fill\", \"@DIR@/p.rec\", \"100000\", \"8\",\n"
		"    \"@DIR@/go\", \"@DIR@/more\"],\n"
		"    \"bindings\": { \"Q\": \"q\" } } ] }\n";
	char text[1024];

	snprintf(text, sizeof text, config, consumer_args);
	h_write(&h, "root.jsonc", text);
}

/* That queue started, its consumer stopped, and the log filled until a
 * send is refused: how many it took. */
static int fill_the_disk(const char *consumer_args)
{
	char state[128];
	struct h_event e;
	const char *rec;
	int n = 0;

	snprintf(state, sizeof state, "%s/st", small_fs);
	full_disk_config(consumer_args);
	shared_file("p.rec");
	shared_file("c.rec");
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", state, NULL });
	h_expect(&h, "ready", "p", &e);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "stop", "--runtime-dir", h.rundir, "c", NULL }), 0);
	h_expect(&h, "exit", "c", &e);
	h_write(&h, "go", "");
	wait_count("p.rec", "paused", 1);
	take_the_rest();
	h_write(&h, "more", "");
	wait_count("p.rec", "refused: ", 1);
	rec = slurp("p.rec");
	ck_assert_msg(strstr(rec, "\nrefused: could not commit: database or disk is full\n"), "%s", rec);
	for (const char *l = rec; (l = strstr(l, "fill:")); l++)
		n++;
	ck_assert_msg(n >= 8 && n < 21, "%d messages of 100 kB in 2 MiB", n);
	return n;
}

/* The log of a queue whose consumer is down fills most of a 2 MiB file
 * system with messages of 100 kB; something else takes the rest, and the
 * next send is refused `unavailable`, as are sends after it. The
 * consumer then starts: each message reaches it once, and the queue,
 * which kept the acks while its log had no room and got the room back
 * as they were written, takes sends again. The old queue exited when it
 * could not write the first batch's acks ("cannot update its log:
 * database or disk is full"), restarted, delivered the batch again and
 * exited again, until its supervisor gave up. (Without the ballast the
 * old one sometimes got by: a commit that failed halfway leaves the
 * WAL's file longer, and the acks may fit in what it left.) */
START_TEST(a_full_disk_is_drained_and_the_queue_takes_sends_again)
{
	int seen[64], n;

	if (!small_fs[0])
		return;	/* a tmpfs of its own needs root */
	n = fill_the_disk("");
	/* a small one is refused too while the log has no room */
	wait_count("p.rec", "again: refused: ", 1);
	ck_assert_msg(strstr(slurp("p.rec"), "\nagain: refused: could not commit: database or disk is full\n"), "%s",
		      file_buf);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "start", "--runtime-dir", h.rundir, "c", NULL }), 0);
	wait_count("p.rec", "again: sent after ", 1);
	wait_count("c.rec", "again ", 1);
	ck_assert_int_eq(count_fills("c.rec", seen, n), 0);
	for (int i = 1; i <= n; i++)
		ck_assert_msg(seen[i] == 1, "fill:%d consumed %d times", i, seen[i]);
	/* the whole run's events, those h_expect skipped too */
	ck_assert_int_eq(h_lines_with(&h, "events", "", "\"event\": \"exit\", \"name\": \"q\""), 0);
	wait_q_line("its log is full");
	wait_q_line("its log has room again");
	ck_assert_int_eq(h_lines_with(&h, "out", "q: ", "its log is full"), 1);
	ck_assert_int_eq(h_lines_with(&h, "out", "q: ", "its log has room again"), 1);
	h_stop(&h);
}
END_TEST

/* Lines of FILE (a consumer's record, "BODY ID ATTEMPT MS") whose
 * attempt is at least N. */
static int attempts_at_least(const char *file, unsigned n)
{
	int lines = 0;

	for (char *save = NULL, *l = strtok_r(slurp(file), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long id;
		unsigned attempt;

		if (sscanf(l, "%*s %llu %u", &id, &attempt) == 2 && attempt >= n)
			lines++;
	}
	return lines;
}

/* The same full disk, but the consumer that comes back retries every
 * message for a while before it acks them: each retry is a change kept
 * in memory, and a retry rewrites its message's row, 100 kB body and all,
 * when the row's size changes (its attempt count gets a byte). The old
 * queue applied every change it had kept, each retry of each message, in
 * one transaction: once the acks came, that needed far more room than the
 * reserve gives, and it never had room again ("depth" stayed, sends were
 * refused for good). Only the last change of a message matters: the acks
 * alone fit. */
START_TEST(a_full_disk_is_drained_after_retries_kept_in_memory)
{
	int n;

	if (!small_fs[0])
		return;	/* a tmpfs of its own needs root */
	n = fill_the_disk(", \"fill:\"");
	/* the consumer retries each message a few times while the log is full */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "start", "--runtime-dir", h.rundir, "c", NULL }), 0);
	for (int waited = 0; attempts_at_least("c.rec", 5) < n; waited += 10) {
		ck_assert_msg(waited < 3 * H_TIMEOUT_MS, "no fifth attempts: %s", file_buf);
		h_sleep_ms(10);
	}
	/* and then acks them all */
	full_disk_config("");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "reload", "--runtime-dir", h.rundir, NULL }), 0);
	wait_count("p.rec", "again: sent after ", 1);
	ck_assert_int_eq(h_lines_with(&h, "events", "", "\"event\": \"exit\", \"name\": \"q\""), 0);
	wait_q_line("its log has room again");
	ck_assert_int_eq(h_lines_with(&h, "out", "q: ", "its log has room again"), 1);
	h_stop(&h);
}
END_TEST

/* `prospero status q` until its figures show it empty after it took at
 * least N messages (before its first figures it shows depth 0 too);
 * fails after TIMEOUT_MS with the last ones. */
static void wait_empty(long n, int timeout_ms)
{
	for (int waited = 0;; waited += 100) {
		const char *const argv[] = { "status", "q", "--runtime-dir", h.rundir, NULL };
		char out[4096] = "";
		long depth = -1, received = 0;
		const char *figures;

		h_run(&h, argv);
		if (h_read(&h, "run.out", out, sizeof out - 1) > 0 && (figures = strstr(out, " status \"depth=")) &&
		    sscanf(figures, " status \"depth=%ld", &depth) == 1 && (figures = strstr(figures, " received=")) &&
		    sscanf(figures, " received=%ld", &received) == 1 && depth == 0 && received >= n)
			return;
		ck_assert_msg(waited < timeout_ms, "the queue is not emptied: %s", out);
		h_sleep_ms(100);
	}
}

#define SMALL_FILLS 40000	/* more than 2 MiB holds of 200-byte messages */
static int small_seen[SMALL_FILLS + 1];

/* The log fills the 2 MiB file system with messages of 200 bytes while
 * the consumer is down, until a send is refused; then the consumer acks
 * them all. Each ack while the log is full is kept in memory, and in the
 * second they wait for the next write thousands of them pile up: the old
 * queue wrote them all in one transaction, which took far more room than
 * the reserve gives, so none was ever written: its depth stayed, and
 * sends were refused for good. Written in transactions the room takes,
 * they empty the queue, and it takes sends again. */
START_TEST(a_full_disk_of_small_messages_is_drained)
{
	char state[128];
	struct h_event e;
	int n = 0;

	if (!small_fs[0])
		return;	/* a tmpfs of its own needs root */
	snprintf(state, sizeof state, "%s/st", small_fs);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/c.rec\"] },\n"
		"  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_timeout\": 100 },\n"
		"  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"fill\", \"@DIR@/p.rec\", \"200\", \"1000000\",\n"
		"    \"@DIR@/go\", \"@DIR@/more\"],\n"
		"    \"bindings\": { \"Q\": \"q\" } } ] }\n");
	shared_file("p.rec");
	shared_file("c.rec");
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", state, NULL });
	h_expect(&h, "ready", "p", &e);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "stop", "--runtime-dir", h.rundir, "c", NULL }), 0);
	h_expect(&h, "exit", "c", &e);
	h_write(&h, "go", "");
	/* one send in flight at a time, each synced: a minute is generous */
	for (int waited = 0; !strstr(slurp("p.rec"), "\nrefused: "); waited += 100) {
		ck_assert_msg(waited < 12 * H_TIMEOUT_MS, "the log never filled");
		h_sleep_ms(100);
	}
	ck_assert_msg(strstr(file_buf, "\nrefused: could not commit: database or disk is full\n"), "%.300s", file_buf);
	for (const char *l = file_buf; (l = strstr(l, "fill:")); l++)
		n++;
	ck_assert_msg(n > 1000 && n < SMALL_FILLS, "%d messages of 200 bytes in 2 MiB", n);
	wait_q_line("its log is full");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "start", "--runtime-dir", h.rundir, "c", NULL }), 0);
	wait_empty(n, 3 * H_TIMEOUT_MS);
	/* the producer's "again", every 100 ms, is taken once there is room */
	wait_count("p.rec", "again: sent after ", 1);
	wait_q_line("its log has room again");
	/* nothing acknowledged is lost */
	ck_assert_int_eq(count_fills("c.rec", small_seen, SMALL_FILLS), 0);
	for (int i = 1; i <= n; i++)
		ck_assert_msg(small_seen[i] >= 1, "fill:%d acknowledged and never consumed", i);
	ck_assert_int_eq(h_lines_with(&h, "events", "", "\"event\": \"exit\", \"name\": \"q\""), 0);
	h_stop(&h);
}
END_TEST

#define STALE_FILLS 3000	/* 700 kB of log: its delete, in one, a WAL as big */

/* The messages of q's log on the small file system but its first:
 * enqueued far in the past, as after a long wait. */
static void age_all_but_the_first(void)
{
	char db[160];
	sqlite3 *log;

	snprintf(db, sizeof db, "%s/st/q/queue.db", small_fs);
	ck_assert_int_eq(sqlite3_open_v2(db, &log, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(log, "UPDATE messages SET enqueued_ms = 1000"
					   " WHERE id > (SELECT min(id) FROM messages)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_changes(log), STALE_FILLS - 1);
	ck_assert_int_eq(sqlite3_close(log), SQLITE_OK);
}

/* A queue whose consumer never reads holds thousands of messages when it
 * stops; while it is down they pass their retention and the disk fills
 * (leaving only the room SQLite needs to open the log at all, its -shm).
 * Started again, the queue's first sweep finds them expired, and the
 * first batch, out with the consumer, holds the rest past the cursor for
 * the sweep to take. The old sweep deleted them in one transaction, whose
 * WAL needed the room of the whole backlog: it failed every second, for
 * good, and the queue stayed full of messages past their retention.
 * Deleted in steps the reserve's room takes, they all go, and their room
 * comes back. */
START_TEST(a_backlog_past_its_retention_on_a_full_disk_expires)
{
	char state[128], path[128], said[96], config[640];
	struct h_event e;
	int fd;

	if (!small_fs[0])
		return;	/* a tmpfs of its own needs root */
	snprintf(state, sizeof state, "%s/st", small_fs);
	snprintf(config, sizeof config,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"c\", \"exec\": [\"/bin/sleep\", \"100000\"] },\n"
		 "  { \"queue\": \"q\", \"consumer\": \"c\", \"max_batch_size\": 1, \"delivery_timeout\": 86400000 },\n"
		 "  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"fill\", \"@DIR@/p.rec\", \"200\", \"%d\",\n"
		 "    \"@DIR@/go\", \"@DIR@/more\"],\n"
		 "    \"bindings\": { \"Q\": \"q\" } } ] }\n", STALE_FILLS);
	h_write(&h, "root.jsonc", config);
	shared_file("p.rec");
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", state, NULL });
	h_expect(&h, "ready", "p", &e);
	h_write(&h, "go", "");
	for (int waited = 0; !strstr(slurp("p.rec"), "paused"); waited += 100) {
		ck_assert_msg(waited < 12 * H_TIMEOUT_MS, "%d sends not taken", STALE_FILLS);
		h_sleep_ms(100);
	}
	h_stop(&h);
	age_all_but_the_first();
	take_the_rest();
	snprintf(path, sizeof path, "%s/ballast", small_fs);
	ck_assert((fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0);
	ck_assert(ftruncate(fd, lseek(fd, 0, SEEK_END) - (64 << 10)) == 0);
	close(fd);
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", state, NULL });
	snprintf(said, sizeof said, "%d messages expired, older than the retention (345600 s)", STALE_FILLS - 1);
	wait_q_line(said);
	wait_q_line("its log is full");
	wait_q_line("its log has room again");
	/* all of them, said once, while the log was full */
	ck_assert_int_eq(h_lines_with(&h, "out", "q: ", "expired"), 1);
	ck_assert_int_eq(h_lines_with(&h, "out", "q: ", "its log is full"), 1);
	ck_assert(strstr(slurp("out"), "its log is full") < strstr(file_buf, said));
	ck_assert(strstr(file_buf, said) < strstr(file_buf, "its log has room again"));
	ck_assert_int_eq(h_lines_with(&h, "out", "q: ", "cannot"), 0);
	h_stop(&h);
}
END_TEST

static void free_the_rest(void)
{
	char path[128];

	snprintf(path, sizeof path, "%s/ballast", small_fs);
	ck_assert(unlink(path) == 0 || errno == ENOENT);
}

/* At a kill, a third of the time: the disk fills up, or is freed. */
static void fill_or_free(void)
{
	char path[128];

	snprintf(path, sizeof path, "%s/ballast", small_fs);
	if (access(path, F_OK) == 0)
		free_the_rest();
	else
		take_the_rest(), w_fills++;
	w_disk = fill_or_free;
}

/* The same with the log on a small file system that fills and empties
 * at seeded moments (and is freed after 3 s without an ack): refused
 * sends are sent again, and nothing acknowledged is lost. */
START_TEST(hundreds_of_kills_and_a_full_disk_lose_nothing_acknowledged)
{
	if (!small_fs[0])
		return;	/* mounting a tmpfs needs root */
	snprintf(statedir, sizeof statedir, "%s/state", small_fs);
	w_disk = fill_or_free;
	wide_chaos();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("queue_daemon");
	TCase *tc = tcase_create("queue_daemon");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, nothing_acknowledged_is_lost_under_kills);
	tcase_add_test(tc, retries_and_the_dead_letter_queue_follow_the_configuration);
	tcase_add_test(tc, an_oversized_message_is_refused_and_the_queue_goes_on);
	tcase_add_test(tc, a_batch_out_with_the_consumer_is_in_flight);
	tcase_add_test(tc, a_consumer_backing_off_does_not_use_up_attempts);
	suite_add_tcase(s, tc);
	/* its own case, so CK_RUN_CASE=queue_chaos runs it with CHAOS_KILLS in the hundreds */
	tc = tcase_create("queue_chaos");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 1800);
	tcase_add_test(tc, hundreds_of_kills_lose_nothing_acknowledged);
	suite_add_tcase(s, tc);
	tc = tcase_create("queue_full_chaos");
	tcase_add_unchecked_fixture(tc, mount_small_fs, unmount_small_fs);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 1800);
	tcase_add_test(tc, hundreds_of_kills_and_a_full_disk_lose_nothing_acknowledged);
	suite_add_tcase(s, tc);
	/* what a hostile peer of the queue can do */
	tc = tcase_create("queue_hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, a_consumer_cannot_write_the_queue_s_lines);
	suite_add_tcase(s, tc);
	/* a tcase of its own: the tmpfs is its unchecked fixture's */
	tc = tcase_create("queue_full_disk");
	tcase_add_unchecked_fixture(tc, mount_small_fs, unmount_small_fs);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, a_full_disk_is_drained_and_the_queue_takes_sends_again);
	tcase_add_test(tc, a_full_disk_is_drained_after_retries_kept_in_memory);
	tcase_add_test(tc, a_full_disk_of_small_messages_is_drained);
	suite_add_tcase(s, tc);
	/* a file system of its own, filled by no test before */
	tc = tcase_create("queue_full_disk_expiry");
	tcase_add_unchecked_fixture(tc, mount_small_fs, unmount_small_fs);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, a_backlog_past_its_retention_on_a_full_disk_expires);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
