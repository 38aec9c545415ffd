/* Live reload, the daemon's side (README "Reload"): re-read the config
 * files given at start and apply the difference to the running tree, as
 * supervisor/reload.h plans and applies it. What this side decides: which
 * instances must restart (their spec changed as cfg_actor_diff says, or
 * their fd map did: a binding at either end changed), and the objects a
 * reload swaps — the generation (config and filters), the bindings table
 * (edges that stay keep their socketpairs), instances made for what is
 * added or replaced, and those retired once down.
 *
 * SIGHUP asks for a reload (reload_on_signal, with the state file that
 * `prospero reload` waits on); it calls daemon_reload_request(), which
 * with dry_run gives *TEXT at once; else a refusal's *TEXT at once, or
 * the summary later, from DONE. */
#ifndef PROSPERO_DAEMON_RELOAD_H
#define PROSPERO_DAEMON_RELOAD_H

#include <stdbool.h>

#include "supervisor/tree.h"

struct daemon;

/* Called once a reload is applied: every supervisor has its new
 * children (starts of added ones may still follow). SUMMARY is what the
 * reload event says ("added a; removed nothing; restarted b (env);
 * changed c"), valid during the call. Not called when the daemon stops
 * first: CTX must not be freed before then by whoever waits on it. */
typedef void (*reload_done_fn)(void *ctx, const char *summary);

/* Re-read the config and apply it; with DRY_RUN only say what would be
 * done. 0: the reload is under way and DONE (if any) will be called —
 * possibly before this returns —, or for a dry run *TEXT holds the plan.
 * -1 with errno: EINVAL, the config has errors (*TEXT: the diagnostics
 * as `check` gives them, a line each); EBUSY, a reload is still being
 * applied; ESHUTDOWN, the tree is stopping; EOPNOTSUPP, a fault plan
 * runs (--faults: it holds the tree as started); ENOMEM or a start-up failure of a new instance (*TEXT says
 * why). Nothing changed on -1. *TEXT is malloc'ed, or NULL. */
int daemon_reload_request(struct daemon *d, bool dry_run, char **text, reload_done_fn done,
			  void *ctx);

/* SIGHUP: a reload; one asked while another is applied follows it
 * (from the watcher reload_watch sets up, before the loop runs). */
void reload_watch(struct daemon *d);
void reload_on_signal(struct daemon *d);
/* The daemon begins to stop (SIGTERM, SIGINT): a reload being applied
 * cannot be whole now, and is said interrupted at once, while the daemon
 * still runs to be asked (its state file goes when it exits). */
void reload_on_stop(struct daemon *d);

/* The dispatcher's hooks: SV_DO_RETIRE of N; SV_REPORT_RELOADED; after
 * each batch of actions, the retired instances released. */
void reload_retire(struct daemon *d, struct sv_node *n);
void reload_applied(struct daemon *d);
void reload_release(struct daemon *d);

/* At teardown: a reload still being applied, freed. */
void reload_free(struct daemon *d);

#endif
