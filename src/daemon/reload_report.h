/* What a reload says: the plan as text (a dry run), the `reload` event
 * and its log line, systemd's RELOADING=1/READY=1, and the state file
 * `prospero reload` waits on (README "Reload"). */
#ifndef PROSPERO_DAEMON_RELOAD_REPORT_H
#define PROSPERO_DAEMON_RELOAD_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "src/config/config.h"
#include "supervisor/reload.h"

struct daemon;

/* An actor node of a reload's new tree (by node id; zero for supervisors). */
struct reload_slot {
	const struct cfg_actor *a;
	unsigned index;
	char *name;			/* until an instance takes it */
	uint32_t diff;			/* fields only a restart applies (cfg_field) */
	bool fds;			/* its fd map changes: a binding at either end */
};

/* The event's lists, made while the plan's nodes still have their names. */
struct reload_lists {
	char *json;			/* "added": [...], "removed": [...], ... */
	char *text;			/* the same for the log */
};

int reload_lists_init(struct reload_lists *l, const struct sv_plan *p, const struct reload_slot *slots);
void reload_lists_fini(struct reload_lists *l);

/* The plan, a line per item that is not KEEP, then how many are: NULL
 * with errno ENOMEM. */
char *reload_plan_text(const struct sv_plan *p, const struct reload_slot *slots);
/* The most of a refusal's diagnostics the state file holds (the log has
 * them all); a plan or a summary is written whole. */
#define RELOAD_TEXT_MAX 65536
/* DIAG's lines, all of them, joined by newlines; NULL if none or out of
 * memory. */
char *reload_join_diag(const struct cfg_diag *diag);
/* A copy of TEXT's lines that fit in RELOAD_TEXT_MAX, then how many more
 * there are; NULL if out of memory. */
char *reload_cap_text(const char *text);

/* The state file RUNTIME/reload: "pid P", "asked A", "done D", "result
 * ok|error" (a reload's) or "result dry-ok|dry-error" (a dry run's: the
 * command that asked the other kind asks again), then the text. Written
 * at start-up, on each SIGHUP (asked counts it at once, so a command
 * reading the file during a long reload waits for one after its own
 * signal), and by each reload it asked for; `prospero reload` compares
 * asked before its signal with done. */
#define RELOAD_STATE_FILE "reload"
void reload_report_state(struct daemon *d, bool ok, const char *text);
/* The same for a dry run's answer. */
void reload_report_plan(struct daemon *d, bool ok, const char *text);
/* The file again, with the last result, for a new count of asked. */
void reload_report_asked(struct daemon *d);
/* At exit: what reload_report_state kept. */
void reload_report_fini(struct daemon *d);

/* A dry run is asked by leaving RUNTIME/reload.request (it holds
 * "dry-run") before the SIGHUP: whether one was, taking it. */
#define RELOAD_REQUEST_FILE "reload.request"
#define RELOAD_REQUEST_DRY_RUN "dry-run"
/* How a dry run's result begins in the state file */
#define RELOAD_RESULT_DRY "dry-"
bool reload_take_request(struct daemon *d);
/* At exit: the state file and any request gone, so no one waits on a
 * daemon that is not there (and a private runtime directory empties). */
void reload_report_remove(struct daemon *d);

void reload_report_start(struct daemon *d);
/* Applied (the caller set reloads_done to the SIGHUPs it answers). */
void reload_report_applied(struct daemon *d, const struct reload_lists *l);
/* The daemon began to stop while L was being applied: not all of it was,
 * and the one who asked hears so (an error), as does the events file. */
void reload_report_interrupted(struct daemon *d, const struct reload_lists *l);
/* A refusal, TEXT why (NULL: errno's): logged, DIAG if TEXT is the
 * config's diagnostics; in the state file; and but for a DRY_RUN, whose
 * answer the state file is, a `reload` event. */
void reload_report_failed(struct daemon *d, const char *text, bool diag, bool dry_run);

#endif
