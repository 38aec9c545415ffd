/* `prospero reload`; see reload.h. The daemon is found by its state file
 * in the runtime directory, asked by SIGHUP (a dry run first leaves a
 * request file beside it), and heard from by the state file's renaming:
 * the wait is for the reload asked after the signal, not for a time. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/daemon/readall.h"
#include "src/cli/options.h"
#include "src/cli/reload.h"
#include "src/daemon/log.h"
#include "src/daemon/reload_report.h"
#include "src/daemon/rundir.h"

struct state {
	int pid;
	unsigned asked, done;
	bool ok;
	bool dry;		/* the answer is a dry run's */
	char *file;		/* the whole state file: a plan or a summary has no bound */
	const char *text;	/* in it, after the header */
};

static int read_state(int dir, struct state *st)
{
	char result[16] = "", *file;
	int fd = openat(dir, RELOAD_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int used = 0, saved;

	if (fd < 0)
		return -1;
	file = sb_read_all(fd);
	saved = errno;
	close(fd);
	if (!file) {
		errno = saved;
		return -1;
	}
	if (sscanf(file, "pid %d\nasked %u\ndone %u\nresult %15s\n%n", &st->pid, &st->asked, &st->done,
		   result, &used) != 4 || used == 0) {
		free(file);
		errno = EPROTO;
		return -1;
	}
	st->dry = strncmp(result, RELOAD_RESULT_DRY, strlen(RELOAD_RESULT_DRY)) == 0;
	st->ok = strcmp(result + (st->dry ? strlen(RELOAD_RESULT_DRY) : 0), "ok") == 0;
	free(st->file);
	st->file = file;
	st->text = file + used;
	return 0;
}

/* Does PID hold DIR's lock, as the running daemon does? One killed by
 * SIGKILL leaves its state file, and its pid may be another's by now. */
static bool holds_lock(int dir, int pid)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	int fd = openat(dir, RUNDIR_LOCK, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool held;

	if (fd < 0)
		return false;
	held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid == pid;
	close(fd);
	return held;
}

/* The request a dry run leaves for the daemon, whole or not at all: -1
 * with errno, and nothing left behind. */
static int ask_dry_run(int dir)
{
	static const char tmp[] = "." RELOAD_REQUEST_FILE ".tmp", line[] = RELOAD_REQUEST_DRY_RUN "\n";
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600), err;
	bool whole;

	if (fd < 0)
		return -1;
	errno = ENOSPC;	/* what a short write means: no room for the rest */
	whole = write(fd, line, sizeof line - 1) == (ssize_t)(sizeof line - 1);
	err = errno;
	if (close(fd) < 0 && whole) {
		whole = false;
		err = errno;
	}
	if (whole && renameat(dir, tmp, dir, RELOAD_REQUEST_FILE) == 0)
		return 0;
	if (whole)
		err = errno;
	unlinkat(dir, tmp, 0);
	errno = err;
	return -1;
}

/* Until the state file says a reload asked after our signal is done, or
 * the daemon is gone. ASKED is its count as read before the signal; the
 * first count past it is what the daemon had counted by then, our signal
 * among them: the file may have lagged behind the daemon (a write it
 * could not make), and then ASKED + 1 is a reload that began before. */
static int wait_done(int dir, int notes, int daemon, unsigned asked, struct state *st)
{
	unsigned want = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = notes, .events = POLLIN }, { .fd = daemon, .events = POLLIN } };
		char ev[4096];

		if (read_state(dir, st) == 0 && st->asked > asked) {
			if (!want)
				want = st->asked;	/* fixed: later signals are others' */
			if (st->done >= want)
				return 0;
		}
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -1;
		if (p[1].revents) {
			fprintf(stderr, "prospero: reload: the daemon (pid %d) exited first\n", st->pid);
			return -1;
		}
		if (p[0].revents && read(notes, ev, sizeof ev) < 0 && errno != EAGAIN)
			return -1;
	}
}

/* 0 to go on, 1 done (--help, --version), -1 a usage error, said. */
static int parse(int argc, char **argv, const char **dir, bool *dry_run)
{
	static const struct option mine[] = {
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ 0 },
	};
	struct option opts[CLI_LONGOPTS_MAX];
	int c, other;

	cli_longopts(mine, opts);
	optind = 1;	/* ARGV[0] is "reload" */
	while ((c = cli_getopt(argc, argv, "r:n", opts)) != -1) {
		if (c == 'r') {
			if (cli_path_arg("--runtime-dir", optarg, dir) < 0)
				return -1;
		} else if (c == 'n')
			*dry_run = true;
		else if ((other = cli_option_other(c)) != 0)
			return other;
	}
	if (optind != argc) {
		cli_usage_error("%s: reload takes no argument, only --dry-run and --runtime-dir DIR", argv[optind]);
		return -1;
	}
	return 0;
}

/* A dry run and a reload asked at the same moment can be answered by
 * one run of the daemon: SIGHUPs coalesce, and the request file is taken
 * by whichever signal the daemon sees first. An answer of the other kind
 * is not this command's, which then asks again; a dry run still applies
 * nothing, and a reload is not said to be applied when it was not. */
#define ASK_TRIES 10

static int ask(const char *path, bool dry_run)
{
	struct state *st = calloc(1, sizeof *st);
	int dir = open(path, O_DIRECTORY | O_CLOEXEC), notes = -1, daemon = -1, rc = 1;

	/* dry runs one at a time, each from the state after the last: the
	 * daemon takes one request file for SIGHUPs that coalesce, so a
	 * second dry run's request could be taken by the first's run, and
	 * its SIGHUP, arriving during that run, then found no request and
	 * applied the reload. Held until the answer (closing DIR drops it).
	 * Then watch: the answer may come before we look; renamed into
	 * place, or rewritten in place when the directory is full. */
	if (!st || dir < 0 || (dry_run && flock(dir, LOCK_EX) < 0) ||
	    (notes = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) < 0 ||
	    inotify_add_watch(notes, path, IN_MOVED_TO | IN_CLOSE_WRITE) < 0 || read_state(dir, st) < 0) {
		/* a daemon runs, as another uid than ours: say so, as the
		 * control socket's refusal does, not ask whether one runs */
		fprintf(stderr, "prospero: reload: %s/%s: %s%s\n", path, RELOAD_STATE_FILE, strerror(errno),
			errno == EACCES || errno == EPERM ? ": only root and the daemon's user may reload it"
							 : " (is a daemon running with this runtime directory?)");
		goto out;
	}
	/* the pidfd first: the process the lock names is then the one
	 * signalled; no process of that pid (ESRCH) holds it either */
	daemon = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if ((daemon >= 0 || errno == ESRCH) && !holds_lock(dir, st->pid)) {
		fprintf(stderr, "prospero: reload: %s/%s: pid %d does not hold %s/%s (is a daemon running with "
			"this runtime directory?)\n", path, RELOAD_STATE_FILE, st->pid, path, RUNDIR_LOCK);
		goto out;
	}
	for (int tries = 0;; tries++) {
		if (tries == ASK_TRIES) {
			fprintf(stderr, "prospero: reload: answered %d times by a %s asked at the same moment, "
				"never by a %s: ask again\n", ASK_TRIES, dry_run ? "reload" : "dry run",
				dry_run ? "dry run" : "reload");
			goto out;
		}
		if (daemon >= 0 && dry_run && ask_dry_run(dir) < 0) {
			bool full = errno == ENOSPC || errno == EDQUOT;

			/* as a start says a full one */
			fprintf(stderr, "prospero: reload: %s/%s: %s%s%s%s\n", path, RELOAD_REQUEST_FILE,
				strerror(errno), full ? " (the runtime directory " : "", full ? path : "",
				full ? " is full: make room there)" : "");
			goto out;
		}
		if (daemon < 0 || syscall(SYS_pidfd_send_signal, daemon, SIGHUP, NULL, 0) < 0) {
			fprintf(stderr, "prospero: reload: daemon pid %d: %s\n", st->pid, strerror(errno));
			goto out;
		}
		if (wait_done(dir, notes, daemon, st->asked, st) < 0)
			goto out;
		if (st->dry == dry_run)
			break;
	}
	if (st->ok) {
		fputs(st->text, stdout);
		/* an applied reload's summary is one line the state file does not end */
		if (st->text[0] && st->text[strlen(st->text) - 1] != '\n')
			fputc('\n', stdout);
		rc = 0;
	} else {
		log_lines(st->text, true);	/* as `check` prints them */
	}
out:
	if (st)
		free(st->file);
	free(st);
	if (daemon >= 0)
		close(daemon);
	if (notes >= 0)
		close(notes);
	if (dir >= 0)
		close(dir);
	return rc;
}

int cli_reload(int argc, char **argv)
{
	const char *dir = NULL;
	char path[4096];
	bool dry_run = false;
	int parsed = parse(argc, argv, &dir, &dry_run);

	if (parsed != 0)
		return parsed > 0 ? 0 : EXIT_USAGE;
	/* as the daemon chose it: $RUNTIME_DIRECTORY under systemd's ExecReload= */
	if (rundir_choose(dir, path, sizeof path) < 0) {
		fprintf(stderr, "prospero: reload: where is the daemon? %s: give --runtime-dir DIR, or set "
			"$XDG_RUNTIME_DIR\n", rundir_choose_refusal(dir, errno));
		return 1;
	}
	return ask(path, dry_run);
}
