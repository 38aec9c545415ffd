/* What run refuses of a tree, or warns of, beyond what the loader
 * checks; see tree_checks.h. */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/namespaces.h"
#include "sandbox/daemon/privs.h"
#include "sandbox/daemon/rlimits.h"
#include "src/daemon/confinement.h"
#include "src/daemon/containment.h"
#include "src/daemon/rundir.h"
#include "src/daemon/state.h"
#include "src/daemon/tree_checks.h"

/* An actor's rlimit above this process's hard one needs CAP_SYS_RESOURCE
 * (the child sets it before it drops anything): without it the start
 * fails with EPERM. `run` refuses such a tree before it starts anything;
 * `check` warns, as for the open files. */
int tree_check_rlimits(const struct cfg *cfg, bool error, struct cfg_diag *diag)
{
	bool bad = false;

	if (confinement_may_raise_limits())
		return 0;
	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];

		for (size_t k = 0; k < a->nlimits; k++) {
			const struct sb_rlimit *l = &a->limits[k];
			const char *name = sb_rlimit_name(l->resource);
			char want[32], hard[32], unit[32];
			struct rlimit r;
			size_t n;

			if (getrlimit((__rlimit_resource_t)l->resource, &r) < 0 || r.rlim_max == RLIM_INFINITY ||
			    (l->lim.rlim_max != RLIM_INFINITY && l->lim.rlim_max <= r.rlim_max))
				continue;
			if (l->lim.rlim_max == RLIM_INFINITY)
				snprintf(want, sizeof want, "infinity");
			else
				snprintf(want, sizeof want, "%llu", (unsigned long long)l->lim.rlim_max);
			snprintf(hard, sizeof hard, "%llu", (unsigned long long)r.rlim_max);
			for (n = 0; name[n] && n + 1 < sizeof unit; n++)
				unit[n] = (char)toupper((unsigned char)name[n]);
			unit[n] = '\0';
			if (cfg_diag_add(diag, error, &a->limit_pos[k],
					 "actor \"%s\": limit \"%s\" %s is above the hard limit here (%s), and raising it needs CAP_SYS_RESOURCE, which this process lacks: lower it, or start the daemon with a higher hard limit (Limit%s= under systemd)",
					 a->name, name, want, hard, unit) < 0)
				fprintf(stderr, "prospero: out of memory checking the limits\n");
			bad = true;
		}
	}
	return bad && error ? -1 : 0;
}

/* The first directory on the way to PATH (each ancestor, then PATH itself
 * when it is a directory) that others may not search, or PATH when it is a
 * file others may not execute; its mode in *MODE. False when none is. */
static bool out_of_reach(const char *path, char *where, size_t len, mode_t *mode)
{
	struct stat st;
	size_t n = strlen(path);

	if (n == 0 || n >= len || path[0] != '/')
		return false;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		memcpy(where, path, i);
		where[i] = '\0';
		if (stat(where, &st) < 0)
			return false;	/* the loader said what is missing */
		if (!(st.st_mode & S_IXOTH)) {
			*mode = st.st_mode & 07777;
			return true;
		}
	}
	return false;
}

/* The directory above ROOT (the state root: made 0711 if it is not, so
 * itself no matter) that others may not search, into WHERE. */
static bool state_out_of_reach(const char *root, char *where, size_t len, mode_t *mode)
{
	char above[PATH_MAX];
	char *slash;

	if (snprintf(above, sizeof above, "%s", root) >= (int)sizeof above || !(slash = strrchr(above, '/')))
		return false;
	if (slash == above)
		return false;	/* right under / */
	*slash = '\0';
	return out_of_reach(above, where, len, mode);
}

/* FILE, a regular file of mode FMODE: the first directory on the way
 * others may not search, or FILE when others may not read it (an
 * interpreter opens its script, it does not run it); into WHERE, *MODE,
 * and what is missing into *MISSING. */
static bool file_out_of_reach(char *file, mode_t fmode, char *where, size_t len, mode_t *mode,
			      const char **missing)
{
	char *slash = strrchr(file, '/');
	bool out = false;

	*missing = "searchable";
	if (slash && slash != file) {
		*slash = '\0';
		out = out_of_reach(file, where, len, mode);
		*slash = '/';
	}
	if (!out && !(fmode & S_IROTH) && strlen(file) < len) {
		strcpy(where, file);
		*mode = fmode & 07777;
		*missing = "readable";
		out = true;
	}
	return out;
}

/* An argument of A's "exec" with a slash that names a regular file, from
 * its cwd: a script, which its interpreter opens after the uid changed
 * (the cwd is entered before; Python makes the script's path absolute). */
static void check_args_reach(const struct cfg_actor *a, struct cfg_diag *diag)
{
	for (size_t k = 1; a->argv[k]; k++) {
		const char *arg = a->argv[k], *missing;
		char file[PATH_MAX], where[PATH_MAX], *real;
		struct stat st;
		mode_t mode;
		bool out;

		if (!strchr(arg, '/') || (arg[0] != '/' && !a->cwd))
			continue;
		if (snprintf(file, sizeof file, "%s%s%s", arg[0] == '/' ? "" : a->cwd, arg[0] == '/' ? "" : "/",
			     arg) >= (int)sizeof file || stat(file, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		/* st is the file's wherever its links lead: stat follows them */
		out = file_out_of_reach(file, st.st_mode, where, sizeof where, &mode, &missing);
		if (!out && (real = realpath(file, NULL))) {
			if (strlen(real) < sizeof file) {
				strcpy(file, real);
				out = file_out_of_reach(file, st.st_mode, where, sizeof where, &mode, &missing);
			}
			free(real);
		}
		if (out && cfg_diag_add(diag, false, &a->pos,
					"actor \"%s\" runs under a dynamic uid, which cannot reach the file %s its \"exec\" names: %s (mode %04o) is not %s by others; chmod %s it, or give the actor a \"user\"",
					a->name, arg, where, (unsigned)mode, missing,
					strcmp(missing, "readable") == 0 ? "o+r" : "o+x") < 0)
			fprintf(stderr, "prospero: out of memory checking the actors' paths\n");
	}
}

void tree_check_reach(const struct cfg *cfg, const struct daemon_opts *opts, struct cfg_diag *diag)
{
	const uint64_t dac = ((uint64_t)1 << CAP_DAC_OVERRIDE) | ((uint64_t)1 << CAP_DAC_READ_SEARCH);
	char root[4096];
	bool have_root;

	if (!confinement_dynamic_uids())
		return;
	have_root = state_root_path(opts->state_dir, root, sizeof root) == 0;
	/* the program only: the child enters its cwd while it is still root */
	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];
		char where[PATH_MAX], *real;
		mode_t mode;
		bool out;

		if (a->user || (a->keep_caps & dac) || a->order == CFG_NOT_IN_TREE || !a->path)
			continue;
		/* the way as written, and where its symbolic links lead */
		out = out_of_reach(a->path, where, sizeof where, &mode);
		if (!out && (real = realpath(a->path, NULL))) {
			out = out_of_reach(real, where, sizeof where, &mode);
			free(real);
		}
		if (out && cfg_diag_add(diag, false, &a->pos,
					"actor \"%s\" runs under a dynamic uid, which cannot reach its executable %s: %s (mode %04o) is not %s by others; chmod o+x it, or give the actor a \"user\"",
					a->name, a->path, where, (unsigned)mode,
					strcmp(where, a->path) ? "searchable" : "executable") < 0)
			fprintf(stderr, "prospero: out of memory checking the actors' paths\n");
		check_args_reach(a, diag);
		/* the daemon makes its directory there, but the actor opens it
		 * by name after its uid changed: EACCES on its own state */
		if (a->state && have_root && state_out_of_reach(root, where, sizeof where, &mode) &&
		    cfg_diag_add(diag, false, &a->pos,
				 "actor \"%s\" runs under a dynamic uid, which cannot reach its state directory in %s: %s (mode %04o) is not searchable by others; chmod o+x it, or pass another --state-dir",
				 a->name, root, where, (unsigned)mode) < 0)
			fprintf(stderr, "prospero: out of memory checking the actors' paths\n");
	}
}

int tree_check_cgroup_limits(const struct daemon *d, const struct cfg *cfg, struct cfg_diag *diag)
{
	bool bad = false;

	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];
		unsigned need = sb_cgroup_limits_need(&a->cg_limits);
		char why[SB_CGROUP_WHY_MAX];

		for (int c = 0; c < SB_CGROUP_NCTL; c++) {
			if (!(need & SB_CGROUP_CTL_BIT(c)) ||
			    containment_limit_applies(d, (enum sb_cgroup_ctl)c, why, sizeof why))
				continue;
			if (cfg_diag_add(diag, true, &a->cg_limit_pos[c],
					 "actor \"%s\": limit \"%s\" cannot be applied on this host: %s", a->name,
					 sb_cgroup_limit_name((enum sb_cgroup_ctl)c), why) < 0)
				fprintf(stderr, "prospero: out of memory checking the limits\n");
			bad = true;
		}
	}
	return bad ? -1 : 0;
}

/* What "capabilities" may keep (a running daemon has narrowed its
 * bounding set: confinement_narrow_bounding). */
static uint64_t givable_caps(void)
{
	return sb_privs_givable(sb_privs_last_cap());
}

#define CAP_BIT(c) ((uint64_t)1 << (c))

/* What a root daemon does to every actor, and the capability each takes
 * (the unit's CapabilityBoundingSet= has them all): its uid and gid,
 * signals across uids, and, with secrets or state, directories handed
 * to it and removed again. Without one a start fails, or a stop waits
 * for ever on a kill(2) that fails. */
static uint64_t needed_caps(const struct cfg *cfg)
{
	uint64_t need = CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_KILL);

	for (size_t i = 0; i < cfg->nactors; i++)
		if (cfg->actors[i]->nsecrets || cfg->actors[i]->state)
			need |= CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_DAC_OVERRIDE);
	return need;
}

/* Room for every capability's name, ", " between: the longest is 22
 * bytes (cap_checkpoint_restore) */
#define CAP_NAMES_MAX (SB_CAPS_MAX * 24)

/* The capabilities in MISSING, as "CAP_NET_RAW, CAP_SYS_RESOURCE",
 * however the config spelt them. */
static void cap_names(uint64_t missing, char *names, size_t len)
{
	size_t used = 0;

	names[0] = '\0';
	for (int cap = 0; cap < SB_CAPS_MAX; cap++) {
		char *name;

		if (!((missing >> cap) & 1) || !(name = cap_to_name((cap_value_t)cap)))
			continue;
		int w = snprintf(names + used, len - used, "%s%s", used ? ", " : "", name);
		cap_free(name);
		if (w < 0 || (size_t)w >= len - used) {
			names[used] = '\0';	/* whole names or none */
			break;
		}
		for (size_t i = used; i < used + (size_t)w; i++)
			names[i] = (char)toupper((unsigned char)names[i]);
		used += (size_t)w;
	}
}

/* Without CAP_SYS_ADMIN (not root) the child's unshare fails, and the
 * actor with it: said where each key that needs it is written. */
static int check_namespaces(const struct cfg *cfg, struct cfg_diag *diag)
{
	int bad = 0;

	if (confinement_may_unshare())
		return 0;
	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];
		const struct {
			bool on;
			const char *key;
			const struct cfg_pos *pos;
		} keys[] = {
			{ a->private_tmp, "private_tmp", &a->private_tmp_pos },
			{ a->private_network, "private_network", &a->private_network_pos },
			{ a->nread_only > 0, "read_only", &a->read_only_pos },
		};

		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
			if (!keys[k].on)
				continue;
			if (cfg_diag_add(diag, true, keys[k].pos,
					 "actor \"%s\": \"%s\" needs a daemon that may make namespaces (root, CAP_SYS_ADMIN)",
					 a->name, keys[k].key) < 0)
				fprintf(stderr, "prospero: out of memory checking the namespaces\n");
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* KEY of actor A, which only a root daemon can honour: said at POS. */
static int needs_root(struct cfg_diag *diag, const struct cfg_actor *a, const struct cfg_pos *pos, const char *key)
{
	if (cfg_diag_add(diag, true, pos, "actor \"%s\": \"%s\" needs a daemon that may change ids and capabilities (root)",
			 a->name, key) < 0)
		fprintf(stderr, "prospero: out of memory checking the privileges\n");
	return -1;
}

/* Without CAP_SETPCAP (not root) `run` cannot start an actor with "user"
 * or "capabilities", and with it none can keep a capability this process
 * lacks: said where each is written. */
static int check_ids_and_caps(const struct cfg *cfg, struct cfg_diag *diag)
{
	int bad = 0;

	if (confinement_privileged()) {
		uint64_t givable = givable_caps();
		uint64_t held = sb_privs_held(CAP_EFFECTIVE, sb_privs_last_cap());
		uint64_t missing = geteuid() == 0 && cfg->nactors ? needed_caps(cfg) & ~held : 0;

		if (missing) {
			char names[CAP_NAMES_MAX];

			cap_names(missing, names, sizeof names);
			if (cfg_diag_add(diag, true, &cfg->root->pos,
					 "this root daemon lacks %s, which its actors need (their uids, signals to them, their credentials and state directories): start it with %s (CapabilityBoundingSet= under systemd)",
					 names, missing & (missing - 1) ? "them" : "it") < 0)
				fprintf(stderr, "prospero: out of memory checking the privileges\n");
			bad = 1;
		}

		for (size_t i = 0; i < cfg->nactors; i++) {
			const struct cfg_actor *a = cfg->actors[i];
			uint64_t cannot = a->keep_caps & ~givable;
			const char *them = cannot & (cannot - 1) ? "them" : "it";
			char names[CAP_NAMES_MAX];

			if (!cannot)
				continue;
			cap_names(cannot, names, sizeof names);
			if (cfg_diag_add(diag, true, &a->caps_pos,
					 "actor \"%s\": \"capabilities\": this daemon cannot give %s (not in its permitted and bounding sets): drop %s, or start the daemon with %s (CapabilityBoundingSet= under systemd)",
					 a->name, names, them, them) < 0)
				fprintf(stderr, "prospero: out of memory checking the privileges\n");
			bad = 1;
		}
		return bad ? -1 : 0;
	}
	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];

		if (a->user && needs_root(diag, a, &a->user_pos, "user") < 0)
			bad = 1;
		if (a->keep_caps && needs_root(diag, a, &a->caps_pos, "capabilities") < 0)
			bad = 1;
	}
	return bad ? -1 : 0;
}

int tree_check_privileges(const struct cfg *cfg, struct cfg_diag *diag)
{
	int ids = check_ids_and_caps(cfg, diag), ns = check_namespaces(cfg, diag);

	return ids < 0 || ns < 0 ? -1 : 0;
}

/* The program of an actor with "private_tmp" in /tmp or /var/tmp (as
 * written, or where its links lead): the child execs it after its own
 * /tmp is mounted, so its start could only fail (ENOENT). */
static int check_exec_hidden(const struct cfg *cfg, struct cfg_diag *diag)
{
	int bad = 0;

	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];
		const char *tmp;
		char *real = NULL;

		if (!a->private_tmp || !a->path)
			continue;
		if (!(tmp = sb_ns_tmp_of(a->path)) && (real = realpath(a->path, NULL)))
			tmp = sb_ns_tmp_of(real);
		if (tmp) {
			if (cfg_diag_add(diag, true, &a->private_tmp_pos,
					 "actor \"%s\": \"private_tmp\" would hide its executable %s from it (its own %s is "
					 "mounted before the exec): put the program outside %s", a->name,
					 real ? real : a->path, tmp, tmp) < 0)
				fprintf(stderr, "prospero: out of memory checking private_tmp\n");
			bad = 1;
		}
		free(real);
	}
	return bad ? -1 : 0;
}

/* "private_tmp" hides /tmp and /var/tmp, "private_ipc" (as root) /dev/shm:
 * `run` refuses either to an actor whose program, runtime or state
 * directory is there. */
int tree_check_private_mounts(const struct cfg *cfg, const struct daemon_opts *opts, struct cfg_diag *diag)
{
	char run[4096], root[4096], state[4096 + 128], why[8192 + 256];
	bool have_root = state_root_path(opts->state_dir, root, sizeof root) == 0;
	bool shm = confinement_may_private_ipc() && access("/dev/shm", F_OK) == 0;
	int bad = check_exec_hidden(cfg, diag) < 0;

	if (rundir_choose(opts->runtime_dir, run, sizeof run) < 0)
		return bad ? -1 : 0;	/* run says why it has none */
	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];
		const char *key;

		snprintf(state, sizeof state, "%s/%s", root, a->name);
		/* each directory on its own: check says every mistake */
		for (int k = 0; k < 2; k++) {
			if (!(key = confinement_hides(a, shm && a->private_ipc, k == 0 ? run : NULL,
						      k == 1 && a->state && have_root ? state : NULL, why, sizeof why)))
				continue;
			/* "private_ipc" is on by default: the actor's own place then */
			if (cfg_diag_add(diag, true, strcmp(key, "private_tmp") == 0 ? &a->private_tmp_pos : &a->pos,
					 "actor \"%s\": %s", a->name, why) < 0)
				fprintf(stderr, "prospero: out of memory checking private_tmp and private_ipc\n");
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}
