/* Service bindings on the real daemon, with a raw-protocol actor
 * (tests/actors/echoactor.c): delivery across restarts, what an actor can
 * reach, bindings under a profile without socket/connect, PEER_RESTARTED
 * on the control channel, the watchdog, pools. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

/* h_write, with "@EA@" the echo actor's path */
static void write_config(const char *text)
{
	const char *ea = getenv("ECHOACTOR");
	char out[8192], *o = out;

	ck_assert_msg(ea != NULL, "ECHOACTOR is not set");
	for (const char *p = text; *p;) {
		if (strncmp(p, "@EA@", 4) == 0) {
			o += snprintf(o, (size_t)(out + sizeof out - o), "%s", ea);
			p += 4;
		} else {
			*o++ = *p++;
		}
		ck_assert((size_t)(o - out) < sizeof out - 1);
	}
	*o = '\0';
	h_write(&h, "root.jsonc", out);
}

/* Wait until FILE has at least N lines starting with PREFIX. */
static void wait_lines(const char *file, const char *prefix, int n)
{
	for (int waited = 0; h_count_lines(&h, file, prefix) < n; waited += 5) {
		ck_assert_msg(waited < 4 * H_TIMEOUT_MS, "%s: fewer than %d lines \"%s\"", file, n, prefix);
		h_sleep_ms(5);
	}
}

static char *read_all(const char *file, int cap)
{
	char *buf = calloc(1, (size_t)cap);
	int n;

	ck_assert_ptr_nonnull(buf);
	n = h_read(&h, file, buf, cap - 1);
	ck_assert_msg(n > 0 && n < cap - 1, "%s: %d bytes", file, n);
	buf[n] = '\0';
	return buf;
}

#define CASTS 10000
#define KILLS 20

/* The service records each datagram before anything else, and the client's
 * datagrams arrive in order (one edge, one reader at a time), so the record
 * is an increasing sequence; a datagram is missing only where an
 * incarnation took it and was killed before its write: a gap of exactly
 * one, at an incarnation boundary. Everything else, including all that was
 * queued while the service was down, is recorded once. */
START_TEST(casts_survive_twenty_kills_of_the_service)
{
	struct h_event e;
	pid_t pid;
	int missing = 0, boundaries = 0, lines = 0, prev_seq = -1, prev_pid = 0, seq, who;
	char *buf, *line, *save = NULL;

	write_config("{ \"supervisor\": \"root\", \"intensity\": 1000, \"period\": 60, \"children\": [\n"
		     "  { \"actor\": \"svc\", \"exec\": [\"@EA@\", \"--serve\", \"@DIR@/recv\", \"--delay-us\", \"100\"] },\n"
		     "  { \"actor\": \"cli\", \"exec\": [\"@EA@\", \"--cast\", \"SVC\", \"10000\", \"@DIR@/sent\"],\n"
		     "    \"bindings\": { \"SVC\": \"svc\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "svc", &e);
	pid = e.pid;
	h_expect(&h, "ready", "root", NULL);
	for (int k = 0; k < KILLS; k++) {
		int before = h_count_lines(&h, "recv", "");

		/* each incarnation works a while, so every kill lands mid-stream */
		wait_lines("recv", "", before + 100);
		ck_assert_msg(h_count_lines(&h, "sent", "sent ") == 0 || k > 0,
			      "the client finished before the first kill");
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		h_expect(&h, "exit", "svc", &e);
		ck_assert_str_eq(e.signal, "SIGKILL");
		h_expect(&h, "start", "svc", &e);
		ck_assert_int_ne(e.pid, pid);
		pid = e.pid;
	}
	wait_lines("sent", "sent 10000", 1);
	wait_lines("recv", "9999 ", 1);

	buf = read_all("recv", 4 << 20);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_int_eq(sscanf(line, "%d %d", &seq, &who), 2);
		if (who == prev_pid) {
			ck_assert_msg(seq == prev_seq + 1, "incarnation %d: %d after %d", who, seq, prev_seq);
		} else {
			/* a new incarnation: at most the one its predecessor had taken is gone */
			ck_assert_msg(seq == prev_seq + 1 || (prev_pid && seq == prev_seq + 2),
				      "incarnation %d starts at %d after %d", who, seq, prev_seq);
			missing += seq - prev_seq - 1;
			boundaries += prev_pid != 0;
		}
		prev_seq = seq;
		prev_pid = who;
		lines++;
	}
	free(buf);
	ck_assert_int_eq(boundaries, KILLS);
	ck_assert_int_eq(prev_seq, CASTS - 1);
	ck_assert_int_eq(lines + missing, CASTS);
	ck_assert_int_le(missing, KILLS);
	fprintf(stderr, "casts: %d sent, %d received, %d taken by a killed incarnation before it could record them\n",
		CASTS, lines, missing);
	h_stop(&h);
}
END_TEST

/* Fds 0-2, the control channel and one fd per declared binding or served
 * edge; every socket unnamed (no path, no address to connect to). */
START_TEST(an_actor_reaches_its_bindings_and_nothing_else)
{
	char *a, *b, *c;
	const char *fds_std = "fd 0 not-a-socket\nfd 1 not-a-socket\nfd 2 not-a-socket\n";
	const char *sock = "socket family=1 type=seqpacket self=0 peer=0\n";
	char want[1024];

	write_config("{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@EA@\", \"--report\", \"@DIR@/a\"], \"bindings\": { \"B\": \"b\" } },\n"
		     "  { \"actor\": \"b\", \"exec\": [\"@EA@\", \"--report\", \"@DIR@/b\"] },\n"
		     "  { \"actor\": \"c\", \"exec\": [\"@EA@\", \"--report\", \"@DIR@/c\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	wait_lines("a", "end", 1);
	wait_lines("b", "end", 1);
	wait_lines("c", "end", 1);
	a = read_all("a", 4096);
	b = read_all("b", 4096);
	c = read_all("c", 4096);
	snprintf(want, sizeof want, "PROSPERO_FDS=2\nPROSPERO_FDNAMES=control:B\n%sfd 3 %sfd 4 %send\n",
		 fds_std, sock, sock);
	ck_assert_str_eq(a, want);
	snprintf(want, sizeof want, "PROSPERO_FDS=2\nPROSPERO_FDNAMES=control:serve:a\n%sfd 3 %sfd 4 %send\n",
		 fds_std, sock, sock);
	ck_assert_str_eq(b, want);
	/* c is bound to no one and serves no one: its control channel alone */
	snprintf(want, sizeof want, "PROSPERO_FDS=1\nPROSPERO_FDNAMES=control\n%sfd 3 %send\n", fds_std, sock);
	ck_assert_str_eq(c, want);
	free(a);
	free(b);
	free(c);
	h_stop(&h);
}
END_TEST

START_TEST(bindings_work_when_socket_and_connect_are_denied)
{
	char *t;

	write_config("{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"svc\", \"exec\": [\"@EA@\", \"--try-socket\", \"@DIR@/svc.try\", \"--serve\", \"@DIR@/recv\"],\n"
		     "    \"sandbox\": { \"profile\": \"service\", \"deny\": [\"socket\", \"connect\"], \"on_violation\": \"errno\" } },\n"
		     "  { \"actor\": \"cli\", \"exec\": [\"@EA@\", \"--try-socket\", \"@DIR@/cli.try\", \"--cast\", \"SVC\", \"100\", \"@DIR@/sent\"],\n"
		     "    \"bindings\": { \"SVC\": \"svc\" },\n"
		     "    \"sandbox\": { \"profile\": \"service\", \"deny\": [\"socket\", \"connect\"], \"on_violation\": \"errno\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	wait_lines("sent", "sent 100", 1);
	wait_lines("recv", "", 100);
	wait_lines("recv", "99 ", 1);
	t = read_all("svc.try", 256);
	ck_assert_str_eq(t, "socket=EPERM connect=EPERM\n");
	free(t);
	t = read_all("cli.try", 256);
	ck_assert_str_eq(t, "socket=EPERM connect=EPERM\n");
	free(t);
	ck_assert_int_eq(h_count_lines(&h, "recv", ""), 100);
	h_stop(&h);
}
END_TEST

/* Each service incarnation says hello over the edge as it starts. The
 * client looks at its control channel whenever a datagram arrives. When an
 * incarnation dies the daemon sends PEER_RESTARTED on the control channel,
 * then the same notice in band on the edge: the client reads the notice
 * after the dead one's hello and before its replacement's, and finds the
 * control message already there. */
START_TEST(clients_hear_peer_restarted_before_the_replacement_starts)
{
	struct h_event e;
	char want[512], *w;
	pid_t p1, p2, p3;

	write_config("{ \"supervisor\": \"root\", \"intensity\": 10, \"children\": [\n"
		     "  { \"actor\": \"svc\", \"exec\": [\"@EA@\", \"--hello\"] },\n"
		     "  { \"actor\": \"cli\", \"exec\": [\"@EA@\", \"--watch\", \"INVENTORY\", \"@DIR@/watch\"],\n"
		     "    \"bindings\": { \"INVENTORY\": \"svc\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "svc", &e);
	p1 = e.pid;
	h_expect(&h, "ready", "root", NULL);
	wait_lines("watch", "hello", 1);
	kill(p1, SIGKILL);
	h_expect(&h, "exit", "svc", NULL);
	h_expect(&h, "start", "svc", &e);
	p2 = e.pid;
	wait_lines("watch", "hello", 2);
	kill(p2, SIGKILL);
	h_expect(&h, "exit", "svc", NULL);
	h_expect(&h, "start", "svc", &e);
	p3 = e.pid;
	wait_lines("watch", "hello", 3);
	w = read_all("watch", 1024);
	snprintf(want, sizeof want,
		 "hello %d control=none\n"
		 "notice peer_restarted incarnation=2 at=set control=PEER_RESTARTED=INVENTORY INCARNATION=2 \n"
		 "hello %d control=none\n"
		 "notice peer_restarted incarnation=3 at=set control=PEER_RESTARTED=INVENTORY INCARNATION=3 \n"
		 "hello %d control=none\n",
		 (int)p1, (int)p2, (int)p3);
	ck_assert_str_eq(w, want);
	free(w);
	h_stop(&h);
}
END_TEST

/* "at" in the in-band notice is when the daemon saw the end, the same on
 * every edge of that end: a reader fails only the calls it sent before
 * then. The old daemon read the clock as it sent each copy, so a later
 * edge's "at" could fall after a call that reached the next incarnation. */
START_TEST(every_edge_of_one_end_hears_the_same_at)
{
	struct h_event e;
	char *at, *second;

	write_config("{ \"supervisor\": \"root\", \"intensity\": 10, \"children\": [\n"
		     "  { \"actor\": \"svc\", \"exec\": [\"@EA@\"] },\n"
		     "  { \"actor\": \"cli\", \"instances\": 3,\n"
		     "    \"exec\": [\"@EA@\", \"--notice-at\", \"@DIR@/at\", \"--watch\", \"INVENTORY\", \"@DIR@/watch\"],\n"
		     "    \"bindings\": { \"INVENTORY\": \"svc\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "svc", &e);
	h_expect(&h, "ready", "root", NULL);
	kill(e.pid, SIGKILL);
	h_expect(&h, "exit", "svc", NULL);
	wait_lines("at", "", 3);
	at = read_all("at", 1024);
	second = strchr(at, '\n') + 1;
	ck_assert_msg(strncmp(at, second, (size_t)(strchr(at, '\n') - at + 1)) == 0 &&
		      strncmp(at, strchr(second, '\n') + 1, (size_t)(strchr(at, '\n') - at + 1)) == 0,
		      "three edges, three times: %s", at);
	free(at);
	h_stop(&h);
}
END_TEST

/* "w" pets on its control channel for ~300 ms, "n" on $NOTIFY_SOCKET for
 * ~1.5 s; both have a 300 ms watchdog. Both got ready over the control
 * channel. Each is killed once it falls silent, w first. */
START_TEST(a_silent_actor_is_killed_and_restarted_by_its_watchdog)
{
	struct h_event e;

	write_config("{ \"supervisor\": \"root\", \"intensity\": 100, \"children\": [\n"
		     "  { \"actor\": \"w\", \"exec\": [\"@EA@\", \"--ready\", \"--pet\", \"50\", \"6\", \"control\"],\n"
		     "    \"ready\": \"notify\", \"start_timeout\": 5000, \"watchdog\": 300 },\n"
		     "  { \"actor\": \"n\", \"exec\": [\"@EA@\", \"--ready\", \"--pet\", \"50\", \"30\", \"notify\"],\n"
		     "    \"ready\": \"notify\", \"start_timeout\": 5000, \"watchdog\": 300 } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:w ready:w start:n ready:n ready:root");
	/* w first: n still pets */
	h_expect(&h, "exit", NULL, &e);
	ck_assert_str_eq(e.name, "w");
	ck_assert_str_eq(e.reason, "watchdog");
	ck_assert_str_eq(e.signal, "SIGKILL");
	h_expect(&h, "restart", NULL, &e);
	ck_assert_str_eq(e.name, "w");
	ck_assert_str_eq(e.reason, "watchdog");
	h_expect_seq(&h, "start:w ready:w");
	/* then n, once its pets on $NOTIFY_SOCKET stop */
	h_expect(&h, "exit", "n", &e);
	ck_assert_str_eq(e.reason, "watchdog");
	h_expect(&h, "restart", "n", &e);
	ck_assert_str_eq(e.reason, "watchdog");
	h_stop(&h);
}
END_TEST

/* The watchdog counts from the actor's readiness. "dog", ready at exec,
 * is started after 1,000 exec-ready siblings in the same turn of the
 * loop (about a second on a sanitizer build) and pets every 100 ms. The
 * old daemon counted its 700 ms from that turn's start and killed it at
 * once, before its first pet. */
START_TEST(a_watchdog_counts_from_the_actors_readiness)
{
	write_config("{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"quick\", \"exec\": [\"/bin/sleep\", \"1000\"], \"instances\": 1000 },\n"
		     "  { \"actor\": \"dog\", \"exec\": [\"@EA@\", \"--pet\", \"100\", \"100000\", \"control\"],\n"
		     "    \"watchdog\": 700 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_expect_quiet(&h, 1500);	/* no exit of dog */
	h_stop(&h);
}
END_TEST

/* As systemd gives a Type=notify service: WATCHDOG_USEC, in µs, only to an
 * actor with a watchdog. A shell writes its environment, then becomes an
 * echo actor that gets ready and pets for longer than the test. */
START_TEST(an_actor_with_a_watchdog_is_given_watchdog_usec)
{
	write_config("{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"w\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		     "      \"env > @DIR@/w.tmp && mv @DIR@/w.tmp @DIR@/w && exec @EA@ --ready --pet 50 1000 control\"],\n"
		     "    \"ready\": \"notify\", \"start_timeout\": 5000, \"watchdog\": 300 },\n"
		     "  { \"actor\": \"plain\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		     "      \"env > @DIR@/plain.tmp && mv @DIR@/plain.tmp @DIR@/plain && exec sleep 1000\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	wait_lines("w", "PROSPERO_ACTOR=w", 1);
	wait_lines("plain", "PROSPERO_ACTOR=plain", 1);
	ck_assert_int_eq(h_count_lines(&h, "w", "WATCHDOG_USEC=300000"), 1);
	ck_assert_int_eq(h_count_lines(&h, "w", "WATCHDOG_USEC="), 1);
	ck_assert_int_eq(h_count_lines(&h, "w", "WATCHDOG_PID="), 0);
	ck_assert_int_eq(h_count_lines(&h, "plain", "WATCHDOG_USEC="), 0);
	h_stop(&h);
}
END_TEST

/* Two instances read the one service end: every datagram is taken by
 * exactly one of them. */
START_TEST(a_pool_shares_the_service_end)
{
	char *buf, *line, *save = NULL;
	static char seen[2000];
	int seq, who, pids[2] = { 0, 0 }, count[2] = { 0, 0 }, total = 0;

	write_config("{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"svc\", \"instances\": 2, \"exec\": [\"@EA@\", \"--report\", \"@DIR@/r\", \"--serve\", \"@DIR@/recv\", \"--delay-us\", \"200\"] },\n"
		     "  { \"actor\": \"cli\", \"exec\": [\"@EA@\", \"--cast\", \"SVC\", \"2000\", \"@DIR@/sent\"],\n"
		     "    \"bindings\": { \"SVC\": \"svc\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	wait_lines("sent", "sent 2000", 1);
	wait_lines("recv", "", 2000);
	if (h_count_lines(&h, "r", "PROSPERO_FDNAMES=control:serve:cli") != 2) {
		/* an instance started again: say why, from the events */
		char *ev = read_all("events", 1 << 20), *exits = strstr(ev, "\"exit\"");

		ck_abort_msg("svc started %d times; first exit: %.300s",
			     h_count_lines(&h, "r", "PROSPERO_FDNAMES=control:serve:cli"),
			     exits ? exits : "none");
	}
	buf = read_all("recv", 1 << 20);
	memset(seen, 0, sizeof seen);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_int_eq(sscanf(line, "%d %d", &seq, &who), 2);
		ck_assert(seq >= 0 && seq < 2000);
		ck_assert_msg(!seen[seq], "%d taken twice", seq);
		seen[seq] = 1;
		for (int i = 0; i < 2; i++) {
			if (!pids[i])
				pids[i] = who;
			if (pids[i] == who) {
				count[i]++;
				break;
			}
		}
		total++;
	}
	free(buf);
	ck_assert_int_eq(total, 2000);
	ck_assert_int_eq(count[0] + count[1], 2000);
	ck_assert_msg(count[0] > 0 && count[1] > 0, "one instance took all: %d/%d", count[0], count[1]);
	h_stop(&h);
}
END_TEST

/* Past the spawner's 16 staging slots the child fills fds 0..N-1 itself;
 * the seccomp handoff, a low fd of the daemon's, was one of them and the
 * listener went down a binding instead: an actor with ~30 edges under a
 * profile could not start. 40 edges, both ends confined. */
START_TEST(an_actor_with_forty_bindings_starts_under_a_profile)
{
	char text[4096], *o = text;

	o += snprintf(o, sizeof text, "{ \"supervisor\": \"root\", \"children\": [\n"
		      "  { \"actor\": \"svc\", \"exec\": [\"@EA@\", \"--report\", \"@DIR@/svc\", \"--serve\", \"@DIR@/recv\"] },\n"
		      "  { \"actor\": \"cli\", \"exec\": [\"@EA@\", \"--report\", \"@DIR@/cli\", \"--cast\", \"B39\", \"100\", \"@DIR@/sent\"],\n"
		      "    \"bindings\": {");
	for (int i = 0; i < 40; i++)
		o += snprintf(o, (size_t)(text + sizeof text - o), "%s \"B%d\": \"svc\"", i ? "," : "", i);
	snprintf(o, (size_t)(text + sizeof text - o), " } } ] }\n");
	write_config(text);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	wait_lines("sent", "sent 100", 1);
	wait_lines("recv", "99 ", 1);
	ck_assert_int_eq(h_count_lines(&h, "recv", ""), 100);
	wait_lines("svc", "end", 1);
	wait_lines("cli", "end", 1);
	ck_assert_int_eq(h_count_lines(&h, "svc", "PROSPERO_FDS=41\n"), 1);
	ck_assert_int_eq(h_count_lines(&h, "cli", "PROSPERO_FDS=41\n"), 1);
	/* 0-2, then 41 sockets and nothing more */
	ck_assert_int_eq(h_count_lines(&h, "svc", "fd "), 44);
	ck_assert_int_eq(h_count_lines(&h, "cli", "fd "), 44);
	ck_assert_int_eq(h_count_lines(&h, "svc", "fd 43 socket family=1 type=seqpacket"), 1);
	h_stop(&h);
}
END_TEST

/* The daemon raises its own open-file limit, but gave each actor the soft
 * one it was started with: under `ulimit -Sn 32` a service that 40 client
 * edges reach (44 fds) could not even get its seccomp listener ("load the
 * seccomp filter (...): Too many open files"). It gets its fds and 64 more. */
START_TEST(a_service_past_the_soft_fd_limit_gets_room)
{
	struct rlimit was, r;
	unsigned long long want;
	char line[64];

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &was), 0);
	ck_assert_msg(was.rlim_max >= 256, "hard RLIMIT_NOFILE %llu is too low for this test",
		      (unsigned long long)was.rlim_max);
	r = (struct rlimit){ 32, was.rlim_max };
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &r), 0);
	write_config("{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"svc\", \"exec\": [\"@EA@\", \"--nofile\", \"@DIR@/svc\"] },\n"
		     "  { \"actor\": \"lone\", \"exec\": [\"@EA@\", \"--nofile\", \"@DIR@/lone\"] },\n"
		     "  { \"actor\": \"cli\", \"instances\": 40, \"exec\": [\"@EA@\"], \"bindings\": { \"S\": \"svc\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	/* 0-2, control, 40 edges: 44 fds, and 64 more */
	want = 44 + 64;
	snprintf(line, sizeof line, "nofile %llu %llu\n", want, (unsigned long long)was.rlim_max);
	wait_lines("svc", "nofile", 1);
	ck_assert_int_eq(h_count_lines(&h, "svc", line), 1);
	/* its control channel alone: 4 fds and 64 more */
	snprintf(line, sizeof line, "nofile 68 %llu\n", (unsigned long long)was.rlim_max);
	wait_lines("lone", "nofile", 1);
	ck_assert_int_eq(h_count_lines(&h, "lone", line), 1);
	h_stop(&h);
	setrlimit(RLIMIT_NOFILE, &was);
}
END_TEST

/* An actor that sends READY=1 and closes its control channel with a
 * message of ours unread there (a PEER_RESTARTED, a STOP=1) is ready: the
 * kernel reports the reset (ECONNRESET) before the datagrams still queued
 * for us, and the daemon must read on past it, or it waits for a
 * readiness already sent, and the tree never becomes ready. */
START_TEST(a_ready_sent_before_a_reset_channel_counts)
{
	write_config("{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"svc\", \"restart\": \"temporary\", \"exec\": [\"/bin/sleep\", \"1\"] },\n"
		     "  { \"actor\": \"cli\", \"ready\": \"notify\", \"exec\": [\"@EA@\", \"--ready-and-close\"],\n"
		     "    \"bindings\": { \"SVC\": \"svc\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "exit", "svc", NULL);
	h_expect(&h, "ready", "cli", NULL);
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bindings");
	TCase *tc = tcase_create("bindings");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, casts_survive_twenty_kills_of_the_service);
	tcase_add_test(tc, an_actor_reaches_its_bindings_and_nothing_else);
	tcase_add_test(tc, bindings_work_when_socket_and_connect_are_denied);
	tcase_add_test(tc, clients_hear_peer_restarted_before_the_replacement_starts);
	tcase_add_test(tc, every_edge_of_one_end_hears_the_same_at);
	tcase_add_test(tc, a_silent_actor_is_killed_and_restarted_by_its_watchdog);
	tcase_add_test(tc, a_watchdog_counts_from_the_actors_readiness);
	tcase_add_test(tc, a_pool_shares_the_service_end);
	tcase_add_test(tc, an_actor_with_a_watchdog_is_given_watchdog_usec);
	tcase_add_test(tc, an_actor_with_forty_bindings_starts_under_a_profile);
	tcase_add_test(tc, a_service_past_the_soft_fd_limit_gets_room);
	tcase_add_test(tc, a_ready_sent_before_a_reset_channel_counts);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
