/* See verbs.h. Exit statuses: 0 done, 1 refused or the daemon cannot be
 * reached, 2 usage, and status's 3 (view.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/client.h"
#include "src/cli/dot.h"
#include "src/cli/follow.h"
#include "src/cli/options.h"
#include "src/cli/verbs.h"
#include "src/cli/view.h"
#include "src/daemon/output.h"
#include "src/daemon/rundir.h"
#include "src/daemon/status_text.h"
#include "src/control/status.h"
#include "src/faults/plan.h"
#include "src/proto/utf8.h"

struct verb_opts {
	struct ctl_request r;
	const char *rundir;
	bool json, dot;
	bool has_ms, has_drop;	/* a fault's MS (or --for MS), its --drop P */
};

bool cli_is_verb(const char *cmd)
{
	enum ctl_verb v;

	return ctl_verb_parse(cmd, &v) == 0;
}

static int usage_error(const char *what, const char *why)
{
	return cli_usage_error("%s: %s", what, why);
}

#define SIGNAL_FORMS "expected a signal name, in any case and with or without SIG (TERM, sigterm, SIGRTMIN+2), " \
		     "or a number from 1 to %d"

/* MS, a plain number of milliseconds from 1 to a day: a fault's, as a
 * plan's "for" is */
static int parse_ms(const char *s, int64_t *out)
{
	unsigned long long v;

	if (cli_parse_uint(s, strlen(s), FAULT_MAX_MS, &v) < 0 || v < 1)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* P, a probability in decimal digits and a point alone (prospero(1),
 * OPTIONS): not strtod's leading blanks, sign, exponent, hex, "inf" or
 * "nan" */
static int parse_probability(const char *s, double *out)
{
	const char *q = s + strspn(s, "0");
	char *end;

	if (!*s || s[strspn(s, "0123456789.")])
		return -1;
	/* over 1 by less than a double tells apart (1.0000000000000000001)
	 * rounds to 1: the digits say it is over */
	if (*q >= '1' && *q <= '9' &&
	    (*q != '1' || (q[1] && q[1] != '.') || (q[1] == '.' && q[2 + strspn(q + 2, "0")])))
		return -1;
	*out = strtod(s, &end);
	return *end || !(*out >= 0 && *out <= 1) ? -1 : 0;
}

/* `fault KIND ...`: kill, stall or edge. -1 once said. */
static int fault_kind(struct verb_opts *o, int argc, char **argv)
{
	const char *k = optind < argc ? argv[optind++] : "";

	if (strcmp(k, "kill") != 0 && strcmp(k, "stall") != 0 && strcmp(k, "edge") != 0) {
		usage_error(k[0] ? k : "fault", "expected kill NAME [SIGNAL], stall NAME MS or edge EDGE --drop P --for MS");
		return -1;
	}
	snprintf(o->r.fault, sizeof o->r.fault, "%s", k);
	return 0;
}

/* What follows the name: kill's signal, stall's milliseconds. -1 once
 * said. */
static int fault_arg(struct verb_opts *o, const char *arg)
{
	if (strcmp(o->r.fault, "kill") == 0) {
		if ((o->r.sig = ctl_signal_parse(arg)))
			return 0;
		cli_usage_error("fault kill \"%s\": " SIGNAL_FORMS, arg, NSIG - 1);
		return -1;
	}
	if (strcmp(o->r.fault, "stall") == 0) {
		if (parse_ms(arg, &o->r.ms) == 0) {
			o->has_ms = true;
			return 0;
		}
		usage_error(arg, "fault stall: MS is how long, a whole number of milliseconds from 1 to a day (86400000)");
		return -1;
	}
	usage_error(arg, "fault edge: takes no argument after EDGE, only --drop P and --for MS");
	return -1;
}

/* A stall without its MS, an edge without --drop P and --for MS: a
 * missing argument, said here rather than refused by the daemon. */
static int fault_incomplete(const struct verb_opts *o)
{
	if (strcmp(o->r.fault, "stall") == 0 && !o->has_ms)
		return usage_error(o->r.name, "fault stall: needs MS, how long");
	if (strcmp(o->r.fault, "edge") == 0 && !(o->has_ms && o->has_drop))
		return usage_error(o->r.name, "fault edge: needs --drop P and --for MS");
	return 0;
}

/* Whether verb V reads C, one of the verbs' options, as prospero(1)'s
 * synopsis gives it them: it ignores another verb's, as run and check do,
 * so one verb's option is no usage error of another, nor its NAME. What
 * is no verb's option is for cli_option_other to judge. */
static bool reads(enum ctl_verb v, int c)
{
	switch (c) {
	case 'r': return true;
	case 'j': case 'D': return v == CTL_STATUS;
	case 's': return v == CTL_KILL;
	case 'f': return v == CTL_EVENTS || v == CTL_LOGS;
	case 'N': return v == CTL_EVENTS;
	case 'n': return v == CTL_LOGS;
	case 'P': case 'F': return v == CTL_FAULT;
	default: return true;
	}
}

/* "prospero: VERB: TEXT" on one line, TEXT's control characters escaped
 * as actor output's are: a name from the command line, and the daemon's
 * words about it, may hold any. */
static void say(const char *verb, const char *text)
{
	size_t n = strlen(text), cap = 4 * n + 1;	/* \xNN at most a byte */
	char *escaped = malloc(cap);

	if (!escaped) {
		fprintf(stderr, "prospero: %s: out of memory\n", verb);
		return;
	}
	output_escape(escaped, cap, text, n);
	fprintf(stderr, "prospero: %s: %s\n", verb, escaped);
	free(escaped);
}

/* NAME, longer than any node's name can be (CTL_NAME_MAX): no node, said
 * as the daemon says it of a name it does not know (1, not a usage
 * error: prospero(1), EXIT STATUS). */
static int no_such_node(const struct verb_opts *o, const char *name)
{
	char *why, *line;

	if (o->r.verb == CTL_FAULT) {
		if (asprintf(&why, "no actor or instance: %s", name) < 0)
			why = NULL;
		say("fault", why ? why : "no actor or instance");
		free(why);
		return 1;
	}
	if (asprintf(&why, "no actor or supervisor named \"%s\"", name) < 0) {
		fprintf(stderr, "prospero: %s: out of memory\n", ctl_verb_name(o->r.verb));
		return 1;
	}
	/* --json prints a refusal as the daemon words it */
	if (o->json && (line = ctl_answer_error(ENOENT, why))) {
		fputs(line, stdout);
		free(line);
	}
	say(ctl_verb_name(o->r.verb), why);
	free(why);
	return 1;
}

/* NAME as text: itself, or made text in BUF as STATUS= text is (a byte
 * that is no part of well-formed UTF-8 as \xNN). A request is JSON, which
 * carries text alone; and no node's name holds a backslash, so such a
 * name still names none, and is said as given. */
static const char *as_text(const char *name, char *buf, size_t cap)
{
	const unsigned char *u = (const unsigned char *)name;
	size_t n = strlen(name), i = 0, len;

	while (i < n && (len = u[i] < 0x80 ? 1 : pp_utf8_char(u + i, n - i)) > 0)
		i += len;
	if (i == n)
		return name;
	status_text(buf, cap, name, n);
	return buf;
}

/* What follows the options (from optind): the NAME (or the one given
 * with --name), a fault's kind and argument; 0, or the exit status of a
 * usage error, said. */
static int operands(int argc, char **argv, struct verb_opts *o, const char *name)
{
	static char text[4 * CTL_NAME_MAX];	/* past CTL_NAME_MAX, it names none anyway */
	bool too_long;
	int rc;

	if (o->json && o->dot)
		return usage_error(ctl_verb_name(o->r.verb), "--json and --dot: give one");
	if (o->r.verb == CTL_FAULT && fault_kind(o, argc, argv) < 0)
		return 2;
	if (o->r.verb == CTL_EVENTS && optind < argc)
		return usage_error(argv[optind], "events takes no NAME: give --name NAME");
	if (optind < argc)
		name = argv[optind++];
	if (o->r.verb == CTL_FAULT && optind < argc && fault_arg(o, argv[optind++]) < 0)
		return 2;
	if (optind < argc && o->r.verb == CTL_FAULT)
		return usage_error(argv[optind], strcmp(o->r.fault, "kill") == 0
				   ? "fault kill takes NAME [SIGNAL]: one argument too many"
				   : "fault stall takes NAME MS: one argument too many");
	if (optind < argc)
		return usage_error(argv[optind], "one name at most");
	/* "" would travel as no name at all: status of the whole tree, every
	 * event, or the daemon's "needs a name" */
	if (name)
		name = as_text(name, text, sizeof text);
	if (name && !name[0])
		return usage_error(ctl_verb_name(o->r.verb), o->r.verb == CTL_FAULT && strcmp(o->r.fault, "edge") == 0
				   ? "EDGE is empty" : "NAME is empty");
	too_long = name && snprintf(o->r.name, sizeof o->r.name, "%s", name) >= (int)sizeof o->r.name;
	/* an edge may be spelt with spaces around its arrow: it may exist */
	if (too_long && o->r.verb == CTL_FAULT && strcmp(o->r.fault, "edge") == 0)
		return usage_error(name, "EDGE too long");
	if (ctl_verb_needs_name(o->r.verb) && !name)
		return usage_error(ctl_verb_name(o->r.verb), o->r.verb == CTL_FAULT && strcmp(o->r.fault, "edge") == 0
				   ? "edge needs an EDGE, \"CLIENT -> SERVICE\"" : "needs a NAME");
	if (o->r.verb == CTL_FAULT && (rc = fault_incomplete(o)) != 0)
		return rc;
	/* events' filter, cut, matches nothing, as the whole name would */
	return too_long && o->r.verb != CTL_EVENTS ? no_such_node(o, name) : 0;
}

static int parse(int argc, char **argv, struct verb_opts *o)
{
	static const struct option mine[] = {
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "dot", no_argument, NULL, 'D' },
		{ "signal", required_argument, NULL, 's' },
		{ "lines", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'N' },
		{ "drop", required_argument, NULL, 'P' },
		{ "for", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct option longopts[CLI_LONGOPTS_MAX];
	const char *name = NULL;
	unsigned long long lines;
	int c, other;

	cli_longopts(mine, longopts);
	optind = 2;
	while ((c = cli_getopt(argc, argv, "r:s:n:f", longopts)) != -1) {
		if (!reads(o->r.verb, c))
			continue;	/* another verb's, its argument taken with it */
		switch (c) {
		case 'r':
			if (cli_path_arg("--runtime-dir", optarg, &o->rundir) < 0)
				return EXIT_USAGE;
			break;
		case 'j': o->json = true; break;
		case 'D': o->dot = true; break;
		case 'f': o->r.follow = true; break;
		case 'N': name = optarg; break;
		case 's':
			if (!(o->r.sig = ctl_signal_parse(optarg)))
				return cli_usage_error("--signal \"%s\": " SIGNAL_FORMS, optarg, NSIG - 1);
			break;
		case 'n':
			if (cli_parse_uint(optarg, strlen(optarg), 1000000, &lines) < 0)
				return usage_error(optarg, "--lines: expected 0 to 1000000");
			o->r.lines = (unsigned)lines;
			o->r.has_lines = true;
			break;
		case 'P':
			if (parse_probability(optarg, &o->r.drop) < 0)
				return usage_error(optarg, "--drop: expected a probability from 0 to 1");
			o->has_drop = true;
			break;
		case 'F':
			/* checked here, so an operator hears of --for, not of the field */
			if (parse_ms(optarg, &o->r.ms) < 0)
				return usage_error(optarg, "--for: expected milliseconds, from 1 to a day (86400000)");
			o->has_ms = true;
			break;
		default:
			if ((other = cli_option_other(c)) == 0)
				break;
			return other > 0 ? -1 : EXIT_USAGE;	/* a usage error is said */
		}
	}
	return operands(argc, argv, o, name);
}

/* The exit status when no daemon answers: for status, nothing runs (3,
 * as systemctl status says of a unit that is not active). */
static int unanswered(enum ctl_verb v)
{
	return v == CTL_STATUS ? 3 : 1;
}

static int show_status(const char *line, ssize_t len, const struct verb_opts *o)
{
	struct ctl_status st;
	char err[512];
	int rc;

	if (ctl_status_decode(line, (size_t)len, &st, err, sizeof err) < 0) {
		bool ok = true;
		char why[512];

		/* --json is the daemon's answer as it is, a refusal too: a
		 * script finds "ok": false and the code there */
		if (o->json && ctl_answer_decode(line, (size_t)len, &ok, why, sizeof why) == 0 && !ok)
			printf("%s\n", line);
		say("status", err);
		return 1;
	}
	if (o->json)
		printf("%s\n", line);
	else if (o->dot)
		dot_write(stdout, &st, true);
	else
		view_status(stdout, &st);
	rc = view_status_exit(&st);
	ctl_status_free(&st);
	return rc;
}

/* The first answer line: the verb's result, or the daemon's refusal. */
static int answer(struct ctl_conn *c, const struct verb_opts *o)
{
	char *line, err[512];
	bool ok;
	ssize_t len = ctl_conn_line(c, &line);

	/* a status answer can be large: it is parsed once, refusal included */
	if (len > 0 && o->r.verb == CTL_STATUS)
		return show_status(line, len, o);
	if (len > 0 && ctl_answer_decode(line, (size_t)len, &ok, err, sizeof err) < 0) {
		if (errno == ENOMEM) {
			fprintf(stderr, "prospero: %s: reading the answer: %s\n", ctl_verb_name(o->r.verb),
				strerror(ENOMEM));
			return 1;
		}
		len = 0;	/* a line that is no answer */
	}
	if (len <= 0) {
		fprintf(stderr, "prospero: %s: no answer from the daemon\n", ctl_verb_name(o->r.verb));
		return unanswered(o->r.verb);
	}
	if (!ok) {
		say(ctl_verb_name(o->r.verb), err);
		return 1;
	}
	switch (o->r.verb) {
	case CTL_EVENTS: return follow_events(c, line, len, o->r.name, o->r.follow);
	case CTL_LOGS: return follow_logs(c, line, len, o->r.follow);
	default: return 0;
	}
}

int cli_verb_main(int argc, char **argv)
{
	struct verb_opts o = { 0 };
	struct ctl_conn c;
	char rundir[4096];
	int rc;

	ctl_verb_parse(argv[1], &o.r.verb);
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? 0 : rc;	/* -1: --help or --version, printed */
	if (rundir_choose(o.rundir, rundir, sizeof rundir) < 0) {
		/* why, as run says it: not root, and no $XDG_RUNTIME_DIR to use */
		fprintf(stderr, "prospero: %s: where is the daemon? %s: give --runtime-dir DIR, or set $XDG_RUNTIME_DIR\n",
			argv[1], rundir_choose_refusal(o.rundir, errno));
		return unanswered(o.r.verb);
	}
	if (ctl_conn_open(&c, rundir, &o.r) < 0) {
		/* the socket's mode refused us before the daemon could: the
		 * same refusal, said the same way (1, not "nothing runs") */
		if (errno == EACCES || errno == EPERM) {
			char *line;

			if (o.json && (line = ctl_answer_error(EACCES, CTL_REFUSED_USER))) {
				fputs(line, stdout);
				free(line);
			}
			fprintf(stderr, "prospero: %s/control: %s: only root and the daemon's user may use the control socket\n",
				rundir, strerror(errno));
			return 1;
		}
		fprintf(stderr, "prospero: %s/control: cannot reach the daemon: %s\n", rundir, strerror(errno));
		return unanswered(o.r.verb);
	}
	rc = answer(&c, &o);
	ctl_conn_close(&c);
	return rc;
}
