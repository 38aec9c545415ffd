/* prospero: the command line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "src/cli/dot.h"
#include "src/cli/explain.h"
#include "src/cli/options.h"
#include "src/cli/verbs.h"
#include "src/cli/reload.h"
#include "src/config/config.h"
#include "src/config/diag.h"
#include "src/config/faults.h"
#include "src/daemon/abspath.h"
#include "src/daemon/confinement.h"
#include "src/daemon/daemon.h"
#include "src/daemon/exposure.h"
#include "src/daemon/log.h"
#include "src/daemon/rundir.h"
#include "src/daemon/secrets.h"
#include "src/daemon/state.h"
#include "src/daemon/tree_checks.h"
#include "src/proto/plural.h"
#include "sandbox/daemon/uidpool.h"

/* README "Exit status"; 1 is EXIT_FAILURE: a config or start-up error,
 * 2 EXIT_USAGE (options.h) */
#define EXIT_GAVE_UP 3

/* "FILE:LINE:COL: error: ..." as compilers print it; off a terminal (a
 * log, the journal) it says whose it is: "prospero: FILE:...". */
static void print_diag(struct cfg_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		log_diag(diag->lines[i], (int)strlen(diag->lines[i]));
	cfg_diag_free(diag);
}

/* What the host cannot give the tree, gathered from each check: said in
 * the order of the files and of their text, as the config's own
 * mistakes are (and as a reload says them). */
static void print_host(struct cfg_diag *host, const struct cfg *cfg)
{
	if (cfg_diag_sort(host, 0, cfg->files, cfg->nfiles) < 0)
		fprintf(stderr, "prospero: out of memory sorting the diagnostics\n");
	print_diag(host);
}

static struct cfg *load(char **files, size_t nfiles)
{
	struct cfg_diag diag = { 0 };
	struct cfg *cfg = cfg_load(files, nfiles, &diag);

	if (!cfg && diag.nerrors == 0)
		fprintf(stderr, "prospero: out of memory loading the configuration\n");
	print_diag(&diag);
	return cfg;
}

/* As root, every actor instance without "user" takes a uid of the range
 * that passwd and group do not use (none without CAP_SETPCAP, which
 * changes no id). */
static int check_uids(const struct cfg *cfg, const struct daemon_opts *opts, struct cfg_diag *host)
{
	size_t before = host->n;
	uid_t *taken;
	size_t ntaken;
	int rc;

	if (!confinement_dynamic_uids())
		return 0;
	if (sb_uid_host_ids(&taken, &ntaken) < 0) {
		fprintf(stderr, "prospero: out of memory checking the uid range\n");
		return -1;
	}
	rc = cfg_check_uid_range(cfg, opts->uid_first, opts->uid_last, taken, ntaken, host);
	free(taken);
	if (rc == 0)
		return 0;
	if (host->n == before)
		fprintf(stderr, "prospero: out of memory checking the uid range\n");
	return -1;
}

/* The open files the tree needs against the hard limit: `run` refuses a
 * tree it would fail to start midway; `check` warns (a service may run
 * with another limit than this shell). */
static int check_fds(const struct cfg *cfg, bool error, struct cfg_diag *host)
{
	size_t before = host->n;
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_max == RLIM_INFINITY ||
	    cfg_check_fd_limit(cfg, geteuid() == 0, (unsigned long long)r.rlim_max, error, host) == 0)
		return 0;
	if (host->n == before)
		fprintf(stderr, "prospero: out of memory checking the open file limit\n");
	return error ? -1 : 0;
}

/* "user", "capabilities" or a namespace this daemon cannot give, and a
 * private mount that would hide the runtime or state directory: said by
 * tree_checks where each is written, before run starts anything. */
static int check_privileges(const struct cfg *cfg, const struct daemon_opts *opts, struct cfg_diag *host)
{
	bool bad = tree_check_privileges(cfg, host) < 0;

	bad |= tree_check_private_mounts(cfg, opts, host) < 0;
	return bad ? -1 : 0;
}

/* The processes of the tree under S, adding its supervisors to *SUPS and
 * its actors to *ACTORS: those in the tree, not an actor no one names,
 * which never runs. */
static size_t count(const struct cfg_supervisor *s, size_t *sups, size_t *actors)
{
	size_t n = 0;

	(*sups)++;
	for (size_t i = 0; i < s->nchildren; i++) {
		if (s->children[i].kind != CFG_CHILD_ACTOR) {
			n += count(s->children[i].u.sup, sups, actors);
			continue;
		}
		(*actors)++;
		n += s->children[i].u.actor->instances;
	}
	return n;
}

/* FIRST-LAST, each a plain number (cli_parse_uint) */
static int parse_uid_range(const char *s, uid_t *first, uid_t *last)
{
	const char *dash = strchr(s, '-');
	unsigned long long a, b;

	if (!dash || cli_parse_uint(s, (size_t)(dash - s), (uid_t)-2, &a) < 0 ||
	    cli_parse_uint(dash + 1, strlen(dash + 1), (uid_t)-2, &b) < 0 || a == 0 || a > b)
		return -1;
	*first = (uid_t)a;
	*last = (uid_t)b;
	return 0;
}

/* --log-ring BYTES: enough for a line, small enough for many actors */
static int parse_log_ring(const char *s, size_t *out)
{
	unsigned long long v;

	if (cli_parse_uint(s, strlen(s), 1ull << 20, &v) < 0 || v < 256) {
		cli_usage_error("--log-ring \"%s\": expected bytes from 256 to 1048576", s);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

/* What `check` was asked for beyond the config itself. */
struct check_opts {
	const char *explain_actor;
	bool dot;			/* --dot: the tree as a Graphviz graph */
	const char *faults;		/* a plan file, or NULL */
	bool has_seed;
	uint64_t seed;
};

/* `check --faults FILE`: the plan against the tree, its mistakes said on
 * stderr; NULL if it has any. */
static struct fault_plan *check_faults(const struct cfg *cfg, const struct check_opts *co)
{
	struct cfg_diag diag = { 0 };
	struct fault_plan *plan = cfg_faults_load(co->faults, cfg, &diag);

	if (!plan && diag.nerrors == 0)
		fprintf(stderr, "prospero: out of memory loading the fault plan\n");
	print_diag(&diag);
	return plan;
}

/* The line that follows "configuration ok" for a plan without mistakes. */
static void fault_summary(const struct fault_plan *plan, const struct check_opts *co)
{
	size_t by_kind[FAULT_SYSCALL + 1] = { 0 };

	for (size_t i = 0; i < plan->n; i++)
		by_kind[plan->faults[i].kind]++;
	printf("fault plan ok: %zu %s (%zu kill, %zu stall, %zu edge, %zu syscall), ", plan->n,
	       plural(plan->n, "fault", "faults"),
	       by_kind[FAULT_KILL], by_kind[FAULT_STALL], by_kind[FAULT_EDGE], by_kind[FAULT_SYSCALL]);
	if (co->has_seed || plan->has_seed)
		printf("seed %" PRIu64 "\n", fault_plan_seed(plan, co->has_seed ? &co->seed : NULL, 0));
	else
		printf("seed chosen at start\n");
}

/* `check --dot`: the configured tree as a Graphviz graph. */
static int check_dot(const struct cfg *cfg)
{
	struct ctl_status st;

	if (dot_from_config(cfg, &st) < 0) {
		fprintf(stderr, "prospero: out of memory drawing the tree\n");
		return 1;
	}
	dot_write(stdout, &st, false);
	ctl_status_free(&st);
	return 0;
}

/* The cgroup controllers the tree's limits need, a bit each. */
static unsigned cgroup_limits_needed(const struct cfg *cfg)
{
	unsigned need = 0;

	for (size_t i = 0; i < cfg->nactors; i++)
		need |= sb_cgroup_limits_need(&cfg->actors[i]->cg_limits);
	return need;
}

/* What this host cannot give the tree: each cgroup limit asked for that
 * it cannot apply (an error: run refuses the tree, as it would refuse to
 * start the actor). `check --explain` says the rest: the containment,
 * the uid range, a runtime directory that could write secrets to a disk. */
static int check_host(const struct cfg *cfg, const struct daemon_opts *opts, struct cfg_diag *host)
{
	struct containment_probe p = { .usable = true };
	unsigned need = cgroup_limits_needed(cfg);
	int bad = 0;

	if (need || opts->containment == CONTAIN_WANT_CGROUP || opts->containment == CONTAIN_WANT_UID) {
		containment_probe(opts, &p);
		if (!p.usable) {
			fprintf(stderr, "prospero: containment: %s\n", p.line);
			bad = 1;
		}
	}
	for (size_t i = 0; need && i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];
		unsigned mine = sb_cgroup_limits_need(&a->cg_limits);

		for (int c = 0; c < SB_CGROUP_NCTL; c++) {
			if (!(mine & SB_CGROUP_CTL_BIT(c)) || p.limit_ok[c])
				continue;
			if (cfg_diag_add(host, true, &a->cg_limit_pos[c],
					 "actor \"%s\": limit \"%s\" cannot be applied on this host: %s", a->name,
					 sb_cgroup_limit_name((enum sb_cgroup_ctl)c), p.limit_why[c]) < 0)
				fprintf(stderr, "prospero: out of memory checking the limits\n");
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* As `run` says at start: credentials written where they may reach a
 * disk (said here only for a tree that has secrets). */
static void check_secrets_on_disk(const struct cfg *cfg, const struct daemon_opts *opts)
{
	char run[4096];
	bool secrets = false;

	for (size_t i = 0; i < cfg->nactors && !secrets; i++)
		secrets = cfg->actors[i]->nsecrets > 0;
	if (secrets && rundir_choose(opts->runtime_dir, run, sizeof run) == 0 && rundir_on_tmpfs(run) == 0)
		log_warn("runtime directory %s is not on tmpfs or ramfs: credentials delivered there may reach a disk",
			 run);
}

/* What else `run` would refuse (-1) or warns of, said on stderr. */
static int check_tree(const struct cfg *cfg, const struct daemon_opts *opts)
{
	struct cfg_diag host = { 0 };
	bool bad = false;

	/* every one, not only the first: check says all it finds */
	bad |= check_uids(cfg, opts, &host) < 0;
	bad |= check_privileges(cfg, opts, &host) < 0;
	bad |= check_host(cfg, opts, &host) < 0;
	check_fds(cfg, false, &host);
	tree_check_rlimits(cfg, false, &host);	/* a warning here, an error for run */
	tree_check_reach(cfg, opts, &host);
	print_host(&host, cfg);
	bad |= state_root_check(cfg, opts) < 0;
	bad |= secrets_check(cfg, opts, NULL, 0) < 0;
	exposure_dev_vars(cfg, true);
	check_secrets_on_disk(cfg, opts);
	exposure_uid();
	return bad ? -1 : 0;
}

/* `check`, once the files loaded: the tree and the plan checked, then a
 * summary, or one actor explained instead (with the same diagnostics and
 * status: an explanation is no pass for a tree run refuses). */
static int check(const struct cfg *cfg, const struct daemon_opts *opts, const struct check_opts *co)
{
	struct fault_plan *plan = NULL;
	size_t sups = 0, actors = 0, procs;
	int rc;

	rc = check_tree(cfg, opts) < 0 ? 1 : 0;
	if (co->faults && !(plan = check_faults(cfg, co)))
		rc = 1;
	if (co->dot || co->explain_actor || rc) {
		/* drawn or explained all the same, with no summary in the way */
		if (co->dot && !co->explain_actor && check_dot(cfg) != 0)
			rc = 1;
		if (co->explain_actor && cli_explain(cfg, opts, co->explain_actor) != 0)
			rc = 1;
		fault_plan_free(plan);
		return rc;
	}
	procs = count(cfg->root, &sups, &actors);
	printf("configuration ok: root \"%s\", %zu %s, %zu %s, %zu %s\n", cfg->root->name, sups,
	       plural(sups, "supervisor", "supervisors"), actors, plural(actors, "actor", "actors"),
	       procs, plural(procs, "process", "processes"));
	if (plan)
		fault_summary(plan, co);
	fault_plan_free(plan);
	return 0;
}

/* --seed N: what a plan's "seed" may be. */
static int parse_seed(const char *s, struct check_opts *co)
{
	unsigned long long v;

	if (cli_parse_uint(s, strlen(s), FAULT_MAX_SEED, &v) < 0) {
		cli_usage_error("--seed \"%s\": expected an integer from 0 to %" PRIu64, s, FAULT_MAX_SEED);
		return -1;
	}
	co->seed = v;
	co->has_seed = true;
	return 0;
}

/* What getopt cannot see: files given, and options that need others.
 * --seed only means something with a plan. */
static int check_usage(const char *cmd, size_t nfiles, const struct check_opts *co)
{
	if (nfiles == 0) {
		cli_usage_error("%s needs at least one config file (-c FILE)", cmd);
		return -1;
	}
	if (co->has_seed && !co->faults) {
		cli_usage_error("--seed needs --faults FILE");
		return -1;
	}
	return 0;
}

/* `run --faults FILE`: the plan checked against the tree, with the run's
 * seed in OPTS. NULL when the plan has errors (said on stderr). */
static struct fault_plan *load_faults(const struct cfg *cfg, const struct check_opts *co,
				      struct daemon_opts *opts)
{
	struct cfg_diag diag = { 0 };
	struct fault_plan *plan = cfg_faults_load(co->faults, cfg, &diag);
	uint64_t random = 0;

	if (!plan && diag.nerrors == 0)
		fprintf(stderr, "prospero: out of memory loading the fault plan\n");
	print_diag(&diag);
	if (!plan)
		return NULL;
	/* a seed nobody chose still replays: it is printed and recorded */
	if (getrandom(&random, sizeof random, 0) != sizeof random)
		random = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	opts->seed = fault_plan_seed(plan, co->has_seed ? &co->seed : NULL, random);
	opts->faults = plan;	/* the daemon borrows it for the run */
	log_info("fault plan %s: %zu %s, seed %" PRIu64 " (replay with --seed %" PRIu64 ")", co->faults,
		 plan->n, plural(plan->n, "fault", "faults"), opts->seed, opts->seed);
	return plan;
}

/* `run`: the exit status for the way the root went down. */
static int run(const struct cfg *cfg, struct daemon_opts *opts, const struct check_opts *co)
{
	struct fault_plan *plan = NULL;
	struct cfg_diag host = { 0 };
	struct sv_exit end;
	bool bad;
	int rc;

	if (co->faults && !(plan = load_faults(cfg, co, opts)))
		return EXIT_FAILURE;
	/* every refusal said, as check says them, not only the first */
	bad = check_uids(cfg, opts, &host) < 0;
	bad |= check_fds(cfg, true, &host) < 0;
	bad |= tree_check_rlimits(cfg, true, &host) < 0;
	bad |= check_privileges(cfg, opts, &host) < 0;
	tree_check_reach(cfg, opts, &host);
	/* rather than start the tree and fail at that actor */
	if (cgroup_limits_needed(cfg))
		bad |= check_host(cfg, opts, &host) < 0;
	print_host(&host, cfg);
	bad |= secrets_check(cfg, opts, NULL, 0) < 0;
	rc = bad ? -1 : daemon_run(cfg, opts, &end);
	fault_plan_free(plan);
	if (rc < 0)
		return EXIT_FAILURE;
	switch (end.kind) {
	case SV_EXIT_SHUTDOWN:
		return EXIT_SUCCESS;
	case SV_EXIT_GAVE_UP:
		return EXIT_GAVE_UP;
	default:	/* a child failed to start at boot */
		log_err("the tree could not start: a child failed to start at boot (the lines above name it "
			"and say why); everything started was stopped");
		return EXIT_FAILURE;
	}
}

/* What the command line asks for, once parsed. */
struct cli {
	const char *cmd;		/* "run" or "check" */
	char **files;			/* config files, in the order given */
	size_t nfiles;
	struct daemon_opts opts;
	struct check_opts co;
	char events[PATH_MAX], secrets_dir[PATH_MAX];	/* the two paths made absolute */
};

/* A relative PATH of OPTION from the cwd, into BUF (prospero(1)): the
 * daemon keeps it, and names the events file to other commands. */
static int make_absolute(const char *option, const char **path, char *buf, size_t len)
{
	if (!*path)
		return 0;
	if (abspath(*path, buf, len) < 0) {
		fprintf(stderr, "prospero: %s %s: %s\n", option, *path, strerror(errno));
		return -1;
	}
	*path = buf;
	return 0;
}

static int parse_containment(const char *word, const char *from, struct daemon_opts *opts)
{
	int w = containment_want_parse(word);

	if (w < 0) {
		cli_usage_error("%s%s \"%s\": expected auto, cgroup, uid or pgroup",
				strcmp(from, CONTAIN_ENV) == 0 ? "$" : "", from, word);
		return -1;
	}
	opts->containment = (enum containment_want)w;
	opts->containment_from = from;
	return 0;
}

/* The argument of path option C into CLI: 1 when C is one, else 0. An
 * empty path is refused (said, -1) where the command reads it: it would
 * silently stand for the default, or for nothing. */
static int path_option(int c, bool run, struct cli *cli)
{
	const char **to, *name, *config;

	switch (c) {
	case 'c': name = "--config"; to = &config; break;
	case 'e': name = "--events"; to = run ? &cli->opts.events_path : NULL; break;
	case 'r': name = "--runtime-dir"; to = &cli->opts.runtime_dir; break;
	case 's': name = "--secrets-dir"; to = &cli->opts.secrets_dir; break;
	case 'd': name = "--state-dir"; to = &cli->opts.state_dir; break;
	case 'f': name = "--faults"; to = &cli->co.faults; break;
	default: return 0;
	}
	if (!to)
		return 1;	/* another command's: ignored, empty or not */
	if (cli_path_arg(name, optarg, to) < 0)
		return -1;
	if (c == 'c')
		cli->files[cli->nfiles++] = optarg;
	return 1;
}

/* The options after the command, into CLI. -1 with the exit status in
 * *STATUS when there is nothing more to do (--help, a usage error). */
static int parse_options(int argc, char **argv, struct cli *cli, int *status)
{
	static const struct option mine[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "events", required_argument, NULL, 'e' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "secrets-dir", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "uid-range", required_argument, NULL, 'u' },
		{ "containment", required_argument, NULL, 'k' },
		{ "explain", required_argument, NULL, 'x' },
		{ "faults", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 'S' },
		{ "log-ring", required_argument, NULL, 'l' },
		{ "dot", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct option longopts[CLI_LONGOPTS_MAX];
	bool has_containment = false, run = strcmp(cli->cmd, "run") == 0;
	int c, other, path;

	cli_longopts(mine, longopts);
	*status = EXIT_USAGE;
	optind = 2;
	while ((c = cli_getopt(argc, argv, "c:e:r:s:d:u:k:x:f:S:l:", longopts)) != -1) {
		if ((path = path_option(c, run, cli)) < 0)
			return -1;
		if (path)
			continue;
		switch (c) {
		case 'x':
			/* an empty name, as everywhere (run ignores the option) */
			if (!run && !optarg[0]) {
				cli_usage_error("--explain: ACTOR is empty");
				return -1;
			}
			cli->co.explain_actor = optarg;
			break;
		case 'D': cli->co.dot = true; break;
		case 'S':
			if (parse_seed(optarg, &cli->co) < 0)
				return -1;
			break;
		case 'l':	/* run's alone: ignored by check, as the man page says */
			if (run && parse_log_ring(optarg, &cli->opts.log_ring) < 0)
				return -1;
			break;
		case 'u':
			if (parse_uid_range(optarg, &cli->opts.uid_first, &cli->opts.uid_last) < 0) {
				cli_usage_error("--uid-range \"%s\": expected FIRST-LAST, "
						"with 0 < FIRST <= LAST < 4294967295", optarg);
				return -1;
			}
			break;
		case 'k':
			if (parse_containment(optarg, "--containment", &cli->opts) < 0)
				return -1;
			has_containment = true;
			break;
		default:
			if ((other = cli_option_other(c)) == 0)
				break;
			if (other > 0)
				*status = 0;
			return -1;	/* or a usage error, said */
		}
	}
	/* "-c root.jsonc actors/NAME.jsonc...": the shell's expansion lands here */
	while (optind < argc)
		cli->files[cli->nfiles++] = argv[optind++];
	/* empty is unset, as for every variable the daemon reads */
	if (!has_containment && getenv(CONTAIN_ENV) && *getenv(CONTAIN_ENV) &&
	    parse_containment(getenv(CONTAIN_ENV), CONTAIN_ENV, &cli->opts) < 0)
		return -1;
	return check_usage(cli->cmd, cli->nfiles, &cli->co);
}

/* A SIGHUP, SIGTERM or SIGINT before the daemon's loop watches for it
 * would end the daemon (the default action), leaving its sockets behind
 * with a status of 129 or 143: blocked, each waits in the loop's
 * signalfd, which keeps it blocked, and is a reload or a clean stop then
 * (exit 0, prospero(1)). Nothing else is: a mask inherited through exec
 * would keep SIGQUIT from ending the daemon. Actors start with nothing
 * blocked. */
static void hold_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

/* A command started with fd 0, 1 or 2 closed would hand it to the first
 * file it opens: the daemon's log went into its lock file. The lowest
 * free fd is the one closed. */
static void fill_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			(void)!open("/dev/null", O_RDWR);
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct cfg *cfg;
	int rc;

	fill_standard_fds();
	log_init("prospero");
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cli_usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		puts("prospero " PACKAGE_VERSION);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "reload") == 0)
		return cli_reload(argc - 1, argv + 1);
	if (argc >= 2 && cli_is_verb(argv[1]))
		return cli_verb_main(argc, argv);
	if (argc < 2 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "check") != 0)) {
		if (argc >= 2)
			fprintf(stderr, "prospero: unknown command \"%s\"\n", argv[1]);
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	cli.cmd = argv[1];
	if (strcmp(cli.cmd, "run") == 0)
		hold_signals();
	if (!(cli.files = calloc((size_t)argc, sizeof *cli.files)))
		return EXIT_FAILURE;
	if (parse_options(argc, argv, &cli, &rc) < 0) {
		free(cli.files);
		return rc;
	}
	/* (--runtime-dir and --state-dir are, where every command chooses
	 * them: rundir_choose, state_root_path) */
	if (make_absolute("--events", &cli.opts.events_path, cli.events, sizeof cli.events) < 0 ||
	    make_absolute("--secrets-dir", &cli.opts.secrets_dir, cli.secrets_dir, sizeof cli.secrets_dir) < 0) {
		free(cli.files);
		return EXIT_FAILURE;
	}
	cfg = load(cli.files, cli.nfiles);
	free(cli.files);
	if (!cfg)
		return EXIT_FAILURE;
	rc = strcmp(cli.cmd, "check") == 0 ? check(cfg, &cli.opts, &cli.co) : run(cfg, &cli.opts, &cli.co);
	cfg_free(cfg);
	return rc;
}
