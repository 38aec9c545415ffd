/* A test actor whose behaviour the tests choose by flags.
 *
 *   --record FILE        append "start NAME PID MONO_NS" on start (a FIFO works)
 *   --notify-after MS    send READY=1 to $NOTIFY_SOCKET after MS
 *   --exit-after MS CODE exit with CODE after MS
 *   --ignore-term        ignore SIGTERM
 *   --grandchild FILE    fork a process that sleeps for ever; write its pid to FILE
 *   --list-fds FILE      write the numbers of the open fds to FILE
 *   --print TEXT         print TEXT on stdout and TEXT-err on stderr
 *   --crash-if FILE      abort() at once if FILE exists (crash on demand)
 *   --flood-control N    it and N-1 children send STATUS= datagrams on the
 *                        control channel (fd 3) without end
 *   --flood-notify N     the same on $NOTIFY_SOCKET
 *   --lock-runtime FILE  fork a process that leaves the session and waits
 *                        for a read lock on the runtime directory's "lock"
 *                        (beside $NOTIFY_SOCKET); it writes "PID ERRNO" to
 *                        FILE, ERRNO the open's (0: open)
 *   --fill-creds N       make its own $CREDENTIALS_DIRECTORY writable, fill
 *                        it with N empty files, and exit 0
 * SIGUSR1: exit 1 ("crash on demand"); SIGUSR2: exit 0. Otherwise it waits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void on_usr(int sig)
{
	_exit(sig == SIGUSR1 ? 1 : 0);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void record(const char *path)
{
	struct timespec ts;
	char line[256];
	/* 0666 from the start: actors of other (dynamic) uids append to the
	 * same record, and a chmod after the create would leave them a moment
	 * to be refused */
	mode_t mask = umask(0);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	const char *name = getenv("PROSPERO_ACTOR");
	const char *inst = getenv("PROSPERO_INSTANCE");

	umask(mask);
	if (fd < 0) {
		perror(path);
		exit(100);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int n = snprintf(line, sizeof line, "start %s#%s %d %lld\n", name ? name : "?",
			 inst ? inst : "?", (int)getpid(),
			 (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if (write(fd, line, (size_t)n) != n)
		exit(101);
	close(fd);
}

static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path || strlen(path) >= sizeof sa.sun_path)
		exit(102);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, sizeof sa) != 7)
		exit(103);
	close(fd);
}

static void grandchild(const char *path)
{
	pid_t pid = fork();

	if (pid < 0)
		exit(104);
	if (pid == 0) {
		for (;;)
			pause();
	}
	FILE *f = fopen(path, "w");
	if (!f)
		exit(105);
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
}

static void flood(int n, bool notify)
{
	char msg[] = "STATUS=flood a";
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = 3;

	for (int i = 1; i < n; i++)
		if (fork() == 0)
			break;
	if (notify) {
		if (!path || strlen(path) >= sizeof sa.sun_path)
			exit(102);
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
			exit(103);
	}
	for (unsigned long k = 0;; k++) {
		msg[sizeof msg - 2] = (char)('a' + k % 26);
		if (send(fd, msg, sizeof msg - 1, 0) < 0 && errno != EINTR)
			exit(108);
	}
}

static void lock_runtime(const char *path)
{
	char lock[108];
	const char *sock = getenv("NOTIFY_SOCKET");
	const char *slash = sock ? strrchr(sock, '/') : NULL;
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	pid_t pid;

	if (!slash || snprintf(lock, sizeof lock, "%.*s/lock", (int)(slash - sock), sock) >= (int)sizeof lock)
		exit(102);
	if ((pid = fork()) < 0)
		exit(104);
	if (pid > 0)
		return;
	setsid();
	int fd = open(lock, O_RDONLY | O_CLOEXEC);
	FILE *f = fopen(path, "w");
	if (!f)
		_exit(105);
	fprintf(f, "%d %d\n", (int)getpid(), fd < 0 ? errno : 0);
	fclose(f);
	if (fd < 0)
		_exit(0);
	/* the daemon holds a write lock: this waits until it is gone */
	while (fcntl(fd, F_SETLKW, &fl) < 0 && errno == EINTR)
		;
	for (;;)
		pause();
}

static void fill_creds(long n)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char name[32];
	int d;

	/* the directory is the actor's own, 0500: it may make it writable */
	if (!dir || chmod(dir, 0700) < 0 || (d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		exit(102);
	for (long i = 0; i < n; i++) {
		int fd;

		snprintf(name, sizeof name, "f%ld", i);
		if ((fd = openat(d, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
			exit(103);
		close(fd);
	}
	exit(0);
}

static void list_fds(const char *path)
{
	DIR *d = opendir("/proc/self/fd");
	FILE *f;
	struct dirent *e;

	if (!d)
		exit(106);
	f = fopen(path, "w");
	if (!f)
		exit(107);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d) || atoi(e->d_name) == fileno(f))
			continue;
		fprintf(f, "%s\n", e->d_name);
	}
	closedir(d);
	fclose(f);
}

int main(int argc, char **argv)
{
	long notify_after = -1, exit_after = -1;
	int exit_code = 0;

	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--record") == 0 && v) {
			record(v); i++;
		} else if (strcmp(a, "--notify-after") == 0 && v) {
			notify_after = atol(v); i++;
		} else if (strcmp(a, "--exit-after") == 0 && v && i + 2 < argc) {
			exit_after = atol(v); exit_code = atoi(argv[i + 2]); i += 2;
		} else if (strcmp(a, "--ignore-term") == 0) {
			signal(SIGTERM, SIG_IGN);
		} else if (strcmp(a, "--grandchild") == 0 && v) {
			grandchild(v); i++;
		} else if (strcmp(a, "--list-fds") == 0 && v) {
			list_fds(v); i++;
		} else if (strcmp(a, "--print") == 0 && v) {
			printf("%s\n", v);
			fflush(stdout);
			fprintf(stderr, "%s-err\n", v);
			i++;
		} else if (strcmp(a, "--flood-control") == 0 && v) {
			flood(atoi(v), false);
		} else if (strcmp(a, "--flood-notify") == 0 && v) {
			flood(atoi(v), true);
		} else if (strcmp(a, "--lock-runtime") == 0 && v) {
			lock_runtime(v); i++;
		} else if (strcmp(a, "--fill-creds") == 0 && v) {
			fill_creds(atol(v));
		} else if (strcmp(a, "--crash-if") == 0 && v) {
			if (access(v, F_OK) == 0)
				abort();
			i++;
		} else {
			fprintf(stderr, "testactor: bad argument %s\n", a);
			return 64;
		}
	}
	if (notify_after >= 0) {
		sleep_ms(notify_after);
		notify_ready();
	}
	if (exit_after >= 0) {
		sleep_ms(exit_after);
		return exit_code;
	}
	for (;;)
		pause();
}
