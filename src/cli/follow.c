/* See follow.h. Each line is flushed as it comes: a pipe to grep or a
 * test reading our stdout sees it at once. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/follow.h"
#include "src/control/protocol.h"
#include "src/control/stream.h"

static bool wanted(const char *line, size_t len, const char *name)
{
	char got[CTL_NAME_MAX];
	size_t n = strlen(name);

	if (!name[0])
		return true;
	if (ctl_event_name(line, len, got, sizeof got) < 0)
		return false;
	return strcmp(got, name) == 0 || (strncmp(got, name, n) == 0 && got[n] == '#');
}

/* The first OFFSET bytes of the events file: what happened before. */
static void past_events(const char *path, int64_t offset, const char *name)
{
	FILE *f = path[0] ? fopen(path, "re") : NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int64_t at = 0;

	if (!f)
		return;	/* no file, or not ours to read: the live stream still is */
	while (at < offset && (len = getline(&line, &cap, f)) > 0) {
		at += len;
		if (line[len - 1] == '\n' && wanted(line, (size_t)len - 1, name))
			fputs(line, stdout);
	}
	free(line);
	fclose(f);
	fflush(stdout);
}

int follow_events(struct ctl_conn *c, const char *head, ssize_t len, const char *name, bool follow)
{
	char path[4096];
	int64_t offset;
	char *line;

	if (ctl_events_decode(head, (size_t)len, path, sizeof path, &offset) < 0) {
		fprintf(stderr, "prospero: events: not an events answer\n");
		return 1;
	}
	past_events(path, offset, name);
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

	ctl_lines_decode(head, (size_t)len, print_text, NULL);
	fflush(stdout);
	while (follow && (len = ctl_conn_line(c, &line)) > 0) {
		ctl_lines_decode(line, (size_t)len, print_text, NULL);
		fflush(stdout);
	}
	return 0;
}
