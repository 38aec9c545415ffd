/* Confinement from the attacker's side (issue 3): a hostile actor tries
 * every way to reach another actor's secrets or privileges; each profile
 * stops and names a forbidden call; secrets arrive from every source and
 * never show in anything the daemon writes. Run as root, so actors get
 * dynamic uids; some checks only mean something then. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common/i386_entry.h"
#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;
static const char *hostile;

/* the values the tests plant; none may ever reach the daemon's output */
#define VICTIM_VALUE "victim-s3cr3t-9f1c2e"
#define CRED_VALUE "from-credentials-4b7a"
#define SDIR_VALUE "from-secrets-dir-8d2e"
#define DEV_VALUE "from-dev-vars-1c5f"

static void setup(void)
{
	h_init(&h);
	hostile = getenv("HOSTILE");
	ck_assert_msg(hostile != NULL, "HOSTILE not set: run with make check");
}

static void teardown(void)
{
	h_fini(&h);
}

static const char *const root_only[] = { "root.jsonc", NULL };

/* Write a config; "@H@" becomes the hostile actor's path. */
static void write_config(const char *name, const char *text)
{
	char buf[8192];
	size_t n = 0;

	for (const char *p = text; *p && n < sizeof buf - 512;) {
		if (strncmp(p, "@H@", 3) == 0) {
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", hostile);
			p += 3;
		} else {
			buf[n++] = *p++;
		}
	}
	buf[n] = 0;
	h_write(&h, name, buf);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	int fd = open(h_path(&h, name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_msg(fd >= 0, "%s: %s", name, strerror(errno));
	ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	ck_assert(fchmod(fd, mode) == 0);
	close(fd);
}

/* Wait until the daemon's stdout holds a line starting with PREFIX. */
static void wait_line(const char *prefix)
{
	for (int i = 0; i < H_TIMEOUT_MS / 10; i++) {
		if (h_count_lines(&h, "out", prefix) > 0)
			return;
		h_sleep_ms(10);
	}
	ck_abort_msg("no line \"%s\" in the daemon's output", prefix);
}

/* A line the actor wrote before an event the test saw: its output pipe
 * and its control channel are read in either order, so the line may be
 * relayed a moment after the event. */
#define ASSERT_LINE(prefix) wait_line(prefix)

static uint64_t fnv1a(const char *p)
{
	uint64_t v = 1469598103934665603ULL;

	for (; *p; p++) {
		v ^= (unsigned char)*p;
		v *= 1099511628211ULL;
	}
	return v;
}

/* Nothing the daemon wrote (actor output, its log, events) holds VALUE. */
static void assert_nowhere(const char *value)
{
	static const char *const files[] = { "out", "err", "events" };
	char buf[1 << 16];

	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		int n = h_read(&h, files[i], buf, sizeof buf - 1);

		if (n < 0)
			continue;
		buf[n] = 0;
		ck_assert_msg(memmem(buf, (size_t)n, value, strlen(value)) == NULL,
			      "secret value found in %s", files[i]);
	}
}

START_TEST(the_attacker_reaches_no_other_actors_secret_and_holds_nothing)
{
	char cmd[1024];

	write_file(".dev.vars", "VICTIM_KEY=" VICTIM_VALUE "\nHOSTILE_KEY=mine\n", 0600);
	/* a setuid-root copy of the attacker: no_new_privs must make it inert */
	snprintf(cmd, sizeof cmd, "cp '%s' '%s' && chmod 4755 '%s'", hostile,
		 h_path(&h, "suid-hostile"), h_path(&h, "suid-hostile"));
	ck_assert_int_eq(system(cmd), 0);
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"victim\", \"exec\": [\"@H@\", \"--victim\", \"--notify\"], \"ready\": \"notify\",\n"
		"    \"secrets\": [\"VICTIM_KEY\"], \"secrets_env\": true },\n"
		"  { \"actor\": \"hostile\", \"exec\": [\"@H@\", \"--attack\", \"--suid\", \"@DIR@/suid-hostile\"],\n"
		"    \"secrets\": [\"HOSTILE_KEY\"], \"sandbox\": { \"on_violation\": \"errno\" } } ] }\n");
	h_start(&h, root_only);
	wait_line("hostile: done: ");

	ASSERT_LINE("victim: victim: holding 1 secrets");
	ASSERT_LINE("hostile: attack: victim is pid ");
	ASSERT_LINE("hostile: environ: blocked (EACCES)");
	ASSERT_LINE("hostile: fd-dir: blocked (EACCES)");
	for (int fd = 3; fd < 8; fd++) {
		char want[64];

		snprintf(want, sizeof want, "hostile: fd-%d: blocked (EACCES)", fd);
		ASSERT_LINE(want);
	}
	ASSERT_LINE("hostile: mem: blocked (EACCES)");
	ASSERT_LINE("hostile: root: blocked (EACCES)");
	ASSERT_LINE("hostile: creds-file: blocked (EACCES)");
	ASSERT_LINE("hostile: creds-dir: blocked (EACCES)");
	ASSERT_LINE("hostile: ptrace: blocked (EPERM)");
	ASSERT_LINE("hostile: process_vm_readv: blocked (EPERM)");
	/* no inherited fd beyond stdin, stdout and stderr */
	ASSERT_LINE("hostile: fds:  0 1 2");
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: fds: "), 1);
	/* no capability in any set, before and after the setuid exec */
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: STATUS CapInh: 0000000000000000"), 2);
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: STATUS CapPrm: 0000000000000000"), 2);
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: STATUS CapEff: 0000000000000000"), 2);
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: STATUS CapBnd: 0000000000000000"), 2);
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: STATUS CapAmb: 0000000000000000"), 2);
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: STATUS NoNewPrivs: 1"), 2);
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: STATUS Seccomp: 2"), 2);
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: STATUS Uid: 0 "), 0);
	ck_assert_int_eq(h_count_lines(&h, "out", "hostile: euid: 0"), 0);
	ASSERT_LINE("hostile: euid: ");

	/* the attempts the filter saw were reported, and the actor lived on */
	ck_assert_int_ge(h_count_lines(&h, "err", "prospero: hostile: sandbox violation: ptrace(PTRACE_ATTACH, "), 1);
	ck_assert_int_ge(h_count_lines(&h, "err", "prospero: hostile: sandbox violation: process_vm_readv("), 1);
	h_stop(&h);
	assert_nowhere(VICTIM_VALUE);
}
END_TEST

START_TEST(every_secret_source_delivers_and_the_first_wins)
{
	char want[256];
	struct stat st;
	const char *extra[] = { "--secrets-dir", NULL, "--runtime-dir", NULL, NULL };
	char sdir[512], run[512];

	ck_assert_int_eq(mkdir(h_path(&h, "creds"), 0700), 0);
	write_file("creds/CRED_A", CRED_VALUE, 0400);
	write_file("creds/SHARED", CRED_VALUE, 0400);
	ck_assert_int_eq(mkdir(h_path(&h, "sdir"), 0700), 0);
	write_file("sdir/SDIR_B", SDIR_VALUE, 0600);
	write_file("sdir/SHARED", SDIR_VALUE, 0600);
	write_file(".dev.vars", "# development only\nDEV_C=\"" DEV_VALUE "\"\nSHARED=" DEV_VALUE "\n", 0600);
	ck_assert_int_eq(mkdir(h_path(&h, "run"), 0755), 0);
	snprintf(sdir, sizeof sdir, "%s", h_path(&h, "sdir"));
	snprintf(run, sizeof run, "%s", h_path(&h, "run"));
	extra[1] = sdir;
	extra[3] = run;
	ck_assert_int_eq(setenv("CREDENTIALS_DIRECTORY", h_path(&h, "creds"), 1), 0);
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"reader\", \"exec\": [\"@H@\", \"--show-secret\", \"CRED_A\", \"--show-secret\", \"SDIR_B\",\n"
		"      \"--show-secret\", \"DEV_C\", \"--show-secret\", \"SHARED\", \"--notify\"], \"ready\": \"notify\",\n"
		"    \"secrets\": [\"CRED_A\", \"SDIR_B\", \"DEV_C\", \"SHARED\"] },\n"
		"  { \"actor\": \"legacy\", \"exec\": [\"@H@\", \"--show-secret\", \"DEV_C\", \"--notify\"], \"ready\": \"notify\",\n"
		"    \"secrets\": [\"DEV_C\"], \"secrets_env\": true } ] }\n");
	h_start_with(&h, root_only, extra);
	h_expect(&h, "ready", "root", NULL);

	snprintf(want, sizeof want, "reader: secret: CRED_A len %zu fnv %016" PRIx64 " mode 0400",
		 strlen(CRED_VALUE), fnv1a(CRED_VALUE));
	ASSERT_LINE(want);
	snprintf(want, sizeof want, "reader: secret: SDIR_B len %zu fnv %016" PRIx64 " mode 0400",
		 strlen(SDIR_VALUE), fnv1a(SDIR_VALUE));
	ASSERT_LINE(want);
	snprintf(want, sizeof want, "reader: secret: DEV_C len %zu fnv %016" PRIx64 " mode 0400",
		 strlen(DEV_VALUE), fnv1a(DEV_VALUE));
	ASSERT_LINE(want);
	/* $CREDENTIALS_DIRECTORY comes first */
	snprintf(want, sizeof want, "reader: secret: SHARED len %zu fnv %016" PRIx64 " mode 0400",
		 strlen(CRED_VALUE), fnv1a(CRED_VALUE));
	ASSERT_LINE(want);
	/* not in the environment unless asked for */
	ASSERT_LINE("reader: env: CRED_A absent");
	snprintf(want, sizeof want, "legacy: env: DEV_C len %zu fnv %016" PRIx64,
		 strlen(DEV_VALUE), fnv1a(DEV_VALUE));
	ASSERT_LINE(want);
	/* a directory of its own, 0500, owned by the actor's uid, not root */
	ck_assert_int_eq(h_count_lines(&h, "out", "reader: creds-dir: mode 0500 uid "), 4);
	ck_assert_int_eq(h_count_lines(&h, "out", "reader: creds-dir: mode 0500 uid 0 "), 0);
	ck_assert_int_eq(stat(h_path(&h, "run/credentials/reader"), &st), 0);
	ck_assert_uint_ne(st.st_uid, 0);

	h_stop(&h);
	/* removed when the actor stopped */
	ck_assert_int_eq(stat(h_path(&h, "run/credentials/reader"), &st), -1);
	ck_assert_int_eq(stat(h_path(&h, "run/credentials"), &st), -1);
	assert_nowhere(CRED_VALUE);
	assert_nowhere(SDIR_VALUE);
	assert_nowhere(DEV_VALUE);
}
END_TEST

START_TEST(a_missing_secret_fails_the_start_with_a_clear_error)
{
	struct h_event e;
	char want[1024];

	write_file(".dev.vars", "OTHER=" DEV_VALUE "\n", 0600);
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"needy\", \"exec\": [\"@H@\"], \"secrets\": [\"NOPE\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "exit", "needy", &e);
	snprintf(want, sizeof want, "could not start: secret \"NOPE\" not found in .dev.vars (./.dev.vars)");
	ck_assert_str_eq(e.reason, want);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero: exit needy: could not start: secret \"NOPE\" not found"), 1);
	assert_nowhere(DEV_VALUE);
}
END_TEST

/* Each variable of "envdump"'s environment (lines "envdump: NAME=value"
 * in the daemon's output) is there once. */
static void assert_names_once(void)
{
	char buf[1 << 16];
	const char *names[256];
	size_t lens[256], n = 0;
	int len = h_read(&h, "out", buf, sizeof buf - 1);

	ck_assert_int_gt(len, 0);
	buf[len] = 0;
	for (char *line = buf; (line = strstr(line, "envdump: ")) && n < 256; line++) {
		const char *name = line + strlen("envdump: ");
		size_t k = strcspn(name, "=\n");

		for (size_t i = 0; i < n; i++)
			ck_assert_msg(lens[i] != k || memcmp(names[i], name, k) != 0,
				      "%.*s twice in the environment", (int)k, name);
		names[n] = name;
		lens[n++] = k;
	}
	ck_assert_uint_gt(n, 0);
}

/* With "secrets_env" a secret replaces what "env" (and the daemon's
 * PATH) would give, once, and check says so; one named like a variable
 * the daemon sets cannot be delivered that way, and check refuses it. */
START_TEST(secrets_in_the_environment_replace_env_but_never_the_daemons_variables)
{
	const char *check[] = { "check", "-c", "root.jsonc", NULL };
	char want[512];

	write_file(".dev.vars", "NOTIFY_SOCKET=evil\nPATH=/evil\nMYVAR=secretval\n", 0600);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"envdump\", \"exec\": [\"/usr/bin/env\"], \"restart\": \"temporary\",\n"
		"    \"secrets\": [\"NOTIFY_SOCKET\", \"PATH\", \"MYVAR\"], \"secrets_env\": true,\n"
		"    \"env\": {\"MYVAR\": \"fromenv\"} } ] }\n");
	ck_assert_int_eq(h_run(&h, check), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:3:17: error: \"secrets\"[0]: \"NOTIFY_SOCKET\" "
				       "cannot go in the environment (\"secrets_env\": true): the daemon sets "
				       "NOTIFY_SOCKET itself; rename the secret"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:3:42: warning: \"secrets\"[2]: \"MYVAR\" "
				       "is set by \"env\" too: with \"secrets_env\" the secret's value replaces it"), 1);
	/* "PATH" is neither the daemon's own nor in "env": nothing to say */
	ck_assert_int_eq(h_lines_with(&h, "run.err", "prospero: ", "\"PATH\""), 0);

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"envdump\", \"exec\": [\"/usr/bin/env\"], \"restart\": \"temporary\",\n"
		"    \"secrets\": [\"PATH\", \"MYVAR\"], \"secrets_env\": true,\n"
		"    \"env\": {\"MYVAR\": \"fromenv\", \"NOTIFY_SOCKET\": \"evil\"} } ] }\n");
	h_start(&h, root_only);
	wait_line("envdump: PROSPERO_FDNAMES=");
	h_stop(&h);
	assert_names_once();
	ASSERT_LINE("envdump: MYVAR=secretval");
	ASSERT_LINE("envdump: PATH=/evil");
	snprintf(want, sizeof want, "envdump: NOTIFY_SOCKET=%s/notify", h.rundir);
	ASSERT_LINE(want);
	ck_assert_int_eq(h_count_lines(&h, "out", "envdump: CREDENTIALS_DIRECTORY=/"), 1);
}
END_TEST

/* Each shipped profile stops a call it forbids and names it, while the
 * workload it is meant for runs. errno mode, so the actors live on. */
START_TEST(each_profile_names_the_call_it_forbids_and_runs_its_workload)
{
	struct h_event e;
	bool seen[4] = { false };
	/* i386 where the kernel can enter it (see tests/common/i386_entry.h), else x32 */
	const char *abi = i386_entry_works() ? "i386" : "x32";
	char cfg[2048];

	snprintf(cfg, sizeof cfg,
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"min\", \"exec\": [\"@H@\", \"--workload\", \"sleep\", \"--syscall\", \"mkdir\", \"--notify\"],\n"
		"    \"ready\": \"notify\", \"sandbox\": { \"profile\": \"minimal\", \"on_violation\": \"errno\" } },\n"
		"  { \"actor\": \"svc\", \"exec\": [\"@H@\", \"--workload\", \"io,sleep,epoll,fork\", \"--syscall\", \"inet\", \"--notify\"],\n"
		"    \"ready\": \"notify\", \"sandbox\": { \"on_violation\": \"errno\" } },\n"
		"  { \"actor\": \"net\", \"exec\": [\"@H@\", \"--workload\", \"io,sleep,epoll,fork,inet\", \"--syscall\", \"mount\", \"--notify\"],\n"
		"    \"ready\": \"notify\", \"sandbox\": { \"profile\": \"network\", \"on_violation\": \"errno\" } },\n"
		"  { \"actor\": \"abi\", \"exec\": [\"@H@\", \"--syscall\", \"%s\", \"--notify\"],\n"
		"    \"ready\": \"notify\", \"sandbox\": { \"on_violation\": \"errno\" } } ] }\n", abi);
	write_config("root.jsonc", cfg);
	h_start(&h, root_only);
	while (!(seen[0] && seen[1] && seen[2] && seen[3])) {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "not every violation was reported");
		if (strcmp(e.event, "violation") != 0)
			continue;
		ck_assert_msg(strstr(e.line, "\"action\": \"errno\""), "%s", e.line);
		if (strcmp(e.name, "min") == 0) {
			ck_assert_msg(strstr(e.line, "\"syscall\": \"mkdir\""), "%s", e.line);
			ck_assert_msg(strncmp(e.reason, "sandbox violation: mkdir(", 25) == 0, "%s", e.reason);
			seen[0] = true;
		} else if (strcmp(e.name, "svc") == 0) {
			ck_assert_msg(strstr(e.line, "\"syscall\": \"socket\""), "%s", e.line);
			ck_assert_str_eq(e.reason, "sandbox violation: socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)");
			seen[1] = true;
		} else if (strcmp(e.name, "net") == 0) {
			ck_assert_msg(strstr(e.line, "\"syscall\": \"mount\""), "%s", e.line);
			seen[2] = true;
		} else if (strcmp(e.name, "abi") == 0) {
			/* getpid: allowed natively, denied through another ABI */
			char want[64];

			snprintf(want, sizeof want, "sandbox violation: getpid() [%s ABI]", abi);
			ck_assert_str_eq(e.reason, want);
			seen[3] = true;
		}
	}
	h_expect(&h, "ready", "root", NULL);
	ASSERT_LINE("min: workload: sleep ok");
	ASSERT_LINE("min: syscall: mkdir -> EPERM");
	ASSERT_LINE("svc: workload: io ok");
	ASSERT_LINE("svc: workload: sleep ok");
	ASSERT_LINE("svc: workload: epoll ok");
	ASSERT_LINE("svc: workload: fork ok");
	ASSERT_LINE("svc: syscall: inet -> EPERM");
	ASSERT_LINE("net: workload: inet ok");
	ASSERT_LINE("net: workload: fork ok");
	ASSERT_LINE("net: syscall: mount -> EPERM");
	snprintf(cfg, sizeof cfg, "abi: syscall: %s -> EPERM", abi);
	ASSERT_LINE(cfg);
	h_stop(&h);
}
END_TEST

/* A body over one datagram travels as a sealed memfd (libprospero), both
 * ways, under each shipped profile: the call and its echo arrive intact,
 * and no memfd_create is taken for a violation. "minimal" gets what an
 * event loop needs, as the examples give it. */
START_TEST(a_large_body_crosses_a_binding_under_every_profile)
{
	static const char *const profiles[] = {
		"\"profile\": \"minimal\", \"allow\": [\"@io-event\", \"eventfd2\"]",
		"\"profile\": \"service\"",
		"\"profile\": \"network\"",
	};
	static const char *const names[] = { "min", "svc", "net" };
	const char *bb = getenv("BIGBODY");
	char cfg[4096], line[64], *events;
	size_t n;
	int len;

	ck_assert_msg(bb != NULL, "BIGBODY not set: run with make check");
	n = (size_t)snprintf(cfg, sizeof cfg, "{ \"supervisor\": \"root\", \"children\": [\n");
	for (int i = 0; i < 3; i++)
		n += (size_t)snprintf(cfg + n, sizeof cfg - n,
			"  { \"actor\": \"echo-%s\", \"exec\": [\"%s\", \"serve\"], \"ready\": \"notify\",\n"
			"    \"sandbox\": { %s } },\n"
			"  { \"actor\": \"call-%s\", \"exec\": [\"%s\", \"call\", \"ECHO\", \"70000\"],\n"
			"    \"bindings\": { \"ECHO\": \"echo-%s\" }, \"sandbox\": { %s } }%s\n",
			names[i], bb, profiles[i], names[i], bb, names[i], profiles[i], i < 2 ? "," : "");
	snprintf(cfg + n, sizeof cfg - n, "] }\n");
	ck_assert_uint_lt(n, sizeof cfg - 8);
	write_config("root.jsonc", cfg);
	h_start(&h, root_only);
	for (int i = 0; i < 3; i++) {
		snprintf(line, sizeof line, "call-%s: intact 70000", names[i]);
		wait_line(line);
	}
	events = calloc(1, 1 << 20);
	ck_assert_ptr_nonnull(events);
	len = h_read(&h, "events", events, (1 << 20) - 1);
	ck_assert_int_gt(len, 0);
	ck_assert_msg(!strstr(events, "\"violation\""), "%s", events);
	free(events);
	h_stop(&h);
}
END_TEST

START_TEST(a_violation_in_kill_mode_kills_and_is_the_restart_reason)
{
	struct h_event e;

	/* it violates at every start: an intensity it cannot spend before the
	 * stop, however fast the restarts come */
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 86400, \"children\": [\n"
		"  { \"actor\": \"payment\", \"exec\": [\"@H@\", \"--syscall\", \"ptrace\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "violation", "payment", &e);
	ck_assert_str_eq(e.reason, "sandbox violation: ptrace(PTRACE_ATTACH, 1)");
	ck_assert_msg(strstr(e.line, "\"syscall\": \"ptrace\", \"args\": \"PTRACE_ATTACH, 1\", \"action\": \"kill\""),
		      "%s", e.line);
	h_expect(&h, "exit", "payment", &e);
	ck_assert_str_eq(e.signal, "SIGKILL");
	ck_assert_str_eq(e.reason, "sandbox violation: ptrace(PTRACE_ATTACH, 1)");
	h_expect(&h, "restart", "payment", &e);
	ck_assert_str_eq(e.reason, "sandbox violation: ptrace(PTRACE_ATTACH, 1)");
	ck_assert_int_eq(h_count_lines(&h, "out", "payment: syscall: ptrace ->"), 0);	/* it never returned */
	ck_assert_int_ge(h_count_lines(&h, "err", "prospero: payment: sandbox violation: ptrace(PTRACE_ATTACH, 1) — killed"), 1);
	h_stop(&h);
}
END_TEST

/* The value of KEY ("Uid:") in /proc/PID/status, up to its line's end,
 * in BUF. */
static const char *status_field(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], text[4096], *at;
	size_t klen = strlen(key);
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = read(fd, text, sizeof text - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	text[n] = '\0';
	for (at = text; strncmp(at, key, klen) != 0; at++) {
		at = strchr(at, '\n');
		ck_assert_msg(at, "no %s in /proc/%d/status", key, (int)pid);
	}
	at += klen + strspn(at + klen, "\t ");
	snprintf(buf, len, "%.*s", (int)strcspn(at, "\n"), at);
	return buf;
}

/* The uid of process PID, from /proc. */
static long uid_of(pid_t pid)
{
	char buf[64];

	return strtol(status_field(pid, "Uid:", buf, sizeof buf), NULL, 10);
}

/* Two daemons on one host, each with an actor called "twin": the name
 * hashes to the same dynamic uid, and only the shared registry keeps the
 * second daemon from handing it out again. */
START_TEST(two_daemons_never_share_a_dynamic_uid)
{
	static struct h other;
	struct h_event e1, e2;
	char cfg[1024];
	long u1, u2;

	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"twin\", \"exec\": [\"%s\", \"--notify\"], \"ready\": \"notify\" } ] }\n",
		 hostile);
	h_init(&other);
	h_write(&h, "root.jsonc", cfg);
	h_write(&other, "root.jsonc", cfg);
	h_start(&h, root_only);
	h_expect(&h, "start", "twin", &e1);
	h_expect(&h, "ready", "twin", NULL);
	h_start(&other, root_only);
	h_expect(&other, "start", "twin", &e2);
	h_expect(&other, "ready", "twin", NULL);
	u1 = uid_of(e1.pid);
	u2 = uid_of(e2.pid);
	ck_assert_int_ne(u1, 0);
	ck_assert_int_ne(u2, 0);
	ck_assert_msg(u1 != u2, "both actors run as uid %ld", u1);
	h_stop(&h);
	h_signal(&other, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&other, H_TIMEOUT_MS), 0);
	h_fini(&other);
}
END_TEST

/* Violating at every start, the actor exhausts the intensity (1 restart
 * in 5 s): the give_up names the violation, not the SIGKILL behind it. */
START_TEST(giving_up_on_a_violating_actor_names_the_violation)
{
	struct h_event e;

	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"payment\", \"exec\": [\"@H@\", \"--syscall\", \"ptrace\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "restart", "payment", NULL);
	h_expect(&h, "give_up", "root", &e);
	ck_assert_str_eq(e.reason, "more than 1 restart in 5 s; last: payment: sandbox violation: ptrace(PTRACE_ATTACH, 1)");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 3);
}
END_TEST

START_TEST(errno_mode_keeps_the_actor_alive_and_rate_limits_reports)
{
	struct h_event e;
	char cfg[4096];
	int violations = 0;
	pid_t pid = 0;

	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"noisy\", \"exec\": [\"@H@\"%s, \"--notify\"], \"ready\": \"notify\",\n"
		 "    \"sandbox\": { \"on_violation\": \"errno\" } } ] }\n",
		 ", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\","
		 " \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\","
		 " \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\"");
	write_config("root.jsonc", cfg);
	h_start(&h, root_only);
	h_expect(&h, "start", "noisy", &e);
	pid = e.pid;
	/* until all twelve are made: it is ready after them, and the daemon
	 * writes each call's report in the turn that answers the call, before
	 * it can read the READY=1 that follows */
	for (bool ready = false; !ready;) {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "noisy never became ready");
		ck_assert_msg(strcmp(e.event, "exit") != 0, "the actor ended: %s", e.line);
		if (strcmp(e.event, "violation") == 0) {
			ck_assert_str_eq(e.reason, "sandbox violation: ptrace(PTRACE_ATTACH, 1)");
			violations++;
		}
		ready = strcmp(e.event, "ready") == 0 && strcmp(e.name, "noisy") == 0;
	}
	/* a burst of five reported; twelve calls, each answered EPERM (its
	 * output comes through a pipe, and may be relayed after its READY=1) */
	ck_assert_int_eq(violations, 5);
	for (int waited = 0; h_count_lines(&h, "out", "noisy: syscall: ptrace -> EPERM") < 12; waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "fewer than twelve calls answered EPERM");
		h_sleep_ms(10);
	}
	ck_assert_int_eq(h_count_lines(&h, "out", "noisy: syscall: ptrace -> EPERM"), 12);
	ck_assert(h_alive(pid));
	/* and the seven left out are counted once a report may go again,
	 * though no call follows them: the last shown, six more not */
	do {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "the calls left out were never reported");
		ck_assert_msg(strcmp(e.event, "exit") != 0, "the actor ended: %s", e.line);
	} while (strcmp(e.event, "violation") != 0);
	ck_assert_msg(strstr(e.line, "\"suppressed\": 6"), "%s", e.line);
	/* its log line may be written a moment after the event */
	for (int waited = 0; waited < H_TIMEOUT_MS && h_count_lines(&h, "err", "prospero: noisy: sandbox violation: ") < 6;
	     waited += 10)
		h_sleep_ms(10);
	ck_assert_int_eq(h_count_lines(&h, "err",
				       "prospero: noisy: sandbox violation: ptrace(PTRACE_ATTACH, 1) — denied (EPERM) (6 more not shown)"),
			 1);
	ck_assert(h_alive(pid));
	h_stop(&h);
}
END_TEST

/* Eight such calls, and the actor stopped at once: the ones left out
 * are told before its end is. */
START_TEST(calls_left_out_are_told_before_the_actors_end)
{
	struct h_event e;
	char cfg[4096];
	int violations = 0;
	bool told = false;

	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"noisy\", \"exec\": [\"@H@\"%s, \"--notify\"], \"ready\": \"notify\",\n"
		 "    \"sandbox\": { \"on_violation\": \"errno\" } } ] }\n",
		 ", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\","
		 " \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\", \"--syscall\", \"ptrace\"");
	write_config("root.jsonc", cfg);
	h_start(&h, root_only);
	/* until all eight are made (it is ready after them): a stop before
	 * would leave nothing out; a slow run may see them told already */
	while (h_next(&h, &e, H_TIMEOUT_MS)) {
		if (strcmp(e.event, "violation") == 0 && strstr(e.line, "\"suppressed\": 2"))
			told = true;
		else if (strcmp(e.event, "violation") == 0)
			violations++;
		if (strcmp(e.event, "ready") == 0 && strcmp(e.name, "noisy") == 0)
			break;
	}
	ck_assert_int_eq(violations, 5);
	h_signal(&h, SIGTERM);
	while (!told && h_next(&h, &e, H_TIMEOUT_MS)) {
		if (strcmp(e.event, "violation") == 0) {
			ck_assert_msg(strstr(e.line, "\"suppressed\": 2"), "%s", e.line);
			told = true;
		}
		if (strcmp(e.event, "exit") == 0 && strcmp(e.name, "noisy") == 0)
			break;
	}
	ck_assert_msg(told, "the three calls left out were not told before the actor's end");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* Its program too: the child execs it after its own /tmp is mounted, so
 * a program in the host's /tmp could only fail to start ("exec PATH: No
 * such file or directory"), and check said "configuration ok". */
START_TEST(check_refuses_private_tmp_that_would_hide_the_program)
{
	char want[1024];

	if (strncmp(h.dir, "/tmp/", 5) != 0)
		return;	/* the program must be in /tmp */
	ck_assert_int_eq(symlink(getenv("TESTACTOR"), h_path(&h, "ta")), 0);
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"p\", \"exec\": [\"./ta\"], \"private_tmp\": true, \"cwd\": \"/\" } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/run/prospero-nowhere", NULL }), 1);
	snprintf(want, sizeof want, "prospero: root.jsonc:2:52: error: actor \"p\": \"private_tmp\" would hide its "
		 "executable %s from it (its own /tmp is mounted before the exec): put the program outside /tmp",
		 h_path(&h, "ta"));
	ck_assert_int_eq(h_count_lines(&h, "run.err", want), 1);
}
END_TEST

/* run refuses "private_tmp" to an actor whose runtime or state directory
 * it would hide; check says so first, where "private_tmp" is written. */
START_TEST(check_refuses_private_tmp_that_would_hide_the_daemons_directories)
{
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"kept\", \"exec\": [\"/bin/true\"], \"private_tmp\": true, \"state\": true } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/tmp/prospero-nowhere", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:60: error: actor \"kept\": \"private_tmp\" "
				       "would hide the runtime directory /tmp/prospero-nowhere from it: pass --runtime-dir outside /tmp"), 1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/run/prospero-nowhere", "--state-dir", "/var/tmp/nowhere", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:60: error: actor \"kept\": \"private_tmp\" "
				       "would hide the state directory /var/tmp/nowhere/kept from it: pass --state-dir outside /var/tmp"), 1);
	/* both, when both are hidden (the state directory was said only once
	 * the runtime directory had moved) */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/tmp/prospero-nowhere", "--state-dir", "/var/tmp/nowhere", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:60: error: actor \"kept\": \"private_tmp\" "
				       "would hide the runtime directory /tmp/prospero-nowhere from it"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:60: error: actor \"kept\": \"private_tmp\" "
				       "would hide the state directory /var/tmp/nowhere/kept from it"), 1);
	/* the fresh /var/tmp hides it, and the message names that, not
	 * /tmp, as the old one did */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/var/tmp/prospero-nowhere", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:60: error: actor \"kept\": \"private_tmp\" "
				       "would hide the runtime directory /var/tmp/prospero-nowhere from it: pass --runtime-dir "
				       "outside /var/tmp"), 1);
	/* its cwd, the file's directory here, is in the host's /tmp: it would
	 * work there while it had a /tmp of its own, which the old check did
	 * not say */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/run/prospero-nowhere", "--state-dir", "/var/lib/nowhere", NULL }), 0);
	ck_assert_msg(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:60: warning: actor \"kept\": \"private_tmp\" "
				    "gives it a /tmp of its own, but its cwd ") == 1 || strncmp(h.dir, "/tmp/", 5) != 0,
		      "no word of a cwd in /tmp");
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"kept\", \"exec\": [\"/bin/true\"], \"private_tmp\": true, \"state\": true, \"cwd\": \"/\" } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/run/prospero-nowhere", "--state-dir", "/var/lib/nowhere", NULL }), 0);
	/* as root, the /dev/shm of its own (private_ipc) would hide a runtime
	 * directory there: a notify actor never got ready, with no word why */
	if (geteuid() == 0) {
		ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
								  "/dev/shm/prospero-nowhere", NULL }), 1);
		ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:5: error: actor \"kept\": \"private_ipc\" "
					       "would hide the runtime directory /dev/shm/prospero-nowhere from it: pass "
					       "--runtime-dir outside /dev/shm, or set \"private_ipc\": false"), 1);
	}
}
END_TEST

/* The paths keep their ".." (prospero(1)), so a directory is hidden by
 * where it really is, not by how it is written: a state root written
 * /var/lib/../../var/tmp/... is in /var/tmp, and was passed by check and
 * run, its actor then finding no $STATE_DIRECTORY under its own /var/tmp. */
START_TEST(private_tmp_sees_through_dot_dot_in_the_daemons_directories)
{
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"kept\", \"exec\": [\"/bin/true\"], \"private_tmp\": true, \"state\": true, \"cwd\": \"/\" } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/run/prospero-nowhere", "--state-dir", "/var/lib/../../var/tmp/nowhere",
							  NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:60: error: actor \"kept\": \"private_tmp\" "
				       "would hide the state directory /var/lib/../../var/tmp/nowhere/kept from it: pass "
				       "--state-dir outside /var/tmp"), 1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/run/../tmp/prospero-nowhere", "--state-dir", "/var/lib/nowhere", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:60: error: actor \"kept\": \"private_tmp\" "
				       "would hide the runtime directory /run/../tmp/prospero-nowhere from it: pass "
				       "--runtime-dir outside /tmp"), 1);
	/* and one written in /tmp that is not there is no refusal */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--runtime-dir",
							  "/run/prospero-nowhere", "--state-dir", "/tmp/../var/lib/nowhere", NULL }), 0);
}
END_TEST

START_TEST(check_warns_about_unconfined_and_env_secrets_and_explains)
{
	const char *check[] = { "check", "-c", "root.jsonc", NULL };
	const char *explain[] = { "check", "-c", "root.jsonc", "--explain", "svc", NULL };
	char buf[1 << 16], want[512];
	int n;

	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"free\", \"exec\": [\"@H@\"], \"sandbox\": { \"profile\": \"none\" } },\n"
		"  { \"actor\": \"svc\", \"exec\": [\"@H@\"], \"secrets\": [\"K\"], \"secrets_env\": true,\n"
		"    \"sandbox\": { \"deny\": [\"mkdir\"] } } ] }\n");
	ck_assert_int_eq(h_run(&h, check), 0);
	/* the columns move with the length of the actor's path */
	snprintf(want, sizeof want, "prospero: root.jsonc:2:%zu: warning: actor \"free\" runs without a seccomp filter (\"profile\": \"none\"): any system call is allowed",
		 60 + strlen(hostile));
	ck_assert_int_eq(h_count_lines(&h, "run.err", want), 1);
	snprintf(want, sizeof want, "prospero: root.jsonc:3:%zu: warning: actor \"svc\" gets its secrets in the environment too (\"secrets_env\": true): every process it starts inherits them",
		 68 + strlen(hostile));
	ck_assert_int_eq(h_count_lines(&h, "run.err", want), 1);
	ck_assert_int_eq(h_run(&h, explain), 0);
	n = h_read(&h, "run.out", buf, sizeof buf - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	ck_assert_msg(strstr(buf, "  seccomp profile: service, on_violation: kill\n"), "%s", buf);
	ck_assert_msg(strstr(buf, "\n    socket (AF_UNIX only)\n"), "%s", buf);
	ck_assert_msg(strstr(buf, "\n    epoll_wait\n"), "%s", buf);
	/* as the filter has it: the old explain listed a plain shutdown */
	ck_assert_msg(strstr(buf, "\n    shutdown (not on the control channel or a binding)\n"), "%s", buf);
	ck_assert_msg(!strstr(buf, "\n    mkdir\n"), "denied mkdir listed: %s", buf);
	ck_assert_msg(!strstr(buf, "\n    ptrace"), "ptrace listed: %s", buf);
	ck_assert_msg(strstr(buf, "  secret: K (also in the environment)\n"), "%s", buf);
}
END_TEST

/* A capability the daemon does not hold (permitted and bounding) cannot
 * be kept for an actor: check and reload took such a tree, and its start
 * failed with "capset: Operation not permitted". All three now refuse it
 * where it is written. The test's own process (Check forks one per test) drops
 * CAP_NET_RAW from its bounding set, so the root daemon it starts never
 * has it. */
START_TEST(a_capability_the_daemon_cannot_give_is_refused_where_it_is_written)
{
	static const char *const more[] = { "more.jsonc", NULL };

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0), 0);
	write_config("more.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"raw\", \"capabilities\": [\"CAP_NET_RAW\", \"CAP_KILL\"], \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "more.jsonc", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: more.jsonc:2:37: error: actor \"raw\": \"capabilities\": "
				       "this daemon cannot give CAP_NET_RAW (not in its permitted and bounding sets): drop it, "
				       "or start the daemon with it (CapabilityBoundingSet= under systemd)"), 1);

	/* run refuses it before it starts anything, in the same words */
	h_start(&h, more);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero: more.jsonc:2:37: error: actor \"raw\": \"capabilities\": "
				       "this daemon cannot give CAP_NET_RAW"), 1);

	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"raw\", \"exec\": [\"@TA@\"], \"capabilities\": [\"CAP_KILL\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "raw", NULL);
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"raw\", \"capabilities\": [\"CAP_KILL\", \"CAP_NET_RAW\"], \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "reload", "--runtime-dir", h.rundir, NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:37: error: actor \"raw\": \"capabilities\": "
				       "this daemon cannot give CAP_NET_RAW"), 1);
	h_stop(&h);
}
END_TEST

/* The daemon narrows its own bounding set, once, to the capabilities its
 * actors keep: a root shell's full set cost every start 41
 * PR_CAPBSET_DROPs, each a commit of new credentials. Every actor still
 * keeps exactly its own, and a reload can still give one the daemon no
 * longer bounds (it stays inheritable to the daemon). */
START_TEST(the_daemon_narrows_its_bounding_set_to_what_actors_keep)
{
	char bnd[32];

	if (geteuid() != 0)
		return;
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"bind\", \"capabilities\": [\"CAP_NET_BIND_SERVICE\"], \"restart\": \"temporary\",\n"
		"    \"exec\": [\"/bin/grep\", \"^Cap\", \"/proc/self/status\"] },\n"
		"  { \"actor\": \"none\", \"restart\": \"temporary\",\n"
		"    \"exec\": [\"/bin/grep\", \"^Cap\", \"/proc/self/status\"] } ] }\n");
	h_start(&h, root_only);
	for (int ended = 0; ended < 2;) {	/* in either order */
		struct h_event e;

		ck_assert(h_next(&h, &e, H_TIMEOUT_MS));
		ended += strcmp(e.event, "exit") == 0;
	}
	ck_assert_int_eq(h_count_lines(&h, "out", "bind: CapEff:\t0000000000000400"), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "bind: CapAmb:\t0000000000000400"), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "bind: CapBnd:\t0000000000000400"), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "none: CapEff:\t0000000000000000"), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "none: CapBnd:\t0000000000000000"), 1);

	ck_assert_str_eq(status_field(h.pid, "CapBnd:", bnd, sizeof bnd), "0000000000000400");

	/* CAP_KILL is outside the daemon's bounding set now */
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"kill\", \"capabilities\": [\"CAP_KILL\"], \"restart\": \"temporary\",\n"
		"    \"exec\": [\"/bin/grep\", \"^Cap\", \"/proc/self/status\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "reload", "--runtime-dir", h.rundir, NULL }), 0);
	h_expect(&h, "exit", "kill", NULL);
	ck_assert_int_eq(h_count_lines(&h, "out", "kill: CapEff:\t0000000000000020"), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "kill: CapAmb:\t0000000000000020"), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "kill: CapBnd:\t0000000000000000"), 1);
	h_stop(&h);
}
END_TEST

/* Twenty capabilities it cannot give are all named, whole: the list was
 * cut at 256 bytes, mid-name and in lower case ("cap_sys_rawi"), and
 * said "drop it" of many. */
START_TEST(many_capabilities_the_daemon_cannot_give_are_each_named)
{
	static const int caps[] = {
		CAP_DAC_READ_SEARCH, CAP_FSETID, CAP_LINUX_IMMUTABLE, CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST,
		CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK, CAP_IPC_OWNER, CAP_SYS_MODULE, CAP_SYS_RAWIO,
		CAP_SYS_CHROOT, CAP_SYS_PTRACE, CAP_SYS_PACCT, CAP_SYS_BOOT, CAP_SYS_NICE, CAP_SYS_TIME,
		CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_LEASE,
	};
	static const char names[] =
		"CAP_DAC_READ_SEARCH, CAP_FSETID, CAP_LINUX_IMMUTABLE, CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST, "
		"CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK, CAP_IPC_OWNER, CAP_SYS_MODULE, CAP_SYS_RAWIO, "
		"CAP_SYS_CHROOT, CAP_SYS_PTRACE, CAP_SYS_PACCT, CAP_SYS_BOOT, CAP_SYS_NICE, CAP_SYS_TIME, "
		"CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_LEASE";
	char cfg[1024], want[1024];
	const char *q = names;
	size_t off;

	if (geteuid() != 0)
		return;
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
		ck_assert_int_eq(prctl(PR_CAPBSET_DROP, caps[i], 0, 0, 0), 0);
	off = (size_t)snprintf(cfg, sizeof cfg, "{ \"supervisor\": \"root\", \"children\": [\n"
			       "  { \"actor\": \"many\", \"capabilities\": [");
	/* the same list, each name quoted */
	while (*q) {
		size_t n = strcspn(q, ",");

		off += (size_t)snprintf(cfg + off, sizeof cfg - off, "%s\"%.*s\"", q == names ? "" : ", ", (int)n, q);
		q += n;
		q += strspn(q, ", ");
	}
	snprintf(cfg + off, sizeof cfg - off, "], \"exec\": [\"@TA@\"] } ] }\n");
	write_config("more.jsonc", cfg);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "more.jsonc", NULL }), 1);
	snprintf(want, sizeof want, "prospero: more.jsonc:2:38: error: actor \"many\": \"capabilities\": this daemon "
		 "cannot give %s (not in its permitted and bounding sets): drop them, or start the daemon with "
		 "them (CapabilityBoundingSet= under systemd)", names);
	ck_assert_int_eq(h_count_lines(&h, "run.err", want), 1);
}
END_TEST

/* An IPC namespace and /dev/shm of its own need CAP_SYS_ADMIN, which a
 * root daemon in a container may lack: its actors get the host's, as
 * explain says, and start (the old daemon failed every start, "set up
 * namespaces (unshare(CLONE_NEWIPC)): Operation not permitted", for a
 * default no one asked for); "private_tmp", asked for, is refused. */
START_TEST(a_root_daemon_without_cap_sys_admin_gives_the_hosts_ipc)
{
	char mine[64], its[64], out[16384];
	struct h_event e;

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0), 0);
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\n  the host's IPC namespace and /dev/shm (making its own needs CAP_SYS_ADMIN)\n"),
		      "%.2000s", out);
	h_start(&h, root_only);
	h_expect(&h, "start", "a", &e);
	h_expect(&h, "ready", "root", NULL);
	h_ns_id(e.pid, "ipc", its, sizeof its);
	h_ns_id(0, "ipc", mine, sizeof mine);
	ck_assert_str_eq(its, mine);
	h_stop(&h);
	write_config("root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"private_tmp\": true, \"cwd\": \"/\" } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(h_lines_with(&h, "run.err", "prospero: root.jsonc:2:", "error: actor \"a\": \"private_tmp\" "
				      "needs a daemon that may make namespaces (root, CAP_SYS_ADMIN)"), 1);
}
END_TEST

/* systemd's own dynamic users (a lock file /run/systemd/dynamic-uid/N
 * each, when nss-systemd is not configured) are not the range's to give:
 * the pool skips them, so `check` and `run` must count them out too. The
 * old count left them in: check said "configuration ok" for a range of
 * one such id, and run failed the start ("no dynamic uid left"). */
START_TEST(check_counts_out_systemds_dynamic_users)
{
	char err[4096], id[16], lock[64], range[40], cerr[4096];
	bool made_systemd = false, made_dir = false;
	unsigned long n = 3000000000UL + (unsigned long)getpid() % 1000000;
	int crc, rrc, fd;

	if (getpwuid((uid_t)n) || getgrgid((gid_t)n))
		return;	/* taken already: nothing to tell apart */
	snprintf(id, sizeof id, "%lu", n);
	snprintf(lock, sizeof lock, "/run/systemd/dynamic-uid/%s", id);
	snprintf(range, sizeof range, "%s-%s", id, id);
	if (mkdir("/run/systemd", 0755) == 0)
		made_systemd = true;
	if (mkdir("/run/systemd/dynamic-uid", 0755) == 0)
		made_dir = true;
	fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "%s: %s", lock, strerror(errno));
	close(fd);
	write_config("root.jsonc",
		     "{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@H@\"] } ] }\n");
	crc = h_run(&h, (const char *const[]){ "check", "--uid-range", range, "-c", "root.jsonc", NULL });
	if (h_read(&h, "run.err", cerr, sizeof cerr) < 0)
		cerr[0] = '\0';
	rrc = h_run(&h, (const char *const[]){ "run", "--uid-range", range, "--runtime-dir", h.rundir,
					       "-c", "root.jsonc", NULL });
	if (h_read(&h, "run.err", err, sizeof err) < 0)
		err[0] = '\0';
	/* leave /run as it was before any assertion can end the test */
	unlink(lock);
	if (made_dir)
		rmdir("/run/systemd/dynamic-uid");
	if (made_systemd)
		rmdir("/run/systemd");
	ck_assert_msg(crc == 1, "check exited %d: %s", crc, cerr);
	ck_assert_msg(strstr(cerr, "the tree needs 1 dynamic uid, one per actor instance without \"user\", "
			     "but --uid-range ") && strstr(cerr, " holds 0: widen it"), "got: %s", cerr);
	ck_assert_msg(rrc == 1, "run exited %d: %s", rrc, err);
	ck_assert_msg(strstr(err, " holds 0: widen it"), "got: %s", err);
	ck_assert_msg(!strstr(err, "start a"), "started: %s", err);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("confinement");
	TCase *tc = tcase_create("attacker");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	if (geteuid() == 0) {
		tcase_add_test(tc, the_attacker_reaches_no_other_actors_secret_and_holds_nothing);
		tcase_add_test(tc, every_secret_source_delivers_and_the_first_wins);
	} else {
		fprintf(stderr, "confinement: not root: the attacker and secrets tests need dynamic uids; skipped\n");
	}
	tcase_add_test(tc, a_missing_secret_fails_the_start_with_a_clear_error);
	tcase_add_test(tc, secrets_in_the_environment_replace_env_but_never_the_daemons_variables);
	tcase_add_test(tc, each_profile_names_the_call_it_forbids_and_runs_its_workload);
	tcase_add_test(tc, a_large_body_crosses_a_binding_under_every_profile);
	tcase_add_test(tc, a_violation_in_kill_mode_kills_and_is_the_restart_reason);
	tcase_add_test(tc, giving_up_on_a_violating_actor_names_the_violation);
	tcase_add_test(tc, two_daemons_never_share_a_dynamic_uid);
	tcase_add_test(tc, errno_mode_keeps_the_actor_alive_and_rate_limits_reports);
	tcase_add_test(tc, calls_left_out_are_told_before_the_actors_end);
	tcase_add_test(tc, check_warns_about_unconfined_and_env_secrets_and_explains);
	tcase_add_test(tc, check_refuses_private_tmp_that_would_hide_the_daemons_directories);
	tcase_add_test(tc, check_refuses_private_tmp_that_would_hide_the_program);
	tcase_add_test(tc, a_capability_the_daemon_cannot_give_is_refused_where_it_is_written);
	tcase_add_test(tc, the_daemon_narrows_its_bounding_set_to_what_actors_keep);
	tcase_add_test(tc, many_capabilities_the_daemon_cannot_give_are_each_named);
	tcase_add_test(tc, a_root_daemon_without_cap_sys_admin_gives_the_hosts_ipc);
	suite_add_tcase(s, tc);
	if (geteuid() == 0) {
		/* dynamic uids are counted only by a root daemon */
		tc = tcase_create("uids");
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, check_counts_out_systemds_dynamic_users);
		suite_add_tcase(s, tc);
	}
	tc = tcase_create("paths");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, private_tmp_sees_through_dot_dot_in_the_daemons_directories);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
