/* The attacker's side of the confinement tests: an actor that tries, one
 * by one, every way issue 3 names to reach another actor's secrets or
 * privileges, and prints one line per attempt. It never prints a secret:
 * what it reads is summarised as a length and an FNV-1a hash, so the
 * tests can compare without the value reaching any output.
 *
 *   --victim              read every file in $CREDENTIALS_DIRECTORY and keep
 *                         it open and in memory, send READY=1, wait
 *   --attack              find the --victim process and try to reach its
 *                         secrets: /proc/PID/{environ,fd,mem,root}, ptrace,
 *                         process_vm_readv, its credentials directory, our
 *                         own fds; then print our status lines
 *   --suid PATH           exec PATH --euid (a setuid-root copy of us)
 *   --euid                print the effective uid
 *   --show-secret NAME    print the hash of $CREDENTIALS_DIRECTORY/NAME and
 *                         of $NAME in the environment, and the directory's
 *                         mode and owner
 *   --syscall NAME        make one call a profile may forbid: ptrace, mount,
 *                         mkdir, inet (socket AF_INET), bpf, unshare,
 *                         i386 (getpid through int 0x80), x32 (getpid
 *                         with the x32 bit)
 *   --workload LIST       run a comma list of: io, sleep, epoll, fork, inet
 *   --control PATH        connect to the daemon's control socket at PATH, ask
 *                         to stop the actor "victim", print what it answers
 *   --notify              send READY=1 once the flags above are done
 * Then it waits for SIGTERM. Each result is a line "WHAT: RESULT". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char held[16][256];	/* the victim's secrets, kept in memory */

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void say(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path)
		return;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, sizeof sa);
		close(fd);
	}
}

/* "blocked (EACCES)" or "OPEN (N bytes)": what a read attempt got. */
static void try_read(const char *what, const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		say(what, "blocked (%s)", strerrorname_np(errno));
		return;
	}
	n = read(fd, buf, sizeof buf);
	if (n < 0)
		say(what, "blocked (%s)", strerrorname_np(errno));
	else
		say(what, "OPEN (%zd bytes)", n);
	close(fd);
}

static void victim(void)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	struct dirent *e;
	DIR *d;
	int k = 0;

	if (!dir || !(d = opendir(dir))) {
		say("victim", "no credentials");
		exit(3);
	}
	while ((e = readdir(d)) && k < 16) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY);	/* left open on purpose */
		if (fd >= 0 && read(fd, held[k], sizeof held[k] - 1) >= 0)
			k++;
	}
	say("victim", "holding %d secrets", k);
}

static pid_t find_victim(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && (e = readdir(d)) && !found) {
		char path[300], cmd[512];
		ssize_t n;
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, cmd, sizeof cmd - 1);
		close(fd);
		for (ssize_t i = 0; i < n; i++)	/* argv is NUL-separated */
			if (strncmp(cmd + i, "--victim", 9) == 0 && (i == 0 || cmd[i - 1] == 0))
				found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

static void status_lines(void)
{
	static const char *const keys[] = { "Uid:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:",
					    "CapAmb:", "NoNewPrivs:", "Seccomp:" };
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof line, f))
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0) {
				line[strcspn(line, "\n")] = 0;
				for (char *t = line; *t; t++)
					if (*t == '\t')
						*t = ' ';
				printf("STATUS %s\n", line);
			}
	if (f)
		fclose(f);
	fflush(stdout);
}

static void attack(void)
{
	pid_t v = find_victim();
	const char *own = getenv("CREDENTIALS_DIRECTORY");
	char path[8600], other[4200], list[256] = "";
	struct iovec local, remote;
	struct dirent *e;
	char buf[64];
	DIR *d;

	if (!v) {
		say("attack", "no victim found");
		return;
	}
	say("attack", "victim is pid %d", (int)v);
	snprintf(path, sizeof path, "/proc/%d/environ", (int)v);
	try_read("environ", path);

	snprintf(path, sizeof path, "/proc/%d/fd", (int)v);
	d = opendir(path);
	if (!d) {
		say("fd-dir", "blocked (%s)", strerrorname_np(errno));
	} else {
		say("fd-dir", "OPEN");
		closedir(d);
	}
	for (int fd = 3; fd < 8; fd++) {
		char what[32];

		snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)v, fd);
		snprintf(what, sizeof what, "fd-%d", fd);
		try_read(what, path);
	}

	snprintf(path, sizeof path, "/proc/%d/mem", (int)v);
	try_read("mem", path);

	/* its secrets by name, through its own root */
	if (own) {
		snprintf(other, sizeof other, "%.*s/victim", (int)(strrchr(own, '/') - own), own);
		snprintf(path, sizeof path, "/proc/%d/root%s/VICTIM_KEY", (int)v, other);
		try_read("root", path);
		snprintf(path, sizeof path, "%s/VICTIM_KEY", other);
		try_read("creds-file", path);
		d = opendir(other);
		say("creds-dir", d ? "OPEN" : "blocked (%s)", strerrorname_np(errno));
		if (d)
			closedir(d);
	} else {
		say("root", "no credentials directory of our own to start from");
	}

	errno = 0;
	if (ptrace(PTRACE_ATTACH, v, NULL, NULL) < 0)
		say("ptrace", "blocked (%s)", strerrorname_np(errno));
	else
		say("ptrace", "OPEN");

	local = (struct iovec){ buf, sizeof buf };
	remote = (struct iovec){ held, sizeof buf };	/* same binary, same layout */
	if (process_vm_readv(v, &local, 1, &remote, 1, 0) < 0)
		say("process_vm_readv", "blocked (%s)", strerrorname_np(errno));
	else
		say("process_vm_readv", "OPEN");

	/* every fd we hold: only stdin, stdout and stderr may be there */
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(list + strlen(list), sizeof list - strlen(list), " %.16s", e->d_name);
	}
	if (d)
		closedir(d);
	say("fds", "%s", list);
	status_lines();
}

static void show_secret(const char *name)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY"), *env = getenv(name);
	char path[4200], buf[4096];
	struct stat st;
	ssize_t n = -1;
	int fd;

	if (!dir) {
		say("secret", "no $CREDENTIALS_DIRECTORY");
	} else {
		if (stat(dir, &st) == 0)
			say("creds-dir", "mode %04o uid %u self %u", (unsigned)(st.st_mode & 07777),
			    (unsigned)st.st_uid, (unsigned)getuid());
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, buf, sizeof buf);
			fstat(fd, &st);
			close(fd);
		}
		if (n < 0)
			say("secret", "%s unreadable (%s)", name, strerrorname_np(errno));
		else
			say("secret", "%s len %zd fnv %016" PRIx64 " mode %04o", name, n,
			    fnv1a(buf, (size_t)n), (unsigned)(st.st_mode & 07777));
		explicit_bzero(buf, sizeof buf);
	}
	if (env)
		say("env", "%s len %zu fnv %016" PRIx64, name, strlen(env), fnv1a(env, strlen(env)));
	else
		say("env", "%s absent", name);
}

static void one_syscall(const char *name)
{
	long r = -1;

	errno = 0;
	if (strcmp(name, "ptrace") == 0)
		r = ptrace(PTRACE_ATTACH, 1, NULL, NULL);
	else if (strcmp(name, "mount") == 0)
		r = mount("none", "/mnt", "tmpfs", 0, NULL);
	else if (strcmp(name, "mkdir") == 0)
		r = mkdir("/tmp/hostile-mkdir", 0700);
	else if (strcmp(name, "inet") == 0)
		r = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	else if (strcmp(name, "bpf") == 0)
		r = syscall(SYS_bpf, 0, NULL, 0);
	else if (strcmp(name, "unshare") == 0)
		r = syscall(SYS_unshare, 0x40000000 /* CLONE_NEWNET */);
#if defined(__x86_64__)
	else if (strcmp(name, "i386") == 0) {
		/* getpid through the i386 entry point: a non-native ABI */
		long ret = 20;
		__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
		r = ret < 0 && ret > -4096 ? (errno = (int)-ret, -1) : ret;
	} else if (strcmp(name, "x32") == 0) {
		/* getpid through the x32 ABI: non-native too */
		r = syscall(0x40000000 | SYS_getpid);
	}
#endif
	else {
		say("syscall", "%s: unknown", name);
		return;
	}
	if (r < 0)
		say("syscall", "%s -> %s", name, strerrorname_np(errno));
	else
		say("syscall", "%s -> ok", name);
	if (r >= 0 && strcmp(name, "inet") == 0)
		close((int)r);
	if (r >= 0 && strcmp(name, "mkdir") == 0)
		rmdir("/tmp/hostile-mkdir");
}

static int workload(char *list)
{
	char path[64];
	int failed = 0;

	for (char *w = strtok(list, ","); w; w = strtok(NULL, ",")) {
		int ok = 0;

		if (strcmp(w, "io") == 0) {
			char buf[6] = "";
			int fd;

			snprintf(path, sizeof path, "/tmp/hostile-io.%d", (int)getpid());
			fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			ok = fd >= 0 && write(fd, "hello", 5) == 5 && pread(fd, buf, 5, 0) == 5 &&
			     strcmp(buf, "hello") == 0 && fsync(fd) == 0;
			if (fd >= 0)
				close(fd);
			ok = ok && unlink(path) == 0;
		} else if (strcmp(w, "sleep") == 0) {
			struct timespec ts = { 0, 20 * 1000000L };
			ok = nanosleep(&ts, NULL) == 0;
		} else if (strcmp(w, "epoll") == 0) {
			int ep = epoll_create1(EPOLL_CLOEXEC), p[2];
			struct epoll_event ev = { .events = EPOLLIN }, out;

			ok = ep >= 0 && pipe2(p, O_CLOEXEC) == 0 &&
			     epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0 && write(p[1], "x", 1) == 1 &&
			     epoll_wait(ep, &out, 1, 1000) == 1;
		} else if (strcmp(w, "fork") == 0) {
			int st;
			pid_t c = fork();

			if (c == 0)
				_exit(7);
			ok = c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 7;
		} else if (strcmp(w, "inet") == 0) {
			int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			ok = s >= 0;
			if (s >= 0)
				close(s);
		}
		say("workload", "%s %s", w, ok ? "ok" : strerrorname_np(errno));
		failed += !ok;
	}
	return failed;
}

/* Drive the daemon as an operator would; "control: " and the first line
 * of its answer, or the errno that stopped us. */
static void control(const char *path)
{
	static const char req[] = "{\"verb\": \"stop\", \"name\": \"victim\"}\n";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[512];
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		say("control", "connect %s", strerrorname_np(errno));
	} else if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) < 0 && errno != EPIPE) {
		say("control", "write %s", strerrorname_np(errno));
	} else if ((n = read(fd, buf, sizeof buf - 1)) <= 0) {
		say("control", "no answer (%s)", n < 0 ? strerrorname_np(errno) : "EOF");
	} else {
		buf[n] = 0;
		buf[strcspn(buf, "\n")] = 0;
		say("control", "%s", buf);
	}
	if (fd >= 0)
		close(fd);
}

static void on_term(int sig)
{
	_exit(0);
}

int main(int argc, char **argv)
{
	bool notify = false;

	signal(SIGTERM, on_term);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--victim") == 0) {
			victim();
		} else if (strcmp(argv[i], "--attack") == 0) {
			attack();
		} else if (strcmp(argv[i], "--suid") == 0 && i + 1 < argc) {
			char *args[] = { argv[i + 1], "--euid", NULL };

			fflush(stdout);
			execv(argv[i + 1], args);
			say("suid", "exec failed (%s)", strerrorname_np(errno));
			i++;
		} else if (strcmp(argv[i], "--euid") == 0) {
			say("euid", "%u", (unsigned)geteuid());
			status_lines();
		} else if (strcmp(argv[i], "--show-secret") == 0 && i + 1 < argc) {
			show_secret(argv[++i]);
		} else if (strcmp(argv[i], "--syscall") == 0 && i + 1 < argc) {
			one_syscall(argv[++i]);
		} else if (strcmp(argv[i], "--workload") == 0 && i + 1 < argc) {
			workload(argv[++i]);
		} else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
			control(argv[++i]);
		} else if (strcmp(argv[i], "--notify") == 0) {
			notify = true;
		} else {
			fprintf(stderr, "hostile: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	say("done", "%d", (int)getpid());
	if (notify)
		notify_ready();
	for (;;)
		pause();
}
