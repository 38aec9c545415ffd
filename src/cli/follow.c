/* See follow.h. Each line is flushed as it comes: a pipe to grep or a
 * test reading our stdout sees it at once. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "src/cli/follow.h"
#include "src/control/protocol.h"
#include "src/control/stream.h"

static int following = -1;	/* the connection read from */

static void on_interrupt(int sig)
{
	(void)sig;
	shutdown(following, SHUT_RD);
}

/* An interrupt (SIGINT, SIGTERM) ends following as the daemon's hang-up
 * does, status 0 (prospero(1), --follow): the read sees the stream's end. */
static void end_on_interrupt(const struct ctl_conn *c)
{
	struct sigaction sa = { .sa_handler = on_interrupt };

	following = c->fd;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* 1 if LINE is about NAME, 0 if not, -1 if memory ran out reading it. */
static int wanted(const char *line, size_t len, const char *name)
{
	char got[CTL_NAME_MAX];
	size_t n = strlen(name);

	if (!name[0])
		return 1;
	if (ctl_event_name(line, len, got, sizeof got) < 0)
		return errno == ENOMEM ? -1 : 0;
	return strcmp(got, name) == 0 || (strncmp(got, name, n) == 0 && got[n] == '#');
}

/* The first OFFSET bytes of the events file: what happened before. -1
 * ENOMEM when memory ran out before the end: the past has a gap. */
static int past_events(const char *path, int64_t offset, const char *name)
{
	FILE *f = path[0] ? fopen(path, "re") : NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int64_t at = 0;
	int rc = 0;

	if (!f)
		return 0;	/* no file, or not ours to read: the live stream still is */
	while (at < offset && (errno = 0, len = getline(&line, &cap, f)) > 0) {
		at += len;
		if (line[len - 1] == '\n' && (rc = wanted(line, (size_t)len - 1, name)) != 0) {
			if (rc < 0)
				break;
			fputs(line, stdout);
		}
		rc = 0;
	}
	if (at < offset && errno == ENOMEM)
		rc = -1;
	free(line);
	fclose(f);
	fflush(stdout);
	return rc < 0 ? -1 : 0;
}

int follow_events(struct ctl_conn *c, const char *head, ssize_t len, const char *name, bool follow)
{
	char path[4096];
	int64_t offset;
	char *line;

	if (ctl_events_decode(head, (size_t)len, path, sizeof path, &offset) < 0) {
		fprintf(stderr, "prospero: events: %s\n", errno == ENOMEM ? strerror(errno) : "not an events answer");
		return 1;
	}
	if (follow)
		end_on_interrupt(c);
	if (past_events(path, offset, name) < 0) {
		fprintf(stderr, "prospero: events: reading %s: %s\n", path, strerror(ENOMEM));
		return 1;
	}
	/* the daemon filters the live events by name already */
	while (follow && (len = ctl_conn_line(c, &line)) > 0) {
		printf("%s\n", line);
		fflush(stdout);
	}
	return 0;
}

static void print_text(const char *text, void *arg)
{
	printf("%s\n", text);
}

int follow_logs(struct ctl_conn *c, const char *head, ssize_t len, bool follow)
{
	char *line;
	int rc;

	if (follow)
		end_on_interrupt(c);
	rc = ctl_lines_decode(head, (size_t)len, print_text, NULL);
	fflush(stdout);
	while (follow && (rc == 0 || errno != ENOMEM) && (len = ctl_conn_line(c, &line)) > 0) {
		rc = ctl_lines_decode(line, (size_t)len, print_text, NULL);
		fflush(stdout);
	}
	/* a line not read for want of memory is a gap: not a quiet one */
	if (rc < 0 && errno == ENOMEM) {
		fprintf(stderr, "prospero: logs: %s\n", strerror(ENOMEM));
		return 1;
	}
	return 0;
}
