/* prospero-queue driven as the daemon drives it (tests/common/queueproc.h): the
 * test is its producers, its consumer and its dead-letter queue, all on
 * libprospero in one loop, and plays the daemon on its control channel.
 * Durations are asserted only as lower bounds the queue promises
 * (retry_delay, max_batch_timeout). */
#include <check.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/libprospero/prospero.h"
#include "src/libprospero/prospero_queue.h"
#include "src/proto/frame.h"
#include "src/proto/queue.h"
#include "tests/common/runner.h"
#include "tests/common/queueproc.h"
#include "tests/unit/notice.h"

static struct ev_loop *loop;
static struct queueproc qp;
static struct prospero *t;	/* the test: producers, consumer, dead-letter queue */
static struct prospero_queue_consumer *consumer;
static ev_io ctl_w;
static char status[600];	/* the queue's last STATUS= */
static int statuses;

static long long clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* --- what the consumer saw --- */

#define MAX_SEEN 4096

struct seen {
	char body[48];
	uint64_t id;
	unsigned attempt;
	long long at_ms;
	long long wall_ms;	/* the queue's clock (CLOCK_REALTIME) */
	int batch;		/* which delivery it came in */
};

static struct seen seen[MAX_SEEN];
static int nseen, batches, batch_len[MAX_SEEN];

/* What the consumer answers for a message. */
enum act { ACT_ACK, ACT_RETRY, ACT_NONE, ACT_KEEP };
static enum act (*policy)(const struct prospero_queue_message *m);
static unsigned retry_delay_asked;
static struct prospero_queue_batch *kept;

static enum act ack_all(const struct prospero_queue_message *m)
{
	return ACT_ACK;
}

static void on_batch(struct prospero_queue_batch *b, const struct prospero_queue_message *msgs, size_t n, void *arg)
{
	bool keep = false;

	batch_len[batches] = (int)n;
	for (size_t i = 0; i < n; i++) {
		struct seen *s = &seen[nseen < MAX_SEEN ? nseen++ : MAX_SEEN - 1];
		enum act a = policy(&msgs[i]);

		snprintf(s->body, sizeof s->body, "%.*s", (int)msgs[i].len, (const char *)msgs[i].body);
		s->id = msgs[i].id;
		s->attempt = msgs[i].attempt;
		s->at_ms = mono_ms();
		s->wall_ms = clock_ms(CLOCK_REALTIME);
		s->batch = batches;
		if (a == ACT_ACK)
			ck_assert_int_eq(prospero_queue_ack(b, i), 0);
		else if (a == ACT_RETRY)
			ck_assert_int_eq(prospero_queue_retry(b, i, retry_delay_asked), 0);
		keep |= a == ACT_KEEP;
	}
	batches++;
	if (keep) {
		/* one held at a time; the one before is answered, late */
		if (kept)
			prospero_queue_done(kept);
		kept = prospero_queue_keep(b);
		ck_assert_ptr_nonnull(kept);
	}
}

/* Answer the batch the consumer holds, if any, acking it all. */
static void release(void)
{
	if (!kept)
		return;
	prospero_queue_ack_all(kept);
	prospero_queue_done(kept);
	kept = NULL;
}

/* How many times the consumer saw BODY. */
static int times_seen(const char *body)
{
	int n = 0;

	for (int i = 0; i < nseen; i++)
		n += strcmp(seen[i].body, body) == 0;
	return n;
}

static const struct seen *nth_seen(const char *body, int k)
{
	for (int i = 0; i < nseen; i++)
		if (strcmp(seen[i].body, body) == 0 && k-- == 0)
			return &seen[i];
	ck_abort_msg("%s not seen that often", body);
	return NULL;
}

/* --- the dead-letter queue, played by the test --- */

static char dead[64][48];
static int ndead;

static void on_dead(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct pq_cursor c;
	const char *why;
	uint8_t sent[PQ_SENT_LEN];

	ck_assert_msg(pq_batch_check(body, len, &c, &why) == 0, "bad batch to the DLQ: %s", why);
	while (c.left) {
		const void *m;
		size_t mlen;

		pq_batch_next(&c, &m, &mlen);
		snprintf(dead[ndead < 64 ? ndead++ : 63], 48, "%.*s", (int)mlen, (const char *)m);
	}
	pq_sent_encode(sent, 1, 1);
	prospero_reply(req, sent, sizeof sent);
}

/* --- the control channel: the daemon's side --- */

static void on_ctl(struct ev_loop *l, ev_io *w, int revents)
{
	char msg[600];
	ssize_t n = recv(w->fd, msg, sizeof msg - 1, MSG_DONTWAIT);

	if (n <= 0)
		return;
	msg[n] = '\0';
	if (strncmp(msg, "STATUS=", 7) == 0) {
		snprintf(status, sizeof status, "%s", msg + 7);
		statuses++;
	}
}

/* The value of KEY in the last STATUS=, or -1. */
static long long status_of(const char *key)
{
	char pat[64];
	const char *at;

	snprintf(pat, sizeof pat, "%s=", key);
	for (at = status; (at = strstr(at, pat)); at++)
		if (at == status || at[-1] == ' ')
			return strtoll(at + strlen(pat), NULL, 10);
	return -1;
}

/* --- running --- */

static bool timed_out;

static void on_guard(struct ev_loop *l, ev_timer *w, int revents)
{
	timed_out = true;
}

/* Run the loop until COND holds; a hang fails the test. */
#define RUN_UNTIL(cond) run_until_((cond), #cond)
#define run_until_(cond, text)                                                                  \
	do {                                                                                    \
		ev_timer guard;                                                                 \
		timed_out = false;                                                              \
		ev_timer_init(&guard, on_guard, 60., 0.);                                       \
		ev_timer_start(loop, &guard);                                                   \
		while (!(cond) && !timed_out)                                                   \
			ev_run(loop, EVRUN_ONCE);                                               \
		ev_timer_stop(loop, &guard);                                                    \
		ck_assert_msg(!timed_out, "still not %s; status: %s", text, status);           \
	} while (0)

/* Set before start(): the consumer's, or the dead-letter queue's, end is
 * not read until up_late() — it is down, its deliveries wait in the
 * socket for it. */
static bool consumer_down, dlq_down;
static struct prospero *late;	/* what comes up */
static struct prospero_queue_consumer *late_consumer;

static void start(int nprod, bool dlq, const char *const *args)
{
	char name[16];

	loop = ev_default_loop(0);
	nseen = batches = ndead = statuses = 0;
	status[0] = '\0';
	kept = NULL;
	policy = ack_all;
	retry_delay_asked = 0;
	qp_init(&qp, "/tmp", nprod, dlq, args);
	t = prospero_new(loop);
	for (int i = 0; i < nprod; i++) {
		snprintf(name, sizeof name, "P%d", i);
		ck_assert_int_eq(prospero_adopt(t, name, dup(qp.prod[i][0])), 0);
	}
	if (!consumer_down)
		ck_assert_int_eq(prospero_adopt(t, "serve:queue", dup(qp.cons[1])), 0);
	if (dlq && !dlq_down)
		ck_assert_int_eq(prospero_adopt(t, "serve:queue-dlq", dup(qp.dlq[1])), 0);
	consumer = prospero_queue_consume(t, on_batch, NULL);
	ck_assert_ptr_nonnull(consumer);
	prospero_handle(t, PQ_SEND_BATCH, on_dead, NULL);
	prospero_serve(t);
	ev_io_init(&ctl_w, on_ctl, qp.ctl[0], EV_READ);
	ev_io_start(loop, &ctl_w);
	qp_start(&qp);
}

/* What was down comes up: a new incarnation reads its socket. */
static void up_late(void)
{
	late = prospero_new(loop);
	if (consumer_down) {
		ck_assert_int_eq(prospero_adopt(late, "serve:queue", dup(qp.cons[1])), 0);
		late_consumer = prospero_queue_consume(late, on_batch, NULL);
		ck_assert_ptr_nonnull(late_consumer);
	}
	if (dlq_down) {
		ck_assert_int_eq(prospero_adopt(late, "serve:queue-dlq", dup(qp.dlq[1])), 0);
		prospero_handle(late, PQ_SEND_BATCH, on_dead, NULL);
	}
	prospero_serve(late);
}

static void finish(void)
{
	release();
	ev_io_stop(loop, &ctl_w);
	prospero_close(t);
	prospero_queue_consumer_free(consumer);
	if (late) {
		prospero_close(late);
		prospero_queue_consumer_free(late_consumer);
	}
	late = NULL;
	late_consumer = NULL;
	consumer_down = dlq_down = false;
	qp_cleanup(&qp);
}

static bool waited;

static void on_waited(struct ev_loop *l, ev_timer *w, int revents)
{
	waited = true;
}

/* Run the loop for MS. */
static void run_for(long ms)
{
	ev_timer w;

	waited = false;
	ev_timer_init(&w, on_waited, (double)ms / 1e3, 0.);
	ev_timer_start(loop, &w);
	while (!waited)
		ev_run(loop, EVRUN_ONCE);
}

static struct prospero_binding *producer(int i)
{
	char name[16];

	snprintf(name, sizeof name, "P%d", i);
	return prospero_binding(t, name);
}

struct sent {
	int done, err;
	uint64_t first;
	unsigned n;
	char why[200];
};

static void on_sent(int err, const void *body, size_t len, void *arg)
{
	struct sent *s = arg;

	s->err = err;
	if (err == PROSPERO_OK)
		ck_assert_int_eq(prospero_queue_sent(body, len, &s->first, &s->n), 0);
	else
		snprintf(s->why, sizeof s->why, "%.*s", (int)len, (const char *)body);
	s->done++;
}

static void send_one(int i, const char *body, struct sent *s)
{
	ck_assert_int_eq(prospero_queue_send(producer(i), body, strlen(body), 30, on_sent, s), 0);
}

/* Send BODY and wait for the queue's acknowledgement: its id. */
static uint64_t send_acked(int i, const char *body)
{
	struct sent s = { 0 };

	send_one(i, body, &s);
	RUN_UNTIL(s.done);
	ck_assert_msg(s.err == PROSPERO_OK, "send %s: %d %s", body, s.err, s.why);
	return s.first;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* --- tests --- */

/* Whether message ID is committed: another connection sees it. */
static bool committed(uint64_t id)
{
	char path[200];
	sqlite3 *db;
	sqlite3_stmt *st;
	bool there;

	snprintf(path, sizeof path, "%s/queue.db", qp.dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM messages WHERE id = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	there = sqlite3_column_int(st, 0) == 1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return there;
}

static enum act keep_all(const struct prospero_queue_message *m)
{
	return ACT_KEEP;
}

START_TEST(a_send_is_acknowledged_once_committed)
{
	uint64_t first;

	start(1, false, ARGS("--max-batch-timeout=0"));
	policy = keep_all;	/* nothing is acked: it stays in the log */
	first = send_acked(0, "hello");
	ck_assert_uint_gt(first, 0);
	ck_assert(committed(first));
	/* killed at once after the acknowledgement, it still has it */
	RUN_UNTIL(nseen == 1);
	ck_assert_int_eq(WTERMSIG(qp_end(&qp, SIGKILL)), SIGKILL);
	policy = ack_all;
	release();	/* to a dead queue: the next one drops it */
	qp_start(&qp);
	RUN_UNTIL(nseen == 2);
	ck_assert_str_eq(seen[1].body, "hello");
	ck_assert_uint_eq(seen[1].id, first);
	/* its first delivery ended with the queue, not with an answer */
	ck_assert_uint_eq(seen[1].attempt, 1);
	/* ids go on from the last, whatever was deleted */
	RUN_UNTIL(status_of("acked") == 1);
	ck_assert_int_eq(status_of("depth"), 0);
	ck_assert_uint_eq(send_acked(0, "again"), first + 1);
	finish();
}
END_TEST

/* kill() returns before the stop takes: a queue woken in epoll_wait by the
 * signal could still take what arrives first in a turn of its own. */
static void wait_stopped(pid_t pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	for (int tries = 0; tries < 5000; tries++) {
		FILE *f = fopen(path, "re");
		const char *state = NULL;

		if (f) {
			size_t n = fread(buf, 1, sizeof buf - 1, f);

			buf[n] = '\0';
			fclose(f);
			state = strrchr(buf, ')');
		}
		if (state && state[1] == ' ' && (state[2] == 'T' || state[2] == 't'))
			return;
		usleep(1000);
	}
	ck_abort_msg("the queue never stopped");
}

START_TEST(the_sends_of_one_turn_share_one_sync)
{
	struct sent s[8] = { { 0 } };
	long long syncs;

	start(8, false, ARGS("--max-batch-timeout=0"));
	RUN_UNTIL(statuses >= 1);
	syncs = status_of("syncs");
	/* stopped, the queue finds all eight in the sockets when it wakes */
	kill(qp.pid, SIGSTOP);
	wait_stopped(qp.pid);
	for (int i = 0; i < 8; i++) {
		char body[16];

		snprintf(body, sizeof body, "m%d", i);
		send_one(i, body, &s[i]);
	}
	for (int i = 0; i < 4; i++)
		ev_run(loop, EVRUN_NOWAIT);	/* out of libprospero's hands */
	kill(qp.pid, SIGCONT);
	for (int i = 0; i < 8; i++)
		RUN_UNTIL(s[i].done);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(s[i].err, PROSPERO_OK);
	RUN_UNTIL(status_of("received") == 8 && nseen == 8);
	ck_assert_int_eq(status_of("syncs"), syncs + 1);
	finish();
}
END_TEST

START_TEST(batches_wait_for_their_size_or_their_timeout)
{
	struct iovec v[12];
	char body[12][8];
	struct sent s = { 0 };
	long long sent_at;

	start(1, false, ARGS("--max-batch-size=5", "--max-batch-timeout=300"));
	for (int i = 0; i < 12; i++) {
		snprintf(body[i], sizeof body[i], "b%d", i);
		v[i] = (struct iovec){ body[i], strlen(body[i]) };
	}
	sent_at = mono_ms();
	ck_assert_int_eq(prospero_queue_send_batch(producer(0), v, 12, 30, on_sent, &s), 0);
	RUN_UNTIL(s.done && nseen == 12);
	ck_assert_int_eq(s.err, PROSPERO_OK);
	ck_assert_uint_eq(s.n, 12);
	ck_assert_int_eq(batches, 3);
	ck_assert_int_eq(batch_len[0], 5);
	ck_assert_int_eq(batch_len[1], 5);
	ck_assert_int_eq(batch_len[2], 2);
	/* FIFO, ids in the order sent */
	for (int i = 0; i < 12; i++) {
		ck_assert_str_eq(seen[i].body, body[i]);
		ck_assert_uint_eq(seen[i].id, s.first + (uint64_t)i);
		ck_assert_uint_eq(seen[i].attempt, 1);
	}
	/* two full batches at once; the rest once it had waited */
	ck_assert_int_ge(seen[10].at_ms - sent_at, 300);
	finish();
}
END_TEST

static enum act poison(const struct prospero_queue_message *m)
{
	return m->len == 6 && memcmp(m->body, "poison", 6) == 0 ? ACT_RETRY : ACT_ACK;
}

START_TEST(retries_and_the_dead_letter_queue_follow_the_configuration)
{
	start(1, true, ARGS("--max-retries=2", "--retry-delay=100", "--retry-backoff=2", "--max-batch-timeout=0"));
	policy = poison;
	send_acked(0, "ok1");
	send_acked(0, "poison");
	send_acked(0, "ok2");
	RUN_UNTIL(ndead == 1 && status_of("dead_lettered") == 1 && status_of("acked") == 2);
	/* max_retries 2: three attempts, then the dead-letter queue */
	ck_assert_int_eq(times_seen("poison"), 3);
	ck_assert_int_eq(times_seen("ok1"), 1);
	ck_assert_int_eq(times_seen("ok2"), 1);
	for (int k = 0; k < 3; k++)
		ck_assert_uint_eq(nth_seen("poison", k)->attempt, (unsigned)k + 1);
	ck_assert_uint_eq(nth_seen("poison", 1)->id, nth_seen("poison", 0)->id);
	/* retry_delay, then twice it */
	ck_assert_int_ge(nth_seen("poison", 1)->at_ms - nth_seen("poison", 0)->at_ms, 100);
	ck_assert_int_ge(nth_seen("poison", 2)->at_ms - nth_seen("poison", 1)->at_ms, 200);
	ck_assert_str_eq(dead[0], "poison");
	ck_assert_int_eq(status_of("depth"), 0);
	ck_assert_int_eq(status_of("retried"), 2);
	ck_assert_int_eq(status_of("dropped"), 0);
	finish();
}
END_TEST

START_TEST(a_consumer_may_ask_for_a_longer_delay)
{
	start(1, false, ARGS("--max-retries=1", "--retry-delay=50", "--max-batch-timeout=0"));
	policy = poison;
	retry_delay_asked = 400;
	send_acked(0, "poison");
	RUN_UNTIL(status_of("dropped") == 1);
	ck_assert_int_eq(times_seen("poison"), 2);
	ck_assert_int_ge(nth_seen("poison", 1)->at_ms - nth_seen("poison", 0)->at_ms, 400);
	finish();
}
END_TEST

/* Whether the queue's stderr holds TEXT. */
static bool logged(const char *text)
{
	char buf[8192];
	FILE *f = fopen(qp.log, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

START_TEST(without_a_dead_letter_queue_a_poison_message_is_dropped)
{
	char line[128];
	uint64_t id;

	start(1, false, ARGS("--max-retries=0", "--max-batch-timeout=0"));
	policy = poison;
	id = send_acked(0, "poison");
	RUN_UNTIL(status_of("dropped") == 1);
	ck_assert_int_eq(status_of("depth"), 0);
	ck_assert_int_eq(times_seen("poison"), 1);
	snprintf(line, sizeof line, "message %llu dropped after 1 attempt: no dead_letter_queue",
		 (unsigned long long)id);
	ck_assert_msg(logged(line), "no line \"%s\"", line);
	finish();
}
END_TEST

START_TEST(an_unanswered_batch_is_delivered_again)
{
	/* long enough that the test answers the second delivery in time */
	start(1, false, ARGS("--delivery-timeout=1000", "--max-batch-timeout=0"));
	policy = keep_all;
	send_acked(0, "slow");
	RUN_UNTIL(nseen == 2);	/* the first one's call timed out */
	ck_assert_uint_eq(seen[0].attempt, 1);
	ck_assert_uint_eq(seen[1].attempt, 2);
	policy = ack_all;
	release();
	RUN_UNTIL(status_of("acked") == 1);
	ck_assert_int_eq(status_of("depth"), 0);
	ck_assert_int_eq(status_of("retried"), 1);
	finish();
}
END_TEST

START_TEST(a_batch_held_by_a_consumer_that_died_is_delivered_again)
{
	static const char restarted[] = "PEER_RESTARTED=CONSUMER\nINCARNATION=2\n";

	/* a timeout that never comes: only the notice ends the call */
	start(1, false, ARGS("--delivery-timeout=3600000", "--max-batch-timeout=0"));
	policy = keep_all;
	send_acked(0, "held");
	RUN_UNTIL(nseen == 1);
	ck_assert_int_eq(send(qp.ctl[0], restarted, sizeof restarted - 1, 0), (ssize_t)sizeof restarted - 1);
	RUN_UNTIL(nseen == 2);
	ck_assert_uint_eq(seen[1].attempt, 2);
	ck_assert_uint_eq(seen[1].id, seen[0].id);
	policy = ack_all;
	release();
	RUN_UNTIL(status_of("acked") == 1);
	ck_assert_int_eq(status_of("depth"), 0);
	finish();
}
END_TEST

/* A consumer that is down (crashed, backing off) reads nothing: a batch
 * that waits unread in its socket past delivery_timeout is not a failed
 * attempt, and no more are sent until it reads, so it comes back to the
 * message, not to a dropped one and a pile of stale copies. */
START_TEST(a_batch_the_consumer_has_not_read_is_not_counted)
{
	consumer_down = true;
	start(1, false, ARGS("--delivery-timeout=200", "--max-retries=1", "--max-batch-timeout=0"));
	send_acked(0, "early");
	run_for(1500);
	ck_assert_int_eq(nseen, 0);
	ck_assert_int_eq(status_of("dropped"), 0);
	ck_assert_int_eq(status_of("retried"), 0);
	up_late();
	RUN_UNTIL(status_of("acked") == 1);
	/* the copy that waited, whose answer came too late, and the one
	 * sent once it was read: both the first attempt */
	ck_assert_int_le(times_seen("early"), 2);
	for (int i = 0; i < nseen; i++)
		ck_assert_uint_eq(seen[i].attempt, 1);
	ck_assert_int_eq(status_of("dropped"), 0);
	ck_assert_int_eq(status_of("depth"), 0);
	finish();
}
END_TEST

static enum act retry_first(const struct prospero_queue_message *m)
{
	return m->attempt == 1 ? ACT_RETRY : ACT_ACK;
}

/* The consumer goes down: its end is no longer read, and what the queue
 * sends waits in the socket for up_late(). */
static void consumer_goes_down(void)
{
	prospero_close(t);
	prospero_queue_consumer_free(consumer);
	t = prospero_new(loop);
	consumer = prospero_queue_consume(t, on_batch, NULL);
	ck_assert_ptr_nonnull(consumer);
	consumer_down = true;
}

/* A retry in a batch the consumer has not read goes back to wait in its
 * place, as due when it was: the old queue put it back as due now,
 * behind a retry that fell due meanwhile. */
START_TEST(a_retry_put_back_unread_keeps_its_place)
{
	/* STATUS= lags up to a second: the retries wait longer than that */
	start(1, false, ARGS("--max-batch-size=1", "--max-batch-timeout=0", "--retry-delay=3000",
			     "--delivery-timeout=1000"));
	policy = retry_first;
	send_acked(0, "first");
	send_acked(0, "second");
	RUN_UNTIL(status_of("retried") == 2);
	ck_assert_int_eq(nseen, 2);
	/* "first" goes to a consumer that is down and comes back unread,
	 * once "second" is due too */
	consumer_goes_down();
	run_for(4500);
	ck_assert_msg(logged("not read by the consumer"), "nothing was put back");
	up_late();
	RUN_UNTIL(status_of("acked") == 2);
	/* the copy that waited, then the two in the order they fell due */
	ck_assert_int_eq(nseen, 5);
	ck_assert_str_eq(seen[2].body, "first");
	ck_assert_str_eq(seen[3].body, "first");
	ck_assert_str_eq(seen[4].body, "second");
	finish();
}
END_TEST

/* A dead-letter queue that is down gets a hand-over once: it waits in
 * its socket for it, not timed out and sent again (1 s, 2 s, 4 s...
 * later) for the dead-letter queue to store every copy when it is back. */
START_TEST(a_dead_letter_queue_that_is_down_gets_one_hand_over)
{
	dlq_down = true;
	start(1, true, ARGS("--delivery-timeout=200", "--max-retries=0", "--max-batch-timeout=0"));
	policy = poison;
	send_acked(0, "poison");
	run_for(3800);
	ck_assert_int_eq(status_of("dead_lettered"), 0);
	up_late();
	RUN_UNTIL(status_of("dead_lettered") == 1);
	run_for(300);
	ck_assert_int_eq(ndead, 1);
	ck_assert_str_eq(dead[0], "poison");
	ck_assert_int_eq(status_of("depth"), 0);
	finish();
}
END_TEST

/* oldest_age_ms grows while nothing changes: a message stuck with a
 * consumer that does not answer shows its age now, not the age it had
 * when it was sent. */
START_TEST(the_oldest_age_grows_while_nothing_changes)
{
	start(1, false, ARGS("--delivery-timeout=3600000", "--max-batch-timeout=0"));
	policy = keep_all;
	send_acked(0, "held");
	RUN_UNTIL(nseen == 1);
	run_for(3300);
	ck_assert_msg(status_of("oldest_age_ms") >= 2000, "status: %s", status);
	ck_assert_int_eq(status_of("in_flight"), 1);
	finish();
}
END_TEST

static void age(uint64_t id, long long ms);

/* max_batch_timeout counts from when a message was committed, across a
 * restart of the queue: one that waited longer while the queue was down
 * goes at once. */
START_TEST(a_message_that_waited_through_a_restart_goes_at_once)
{
	long long t0;
	uint64_t id;
	int st;

	start(1, false, ARGS("--max-batch-size=100", "--max-batch-timeout=20000"));
	id = send_acked(0, "waited");
	st = qp_end(&qp, SIGTERM);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	age(id, 30000);
	qp_start(&qp);
	t0 = mono_ms();
	RUN_UNTIL(nseen == 1);
	ck_assert_int_lt(mono_ms() - t0, 10000);
	finish();
}
END_TEST

/* A restart leaves the ids of acked messages behind the cursor: they are
 * no ready messages, and a lone one still waits its max_batch_timeout. */
START_TEST(a_restart_does_not_count_acked_ids_as_ready)
{
	long long sent_at;

	start(1, false, ARGS("--max-batch-size=2", "--max-batch-timeout=3000"));
	send_acked(0, "one");
	send_acked(0, "two");
	RUN_UNTIL(nseen == 2 && strstr(status, " acked=2 "));
	sent_at = mono_ms();
	send_acked(0, "three");
	qp_end(&qp, SIGKILL);
	qp_start(&qp);
	RUN_UNTIL(nseen >= 3);
	ck_assert_int_eq(nseen, 3);
	ck_assert_str_eq(seen[2].body, "three");
	ck_assert_int_ge(seen[2].at_ms - sent_at, 3000);
	finish();
}
END_TEST

START_TEST(a_retry_waiting_survives_a_restart)
{
	long long answered;

	/* long enough that the kill comes first, however loaded the machine */
	start(1, false, ARGS("--retry-delay=6000", "--max-batch-timeout=0"));
	policy = retry_first;
	send_acked(0, "later");
	/* the retry is in the log once STATUS= counts it */
	RUN_UNTIL(status_of("retried") == 1);
	ck_assert_int_eq(nseen, 1);
	answered = seen[0].wall_ms;
	ck_assert_int_eq(WTERMSIG(qp_end(&qp, SIGKILL)), SIGKILL);
	qp_start(&qp);
	RUN_UNTIL(nseen == 2);
	ck_assert_uint_eq(seen[1].attempt, 2);
	/* on the wall clock, as the queue keeps a retry's time across a
	 * restart: the monotonic one drifted 3 ms from it in 6 s here */
	ck_assert_int_ge(seen[1].wall_ms - answered, 6000);
	finish();
}
END_TEST

/* After a restart a message still waiting for its retry is not the
 * oldest ready one: the next message waits its own max_batch_timeout. */
START_TEST(a_retry_waiting_through_a_restart_does_not_hurry_the_next)
{
	long long sent_at;

	start(1, false, ARGS("--retry-delay=60000", "--max-batch-timeout=3000"));
	policy = retry_first;
	send_acked(0, "waits");
	RUN_UNTIL(status_of("retried") == 1);
	sent_at = mono_ms();
	send_acked(0, "next");
	ck_assert_int_eq(WTERMSIG(qp_end(&qp, SIGKILL)), SIGKILL);
	qp_start(&qp);
	RUN_UNTIL(nseen == 2);
	ck_assert_str_eq(seen[1].body, "next");
	ck_assert_uint_eq(seen[1].attempt, 1);
	ck_assert_int_ge(seen[1].at_ms - sent_at, 3000);
	finish();
}
END_TEST

/* "held" stays with the consumer, "retried" (a later id) waits RETRY_MS
 * for its retry; then the queue is killed and, once DOWN_MS are gone,
 * started again. */
static enum act hold_one_retry_other(const struct prospero_queue_message *m)
{
	return m->len == 4 && memcmp(m->body, "held", 4) == 0 ? ACT_KEEP : ACT_RETRY;
}

static void retry_across_a_restart(const char *retry_ms, long down_ms)
{
	/* then a batch goes once both are ready, in the order it takes */
	static const char *const again[] = { "--max-batch-size=2", "--max-batch-timeout=60000", NULL };

	start(1, false, ARGS("--max-concurrency=2", "--max-batch-size=1", "--max-batch-timeout=0", retry_ms));
	policy = hold_one_retry_other;
	send_acked(0, "held");
	send_acked(0, "retried");
	/* the retry is in the log once STATUS= counts it */
	RUN_UNTIL(nseen == 2 && status_of("retried") == 1);
	ck_assert_int_eq(WTERMSIG(qp_end(&qp, SIGKILL)), SIGKILL);
	policy = ack_all;
	release();	/* to a dead queue: the next one delivers it again */
	run_for(down_ms);
	memcpy(qp.args, again, sizeof again);
	qp_start(&qp);
	RUN_UNTIL(nseen >= 4);
	ck_assert_int_eq(nseen, 4);
	ck_assert_int_eq(seen[2].batch, seen[3].batch);
	/* the retry first, though "held" has the lower id (README) */
	ck_assert_str_eq(seen[2].body, "retried");
	ck_assert_uint_eq(seen[2].attempt, 2);
	ck_assert_str_eq(seen[3].body, "held");
	ck_assert_uint_eq(seen[3].attempt, 1);
	finish();
}

/* Retries whose wait is over go first, then the others by id: also one
 * whose wait ended while the queue was down. */
START_TEST(a_retry_whose_wait_ended_through_a_restart_goes_first)
{
	retry_across_a_restart("--retry-delay=1000", 2000);
}
END_TEST

/* ... and one whose wait ends after the restart, once it is due. */
START_TEST(a_retry_whose_wait_ends_after_a_restart_goes_first)
{
	retry_across_a_restart("--retry-delay=5000", 0);
}
END_TEST

/* Age message ID in the log by MS, as if it had waited that long. */
static void age(uint64_t id, long long ms)
{
	char path[200];
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(path, sizeof path, "%s/queue.db", qp.dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE messages SET enqueued_ms = enqueued_ms - ?2 WHERE id = ?1", -1,
					    &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, ms);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Set the time message ID's retry wait ends (or ended), in the log. */
static void due_at(uint64_t id, uint64_t ms)
{
	char path[200];
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(path, sizeof path, "%s/queue.db", qp.dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE messages SET not_before_ms = ?2 WHERE id = ?1", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ms);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#define BIG (16u << 20)	/* the largest max_message_size: three fill a call */
#define NBIG 5

/* Due retries that fill a batch to what one call carries: the batch
 * goes well formed, and the one left out keeps its place, first in the
 * next batch, before retries that fell due after it. The old queue left
 * the batch's count unwritten, so the consumer refused the batch
 * (bad_request: "fewer messages than its count") and every message in it
 * had a failed attempt, again and again; and it put the one left out
 * back as due now, behind the others. */
START_TEST(retries_that_fill_a_call_go_in_well_formed_batches_in_order)
{
	static const char *const args[] = { "--max-message-size=16777216", "--max-batch-timeout=0",
					    "--retry-delay=86400000", NULL };
	uint64_t id[NBIG], t0;
	char *body = malloc(BIG);
	int st;

	ck_assert_ptr_nonnull(body);
	start(1, false, args);
	policy = retry_first;
	for (int k = 0; k < NBIG; k++) {
		struct sent s = { 0 };

		memset(body, 'a' + k, BIG);
		ck_assert_int_eq(prospero_queue_send(producer(0), body, BIG, 30, on_sent, &s), 0);
		RUN_UNTIL(s.done);
		ck_assert_msg(s.err == PROSPERO_OK, "send %d: %d %s", k, s.err, s.why);
		id[k] = s.first;
	}
	free(body);
	RUN_UNTIL(status_of("retried") == NBIG);
	st = qp_end(&qp, SIGTERM);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	/* their waits ended a second apart, in id order, all before the
	 * restart: all due at once */
	t0 = wall_ms() - 10000;
	for (int k = 0; k < NBIG; k++)
		due_at(id[k], t0 + (uint64_t)k * 1000);
	qp_start(&qp);
	RUN_UNTIL(nseen == 2 * NBIG);
	/* three fill the first batch; the fourth, due next, leads the next */
	ck_assert_int_eq(batch_len[seen[NBIG].batch], 3);
	for (int k = 0; k < NBIG; k++) {
		ck_assert_uint_eq(seen[NBIG + k].attempt, 2);
		ck_assert_msg(seen[NBIG + k].id == id[k], "retry %d of %d went as id %llu, not %llu", k + 1, NBIG,
			      (unsigned long long)seen[NBIG + k].id, (unsigned long long)id[k]);
	}
	RUN_UNTIL(status_of("acked") == NBIG);
	ck_assert_int_eq(status_of("retried"), 0);
	finish();
}
END_TEST

/* A message that waits for a batch is dropped as expired once it is
 * older than the retention, not up to a minute later: the old queue
 * swept every 60 s whatever the ages, so a message 5 s short of its
 * retention at one sweep waited 55 s past it for the next. The 5 s
 * leave a slow machine time to start the queue before it is due. */
START_TEST(a_waiting_message_expires_when_its_retention_is_up)
{
	long long t0;
	uint64_t id;
	int st;

	start(1, false, ARGS("--retention=60", "--max-batch-size=100", "--max-batch-timeout=86400000"));
	id = send_acked(0, "stale");
	st = qp_end(&qp, SIGTERM);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	age(id, 55000);
	qp_start(&qp);
	t0 = mono_ms();
	RUN_UNTIL(status_of("expired") == 1);
	ck_assert_int_lt(mono_ms() - t0, 20000);
	ck_assert_int_eq(status_of("depth"), 0);
	ck_assert_int_eq(nseen, 0);
	finish();
}
END_TEST

static enum act retry_all(const struct prospero_queue_message *m)
{
	return ACT_RETRY;
}

/* So does one waiting for a retry: the old sweep took only messages not
 * yet delivered, and a retry asked for a day later stayed a day, past
 * any retention. */
START_TEST(a_retry_waiting_past_its_retention_expires)
{
	static const char *const now_deliver[] = { "--retention=60", "--max-batch-timeout=0", "--retry-delay=86400000",
						   NULL };
	long long t0;
	uint64_t id;
	int st;

	start(1, false, ARGS("--retention=60", "--max-batch-timeout=86400000"));
	id = send_acked(0, "stale");
	st = qp_end(&qp, SIGTERM);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	age(id, 55000);
	memcpy(qp.args, now_deliver, sizeof now_deliver);
	policy = retry_all;
	qp_start(&qp);
	t0 = mono_ms();
	RUN_UNTIL(status_of("retried") == 1);
	ck_assert_int_eq(nseen, 1);
	RUN_UNTIL(status_of("expired") == 1);
	ck_assert_int_lt(mono_ms() - t0, 20000);
	RUN_UNTIL(status_of("depth") == 0 && status_of("delayed") == 0);
	ck_assert_int_eq(committed(id), false);
	finish();
}
END_TEST

/* A message out with the consumer past its retention is looked at when
 * its batch comes back: retried, it expires within a second or so. The
 * old queue left it to a sweep armed meanwhile for another message's end,
 * 50 s on here. */
START_TEST(a_retry_back_past_its_retention_expires_at_once)
{
	static const char *const now_deliver[] = { "--retention=60", "--max-batch-timeout=0", "--max-batch-size=1",
						   "--retry-delay=86400000", "--delivery-timeout=600000", NULL };
	uint64_t stale, young;
	long long t0;
	int st;

	start(1, false, ARGS("--retention=60", "--max-batch-timeout=86400000"));
	stale = send_acked(0, "stale");
	young = send_acked(0, "young");
	st = qp_end(&qp, SIGTERM);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	age(stale, 55000);
	age(young, 10000);
	memcpy(qp.args, now_deliver, sizeof now_deliver);
	policy = keep_all;
	qp_start(&qp);
	RUN_UNTIL(nseen == 1);
	ck_assert_str_eq(seen[0].body, "stale");
	/* held past its retention's end (and the sweep that came then) */
	run_for(6500);
	ck_assert_int_eq(prospero_queue_retry(kept, 0, 0), 0);
	ck_assert_int_eq(prospero_queue_done(kept), 0);
	kept = NULL;
	t0 = mono_ms();
	RUN_UNTIL(status_of("expired") == 1);
	ck_assert_int_lt(mono_ms() - t0, 4000);
	ck_assert_int_eq(committed(stale), false);
	ck_assert_int_eq(committed(young), true);
	finish();
}
END_TEST

/* Every expiry is said on stderr, not only the sweep's: a message found
 * past its retention as a batch is filled (here at once, after the
 * queue was down past it) was dropped without a line. */
START_TEST(an_expiry_found_by_a_delivery_is_said_too)
{
	/* a batch at a time: three fills find one each, and say them once */
	static const char *const now_deliver[] = { "--retention=60", "--max-batch-timeout=0", "--max-batch-size=1",
						   NULL };
	uint64_t id[3];
	int st;

	start(1, false, ARGS("--retention=60", "--max-batch-timeout=86400000"));
	for (int i = 0; i < 3; i++)
		id[i] = send_acked(0, "stale");
	st = qp_end(&qp, SIGTERM);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	for (int i = 0; i < 3; i++)
		age(id[i], 61000);
	memcpy(qp.args, now_deliver, sizeof now_deliver);
	qp_start(&qp);
	RUN_UNTIL(status_of("expired") == 3);
	ck_assert_int_eq(nseen, 0);
	ck_assert_msg(logged("3 messages expired, older than the retention (60 s)"), "no line for the expiry");
	ck_assert_msg(!logged("1 message expired"), "a line for each batch's");
	finish();
}
END_TEST

/* --- nothing acknowledged is lost --- */

#define KILL_MSGS 1500
#define KILL_PROD 3
#define KILLS 6

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static struct sent ksent[KILL_MSGS];
static int knext[KILL_PROD], kacked;
static unsigned char kseen[KILL_MSGS];

static void kill_send(int p, int k);

static void kill_on_sent(int err, const void *body, size_t len, void *arg)
{
	int k = (int)((struct sent *)arg - ksent);
	int p = k % KILL_PROD;

	on_sent(err, body, len, arg);
	if (err != PROSPERO_OK) {
		kill_send(p, k);	/* not acknowledged: again, as a producer would */
		return;
	}
	kacked++;
	if (knext[p] < KILL_MSGS)
		kill_send(p, knext[p]);
}

static void kill_send(int p, int k)
{
	char body[16];

	snprintf(body, sizeof body, "k%d", k);
	if (k == knext[p])
		knext[p] += KILL_PROD;
	ck_assert_int_eq(prospero_queue_send(producer(p), body, strlen(body), 30, kill_on_sent, &ksent[k]), 0);
}

static enum act kill_consume(const struct prospero_queue_message *m)
{
	char body[16];
	int k;

	snprintf(body, sizeof body, "%.*s", (int)m->len, (const char *)m->body);
	k = atoi(body + 1);

	if (k >= 0 && k < KILL_MSGS && kseen[k] < 255)
		kseen[k]++;
	return ACT_ACK;
}

static bool all_consumed(void)
{
	for (int k = 0; k < KILL_MSGS; k++)
		if (!kseen[k])
			return false;
	return true;
}

START_TEST(sigkill_of_the_queue_loses_nothing_acknowledged)
{
	unsigned seed = 20261204, incarnation = 1;
	int at[KILLS], dups = 0;

	/* kills at seeded points of the stream, whatever the machine's speed */
	for (int k = 0; k < KILLS; k++)
		at[k] = 50 + (int)(rand_r(&seed) % (KILL_MSGS - 100));
	qsort(at, KILLS, sizeof *at, cmp_int);
	start(KILL_PROD, false, ARGS("--max-batch-size=20", "--max-batch-timeout=5"));
	policy = kill_consume;
	memset(kseen, 0, sizeof kseen);
	kacked = 0;
	for (int p = 0; p < KILL_PROD; p++) {
		knext[p] = p;
		kill_send(p, p);
	}
	for (int k = 0; k < KILLS; k++) {
		RUN_UNTIL(kacked >= at[k]);
		/* as the daemon: kill, tell the producers, start again */
		ck_assert_int_eq(WTERMSIG(qp_end(&qp, SIGKILL)), SIGKILL);
		incarnation++;
		for (int p = 0; p < KILL_PROD; p++)
			send_notice(qp.prod[p][1], incarnation);
		qp_start(&qp);
	}
	RUN_UNTIL(kacked == KILL_MSGS && all_consumed());
	for (int k = 0; k < KILL_MSGS; k++)
		dups += kseen[k] - 1;
	fprintf(stderr, "queue: %d kills, %d messages, each consumed, %d duplicates\n", KILLS, KILL_MSGS, dups);
	finish();
}
END_TEST

/* --- bad input --- */

static void call_raw(int p, const char *method, const void *body, size_t len, struct sent *s)
{
	ck_assert_int_eq(prospero_call(producer(p), method, body, len, 30, on_sent, s), 0);
	RUN_UNTIL(s->done);
}

static void expect_refused(const char *method, const void *body, size_t len, const char *why)
{
	struct sent s = { 0 };

	call_raw(0, method, body, len, &s);
	ck_assert_int_eq(s.err, PROSPERO_E_BAD_REQUEST);
	ck_assert_str_eq(s.why, why);
}

START_TEST(bad_sends_are_refused_and_nothing_is_stored)
{
	uint8_t big[101], buf[64];
	struct iovec v[3] = { { "a", 1 }, { big, sizeof big }, { "c", 1 } };
	uint8_t *many;
	struct sent s = { 0 };

	start(1, false, ARGS("--max-message-size=100", "--max-batch-timeout=0"));
	memset(big, 'x', sizeof big);
	expect_refused(PQ_SEND, big, sizeof big, "message of 101 bytes is over max_message_size (100 bytes)");
	expect_refused(PQ_SEND_BATCH, "ab", 2, "malformed batch: shorter than its count");
	pq_count_encode(buf, 0);
	expect_refused(PQ_SEND_BATCH, buf, 4, "malformed batch: an empty batch");
	pq_count_encode(buf, 2);
	pq_batch_put(buf + 4, "a", 1);
	expect_refused(PQ_SEND_BATCH, buf, 9, "malformed batch: truncated: fewer messages than its count");
	pq_count_encode(buf, 1);
	pq_batch_put(buf + 4, "abcde", 5);
	expect_refused(PQ_SEND_BATCH, buf, 10, "malformed batch: truncated: a message longer than what is left");
	pq_batch_put(buf + 4, "a", 1);
	expect_refused(PQ_SEND_BATCH, buf, 10, "malformed batch: bytes after the last message");
	many = calloc(PQ_COUNT_LEN + 1001 * PQ_ITEM_HEAD, 1);
	pq_count_encode(many, 1001);
	expect_refused(PQ_SEND_BATCH, many, PQ_COUNT_LEN + 1001 * PQ_ITEM_HEAD,
		       "malformed batch: more messages than a batch may hold (1000)");
	free(many);
	/* one message too large refuses the whole batch */
	ck_assert_int_eq(prospero_queue_send_batch(producer(0), v, 3, 30, on_sent, &s), 0);
	RUN_UNTIL(s.done);
	ck_assert_int_eq(s.err, PROSPERO_E_BAD_REQUEST);
	ck_assert_str_eq(s.why, "batch: message 2 of 3: message of 101 bytes is over max_message_size (100 bytes)");
	memset(&s, 0, sizeof s);
	call_raw(0, "peek", "", 0, &s);
	ck_assert_int_eq(s.err, PROSPERO_E_NO_SUCH_METHOD);
	/* none of that was stored; the queue works on */
	send_acked(0, "fine");
	RUN_UNTIL(nseen == 1 && status_of("acked") == 1);
	ck_assert_int_eq(status_of("depth"), 0);
	ck_assert_str_eq(seen[0].body, "fine");
	ck_assert_int_eq(status_of("received"), 1);
	finish();
}
END_TEST

/* A consumer that answers with what the test forges. */
static int forge_mode;

static void forged(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct pq_cursor c;
	struct pq_msg m;
	const char *why;
	struct pq_verdict v[3];
	uint8_t out[64];

	ck_assert_int_eq(pq_deliver_check(body, len, &c, &why), 0);
	pq_deliver_next(&c, &m);
	snprintf(seen[nseen].body, sizeof seen[nseen].body, "%.*s", (int)m.len, (const char *)m.body);
	seen[nseen].attempt = m.attempt;
	nseen++;
	switch (forge_mode++) {
	case 0:	/* malformed: the whole batch is retried */
		prospero_reply(req, "xx", 2);
		return;
	case 1:	/* an id it never sent, and an ack twice: the first counts */
		v[0] = (struct pq_verdict){ .id = m.id + 1000, .verdict = PQ_ACK };
		v[1] = (struct pq_verdict){ .id = m.id, .verdict = PQ_ACK };
		v[2] = (struct pq_verdict){ .id = m.id, .verdict = PQ_RETRY };
		pq_answer_encode(out, v, 3);
		prospero_reply(req, out, pq_answer_size(3));
		return;
	default:
		ck_abort_msg("delivered again after an ack");
	}
}

START_TEST(bad_answers_are_counted_and_nothing_is_lost)
{
	start(1, false, ARGS("--max-batch-timeout=0"));
	prospero_handle(t, PQ_DELIVER, forged, NULL);	/* instead of the library's */
	send_acked(0, "m");
	RUN_UNTIL(status_of("acked") == 1 && nseen == 2);
	ck_assert_int_eq(status_of("depth"), 0);
	ck_assert_uint_eq(seen[0].attempt, 1);
	ck_assert_uint_eq(seen[1].attempt, 2);
	ck_assert_int_eq(status_of("bad_answers"), 3);
	ck_assert_int_eq(status_of("acked"), 1);
	ck_assert(logged("malformed"));
	ck_assert(logged("the consumer answered 1 id not in its batch and 1 message twice: ignored"));
	finish();
}
END_TEST

static void checked_batch(struct prospero_queue_batch *b, const struct prospero_queue_message *msgs, size_t n,
			  void *arg)
{
	ck_assert_int_eq(prospero_queue_ack(b, n), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(prospero_queue_ack(b, 0), 0);
	ck_assert_int_eq(prospero_queue_ack(b, 0), -1);
	ck_assert_int_eq(errno, EALREADY);
	ck_assert_int_eq(prospero_queue_retry(b, 0, 5), -1);
	ck_assert_int_eq(errno, EALREADY);
	nseen++;
}

/* Kept, then finished before the callback returns: answered once. */
static void keep_and_finish(struct prospero_queue_batch *b, const struct prospero_queue_message *msgs, size_t n,
			    void *arg)
{
	struct prospero_queue_batch *k = prospero_queue_keep(b);

	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(prospero_queue_ack_all(k), 0);
	ck_assert_int_eq(prospero_queue_done(k), 0);
	ck_assert_int_eq(prospero_queue_done(k), -1);
	ck_assert_int_eq(errno, EINVAL);
	nseen++;
}

START_TEST(the_library_refuses_what_the_queue_would_not_take)
{
	struct iovec none[1] = { { "", 0 } };

	start(1, false, ARGS("--max-batch-timeout=0"));
	prospero_queue_consumer_free(consumer);
	consumer = prospero_queue_consume(t, checked_batch, NULL);
	ck_assert_int_eq(prospero_queue_send_batch(producer(0), none, 0, 1, on_sent, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(prospero_queue_send_batch(producer(0), none, 1001, 1, on_sent, NULL), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	/* four messages of 16 MiB and their lengths: just over a frame's body */
	{
		static char big[16 << 20];
		struct iovec four[4];

		for (int i = 0; i < 4; i++)
			four[i] = (struct iovec){ big, sizeof big };
		ck_assert_int_eq(prospero_queue_send_batch(producer(0), four, 4, 1, on_sent, NULL), -1);
		ck_assert_int_eq(errno, EMSGSIZE);
	}
	ck_assert_int_eq(prospero_queue_sent("short", 5, NULL, NULL), -1);
	send_acked(0, "x");
	RUN_UNTIL(nseen == 1 && status_of("acked") == 1);
	prospero_queue_consumer_free(consumer);
	consumer = prospero_queue_consume(t, keep_and_finish, NULL);
	send_acked(0, "y");
	RUN_UNTIL(nseen == 2 && status_of("acked") == 2);
	finish();
}
END_TEST

/* Note each message of the batch seen; ack "done", leave the rest. */
static void see_and_ack_done(struct prospero_queue_batch *b, const struct prospero_queue_message *msgs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct seen *s = &seen[nseen++];

		snprintf(s->body, sizeof s->body, "%.*s", (int)msgs[i].len, (const char *)msgs[i].body);
		s->attempt = msgs[i].attempt;
		if (strcmp(s->body, "done") == 0)
			ck_assert_int_eq(prospero_queue_ack(b, i), 0);
	}
}

/* A consumer whose actor goes while it holds a batch: in its callback,
 * it acks "done", leaves "todo" and closes the actor it runs in, as a
 * consumer that is told to quit might. */
static void ack_done_and_close(struct prospero_queue_batch *b, const struct prospero_queue_message *msgs, size_t n,
			       void *arg)
{
	see_and_ack_done(b, msgs, n);
	prospero_close(late);
	late = NULL;
}

/* Acks "done", leaves "todo" and keeps the batch; its actor is closed
 * in the callback (ARG non-NULL) or after it, the batch still kept. */
static bool keeping;

static void ack_done_and_keep(struct prospero_queue_batch *b, const struct prospero_queue_message *msgs, size_t n,
			      void *arg)
{
	see_and_ack_done(b, msgs, n);
	ck_assert_ptr_nonnull(prospero_queue_keep(b));
	keeping = true;
	if (arg) {
		prospero_close(late);
		late = NULL;
	}
}

/* Send "done" and "todo" in one batch; a consumer (ACT, with ARG) gets
 * them both in one delivery and its actor closes (itself, or once ACT
 * kept the batch); the next one gets "todo" again. */
static void consumer_goes(prospero_queue_fn *act, void *arg)
{
	struct iovec v[2] = { { "done", 4 }, { "todo", 4 } };
	struct prospero_queue_consumer *c;
	struct sent s = { 0 };

	consumer_down = true;
	start(1, false, ARGS("--max-batch-size=2", "--max-batch-timeout=0"));
	ck_assert_int_eq(prospero_queue_send_batch(producer(0), v, 2, 30, on_sent, &s), 0);
	RUN_UNTIL(s.done);
	late = prospero_new(loop);
	ck_assert_int_eq(prospero_adopt(late, "serve:queue", dup(qp.cons[1])), 0);
	c = prospero_queue_consume(late, act, arg);
	prospero_serve(late);
	keeping = false;
	RUN_UNTIL(!late || keeping);
	prospero_close(late);
	late = NULL;
	prospero_queue_consumer_free(c);
	ck_assert_int_eq(nseen, 2);
	up_late();
	RUN_UNTIL(status_of("acked") == 2);
	ck_assert_int_eq(times_seen("done"), 1);
	ck_assert_int_eq(times_seen("todo"), 2);
	ck_assert_uint_eq(nth_seen("todo", 1)->attempt, 2);
	ck_assert_int_eq(status_of("depth"), 0);
	finish();
}

/* Its ack goes as the callback returns; what it left is retried. */
START_TEST(a_consumer_may_close_in_its_callback)
{
	consumer_goes(ack_done_and_close, NULL);
}
END_TEST

/* A batch kept when its actor closes is answered as it stands, as
 * prospero_queue_done would: its acks count; what it left is retried. */
START_TEST(a_kept_batch_is_answered_as_it_stands_at_close)
{
	consumer_goes(ack_done_and_keep, NULL);
}
END_TEST

START_TEST(a_kept_batch_is_answered_as_it_stands_at_a_close_in_its_callback)
{
	consumer_goes(ack_done_and_keep, "close");
}
END_TEST

START_TEST(sigterm_ends_it_cleanly)
{
	int st;

	start(1, false, ARGS("--max-batch-timeout=0"));
	policy = keep_all;
	send_acked(0, "held");
	RUN_UNTIL(nseen == 1);
	st = qp_end(&qp, SIGTERM);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	/* a batch in flight at the end goes again, its attempt uncounted */
	policy = ack_all;
	release();
	qp_start(&qp);
	RUN_UNTIL(nseen == 2);
	ck_assert_uint_eq(seen[1].attempt, 1);
	finish();
}
END_TEST

/* A queue stopped within a second of a change says where it stopped:
 * STATUS= goes at most once a second, and the old queue ended without
 * the one it had waiting, so status showed it stopped empty (depth=0,
 * from its start) with a message in its log. */
START_TEST(a_stopping_queue_reports_what_it_leaves)
{
	int st;

	start(1, false, ARGS("--max-batch-timeout=86400000"));
	RUN_UNTIL(statuses == 1);
	send_acked(0, "left");
	st = qp_end(&qp, SIGTERM);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	RUN_UNTIL(status_of("depth") == 1);
	ck_assert_int_eq(status_of("received"), 1);
	finish();
}
END_TEST


/* --- the Python peer --- */

START_TEST(a_python_producer_and_consumer)
{
	static const char want[] =
		"ids consecutive True\n"
		"refused bad_request message of 101 bytes is over max_message_size (100 bytes)\n"
		"twice: message 5 is answered already\n"
		"seen a@1 b@1 b@2 c@1 d@1 e@1\n";
	const char *examples = getenv("EXAMPLES");
	char path[512], out[1024] = "", err[256];
	int pipefd[2], ctl[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t py;

	if (system("python3 -c 'import os; os.memfd_create' 2>/dev/null") != 0)
		return;
	ck_assert_msg(examples != NULL, "EXAMPLES must be set");
	qp_init(&qp, "/tmp", 1, false, ARGS("--max-message-size=100", "--max-batch-timeout=0", "--max-batch-size=5"));
	qp_start(&qp);
	snprintf(path, sizeof path, "%s/../tests/actors/pyqueue.py", examples);
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	qp_pair(ctl);
	py = fork();
	if (py == 0) {
		/* fd 3 its control channel, 4 the binding QUEUE, 5 the edge the
		 * queue delivers on */
		int fds[3] = { ctl[1], qp.prod[0][0], qp.cons[1] };

		dup2(pipefd[1], 1);
		qp_place(fds, 3);
		setenv("PROSPERO_FDS", "3", 1);
		setenv("PROSPERO_FDNAMES", "control:QUEUE:serve:queue", 1);
		execlp("python3", "python3", path, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	close(ctl[1]);
	while (got < sizeof out - 1 && (n = read(pipefd[0], out + got, sizeof out - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	ck_assert_int_eq(waitpid(py, &st, 0), py);
	snprintf(err, sizeof err, "python exited %#x", st);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s; printed:\n%s", err, out);
	ck_assert_str_eq(out, want);
	close(pipefd[0]);
	close(ctl[0]);
	qp_cleanup(&qp);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_send_is_acknowledged_once_committed);
	tcase_add_test(tc, the_sends_of_one_turn_share_one_sync);
	tcase_add_test(tc, batches_wait_for_their_size_or_their_timeout);
	tcase_add_test(tc, retries_and_the_dead_letter_queue_follow_the_configuration);
	tcase_add_test(tc, a_consumer_may_ask_for_a_longer_delay);
	tcase_add_test(tc, without_a_dead_letter_queue_a_poison_message_is_dropped);
	tcase_add_test(tc, an_unanswered_batch_is_delivered_again);
	tcase_add_test(tc, a_batch_held_by_a_consumer_that_died_is_delivered_again);
	tcase_add_test(tc, a_retry_waiting_survives_a_restart);
	tcase_add_test(tc, a_retry_waiting_through_a_restart_does_not_hurry_the_next);
	tcase_add_test(tc, a_retry_whose_wait_ended_through_a_restart_goes_first);
	tcase_add_test(tc, a_retry_whose_wait_ends_after_a_restart_goes_first);
	tcase_add_test(tc, retries_that_fill_a_call_go_in_well_formed_batches_in_order);
	tcase_add_test(tc, a_batch_the_consumer_has_not_read_is_not_counted);
	tcase_add_test(tc, a_retry_put_back_unread_keeps_its_place);
	tcase_add_test(tc, a_dead_letter_queue_that_is_down_gets_one_hand_over);
	tcase_add_test(tc, the_oldest_age_grows_while_nothing_changes);
	tcase_add_test(tc, a_message_that_waited_through_a_restart_goes_at_once);
	tcase_add_test(tc, a_restart_does_not_count_acked_ids_as_ready);
	tcase_add_test(tc, a_waiting_message_expires_when_its_retention_is_up);
	tcase_add_test(tc, a_retry_waiting_past_its_retention_expires);
	tcase_add_test(tc, a_retry_back_past_its_retention_expires_at_once);
	tcase_add_test(tc, an_expiry_found_by_a_delivery_is_said_too);
	tcase_add_test(tc, bad_sends_are_refused_and_nothing_is_stored);
	tcase_add_test(tc, bad_answers_are_counted_and_nothing_is_lost);
	tcase_add_test(tc, the_library_refuses_what_the_queue_would_not_take);
	tcase_add_test(tc, a_consumer_may_close_in_its_callback);
	tcase_add_test(tc, a_kept_batch_is_answered_as_it_stands_at_close);
	tcase_add_test(tc, a_kept_batch_is_answered_as_it_stands_at_a_close_in_its_callback);
	tcase_add_test(tc, sigterm_ends_it_cleanly);
	tcase_add_test(tc, a_stopping_queue_reports_what_it_leaves);
	tcase_add_test(tc, a_python_producer_and_consumer);
	suite_add_tcase(s, tc);
	tc = tcase_create("kill");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, sigkill_of_the_queue_loses_nothing_acknowledged);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
