/* See options.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "src/cli/options.h"

void cli_usage(FILE *to)
{
	fputs("usage: prospero run -c FILE [-c FILE | FILE]... [--events FILE] [--runtime-dir DIR]\n"
	      "                    [--secrets-dir DIR] [--state-dir DIR] [--uid-range FIRST-LAST]\n"
	      "                    [--containment LEVEL] [--faults FILE [--seed N]] [--log-ring BYTES]\n"
	      "       prospero check -c FILE [-c FILE | FILE]... [--uid-range FIRST-LAST]\n"
	      "                      [--runtime-dir DIR] [--secrets-dir DIR] [--containment LEVEL]\n"
	      "                      [--explain ACTOR [--state-dir DIR]] [--faults FILE [--seed N]] [--dot]\n"
	      "       prospero status [NAME] [--json | --dot] [--runtime-dir DIR]\n"
	      "       prospero restart|stop|start NAME [--runtime-dir DIR]\n"
	      "       prospero kill NAME [-s SIGNAL] [--runtime-dir DIR]\n"
	      "       prospero events [--follow] [--name NAME] [--runtime-dir DIR]\n"
	      "       prospero logs NAME [-n N] [--follow] [--runtime-dir DIR]\n"
	      "       prospero fault kill NAME [SIGNAL] | stall NAME MS\n"
	      "                      | edge EDGE --drop P --for MS [--runtime-dir DIR]\n"
	      "       prospero reload [--dry-run] [--runtime-dir DIR]\n"
	      "       prospero --help | --version\n"
	      "\n"
	      "  run     start the supervision tree and supervise it until SIGTERM/SIGINT\n"
	      "  check   validate the configuration and exit (0: valid, 1: errors)\n"
	      "  status  the running tree (exit 0: everything that should run does, 3: not)\n"
	      "  restart, stop, start, kill   an operator's action on one actor or supervisor\n"
	      "  events  past and (--follow) live lifecycle events; logs  an actor's last output\n"
	      "  fault   one fault now, in a daemon run with --faults\n"
	      "  reload  make the running daemon re-read its config and apply the difference;\n"
	      "          wait until it is applied (--dry-run: print the plan, change nothing)\n"
	      "\n"
	      "  -c, --config FILE     a config file (JSONC); repeat, or list more files after it\n"
	      "  -e, --events FILE     append every lifecycle event to FILE as a JSON line\n"
	      "  -r, --runtime-dir DIR the notify and control sockets and credentials; locked while\n"
	      "                        the daemon runs, and where the other commands find it\n"
	      "                        (default: $RUNTIME_DIRECTORY; as root /run/prospero,\n"
	      "                        else $XDG_RUNTIME_DIR/prospero)\n"
	      "  -l, --log-ring BYTES  (run) output kept per actor instance for `logs` (default 8192)\n"
	      "  -s, --secrets-dir DIR root-only files, one per secret, searched after the\n"
	      "                        daemon's $CREDENTIALS_DIRECTORY and before .dev.vars\n"
	      "                        beside the root config\n"
	      "  -d, --state-dir DIR   where actors with \"state\" keep it, a directory each (default:\n"
	      "                        $STATE_DIRECTORY, else /var/lib/prospero (root), else\n"
	      "                        $XDG_STATE_HOME/prospero, or ~/.local/state/prospero)\n"
	      "  -u, --uid-range FIRST-LAST\n"
	      "                        dynamic uids for actors when run as root (default 61184-65519);\n"
	      "                        check says when the tree needs more\n"
	      "  -k, --containment LEVEL  auto (default), cgroup, uid or pgroup: force a level of\n"
	      "                        process containment, for testing (also $PROSPERO_CONTAINMENT)\n"
	      "  -x, --explain ACTOR   (check) print ACTOR's effective confinement and syscall allowlist\n"
	      "  -f, --faults FILE     a fault plan (JSONC): check checks it against the tree,\n"
	      "                        run injects its faults (README \"Fault injection\")\n"
	      "  -S, --seed N          the fault plan's seed, over its \"seed\" (0 to 2^53-1)\n"
	      "  -n, --dry-run         (reload) print the plan, change nothing\n"
	      "      --json            (status) the daemon's JSON answer\n"
	      "      --dot             (check, status) the tree as a Graphviz graph\n"
	      "  -s, --signal SIGNAL   (kill) by name or number (default SIGTERM)\n"
	      "  -n, --lines N         (logs) the last N lines only, 0 to 1000000\n"
	      "  -f, --follow          (events, logs) keep printing what comes\n"
	      "      --name NAME       (events) only the events of NAME and its instances\n"
	      "      --drop P, --for MS  (fault edge) drop each message with probability P, for MS ms\n"
	      "  -h, --help            print this usage; --version  print the version\n"
	      "\n"
	      "exit status: 0 clean stop, 1 config or start-up error, 2 usage error,\n"
	      "             3 the root supervisor gave up (restart intensity exceeded)\n", to);
}

/* Every long option prospero(1) documents, whichever command uses it. */
static const struct option every[] = {
	{ "config", required_argument, NULL, CLI_OPT_OTHER },
	{ "events", required_argument, NULL, CLI_OPT_OTHER },
	{ "runtime-dir", required_argument, NULL, CLI_OPT_OTHER },
	{ "secrets-dir", required_argument, NULL, CLI_OPT_OTHER },
	{ "state-dir", required_argument, NULL, CLI_OPT_OTHER },
	{ "uid-range", required_argument, NULL, CLI_OPT_OTHER },
	{ "containment", required_argument, NULL, CLI_OPT_OTHER },
	{ "explain", required_argument, NULL, CLI_OPT_OTHER },
	{ "faults", required_argument, NULL, CLI_OPT_OTHER },
	{ "seed", required_argument, NULL, CLI_OPT_OTHER },
	{ "log-ring", required_argument, NULL, CLI_OPT_OTHER },
	{ "dot", no_argument, NULL, CLI_OPT_OTHER },
	{ "json", no_argument, NULL, CLI_OPT_OTHER },
	{ "signal", required_argument, NULL, CLI_OPT_OTHER },
	{ "lines", required_argument, NULL, CLI_OPT_OTHER },
	{ "follow", no_argument, NULL, CLI_OPT_OTHER },
	{ "name", required_argument, NULL, CLI_OPT_OTHER },
	{ "drop", required_argument, NULL, CLI_OPT_OTHER },
	{ "for", required_argument, NULL, CLI_OPT_OTHER },
	{ "dry-run", no_argument, NULL, CLI_OPT_OTHER },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, CLI_OPT_VERSION },
};

static bool has(const struct option *opts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(opts[i].name, name) == 0)
			return true;
	return false;
}

void cli_longopts(const struct option *mine, struct option out[CLI_LONGOPTS_MAX])
{
	size_t n = 0;

	for (; mine->name && n < CLI_LONGOPTS_MAX - 1; mine++)
		out[n++] = *mine;
	for (size_t i = 0; i < sizeof every / sizeof *every && n < CLI_LONGOPTS_MAX - 1; i++)
		if (!has(out, n, every[i].name))
			out[n++] = every[i];
	out[n] = (struct option){ 0 };
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("prospero: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see prospero --help)\n", stderr);
	return EXIT_USAGE;
}

/* A long option WORD ("--name" or "--name=value") that getopt_long did
 * not take: which of LONGOPTS it may have meant, named, or that it is
 * unknown. */
static void say_unknown_long(const char *word, const struct option *longopts)
{
	size_t n = strcspn(word + 2, "="), found = 0, at = 0;
	char may[512];

	for (const struct option *o = longopts; o->name; o++) {
		if (strncmp(o->name, word + 2, n) != 0)
			continue;
		found++;
		if (at < sizeof may)
			at += (size_t)snprintf(may + at, sizeof may - at, "%s--%s", at ? ", " : "", o->name);
	}
	if (found > 1)
		cli_usage_error("%.*s: ambiguous option (%s)", (int)n + 2, word, may);
	else
		cli_usage_error("%.*s: unknown option", (int)n + 2, word);
}

/* Whether WORD is "--NAME=..." of a LONGOPTS option that takes no
 * argument and answers VAL: getopt_long's '?' for an argument given where
 * none is taken, told apart from an unknown short option VAL. */
static bool given_an_argument(const char *word, int val, const struct option *longopts)
{
	size_t n = strcspn(word, "=");

	if (strncmp(word, "--", 2) != 0 || !word[n])
		return false;
	for (const struct option *o = longopts; o->name; o++)
		if (o->has_arg == no_argument && o->val == val && strncmp(o->name, word + 2, n - 2) == 0)
			return true;
	return false;
}

int cli_getopt(int argc, char **argv, const char *shorts, const struct option *longopts)
{
	char optstring[64];
	const char *word;
	int c;

	/* ':' first: a missing argument answers ':', not '?' */
	snprintf(optstring, sizeof optstring, ":%s" CLI_SHORT_OTHERS, shorts);
	opterr = 0;	/* said below, as every other message is */
	c = getopt_long(argc, argv, optstring, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	/* getopt_long has stepped past the word that holds a long option, and
	 * past a short one's word at its last letter, which a missing argument
	 * always is: for those, ARGV[OPTIND - 1] is the word */
	word = argv[optind - 1];
	if (c == ':' && strncmp(word, "--", 2) == 0)
		cli_usage_error("%s: option requires an argument", word);
	else if (c == ':')
		cli_usage_error("-%c: option requires an argument", optopt);
	else if (optopt == 0)	/* a long option it does not know, or cannot tell which */
		say_unknown_long(word, longopts);
	else if (given_an_argument(word, optopt, longopts))
		cli_usage_error("%.*s: option takes no argument", (int)strcspn(word, "="), word);
	else
		cli_usage_error("-%c: unknown option", optopt);
	return '?';
}

int cli_option_other(int c)
{
	if (c == 'h') {
		cli_usage(stdout);
		return 1;
	}
	if (c == CLI_OPT_VERSION) {
		puts("prospero " PACKAGE_VERSION);
		return 1;
	}
	if (c == CLI_OPT_OTHER || (c != '?' && c != ':' && strchr(CLI_SHORT_OTHERS, c)))
		return 0;
	return -1;
}

int cli_parse_uint(const char *s, size_t n, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > max / 10 || d > max - v * 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int cli_path_arg(const char *option, const char *arg, const char **out)
{
	if (!arg[0]) {
		cli_usage_error("%s \"\": expected a path", option);
		return -1;
	}
	*out = arg;
	return 0;
}
