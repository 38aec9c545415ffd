/* The daemon's bindings table (src/daemon/bindings.h) on a real config and
 * a real libev loop, with no process: the edges and fd maps it makes, the
 * names it gives them, the control channel of each start, the notices it
 * sends when a service ends, and the watchdog. */
#include <check.h>
#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/config/config.h"
#include "src/daemon/bindings.h"
#include "src/proto/control.h"
#include "src/proto/error.h"
#include "src/proto/fds.h"
#include "src/proto/frame.h"
#include "src/proto/notice.h"
#include "tests/common/proc.h"
#include "tests/common/runner.h"

/* A pool of services, a lone service with a watchdog, a pool of clients
 * bound to both, and a lone client of the pool: every instance in start
 * order. */
static const char config[] =
	"{ \"supervisor\": \"root\", \"children\": [\n"
	"  { \"actor\": \"svc\", \"exec\": [\"/bin/true\"], \"instances\": 3 },\n"
	"  { \"actor\": \"solo\", \"exec\": [\"/bin/true\"], \"watchdog\": 100 },\n"
	"  { \"actor\": \"cli\", \"exec\": [\"/bin/true\"], \"instances\": 2,\n"
	"    \"bindings\": { \"SVC\": \"svc\", \"SOLO\": \"solo\" } },\n"
	"  { \"actor\": \"one\", \"exec\": [\"/bin/true\"], \"bindings\": { \"SVC\": \"svc\" } } ] }\n";

enum { SVC1, SVC2, SVC3, SOLO, CLI1, CLI2, ONE, NINST };
static const struct { const char *actor, *name; unsigned index; } insts[NINST] = {
	{ "svc", "svc#1", 1 }, { "svc", "svc#2", 2 }, { "svc", "svc#3", 3 },
	{ "solo", "solo", 1 }, { "cli", "cli#1", 1 }, { "cli", "cli#2", 2 }, { "one", "one", 1 },
};
static const int stdfds[3] = { 100, 101, 102 };	/* copied, never used */
/* the most a test waits for what must come: not a measure, a guard */
#define H_LONG_MS 10000

static char dir[64];
static struct cfg *cfg;
static struct ev_loop *loop;
static struct bindings *b;
static struct bind_inst *bi[NINST];
static char **env[NINST];
static int fds_before;
/* what the ops were told, by instance */
static int readied[NINST], expired[NINST];

static void on_ready(void *ctx)
{
	readied[(int *)ctx - readied]++;
}
static void on_expired(void *ctx)
{
	expired[(int *)ctx - readied]++;
	ev_break(loop, EVBREAK_ONE);	/* run_for need wait no longer */
}
static const struct bind_ops ops = { .ready = on_ready, .watchdog_expired = on_expired };

static const struct cfg_actor *actor(const char *name)
{
	for (size_t i = 0; i < cfg->nactors; i++)
		if (strcmp(cfg->actors[i]->name, name) == 0)
			return cfg->actors[i];
	ck_abort_msg("no actor %s", name);
	return NULL;
}

/* TEXT as a config file, loaded. */
static struct cfg *load(const char *text)
{
	struct cfg_diag diag = { 0 };
	char path[128];
	char *files[1] = { path };
	struct cfg *c;
	FILE *f;

	strcpy(dir, "/tmp/prospero-bind.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/root.jsonc", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	c = cfg_load(files, 1, &diag);
	ck_assert_msg(c != NULL, "%s", diag.n ? diag.lines[0] : "out of memory");
	cfg_diag_free(&diag);
	unlink(path);
	rmdir(dir);
	return c;
}

static void setup(void)
{
	fds_before = h_fd_count(getpid());
	cfg = load(config);
	ck_assert_ptr_nonnull(loop = ev_loop_new(EVFLAG_AUTO));
	ck_assert_ptr_nonnull(b = bindings_open(cfg, loop, NULL));
	memset(readied, 0, sizeof readied);
	memset(expired, 0, sizeof expired);
	for (int i = 0; i < NINST; i++) {
		ck_assert_ptr_nonnull(env[i] = calloc(2, sizeof *env[i]));
		ck_assert_ptr_nonnull(env[i][0] = strdup("KEPT=1"));
		bi[i] = bindings_instance(b, actor(insts[i].actor), insts[i].index, insts[i].name,
					  stdfds, &ops, &readied[i], &env[i]);
		ck_assert_ptr_nonnull(bi[i]);
	}
}

/* Everything freed and closed: the fd count is back where it was. */
static void teardown(void)
{
	for (int i = 0; i < NINST; i++) {
		bindings_instance_free(bi[i]);
		for (char **e = env[i]; *e; e++)
			free(*e);
		free(env[i]);
	}
	bindings_close(b);
	ev_loop_destroy(loop);
	cfg_free(cfg);
	ck_assert_int_eq(h_fd_count(getpid()), fds_before);
}

static const int *fds_of(int i, unsigned *n)
{
	return bindings_fds(bi[i], n);
}

static const char *getenv_of(int i, const char *key)
{
	size_t k = strlen(key);

	for (char **e = env[i]; *e; e++)
		if (strncmp(*e, key, k) == 0 && (*e)[k] == '=')
			return *e + k + 1;
	return NULL;
}

/* A datagram sent on FROM arrives on TO, and nowhere else waits one. */
static void assert_connected(int from, int to)
{
	char buf[16];

	ck_assert_int_eq(send(from, "ping", 4, MSG_DONTWAIT), 4);
	ck_assert_int_eq(recv(to, buf, sizeof buf, MSG_DONTWAIT), 4);
	ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
}

static void assert_empty(int fd)
{
	char buf[256];

	ck_assert_int_eq(recv(fd, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
}

/* A start as the daemon makes it: a control channel, then the spawn; the
 * actor's end of the channel is kept here (a dup) to play the actor. */
static int start(int i)
{
	unsigned n;
	int actor_end;

	ck_assert_int_eq(bindings_prepare(bi[i]), 0);
	actor_end = dup(fds_of(i, &n)[PP_FD_CONTROL]);
	ck_assert_int_ge(actor_end, 0);
	bindings_spawned(bi[i], true);
	return actor_end;
}

START_TEST(an_edge_per_client_instance_and_binding)
{
	const int *c1, *c2, *one, *svc, *solo;
	unsigned n1, n2, none, nsvc, nsolo;

	c1 = fds_of(CLI1, &n1);
	c2 = fds_of(CLI2, &n2);
	one = fds_of(ONE, &none);
	/* 0-2, the control channel (made at each start), then the bindings
	 * in the order declared */
	ck_assert_uint_eq(n1, PP_FD_CONTROL + 3);
	ck_assert_uint_eq(n2, PP_FD_CONTROL + 3);
	ck_assert_uint_eq(none, PP_FD_CONTROL + 2);
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(c1[k], stdfds[k]);
	ck_assert_int_eq(c1[PP_FD_CONTROL], -1);
	/* four edges of the client pool, one of "one": five sockets */
	int ends[] = { c1[4], c1[5], c2[4], c2[5], one[4] };
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			ck_assert_int_ne(ends[i], ends[j]);
	/* the service sees them in start order: cli#1, cli#2, one */
	svc = fds_of(SVC1, &nsvc);
	solo = fds_of(SOLO, &nsolo);
	ck_assert_uint_eq(nsvc, PP_FD_CONTROL + 1 + 3);
	ck_assert_uint_eq(nsolo, PP_FD_CONTROL + 1 + 2);
	assert_connected(c1[4], svc[4]);
	assert_connected(c2[4], svc[5]);
	assert_connected(one[4], svc[6]);
	assert_connected(c1[5], solo[4]);
	assert_connected(c2[5], solo[5]);
	/* and back: a reply reaches the instance that called */
	assert_connected(svc[5], c2[4]);
	assert_empty(c1[4]);
}
END_TEST

START_TEST(a_pool_shares_its_service_ends)
{
	unsigned n[3];
	const int *f[3] = { fds_of(SVC1, &n[0]), fds_of(SVC2, &n[1]), fds_of(SVC3, &n[2]) };
	const int *c1 = fds_of(CLI1, &n[0]);
	char buf[8];
	int got = 0;

	ck_assert_uint_eq(n[1], n[2]);
	for (unsigned k = PP_FD_CONTROL + 1; k < n[1]; k++) {
		ck_assert_int_eq(f[0][k], f[1][k]);
		ck_assert_int_eq(f[1][k], f[2][k]);
	}
	/* one message, taken by exactly one instance */
	ck_assert_int_eq(send(c1[4], "x", 1, MSG_DONTWAIT), 1);
	for (int i = 0; i < 3; i++)
		got += recv(f[i][4], buf, sizeof buf, MSG_DONTWAIT) == 1;
	ck_assert_int_eq(got, 1);
}
END_TEST

START_TEST(the_environment_names_every_fd)
{
	/* PROSPERO_FDS counts from the control channel on */
	ck_assert_str_eq(getenv_of(CLI1, PP_ENV_FDS), "3");
	ck_assert_str_eq(getenv_of(CLI1, PP_ENV_FDNAMES), "control:SVC:SOLO");
	ck_assert_str_eq(getenv_of(CLI2, PP_ENV_FDNAMES), "control:SVC:SOLO");
	ck_assert_str_eq(getenv_of(ONE, PP_ENV_FDS), "2");
	ck_assert_str_eq(getenv_of(ONE, PP_ENV_FDNAMES), "control:SVC");
	/* a served edge names its client, with the instance in a pool */
	ck_assert_str_eq(getenv_of(SOLO, PP_ENV_FDS), "3");
	ck_assert_str_eq(getenv_of(SOLO, PP_ENV_FDNAMES), "control:serve:cli#1:serve:cli#2");
	for (int i = SVC1; i <= SVC3; i++) {
		ck_assert_str_eq(getenv_of(i, PP_ENV_FDS), "4");
		ck_assert_str_eq(getenv_of(i, PP_ENV_FDNAMES), "control:serve:cli#1:serve:cli#2:serve:one");
	}
	/* what was there stays */
	ck_assert_str_eq(getenv_of(SVC2, "KEPT"), "1");
}
END_TEST

START_TEST(a_control_channel_per_start)
{
	int fds = h_fd_count(getpid()), actor_end, first;
	unsigned n;

	/* a failed spawn leaves nothing open */
	ck_assert_int_eq(bindings_prepare(bi[ONE]), 0);
	first = fds_of(ONE, &n)[PP_FD_CONTROL];
	ck_assert_int_ge(first, 0);
	ck_assert_int_eq(h_fd_count(getpid()), fds + 2);
	bindings_spawned(bi[ONE], false);
	ck_assert_int_eq(h_fd_count(getpid()), fds);

	/* a start: the daemon keeps its end only */
	actor_end = start(ONE);
	ck_assert_int_eq(h_fd_count(getpid()), fds + 2);	/* its end and our dup */
	/* READY=1 and WATCHDOG=1 from the actor reach the ops */
	ck_assert_int_eq(send(actor_end, PP_READY, strlen(PP_READY), 0), (ssize_t)strlen(PP_READY));
	ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(readied[ONE], 1);
	ck_assert_int_eq(readied[CLI1], 0);
	/* STOP=1 before SIGTERM */
	bindings_stopping(bi[ONE]);
	{
		char buf[64];
		ssize_t r = recv(actor_end, buf, sizeof buf - 1, MSG_DONTWAIT);

		ck_assert_int_eq(r, (ssize_t)strlen(PP_STOP "\n"));
		buf[r] = '\0';
		ck_assert_str_eq(buf, PP_STOP "\n");
	}
	/* its end: the channel is closed, the actor reads the end of it */
	bindings_ended(bi[ONE]);
	ck_assert_int_eq(h_fd_count(getpid()), fds + 1);
	{
		char buf[8];

		ck_assert_int_eq(recv(actor_end, buf, sizeof buf, MSG_DONTWAIT), 0);
	}
	close(actor_end);
}
END_TEST

/* The notice in band: an error frame, id 0, peer_restarted, with the
 * service's next incarnation. */
static void assert_notice(int fd, unsigned long incarnation)
{
	unsigned char dg[256];
	struct pf_frame f;
	const char *why;
	unsigned long inc;
	uint64_t at;
	ssize_t n = recv(fd, dg, sizeof dg, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pf_decode(dg, (size_t)n, &f, &why), n);
	ck_assert_uint_eq(f.kind, PF_ERROR);
	ck_assert_uint_eq(f.id, 0);
	ck_assert_int_eq(pf_error_code(f.method, f.method_len), PROSPERO_E_PEER_RESTARTED);
	pf_notice_fields(f.body, f.body_len, &inc, &at);
	ck_assert_uint_eq(inc, incarnation);
	ck_assert_uint_gt(at, 0);
}

static void assert_told(int actor_end, const char *binding, unsigned long incarnation)
{
	char buf[128], name[64];
	unsigned long inc;
	ssize_t n = recv(actor_end, buf, sizeof buf, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pp_peer_restarted_parse(buf, (size_t)n, name, sizeof name, &inc), 1);
	ck_assert_str_eq(name, binding);
	ck_assert_uint_eq(inc, incarnation);
}

START_TEST(an_end_is_told_to_every_running_client)
{
	unsigned n, nsvc;
	const int *c1 = fds_of(CLI1, &n), *c2 = fds_of(CLI2, &n), *one = fds_of(ONE, &n);
	const int *svc = fds_of(SVC1, &nsvc);
	int svc1 = start(SVC1), svc2 = start(SVC2), cli1 = start(CLI1), ctl_one = start(ONE);

	/* cli#2 is not running: it has nothing in flight */
	bindings_ended(bi[SVC2]);
	/* two starts of the pool so far: the next is the third */
	assert_told(cli1, "SVC", 3);
	assert_told(ctl_one, "SVC", 3);
	assert_notice(c1[4], 3);
	assert_notice(one[4], 3);
	assert_empty(c2[4]);
	/* nothing about SOLO, and nothing more */
	assert_empty(c1[5]);
	assert_empty(cli1);
	assert_empty(ctl_one);
	assert_empty(svc1);

	/* a client that ended is told nothing more; and a second end before
	 * the third start has a number of its own, or a reader would take
	 * it for news of the first and leave the calls it held to time out */
	bindings_ended(bi[ONE]);
	bindings_ended(bi[SVC1]);
	assert_told(cli1, "SVC", 4);
	assert_notice(c1[4], 4);
	assert_empty(one[4]);
	/* the next start carries the number last told; the end after it, one more */
	close(svc1);
	svc1 = start(SVC1);
	bindings_ended(bi[SVC1]);
	assert_told(cli1, "SVC", 5);
	assert_notice(c1[4], 5);

	/* a client ending tells its services nothing */
	bindings_ended(bi[CLI1]);
	for (unsigned k = PP_FD_CONTROL + 1; k < nsvc; k++)
		assert_empty(svc[k]);
	close(svc1);
	close(svc2);
	close(cli1);
	close(ctl_one);
}
END_TEST

/* Stderr to a pipe whose read end goes in *RD; the old stderr in *SAVED. */
static void capture_stderr(int *rd, int *saved)
{
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);	/* room for a flood, were there one */
	ck_assert_int_ge(*saved = dup(2), 0);
	ck_assert_int_eq(dup2(p[1], 2), 2);
	close(p[1]);
	*rd = p[0];
}

/* Stderr back; the lines written to it that hold WHAT. */
static int captured(int rd, int saved, const char *what)
{
	static char buf[1 << 20];
	ssize_t n;
	int lines = 0;

	dup2(saved, 2);
	close(saved);
	n = read(rd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	close(rd);
	for (const char *p = buf; (p = strstr(p, what)); p++)
		lines++;
	return lines;
}

/* A client that never reads its control channel or its binding (a plain
 * program bound to a service) fills both once and for all, after some
 * hundreds of the service's ends: each is said once, not once per end of
 * the service, or a service with hundreds of such clients floods the log
 * with hundreds of lines at each of its restarts. */
START_TEST(a_client_that_never_reads_is_said_full_once)
{
	unsigned n;
	const int *c1 = fds_of(CLI1, &n);
	int cli1 = start(CLI1), rd, saved, told = 0;
	char buf[256];

	capture_stderr(&rd, &saved);
	for (int i = 0; i < 2000; i++) {
		close(start(SVC1));
		bindings_ended(bi[SVC1]);
	}
	ck_assert_int_eq(captured(rd, saved, "not delivered"), 2);
	/* it reads them: what is sent then arrives */
	while (recv(cli1, buf, sizeof buf, MSG_DONTWAIT) > 0)
		told++;
	ck_assert_int_gt(told, 0);
	while (recv(c1[4], buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	close(start(SVC1));
	bindings_ended(bi[SVC1]);
	ck_assert_int_gt(recv(cli1, buf, sizeof buf, MSG_DONTWAIT), 0);
	assert_notice(c1[4], 2000 + 2);
	close(cli1);
}
END_TEST

static void on_break(struct ev_loop *l, ev_timer *w, int revents)
{
	ev_break(l, EVBREAK_ONE);
}

/* Run the loop until a watchdog expires or MS pass. A watchdog armed for
 * less is due first, and libev runs due timers in order: what this finds
 * does not depend on how fast the machine is. */
static void run_for(double ms)
{
	ev_timer t;

	ev_timer_init(&t, on_break, ms / 1000.0, 0.);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	ev_timer_stop(loop, &t);
}

/* An empty datagram on the control channel is a message of no lines, as
 * on $NOTIFY_SOCKET: it does not end the channel, and what the actor
 * sends after it still counts. */
START_TEST(an_empty_control_message_ends_nothing)
{
	int actor_end = start(ONE);

	ck_assert_int_eq(send(actor_end, "", 0, 0), 0);
	run_for(50);
	ck_assert_int_eq(send(actor_end, PP_READY, strlen(PP_READY), 0), (ssize_t)strlen(PP_READY));
	run_for(50);
	ck_assert_int_eq(readied[ONE], 1);
	/* while the end of the channel still ends it: the loop goes on */
	close(actor_end);
	run_for(50);
}
END_TEST

/* A message longer than PP_NOTIFY_MAX is ignored whole on the control
 * channel, as on $NOTIFY_SOCKET (and by systemd): cut short, it would
 * mean something other than what was sent. */
START_TEST(an_overlong_control_message_is_ignored)
{
	char msg[PP_NOTIFY_MAX + 1];
	int actor_end = start(ONE);

	memset(msg, 'x', sizeof msg);
	memcpy(msg, PP_READY "\n", strlen(PP_READY) + 1);
	ck_assert_int_eq(send(actor_end, msg, sizeof msg, 0), (ssize_t)sizeof msg);
	run_for(50);
	ck_assert_int_eq(readied[ONE], 0);
	/* the longest that is read */
	ck_assert_int_eq(send(actor_end, msg, sizeof msg - 1, 0), (ssize_t)sizeof msg - 1);
	run_for(50);
	ck_assert_int_eq(readied[ONE], 1);
	close(actor_end);
}
END_TEST

START_TEST(the_watchdog_counts_from_ready)
{
	int ctl = start(SOLO);

	/* started, not ready: three of its periods pass, and a pet arms
	 * nothing */
	bindings_pet(bi[SOLO]);
	run_for(300);
	ck_assert_int_eq(expired[SOLO], 0);
	bindings_ready(bi[SOLO]);
	run_for(H_LONG_MS);
	ck_assert_int_eq(expired[SOLO], 1);
	/* once expired it is done: a late pet does not arm it again */
	bindings_pet(bi[SOLO]);
	run_for(300);
	ck_assert_int_eq(expired[SOLO], 1);
	/* an actor without "watchdog" has none */
	ck_assert_int_eq(expired[ONE] + expired[CLI1], 0);
	close(ctl);
}
END_TEST

START_TEST(a_stop_or_an_end_ends_the_watchdog)
{
	int ctl = start(SOLO);

	bindings_ready(bi[SOLO]);
	bindings_stopping(bi[SOLO]);
	run_for(300);
	ck_assert_int_eq(expired[SOLO], 0);
	bindings_ended(bi[SOLO]);
	close(ctl);
	ctl = start(SOLO);
	bindings_ready(bi[SOLO]);
	bindings_ended(bi[SOLO]);
	run_for(300);
	ck_assert_int_eq(expired[SOLO], 0);
	close(ctl);
}
END_TEST

/* A reload's table for a config in which "one" renamed its binding: the
 * edges that stay keep their socketpairs (what waits in them survives),
 * so only the ends of the renamed binding see another fd map. Abandoned,
 * the old table keeps every edge; committed, the old table closes only
 * the edge that went. */
START_TEST(a_reload_keeps_the_edges_that_stay)
{
	static const char renamed[] = "\"bindings\": { \"OTHER\": \"svc\" } } ] }\n";
	char text[sizeof config + 32];
	const char *at = strstr(config, "\"bindings\": { \"SVC\": \"svc\" } } ] }");
	struct bindings *nb;
	struct cfg *cfg2;
	unsigned n;
	const int *fds = fds_of(CLI1, &n);
	int kept = fds[PP_FD_CONTROL + 1], gone = fds_of(ONE, &n)[PP_FD_CONTROL + 1];

	ck_assert_ptr_nonnull(at);
	snprintf(text, sizeof text, "%.*s%s", (int)(at - config), config, renamed);
	cfg2 = load(text);

	for (int round = 0; round < 2; round++) {
		const struct cfg_actor *a2[NINST];

		ck_assert_ptr_nonnull(nb = bindings_open(cfg2, loop, b));
		for (int i = 0; i < NINST; i++)
			for (size_t k = 0; k < cfg2->nactors; k++)
				if (strcmp(cfg2->actors[k]->name, insts[i].actor) == 0)
					a2[i] = cfg2->actors[k];
		ck_assert(bindings_same(nb, bi[CLI1], a2[CLI1], 1));
		ck_assert(bindings_same(nb, bi[CLI2], a2[CLI2], 2));
		ck_assert(bindings_same(nb, bi[SOLO], a2[SOLO], 1));
		ck_assert(!bindings_same(nb, bi[ONE], a2[ONE], 1));	/* the client end */
		for (int i = SVC1; i <= SVC3; i++)	/* the service ends */
			ck_assert(!bindings_same(nb, bi[i], a2[i], insts[i].index));
		if (round == 0) {
			bindings_abandon(nb);
			ck_assert_int_ge(fcntl(kept, F_GETFD), 0);
			ck_assert_int_ge(fcntl(gone, F_GETFD), 0);
			continue;
		}
		bindings_commit(nb);
		for (int i = 0; i < NINST; i++) {
			bindings_instance_free(bi[i]);
			bi[i] = NULL;
		}
		bindings_close(b);
		b = nb;		/* teardown closes it */
		ck_assert_int_ge(fcntl(kept, F_GETFD), 0);
		ck_assert_int_eq(fcntl(gone, F_GETFD), -1);
	}
	cfg_free(cfg);
	cfg = cfg2;
}
END_TEST

/* A client with two bindings to one service: the service has two edges
 * from it, both "serve:CLIENT", in the order the client declares them. */
START_TEST(two_bindings_to_one_service_are_two_edges_in_order)
{
	static const char two[] =
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"svc\", \"exec\": [\"/bin/true\"] },\n"
		"  { \"actor\": \"cli\", \"exec\": [\"/bin/true\"],\n"
		"    \"bindings\": { \"B\": \"svc\", \"A\": \"svc\" } } ] }\n";
	struct cfg *c;
	struct bindings *bs;
	struct bind_inst *svc, *cli;
	char **senv = calloc(1, sizeof *senv), **cenv = calloc(1, sizeof *cenv);
	const int *sfd, *cfd;
	unsigned ns, nc;
	int fds = h_fd_count(getpid());

	ck_assert_ptr_nonnull(senv);
	ck_assert_ptr_nonnull(cenv);
	/* the fixture's table is not used here: this one stands alone */
	c = load(two);
	ck_assert_ptr_nonnull(bs = bindings_open(c, loop, NULL));
	svc = bindings_instance(bs, c->actors[0], 1, "svc", stdfds, &ops, &readied[0], &senv);
	cli = bindings_instance(bs, c->actors[1], 1, "cli", stdfds, &ops, &readied[1], &cenv);
	ck_assert_ptr_nonnull(svc);
	ck_assert_ptr_nonnull(cli);
	sfd = bindings_fds(svc, &ns);
	cfd = bindings_fds(cli, &nc);
	ck_assert_uint_eq(ns, 6);
	ck_assert_uint_eq(nc, 6);
	{
		char **keep[NINST];

		/* getenv_of reads env[]: lend it these two */
		memcpy(keep, env, sizeof keep);
		env[0] = senv;
		env[1] = cenv;
		ck_assert_str_eq(getenv_of(0, PP_ENV_FDNAMES), "control:serve:cli:serve:cli");
		ck_assert_str_eq(getenv_of(1, PP_ENV_FDNAMES), "control:B:A");
		memcpy(env, keep, sizeof keep);
	}
	/* B's end is the service's first edge, A's its second */
	assert_connected(cfd[4], sfd[4]);
	assert_connected(cfd[5], sfd[5]);
	bindings_instance_free(svc);
	bindings_instance_free(cli);
	for (char **e = senv; *e; e++)
		free(*e);
	for (char **e = cenv; *e; e++)
		free(*e);
	free(senv);
	free(cenv);
	bindings_close(bs);
	cfg_free(c);
	ck_assert_int_eq(h_fd_count(getpid()), fds);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bindings");
	TCase *tc = tcase_create("bindings");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, an_edge_per_client_instance_and_binding);
	tcase_add_test(tc, a_pool_shares_its_service_ends);
	tcase_add_test(tc, the_environment_names_every_fd);
	tcase_add_test(tc, a_control_channel_per_start);
	tcase_add_test(tc, an_end_is_told_to_every_running_client);
	tcase_add_test(tc, a_client_that_never_reads_is_said_full_once);
	tcase_add_test(tc, an_empty_control_message_ends_nothing);
	tcase_add_test(tc, an_overlong_control_message_is_ignored);
	tcase_add_test(tc, the_watchdog_counts_from_ready);
	tcase_add_test(tc, a_stop_or_an_end_ends_the_watchdog);
	tcase_add_test(tc, a_reload_keeps_the_edges_that_stay);
	tcase_add_test(tc, two_bindings_to_one_service_are_two_edges_in_order);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
