/* A raw-protocol actor for the binding tests: plain SOCK_SEQPACKET on the
 * fds the daemon hands over, no libprospero, so the tests check the
 * daemon's side alone. Flags, in any order:
 *
 *   --report FILE          write PROSPERO_FDS, PROSPERO_FDNAMES and every open
 *                          fd with what it is (socket family, type, bound and
 *                          peer address lengths) to FILE, then "end"
 *   --nofile FILE          write "nofile SOFT HARD", its RLIMIT_NOFILE, to FILE
 *   --try-socket FILE      call socket(AF_UNIX) and connect(); write the errnos
 *   --serve FILE           take datagrams from every served edge; append
 *                          "PAYLOAD PID" to FILE *before* anything else, so a
 *                          datagram is lost only between recv and that write
 *   --delay-us N           after each recorded datagram, sleep N µs
 *   --cast NAME COUNT FILE send "0".."COUNT-1" on binding NAME (blocking:
 *                          the kernel buffer is the only queue); then append
 *                          "sent COUNT" to FILE
 *   --hello                on start, send "hello PID" on every served edge
 *   --watch NAME FILE      read binding NAME; for each datagram append
 *                          "GOT control=CONTROL" where CONTROL is what the
 *                          control channel holds at that moment (or "none");
 *                          a frame (the daemon's notice) is written as
 *                          "notice CODE incarnation=N at=set|missing"
 *   --notice-at FILE       with --watch: also append each notice's "at"
 *   --ready                send READY=1 on the control channel
 *   --ready-and-close      wait until the daemon has sent something on the
 *                          control channel, leave it unread, send READY=1
 *                          and close the channel (its end is reset)
 *   --pet MS COUNT VIA     send WATCHDOG=1 every MS ms COUNT times, by "control"
 *                          or "notify" ($NOTIFY_SOCKET); then stop petting
 *   --shutdown-once FILE   unless FILE exists: make it, shutdown(SHUT_RDWR)
 *                          every served edge and exit 1 (a careless service)
 * Without --serve, --cast or --watch it waits for a signal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 64

static int nfds;
static char names[MAX_FDS][128];

static void die(int code, const char *what)
{
	fprintf(stderr, "echoactor: %s: %s\n", what, strerror(errno));
	exit(code);
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* PROSPERO_FDNAMES splits at ':', and "serve" takes the next part too. */
static void read_names(void)
{
	const char *fds = getenv("PROSPERO_FDS"), *all = getenv("PROSPERO_FDNAMES");
	char copy[8192], *save = NULL, *tok;
	int n = 0;

	if (!fds || !all || strlen(all) >= sizeof copy)
		return;
	strcpy(copy, all);
	for (tok = strtok_r(copy, ":", &save); tok && n < MAX_FDS; tok = strtok_r(NULL, ":", &save)) {
		if (strcmp(tok, "serve") == 0) {
			char *client = strtok_r(NULL, ":", &save);
			snprintf(names[n++], sizeof names[0], "serve:%s", client ? client : "");
		} else {
			snprintf(names[n++], sizeof names[0], "%s", tok);
		}
	}
	nfds = n;
	if (n != atoi(fds)) {
		fprintf(stderr, "echoactor: PROSPERO_FDS=%s but %d names\n", fds, n);
		exit(90);
	}
}

static int fd_named(const char *name)
{
	for (int i = 0; i < nfds; i++)
		if (strcmp(names[i], name) == 0)
			return 3 + i;
	fprintf(stderr, "echoactor: no fd named %s\n", name);
	exit(91);
}

static int open_append(const char *path)
{
	/* 0666 from the start: actors of other (dynamic) uids append too, and
	 * a chmod after the create would leave them a moment to be refused */
	mode_t mask = umask(0);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);

	umask(mask);
	if (fd < 0)
		die(92, path);
	return fd;
}

static void append(int fd, const char *text)
{
	size_t len = strlen(text);

	if (write(fd, text, len) != (ssize_t)len)
		die(93, "write");
}

/* One write to an O_APPEND file: the instances of a pool may share FILE. */
static void report(const char *path)
{
	char text[4096];
	size_t n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int out;

	if (!d)
		die(94, "/proc/self/fd");
	n += (size_t)snprintf(text + n, sizeof text - n, "PROSPERO_FDS=%s\nPROSPERO_FDNAMES=%s\n",
			      getenv("PROSPERO_FDS") ? getenv("PROSPERO_FDS") : "",
			      getenv("PROSPERO_FDNAMES") ? getenv("PROSPERO_FDNAMES") : "");
	while ((e = readdir(d)) && n < sizeof text - 128) {
		int fd = atoi(e->d_name);
		struct sockaddr_un self, peer;
		socklen_t sl = sizeof self, pl = sizeof peer, tl = sizeof(int);
		int type = 0;

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		if (getsockname(fd, (struct sockaddr *)&self, &sl) < 0) {
			n += (size_t)snprintf(text + n, sizeof text - n, "fd %d not-a-socket\n", fd);
			continue;
		}
		getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl);
		if (getpeername(fd, (struct sockaddr *)&peer, &pl) < 0)
			pl = 0;
		/* an unnamed AF_UNIX socket has an address of sizeof(sa_family_t) */
		n += (size_t)snprintf(text + n, sizeof text - n, "fd %d socket family=%d type=%s self=%u peer=%u\n",
				      fd, self.sun_family,
				      type == SOCK_SEQPACKET ? "seqpacket" : type == SOCK_DGRAM ? "dgram" : "other",
				      (unsigned)(sl - sizeof(sa_family_t)),
				      (unsigned)(pl ? pl - sizeof(sa_family_t) : 0));
	}
	closedir(d);
	n += (size_t)snprintf(text + n, sizeof text - n, "end\n");
	out = open_append(path);
	if (write(out, text, n) != (ssize_t)n)
		die(93, "write");
	close(out);
}

static void nofile(const char *path)
{
	struct rlimit r;
	char text[64];
	int out;

	if (getrlimit(RLIMIT_NOFILE, &r) < 0)
		die(94, "getrlimit");
	snprintf(text, sizeof text, "nofile %llu %llu\n", (unsigned long long)r.rlim_cur,
		 (unsigned long long)r.rlim_max);
	out = open_append(path);
	append(out, text);
	close(out);
}

static void try_socket(const char *path)
{
	FILE *f = fopen(path, "we");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, e1, e2;

	if (!f)
		die(95, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	e1 = s < 0 ? errno : 0;
	strcpy(sa.sun_path, "/nonexistent");
	e2 = connect(s >= 0 ? s : 0, (struct sockaddr *)&sa, sizeof sa) < 0 ? errno : 0;
	fprintf(f, "socket=%s connect=%s\n", e1 ? strerrorname_np(e1) : "ok", e2 ? strerrorname_np(e2) : "ok");
	fclose(f);
}

static void shutdown_once(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);

	if (fd < 0)
		return;	/* done before: serve */
	close(fd);
	for (int i = 0; i < nfds; i++)
		if (strncmp(names[i], "serve:", 6) == 0 && shutdown(3 + i, SHUT_RDWR) < 0)
			die(97, "shutdown");
	exit(1);
}

static void serve(const char *path, long delay_us)
{
	struct pollfd p[MAX_FDS];
	int n = 0, out = open_append(path);
	char buf[256], line[320];

	for (int i = 0; i < nfds; i++)
		if (strncmp(names[i], "serve:", 6) == 0)
			p[n++] = (struct pollfd){ .fd = 3 + i, .events = POLLIN };
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(96, "poll");
		}
		for (int i = 0; i < n; i++) {
			/* a pool shares the fd: another instance may have taken it */
			ssize_t r = recv(p[i].fd, buf, sizeof buf - 1, MSG_DONTWAIT);

			if (r <= 0)
				continue;
			buf[r] = '\0';
			snprintf(line, sizeof line, "%s %d\n", buf, (int)getpid());
			append(out, line);
			if (delay_us)
				sleep_us(delay_us);
		}
	}
}

static void cast(const char *name, long count, const char *path)
{
	int fd = fd_named(name), out;
	char buf[32];

	for (long i = 0; i < count; i++) {
		int len = snprintf(buf, sizeof buf, "%ld", i);
		while (send(fd, buf, (size_t)len, MSG_NOSIGNAL) < 0)
			if (errno != EINTR)
				die(97, "send");
	}
	out = open_append(path);
	snprintf(buf, sizeof buf, "sent %ld\n", count);
	append(out, buf);
	close(out);
}

static void hello(void)
{
	char buf[64];
	int len = snprintf(buf, sizeof buf, "hello %d", (int)getpid());

	for (int i = 0; i < nfds; i++)
		if (strncmp(names[i], "serve:", 6) == 0 && send(3 + i, buf, (size_t)len, MSG_NOSIGNAL) < 0)
			die(98, "send hello");
}

/* --notice-at's file, or NULL */
static const char *notice_at_file;

/* Control messages are text lines; one line per record keeps parsing easy. */
static void watch(const char *name, const char *path)
{
	int fd = fd_named(name), out = open_append(path);
	int at_out = notice_at_file ? open_append(notice_at_file) : -1;
	char buf[256], ctl[512], line[1024];

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof buf - 1, 0), c;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die(99, "recv");
		buf[r] = '\0';
		if (r >= 20 && buf[0] == 'P' && buf[1] == 'R') {
			/* the daemon's notice, a wire frame: error, id 0 */
			unsigned mlen = (unsigned)(unsigned char)buf[6] | (unsigned)(unsigned char)buf[7] << 8;
			unsigned blen = (unsigned)(unsigned char)buf[8] | (unsigned)(unsigned char)buf[9] << 8;
			char text[256];

			const char *inc, *at;

			if (20 + mlen + blen > (size_t)r)
				die(97, "short notice");
			/* the body is {"incarnation":N,"at":NS}; NS varies, so only
			 * whether it is there is written */
			inc = strstr(buf + 20 + mlen, "\"incarnation\":");
			at = strstr(buf + 20 + mlen, "\"at\":");
			snprintf(text, sizeof text, "notice %.*s incarnation=%ld at=%s", (int)mlen, buf + 20,
				 inc ? strtol(inc + 14, NULL, 10) : -1L,
				 at && strtoull(at + 5, NULL, 10) > 0 ? "set" : "missing");
			if (at_out >= 0 && at) {
				char n[32];

				snprintf(n, sizeof n, "%llu\n", strtoull(at + 5, NULL, 10));
				append(at_out, n);
			}
			memcpy(buf, text, strlen(text) + 1);
		}
		c = recv(3, ctl, sizeof ctl - 1, MSG_DONTWAIT);
		ctl[c > 0 ? c : 0] = '\0';
		for (char *p = ctl; *p; p++)
			if (*p == '\n')
				*p = ' ';
		snprintf(line, sizeof line, "%s control=%s\n", buf, c > 0 ? ctl : "none");
		append(out, line);
	}
}

static void notify(const char *text, const char *via)
{
	if (strcmp(via, "control") == 0) {
		if (send(3, text, strlen(text), MSG_NOSIGNAL) < 0)
			die(100, "send on control");
		return;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (!path || s < 0 || strlen(path) >= sizeof sa.sun_path)
		die(101, "notify socket");
	strcpy(sa.sun_path, path);
	if (sendto(s, text, strlen(text), 0, (struct sockaddr *)&sa, sizeof sa) < 0)
		die(102, "sendto");
	close(s);
}

int main(int argc, char **argv)
{
	const char *serve_file = NULL, *cast_name = NULL, *cast_file = NULL, *watch_name = NULL,
		   *watch_file = NULL, *pet_via = NULL;
	long delay_us = 0, cast_count = 0, pet_ms = 0, pet_count = 0;
	int ready = 0, say_hello = 0;

	read_names();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int left = argc - i - 1;

		if (strcmp(a, "--report") == 0 && left >= 1) {
			report(argv[++i]);
		} else if (strcmp(a, "--nofile") == 0 && left >= 1) {
			nofile(argv[++i]);
		} else if (strcmp(a, "--try-socket") == 0 && left >= 1) {
			try_socket(argv[++i]);
		} else if (strcmp(a, "--serve") == 0 && left >= 1) {
			serve_file = argv[++i];
		} else if (strcmp(a, "--delay-us") == 0 && left >= 1) {
			delay_us = atol(argv[++i]);
		} else if (strcmp(a, "--cast") == 0 && left >= 3) {
			cast_name = argv[i + 1];
			cast_count = atol(argv[i + 2]);
			cast_file = argv[i + 3];
			i += 3;
		} else if (strcmp(a, "--hello") == 0) {
			say_hello = 1;
		} else if (strcmp(a, "--watch") == 0 && left >= 2) {
			watch_name = argv[i + 1];
			watch_file = argv[i + 2];
			i += 2;
		} else if (strcmp(a, "--notice-at") == 0 && left >= 1) {
			notice_at_file = argv[++i];
		} else if (strcmp(a, "--shutdown-once") == 0 && left >= 1) {
			shutdown_once(argv[++i]);
		} else if (strcmp(a, "--ready") == 0) {
			ready = 1;
		} else if (strcmp(a, "--ready-and-close") == 0) {
			ready = 2;
		} else if (strcmp(a, "--pet") == 0 && left >= 3) {
			pet_ms = atol(argv[i + 1]);
			pet_count = atol(argv[i + 2]);
			pet_via = argv[i + 3];
			i += 3;
		} else {
			fprintf(stderr, "echoactor: bad argument %s\n", a);
			return 64;
		}
	}
	if (say_hello)
		hello();
	if (ready == 2) {
		struct pollfd pfd = { .fd = 3, .events = POLLIN };

		if (poll(&pfd, 1, -1) != 1)
			die(103, "poll on control");
	}
	if (ready)
		notify("READY=1\n", "control");
	if (ready == 2)
		close(3);
	for (long k = 0; pet_via && k < pet_count; k++) {
		sleep_us(pet_ms * 1000);
		notify("WATCHDOG=1\n", pet_via);
	}
	if (cast_name)
		cast(cast_name, cast_count, cast_file);
	if (serve_file)
		serve(serve_file, delay_us);
	if (watch_name)
		watch(watch_name, watch_file);
	for (;;)
		pause();
}
