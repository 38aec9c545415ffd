/* An actor's definition: what it runs, where, and how it is supervised.
 * Confinement (confinement.c) and bindings (bindings.c) have their own
 * readers. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/config/didyoumean.h"
#include "src/config/jsonc.h"
#include "src/config/loader.h"
#include "src/config/paths.h"

const char *const ld_actor_keys[] = {
	"actor", "exec", "restart", "shutdown", "ready", "start_timeout", "instances", "env", "cwd",
	"sandbox", "limits", "private_tmp", "private_network", "private_ipc", "read_only", "user", "capabilities",
	"secrets", "secrets_env", "bindings", "watchdog", "state", "backoff", NULL,
};

static const struct keyset actor_keyset = {
	ld_actor_keys, ld_supervisor_keys, "applies to supervisors, not to actors", "", " in an actor",
};

/* PATH relative to the directory of the current file. */
static char *resolve(struct loader *ld, const char *path)
{
	char *out = NULL;

	/* "./x" reads better in messages as DIR/x; ".//x" is no "/x" */
	while (path[0] == '.' && path[1] == '/')
		for (path += 2; *path == '/'; path++)
			;
	if (path[0] == '/' ? !(out = strdup(path))
			   : asprintf(&out, "%s%s%s", ld->src.dir, strcmp(ld->src.dir, "/") ? "/" : "",
				      *path ? path : ".") < 0) {
		ld->oom = true;
		return NULL;
	}
	return out;
}

/* A command without a slash is looked up in $PATH, as execvp would. */
static char *search_path(struct loader *ld, const char *cmd)
{
	const char *path = getenv("PATH"), *p, *end;
	char *cand;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; p; p = *end ? end + 1 : NULL) {
		end = strchrnul(p, ':');
		if (asprintf(&cand, "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", cmd) < 0) {
			ld->oom = true;
			return NULL;
		}
		if (cand[0] == '/' && access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}

/* A script's interpreter (its "#!" line, an absolute path) is there and
 * may be run: else its exec fails with ENOENT, which names the script. */
static bool interpreter_ok(struct loader *ld, const struct cfg_pos *p, const char *written, const char *path)
{
	char head[256], interp[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return true;	/* not ours to read: the exec says */
	n = read(fd, head, sizeof head - 1);
	close(fd);
	if (n < 3 || head[0] != '#' || head[1] != '!')
		return true;
	head[n] = '\0';
	if (sscanf(head + 2, " %255[^ \t\n]", interp) != 1 || interp[0] != '/')
		return true;	/* relative: the actor's cwd decides */
	if (access(interp, X_OK) < 0) {
		ld_error(ld, p, "executable \"%s\" is a script whose interpreter %s (its #! line) is %s: %s", written,
			 interp, errno == ENOENT ? "not found" : "not executable", strerror(errno));
		return false;
	}
	return true;
}

bool ld_check_executable(struct loader *ld, const struct cfg_pos *p, const char *written, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		ld_error(ld, p, "executable \"%s\" not found: %s: %s", written, path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		ld_error(ld, p, "executable \"%s\" is not a regular file: %s", written, path);
		return false;
	}
	if (access(path, X_OK) < 0) {
		ld_error(ld, p, "executable \"%s\" is not executable (mode %04o): %s; chmod +x it",
			 written, (unsigned)(st.st_mode & 07777), path);
		return false;
	}
	return interpreter_ok(ld, p, written, path);
}

static bool get_exec(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct cfg_pos p = ld_pos_of_key(ld, obj, "exec", false);
	json_t *arg;
	size_t i, n = json_array_size(v), arr;
	const char *program;
	bool ok = true;

	if (!json_is_array(v) || n == 0) {
		ld_error(ld, &p, "\"exec\": expected a non-empty array of strings [\"program\", \"arg\", ...], got %s",
			 json_is_array(v) ? "an empty array" : ld_type_name(v));
		return false;
	}
	arr = ld_value_off(ld, obj, "exec");
	json_array_foreach(v, i, arg) {
		if (!json_is_string(arg) || (i == 0 && !*json_string_value(arg))) {
			struct cfg_pos q = ld_pos_of_index(ld, arr, i);
			ld_error(ld, &q, "\"exec\"[%zu]: expected %s, got %s", i,
				 i == 0 ? "the program to run (a non-empty string)" : "a string",
				 json_is_string(arg) ? "an empty string" : ld_type_name(arg));
			ok = false;
		} else if (json_string_length(arg) >= LD_ARG_STRING_MAX) {
			struct cfg_pos q = ld_pos_of_index(ld, arr, i);
			ld_error(ld, &q, "\"exec\"[%zu]: %zu bytes; the kernel takes at most %u in one argument "
				 "(MAX_ARG_STRLEN): pass it in a file the actor reads", i, json_string_length(arg),
				 LD_ARG_STRING_MAX - 1);
			ok = false;
		}
	}
	if (ok && !(a->argv = calloc(n + 1, sizeof *a->argv))) {
		ld->oom = true;
		return false;
	}
	for (i = 0; ok && i < n; i++)
		if (!(a->argv[i] = strdup(json_string_value(json_array_get(v, i))))) {
			ld->oom = true;
			return false;
		}
	/* the program is looked for even when an argument was wrong */
	program = json_string_value(json_array_get(v, 0));
	if (!program || !*program)
		return false;
	p = ld_pos_of_index(ld, arr, 0);
	if (strchr(program, '/')) {
		if (!(a->path = resolve(ld, program)))
			return false;
	} else if (!(a->path = search_path(ld, program))) {
		if (!ld->oom)
			ld_error(ld, &p, "executable \"%s\" not found in $PATH; write a path (\"./%s\") to run a file beside %s",
				 program, program, ld->src.file);
		return false;
	}
	return ld_check_executable(ld, &p, program, a->path) && ok;
}

static bool get_env(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct cfg_pos p;
	const char *k;
	json_t *val;
	size_t i = 0, env = ld_value_off(ld, obj, "env");
	bool ok = true;

	if (!json_is_object(v)) {
		p = ld_pos_of_key(ld, obj, "env", false);
		ld_error(ld, &p, "\"env\": expected an object {\"NAME\": \"value\"}, got %s", ld_type_name(v));
		return false;
	}
	if (!(a->env = calloc(json_object_size(v) + 1, sizeof *a->env))) {
		ld->oom = true;
		return false;
	}
	json_object_foreach(v, k, val) {
		bool bad_key = !*k || strchr(k, '=');

		if (bad_key || !json_is_string(val)) {
			p = ld_pos_of_key(ld, env, k, bad_key);
			if (bad_key)
				ld_error(ld, &p, "\"env\": invalid variable name \"%s\": it must be non-empty and contain no '='", k);
			else
				ld_error(ld, &p, "\"env\": \"%s\": expected a string value, got %s", k, ld_type_name(val));
			ok = false;
			continue;
		}
		if (strlen(k) + 1 + json_string_length(val) >= LD_ARG_STRING_MAX) {
			p = ld_pos_of_key(ld, env, k, false);
			ld_error(ld, &p, "\"env\": \"%s\": %zu bytes as %s=value; the kernel takes at most %u in one "
				 "variable (MAX_ARG_STRLEN): pass it in a file the actor reads", k,
				 strlen(k) + 1 + json_string_length(val), k, LD_ARG_STRING_MAX - 1);
			ok = false;
			continue;
		}
		if (asprintf(&a->env[i++], "%s=%s", k, json_string_value(val)) < 0) {
			a->env[--i] = NULL;
			ld->oom = true;
			return false;
		}
	}
	return ok;
}

static bool get_cwd(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct cfg_pos p = ld_pos_of_key(ld, obj, "cwd", false);
	struct stat st;

	if (!json_is_string(v) || !*json_string_value(v)) {
		ld_error(ld, &p, "\"cwd\": expected a directory (a non-empty string), got %s",
			 json_is_string(v) ? "an empty string" : ld_type_name(v));
		return false;
	}
	if (!(a->cwd = resolve(ld, json_string_value(v))))
		return false;
	/* "." names the directory an omitted cwd does, and must compare equal
	 * to it at a reload (diff.c compares strings) */
	path_clean(a->cwd);
	if (stat(a->cwd, &st) < 0) {
		ld_error(ld, &p, "\"cwd\": \"%s\" not found: %s: %s", json_string_value(v), a->cwd,
			 strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		ld_error(ld, &p, "\"cwd\": \"%s\" is not a directory: %s", json_string_value(v), a->cwd);
		return false;
	}
	return true;
}

bool ld_get_shutdown(struct loader *ld, json_t *v, size_t obj, long *out)
{
	static const char *const words[] = { "brutal_kill", "infinity" };
	const char *hint;
	struct cfg_pos p;
	json_int_t ms;

	if (json_is_string(v) && strcmp(json_string_value(v), "brutal_kill") == 0) {
		*out = SV_SHUTDOWN_BRUTAL_KILL;
		return true;
	}
	if (json_is_string(v) && strcmp(json_string_value(v), "infinity") == 0) {
		*out = SV_SHUTDOWN_INFINITY;
		return true;
	}
	if (ld_int_value(v, &ms) && ms >= 0 && ms <= MAX_TIMEOUT_MS) {
		*out = (long)ms;
		return true;
	}
	p = ld_pos_of_key(ld, obj, "shutdown", false);
	if (json_is_string(v) && (hint = dym_closest(json_string_value(v), words, 2, &ld->oom)))
		ld_error(ld, &p, "\"shutdown\": unknown value \"%s\" (did you mean \"%s\"?)", json_string_value(v), hint);
	else
		ld_error(ld, &p, "\"shutdown\": expected milliseconds (0 to %ld), \"brutal_kill\" or \"infinity\"",
			 MAX_TIMEOUT_MS);
	return false;
}

struct cfg_actor *ld_new_actor(struct loader *ld)
{
	struct cfg_actor *a = ld_append(ld, (void ***)&ld->cfg->actors, &ld->cfg->nactors, &ld->capactors,
					sizeof *a);

	if (a)
		*a = (struct cfg_actor){ .id = (unsigned)ld->cfg->nactors - 1, .order = CFG_NOT_IN_TREE,
					 .restart = SV_PERMANENT, .shutdown_ms = 5000, .ready = SV_READY_EXEC,
					 .start_timeout_ms = 30000, .instances = 1,
					 .profile = SB_PROFILE_SERVICE, .on_violation = SB_ON_VIOLATION_KILL,
					 .private_ipc = true };
	return a;
}

size_t ld_parse_actor(struct loader *ld, json_t *o, size_t off)
{
	struct cfg_actor *a = ld_new_actor(ld);
	json_t *v;
	long n;
	int w;

	if (!a)
		return SIZE_MAX;
	/* errors are counted in the diagnostics; read on to report them all */
	a->pos = ld_get_head(ld, o, off, &actor_keyset, &a->name);
	if ((v = json_object_get(o, "exec")))
		get_exec(ld, a, v, off);
	else
		ld_error(ld, &a->pos, "actor \"%s\" has no \"exec\": say what to run, e.g. \"exec\": [\"./%s\"]",
			 a->name ? a->name : "?", a->name ? a->name : "program");
	if ((v = json_object_get(o, "restart")) && ld_get_word(ld, v, off, "restart", sv_restart_names(), &w))
		a->restart = (enum sv_restart)w;
	if ((v = json_object_get(o, "shutdown")))
		ld_get_shutdown(ld, v, off, &a->shutdown_ms);
	if ((v = json_object_get(o, "ready")) && ld_get_word(ld, v, off, "ready", sv_ready_names(), &w))
		a->ready = (enum sv_ready)w;
	if ((v = json_object_get(o, "start_timeout")) &&
	    ld_get_int(ld, v, off, "start_timeout", 1, MAX_TIMEOUT_MS, &n))
		a->start_timeout_ms = n;
	if ((v = json_object_get(o, "instances")) && ld_get_int(ld, v, off, "instances", 1, CFG_MAX_INSTANCES, &n))
		a->instances = (unsigned)n;
	if ((v = json_object_get(o, "env")))
		get_env(ld, a, v, off);
	if ((v = json_object_get(o, "cwd")))
		get_cwd(ld, a, v, off);
	else if (!(a->cwd = strdup(ld->src.dir)))
		ld->oom = true;
	ld_get_confinement(ld, a, o, off);
	if ((v = json_object_get(o, "bindings")))
		ld_get_bindings(ld, a, v, off);
	if ((v = json_object_get(o, "watchdog")) && ld_get_int(ld, v, off, "watchdog", 1, MAX_TIMEOUT_MS, &n))
		a->watchdog_ms = n;
	if ((v = json_object_get(o, "state")))
		ld_get_bool(ld, v, off, "state", &a->state);
	if ((v = json_object_get(o, "backoff")))
		ld_get_backoff(ld, v, off, &a->backoff, &a->backoff_pos);
	ld_check_secrets_env(ld, a, off);
	return a->name ? ld_add_def(ld, a->name, false, a, a->pos) : SIZE_MAX;
}
