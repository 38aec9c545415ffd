#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/daemon/events.h"
#include "src/daemon/log.h"
#include "src/proto/plural.h"
#include "supervisor/tree.h"

/* A line a crash or a full disk cut short at the end of the file would
 * have the next line glued to it: cut it off, back to its last newline. */
static void cut_torn_line(struct events *ev)
{
	char buf[4096];
	struct stat st;
	off_t end;
	int rd;

	if (fstat(ev->fd, &st) < 0 || st.st_size == 0)
		return;
	/* the same file, to read: ours is open for writing only */
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", ev->fd);
	if ((rd = open(buf, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return;
	for (end = st.st_size; end > 0;) {
		size_t n = end < (off_t)sizeof buf ? (size_t)end : sizeof buf;
		char *nl;

		if (pread(rd, buf, n, end - (off_t)n) != (ssize_t)n)
			end = st.st_size;	/* unreadable: left as it is */
		else if ((nl = memrchr(buf, '\n', n)))
			end -= (off_t)n - (nl - buf) - 1;
		else {
			end -= (off_t)n;
			continue;
		}
		break;
	}
	close(rd);
	if (end == st.st_size)
		return;
	if (ftruncate(ev->fd, end) < 0)
		log_warn("events file %s: its last line is cut short (by a crash or a full disk) and "
			 "could not be removed: %s", ev->path, strerror(errno));
	else
		log_warn("events file %s: its last line was cut short (by a crash or a full disk): "
			 "its %lld bytes removed", ev->path, (long long)(st.st_size - end));
}

int events_open(struct events *ev, const char *path)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	struct stat st;
	bool made;
	int fd;

	*ev = (struct events){ .fd = -1, .path = path };
	if (!path)
		return 0;
	/* a path a local user may have prepared: no symlink at its end, no
	 * FIFO to block on (O_NONBLOCK), and a file of our own or none */
	fd = open(path, flags | O_CREAT | O_EXCL, 0640);
	made = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(path, flags);
	if (fd < 0) {
		if (errno == ENXIO)	/* a FIFO nobody reads, or a socket */
			errno = EINVAL;
		return -1;
	}
	/* the mode the README gives a new file, whatever the umask took; a
	 * second name is a hard link another user may have made to a file
	 * of ours (/etc/shadow, where hard links are not protected) */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink > 1 ||
	    (made && fchmod(fd, 0640) < 0) || fcntl(fd, F_SETFL, O_APPEND) < 0) {
		int saved = errno;

		if (fstat(fd, &st) == 0)
			saved = !S_ISREG(st.st_mode) ? EINVAL : st.st_uid != geteuid() ? EPERM
				: st.st_nlink > 1 ? EMLINK : saved;
		close(fd);
		errno = saved;
		return -1;
	}
	ev->fd = fd;
	if (!made)
		cut_torn_line(ev);
	return 0;
}

void events_reopen(struct events *ev)
{
	struct events fresh;
	struct stat now, at;

	if (ev->fd < 0 || fstat(ev->fd, &now) < 0)
		return;
	if (lstat(ev->path, &at) == 0 && at.st_dev == now.st_dev && at.st_ino == now.st_ino)
		return;
	if (events_open(&fresh, ev->path) < 0) {
		log_warn("events file %s: %s: events still go to the file it named before", ev->path,
			 events_refusal(errno));
		return;
	}
	close(ev->fd);
	ev->fd = fresh.fd;
	log_info("events file %s: reopened, as its path names another file or none", ev->path);
}

const char *events_refusal(int errnum)
{
	switch (errnum) {
	case ELOOP:
		return "is a symbolic link; give the file's own path";
	case EINVAL:
		return "is not a regular file";
	case EPERM:
		return "belongs to another user; give a file of the daemon's user, or a new path";
	case EMLINK:
		return "has another name (a hard link): give a file of one name, or a new path";
	default:
		return strerror(errnum);
	}
}

void events_close(struct events *ev)
{
	if (ev->fd >= 0)
		close(ev->fd);
	ev->fd = -1;
}

size_t json_escape(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (; *src && n + 7 < cap; src++) {
		unsigned char c = (unsigned char)*src;
		if (c == '"' || c == '\\') {
			dst[n++] = '\\';
			dst[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(dst + n, cap - n, "\\u%04x", c);
		} else {
			dst[n++] = (char)c;
		}
	}
	dst[n] = 0;
	return n;
}

/* Appends to buf at *n, never past cap. */
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= cap)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n = *n + (size_t)r < cap ? *n + (size_t)r : cap - 1;
}

/* The fields of what a cgroup counted that were read. */
static void put_usage(char *line, size_t cap, size_t *n, const struct sb_cgroup_usage *u)
{
	static const struct { unsigned bit; const char *key; size_t off; } f[] = {
		{ SB_CGROUP_HAVE_CPU, "cpu_usec", offsetof(struct sb_cgroup_usage, cpu_usec) },
		{ SB_CGROUP_HAVE_MEMORY_PEAK, "memory_peak", offsetof(struct sb_cgroup_usage, memory_peak) },
		{ SB_CGROUP_HAVE_MEMORY, "memory", offsetof(struct sb_cgroup_usage, memory) },
		{ SB_CGROUP_HAVE_TASKS, "tasks", offsetof(struct sb_cgroup_usage, tasks) },
		{ SB_CGROUP_HAVE_OOM, "oom_kills", offsetof(struct sb_cgroup_usage, oom_kills) },
	};

	for (size_t i = 0; u && i < sizeof f / sizeof *f; i++) {
		uint64_t v;

		if (!(u->have & f[i].bit))
			continue;
		memcpy(&v, (const char *)u + f[i].off, sizeof v);
		put(line, cap, n, ", \"%s\": %llu", f[i].key, (unsigned long long)v);
	}
}

/* {"ts": NOW, "event": "EVENT" into LINE: every event's first fields. */
static void put_head(char *line, size_t cap, size_t *n, const char *event)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	put(line, cap, n, "{\"ts\": %lld.%06ld, \"event\": \"%s\"", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, event);
}

/* O_APPEND and one write: a reader never sees half a line. A full disk
 * (or quota, or file size limit) may take part of one: that part is cut
 * off again, so the next line starts whole, and the loss is said once. */
static void write_line(struct events *ev, const char *line, size_t n)
{
	size_t done = 0;
	ssize_t w;
	int err = 0;

	while (done < n) {
		if ((w = write(ev->fd, line + done, n - done)) < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		done += (size_t)w;
	}
	if (!err) {
		if (ev->lost)
			log_info("events file %s: writing again (%lu %s not written to it)",
				 ev->path, ev->lost, plural(ev->lost, "event was", "events were"));
		ev->lost = 0;
		return;
	}
	if (done > 0) {	/* the part written: the file is ours alone, so it is at its end */
		struct stat st;

		if (fstat(ev->fd, &st) == 0)
			(void)!ftruncate(ev->fd, st.st_size - (off_t)done);
	}
	if (!ev->lost++)
		log_warn("events file %s: %s: events are not written to it until it has room "
			 "(stderr and `prospero events --follow` still have them)", ev->path, strerror(err));
}

/* A finished line to the file and to live subscribers. */
static void deliver(struct events *ev, const char *name, const char *line, size_t n)
{
	if (ev->fd >= 0)
		write_line(ev, line, n);
	if (ev->tap)
		ev->tap(ev->tap_arg, name, line, n);
}

/* The most json_escape may write for LEN bytes (each as \u00XX), with
 * the room its loop keeps and the NUL. */
static size_t escaped_max(size_t len)
{
	return 6 * len + 8;
}

/* E as one JSON line, with its newline, into LINE; its length. ROOMY:
 * LINE was sized for E, its extra members and its whole reason (a
 * reload's, which names every node it touched, as its lists do); else
 * the extra members are left out and the reason cut at 1 KiB. */
static size_t format_json(char *line, size_t cap, const struct event *e, bool roomy)
{
	char esc[1024], signame[SV_SIGNAME_MAX];
	size_t n = 0;

	put_head(line, cap, &n, e->event);
	json_escape(esc, sizeof esc, e->name);
	put(line, cap, &n, ", \"name\": \"%s\"", esc);
	if (e->supervisor) {
		json_escape(esc, sizeof esc, e->supervisor);
		put(line, cap, &n, ", \"supervisor\": \"%s\"", esc);
	} else {
		put(line, cap, &n, ", \"supervisor\": null");
	}
	if (e->pid > 0)
		put(line, cap, &n, ", \"pid\": %d", (int)e->pid);
	if (e->status >= 0)
		put(line, cap, &n, ", \"status\": %d", e->status);
	if (e->signal > 0)
		put(line, cap, &n, ", \"signal\": \"%s\"", sv_signal_name(e->signal, signame));
	if (e->reason) {
		put(line, cap, &n, ", \"reason\": \"");
		if (roomy && n < cap) {
			n += json_escape(line + n, cap - n, e->reason);
		} else {
			json_escape(esc, sizeof esc, e->reason);
			put(line, cap, &n, "%s", esc);
		}
		put(line, cap, &n, "\"");
	}
	if (e->syscall) {
		json_escape(esc, sizeof esc, e->syscall);
		put(line, cap, &n, ", \"syscall\": \"%s\"", esc);
		json_escape(esc, sizeof esc, e->args ? e->args : "");
		put(line, cap, &n, ", \"args\": \"%s\"", esc);
		put(line, cap, &n, ", \"action\": \"%s\", \"suppressed\": %lu",
		    e->verdict ? e->verdict : "kill", e->suppressed);
	}
	if (roomy && e->extra)
		put(line, cap, &n, ", %s", e->extra);
	put_usage(line, cap, &n, e->usage);
	if (e->action)	/* an operator's: the only events that carry "by" */
		put(line, cap, &n, ", \"action\": \"%s\", \"by\": \"operator\"", e->action);
	if (e->has_delay)
		put(line, cap, &n, ", \"delay\": %ld", e->delay_ms);
	put(line, cap, &n, "}\n");
	return n;
}

void events_emit_fields(struct events *ev, const char *event, const char *name, const char *fields,
			const char *text)
{
	char line[2048];
	size_t n = 0;

	if (ev->fd >= 0 || ev->tap) {
		put_head(line, sizeof line, &n, event);
		put(line, sizeof line, &n, ", %s}\n", fields);
		deliver(ev, name ? name : "", line, n);	/* "": only unfiltered followers */
	}
	log_info("%s", text);
}

/* For the journal: failures to act (a reload too) are errors; what went wrong with an
 * actor and was handled is a warning; the rest is information. An end by
 * SIGTERM is how every actor stops: not worth a warning. */
enum log_level event_level(const struct event *e)
{
	if (strcmp(e->event, "give_up") == 0 ||
	    (strcmp(e->event, "exit") == 0 && e->reason && strncmp(e->reason, "could not start", 15) == 0) ||
	    (strcmp(e->event, "reload") == 0 && e->reason &&
	     (strncmp(e->reason, "refused", 7) == 0 || strncmp(e->reason, "interrupted", 11) == 0)))
		return LOG_LVL_ERR;
	if (strcmp(e->event, "restart") == 0 || strcmp(e->event, "escalate") == 0 || e->syscall ||
	    (strcmp(e->event, "exit") == 0 && (e->status > 0 || (e->signal > 0 && e->signal != SIGTERM))))
		return LOG_LVL_WARN;
	return LOG_LVL_INFO;
}

void events_emit(struct events *ev, const struct event *e)
{
	char pid[32] = "", small[2048], signame[SV_SIGNAME_MAX];

	if (ev->fd >= 0 || ev->tap) {
		/* a reload's lists and reason may be long; other events fit on the stack */
		size_t rlen = e->reason ? escaped_max(strlen(e->reason)) : 0;
		bool big = e->extra || rlen > 1024;	/* format_json's stack escape */
		size_t cap = sizeof small + (e->extra ? strlen(e->extra) : 0) + (big ? rlen : 0);
		char *line = big ? malloc(cap) : NULL;

		if (!line) {	/* a short event, or no memory for a long one: the event stays */
			line = small;
			cap = sizeof small;
		}
		deliver(ev, e->name, line, format_json(line, cap, e, line != small));
		if (line != small)
			free(line);
	}
	if (e->syscall) {
		/* "payment: sandbox violation: ptrace(PTRACE_ATTACH, 1234) — killed" */
		char more[64] = "";

		if (e->suppressed)
			snprintf(more, sizeof more, " (%lu more not shown)", e->suppressed);
		log_warn("%s: %s — %s%s", e->name, e->reason ? e->reason : e->syscall,
			 e->verdict && strcmp(e->verdict, "errno") == 0 ? "denied (EPERM)" : "killed", more);
		return;
	}
	if (e->pid > 0)
		snprintf(pid, sizeof pid, " (pid %d)", (int)e->pid);
	if (e->action) {	/* "operator payment (pid 4242): kill with SIGKILL" */
		log_msg(event_level(e), "%s %s%s: %s%s%s", e->event, e->name, pid, e->action,
			e->signal > 0 ? " with " : "", e->signal > 0 ? sv_signal_name(e->signal, signame) : "");
		return;
	}
	log_msg(event_level(e), "%s %s%s%s%s", e->event, e->name, pid,
		 e->reason ? ": " : "", e->reason ? e->reason : "");
}
