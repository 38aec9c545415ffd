/* What a reload says; see reload_report.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/config/diff.h"
#include "src/daemon/context.h"
#include "src/daemon/events.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/reload_report.h"
#include "src/daemon/sdstatus.h"
#include "src/daemon/setup.h"
#include "src/proto/control.h"
#include "src/proto/sdnotify.h"

/* The event's four lists, in this order; CHANGE is settings applied in place. */
static const enum sv_plan_kind listed[] = { SV_PLAN_ADD, SV_PLAN_REMOVE, SV_PLAN_RESTART, SV_PLAN_CHANGE };
static const char *const list_names[] = { "added", "removed", "restarted", "changed" };

static const char *item_name(const struct sv_plan_item *it)
{
	return it->new ? it->new->name : it->old->name;
}

/* "env, bindings": why an actor restarts. */
static void restart_why(FILE *f, const struct sv_plan_item *it, const struct reload_slot *slots)
{
	const struct reload_slot *s = it->new && it->new->kind == SV_NODE_ACTOR ? &slots[it->new->id] : NULL;
	const char *sep = "";

	if (!s || (!s->diff && !s->fds)) {
		fputs(" (actor and supervisor swapped)", f);
		return;
	}
	fputs(" (", f);
	for (uint32_t bit = 1; bit && bit <= s->diff; bit <<= 1)
		if (s->diff & bit) {
			fprintf(f, "%s%s", sep, cfg_field_name(bit));
			sep = ", ";
		}
	if (s->fds)
		fprintf(f, "%sfds", sep);
	fputs(")", f);
}

int reload_lists_init(struct reload_lists *l, const struct sv_plan *p, const struct reload_slot *slots)
{
	size_t jn, tn;
	FILE *j = open_memstream(&l->json, &jn), *t = open_memstream(&l->text, &tn);
	char esc[CFG_MAX_NAME * 6 + 16];

	if (!j || !t) {
		if (j)
			fclose(j);
		if (t)
			fclose(t);
		free(l->json);
		l->json = l->text = NULL;
		errno = ENOMEM;
		return -1;
	}
	for (size_t k = 0; k < sizeof listed / sizeof *listed; k++) {
		const char *sep = "";

		fprintf(j, "%s\"%s\": [", k ? ", " : "", list_names[k]);
		fprintf(t, "%s%s", k ? "; " : "", list_names[k]);
		for (size_t i = 0; i < p->n; i++) {
			if (p->items[i].kind != listed[k])
				continue;
			json_escape(esc, sizeof esc, item_name(&p->items[i]));
			fprintf(j, "%s\"%s\"", sep, esc);
			fprintf(t, "%s%s", *sep ? ", " : " ", item_name(&p->items[i]));
			if (listed[k] == SV_PLAN_RESTART)
				restart_why(t, &p->items[i], slots);
			sep = ", ";
		}
		fputs("]", j);
		if (!*sep)
			fputs(" nothing", t);
	}
	if ((fclose(j) | fclose(t)) != 0) {
		reload_lists_fini(l);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void reload_lists_fini(struct reload_lists *l)
{
	free(l->json);
	free(l->text);
	l->json = l->text = NULL;
}

char *reload_plan_text(const struct sv_plan *p, const struct reload_slot *slots)
{
	size_t len, kept = 0;
	char *text;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct sv_plan_item *it = &p->items[i];

		if (it->kind == SV_PLAN_KEEP) {
			kept++;
			continue;
		}
		fprintf(f, "%s %s", sv_plan_kind_name(it->kind), item_name(it));
		if (it->kind == SV_PLAN_RESTART)
			restart_why(f, it, slots);
		fputc('\n', f);
	}
	fprintf(f, "%zu unchanged\n", kept);
	if (fclose(f) != 0) {
		free(text);
		errno = ENOMEM;
		return NULL;
	}
	return text;
}

char *reload_join_diag(const struct cfg_diag *diag)
{
	size_t len = 0;
	char *text;

	for (size_t i = 0; i < diag->n; i++)
		len += strlen(diag->lines[i]) + 1;
	if (!diag->n || !(text = malloc(len + 1)))
		return NULL;
	text[0] = 0;
	for (size_t j = 0, n = 0; j < diag->n; j++)
		n += (size_t)sprintf(text + n, "%s\n", diag->lines[j]);
	return text;
}

char *reload_cap_text(const char *text)
{
	/* the state file sits in the runtime directory, a tmpfs: a config with
	 * millions of errors must not fill it (the daemon's log has them all) */
#define MORE "... and %zu more (`prospero check` says them all)\n"
	const size_t more = sizeof MORE + 20;	/* the line, its count's 20 digits at most */
	size_t len = 0, rest = 0;
	const char *p = text;
	char *capped;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t add = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (!rest && len + add > RELOAD_TEXT_MAX - more)
			rest = 1;
		else if (rest)
			rest++;
		else
			len += add;
		p += add;
	}
	if (!(capped = malloc(len + more)))
		return NULL;
	memcpy(capped, text, len);
	capped[len] = 0;
	if (rest)
		sprintf(capped + len, MORE, rest);
	return capped;
#undef MORE
}

/* The state file's content into NAME in DIR (FLAGS: how to open it);
 * -1 with errno. */
static int put_state(const struct daemon *d, int dir, const char *name, int flags, bool ok,
		     const char *text)
{
	int fd = openat(dir, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | flags, 0600);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "pid %d\nasked %u\ndone %u\nresult %s%s\n%s", (int)d->self, d->reloads_asked,
		d->reloads_done, d->reload_last_dry ? RELOAD_RESULT_DRY : "", ok ? "ok" : "error",
		text ? text : "");
	return fclose(f);
}

/* Written whole under a temporary name, then renamed: a reader sees the
 * old file or the new one. Relative to the runtime directory, which the
 * daemon made or was given. A full runtime directory has no room for the
 * second copy, and a daemon out of fds none for it: the file is then
 * rewritten in place, in the room it frees or with the fd reserve, or
 * `prospero reload` would wait for ever. */
static void report_state(struct daemon *d, bool ok, bool dry, const char *text)
{
	static const char tmp[] = "." RELOAD_STATE_FILE ".tmp";
	static const char no_room[] = "prospero: the runtime directory is full: the rest of this "
				      "text is in the daemon's log\n";
	const int dir = d->rundir.fd;
	char *kept;
	int err;

	if (text != d->reload_last_text && (kept = strdup(text ? text : ""))) {
		free(d->reload_last_text);
		d->reload_last_text = kept;
	}
	d->reload_last_ok = ok;
	d->reload_last_dry = dry;
	if (put_state(d, dir, tmp, O_CREAT | O_TRUNC, ok, text) == 0 &&
	    renameat(dir, tmp, dir, RELOAD_STATE_FILE) == 0) {
		d->reload_state_cramped = false;
		return;
	}
	err = errno;
	unlinkat(dir, tmp, 0);
	if (fd_reserve_would_help(err) && fd_reserve_give_up(&d->fd_reserve)) {
		int rc = put_state(d, dir, RELOAD_STATE_FILE, O_TRUNC, ok, text);

		err = errno;
		fd_reserve_take(&d->fd_reserve);
		if (rc == 0)
			return;
	}
	if ((err == ENOSPC || err == EDQUOT) &&
	    (put_state(d, dir, RELOAD_STATE_FILE, O_TRUNC, ok, text) == 0 ||
	     put_state(d, dir, RELOAD_STATE_FILE, O_TRUNC, ok, no_room) == 0)) {
		if (!d->reload_state_cramped)
			log_warn("%s: %s: the reload state file is written in place until it has room",
				 d->rundir.path, strerror(err));
		d->reload_state_cramped = true;
	} else if (err == EMFILE) {
		log_warn("%s/%s: %s (" DAEMON_NOFILE_FIX ")", d->rundir.path, RELOAD_STATE_FILE, strerror(err),
			 daemon_nofile_cur(d));
	} else {
		log_warn("%s/%s: %s", d->rundir.path, RELOAD_STATE_FILE, strerror(err));
	}
}

void reload_report_state(struct daemon *d, bool ok, const char *text)
{
	report_state(d, ok, false, text);
}

void reload_report_plan(struct daemon *d, bool ok, const char *text)
{
	report_state(d, ok, true, text);
}

void reload_report_asked(struct daemon *d)
{
	report_state(d, d->reload_last_ok, d->reload_last_dry, d->reload_last_text);
}

void reload_report_fini(struct daemon *d)
{
	free(d->reload_last_text);
	d->reload_last_text = NULL;
}

bool reload_take_request(struct daemon *d)
{
	/* the file's being there is the request, read or not: root's dry
	 * run of a daemon without root leaves one only root may read; no fd
	 * taken, so that one out of fds is not taken for a reload */
	return unlinkat(d->rundir.fd, RELOAD_REQUEST_FILE, 0) == 0;
}

void reload_report_remove(struct daemon *d)
{
	unlinkat(d->rundir.fd, RELOAD_STATE_FILE, 0);
	unlinkat(d->rundir.fd, RELOAD_REQUEST_FILE, 0);
}

void reload_report_start(struct daemon *d)
{
	struct timespec ts;
	char msg[96];

	/* sd_notify(3): RELOADING=1 with the time, READY=1 once applied */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	pp_sd_notify(msg);
}

/* The state file before the event: whoever sees the event finds the
 * state it reports. */
void reload_report_applied(struct daemon *d, const struct reload_lists *l)
{
	reload_report_state(d, true, l->text);
	events_emit(&d->events, &(struct event){ .event = "reload", .name = d->tree->root->name,
						 .status = -1, .reason = l->text, .extra = l->json });
	pp_sd_notify(PP_READY);
	sdstatus_poke(d);	/* the tree's summary, if the reload changed it */
}

void reload_report_interrupted(struct daemon *d, const struct reload_lists *l)
{
	char *why = NULL;

	if (asprintf(&why, "interrupted: the daemon began to stop while the reload was applied (%s)",
		     l->text ? l->text : "") < 0)
		why = NULL;
	log_err("reload %s", why ? why : "interrupted: the daemon began to stop");
	reload_report_state(d, false, why ? why : "interrupted: the daemon began to stop");
	events_emit(&d->events, &(struct event){ .event = "reload", .name = d->tree->root->name,
						 .status = -1, .reason = "interrupted: the daemon is stopping",
						 .extra = l->json });
	free(why);
}

void reload_report_failed(struct daemon *d, const char *text, bool diag, bool dry_run)
{
	const char *why = text ? text : strerror(errno);
	char *capped;

	/* a line each, so that each says whose it is and how grave */
	log_err("%s", dry_run ? "dry run: the reload would be refused:" : "reload refused, nothing changed:");
	log_lines(why, diag);
	d->reloads_done = d->reloads_asked;
	/* the log has every line; the state file, which the command prints,
	 * as many as fit */
	capped = diag ? reload_cap_text(why) : NULL;
	report_state(d, false, dry_run, capped ? capped : why);
	free(capped);
	if (dry_run)
		return;	/* the state file is its answer; nothing happened to tell of */
	events_emit(&d->events, &(struct event){ .event = "reload", .name = d->tree->root->name,
						 .status = -1, .reason = "refused: nothing changed",
						 .extra = "\"added\": [], \"removed\": [], \"restarted\": [], \"changed\": []" });
}
