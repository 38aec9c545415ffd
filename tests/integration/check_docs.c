/* The documentation names what the code defines, README.md and the
 * manual pages alike (issue 12, "Man pages"):
 *   - every config and fault-plan key, limit, seccomp profile and
 *     syscall group: README.md and prospero.jsonc(5);
 *   - every command and option `prospero --help` shows: README.md and
 *     prospero(1);
 *   - every function of the installed headers: libprospero(3);
 *   - every error code and environment name of the wire contract
 *     (src/proto): README.md and prospero-protocol(7);
 * and the code spells each environment name of the wire contract in
 * src/proto alone (issue 9: one place for every wire literal).
 * A document names a word the way documentation does: README.md in code
 * (`...`, or an indented block; not in a fenced example), a manual page
 * in bold. Each check also runs on copies with one name taken out, one
 * name at a time, and must fail for that name alone: a check that cannot
 * fail would prove nothing. */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sandbox/containment/cgroup_limits.h"
#include "sandbox/daemon/rlimits.h"
#include "sandbox/seccomp/profiles.h"
#include "src/config/keys.h"
#include "src/proto/error.h"

/* --- a set of words --- */

struct words {
	char **v;
	size_t n, cap;
	const char **why;	/* for lists of names: what each is */
};

static void add(struct words *w, const char *s, size_t len, const char *why)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->v = realloc(w->v, w->cap * sizeof *w->v);
		w->why = realloc(w->why, w->cap * sizeof *w->why);
		ck_assert(w->v && w->why);
	}
	w->v[w->n] = strndup(s, len);
	ck_assert_ptr_nonnull(w->v[w->n]);
	w->why[w->n++] = why;
}

static void add_once(struct words *w, const char *s, const char *why)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i], s) == 0)
			return;
	add(w, s, strlen(s), why);
}

static void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	free(w->why);
	*w = (struct words){ 0 };
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort(struct words *w)
{
	if (w->n)
		qsort(w->v, w->n, sizeof *w->v, cmp);
}

static bool has(const struct words *sorted, const char *s)
{
	return sorted->n && bsearch(&s, sorted->v, sorted->n, sizeof *sorted->v, cmp) != NULL;
}

/* The characters of a name: keys, options, functions, @groups. */
static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '@';
}

static void split(struct words *w, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && word_char(s[j]))
			j++;
		if (j > i)
			add(w, s + i, j - i, NULL);
		i = j + 1;
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

static const char *srcdir(void)
{
	const char *d = getenv("SRCDIR");

	return d ? d : ".";
}

static char *slurp_src(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", srcdir(), rel);
	return slurp(path);
}

/* --- what a document names --- */

/* README.md: the words of code spans, which may run over lines within a
 * paragraph, and of indented blocks; fenced blocks are examples. */
static void readme_words(struct words *w, const char *text)
{
	bool fenced = false, in_span = false;
	const char *span = NULL;

	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (strncmp(line, "```", 3) == 0) {
			fenced = !fenced;
			in_span = false;
		} else if (!fenced && (strncmp(line, "    ", 4) == 0 || line[0] == '\t') && !in_span) {
			split(w, line, len);
		} else if (!fenced && len == 0) {
			in_span = false;	/* a span ends with its paragraph */
		} else if (!fenced) {
			for (size_t i = 0; i < len; i++) {
				if (line[i] != '`')
					continue;
				if (in_span)
					split(w, span, (size_t)(line + i - span));
				else
					span = line + i + 1;
				in_span = !in_span;
			}
			if (in_span) {
				split(w, span, (size_t)(line + len - span));
				span = line + len + 1;
			}
		}
		line += len + (end != NULL);
	}
}

/* Roff text with its escapes made plain: \- is '-', \fX font changes and
 * other escapes are gaps. */
static void plain_roff(struct words *w, const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t n = 0;

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 == len) {
			out[n++] = s[i];
		} else if (s[++i] == '-' || s[i] == 'e') {
			out[n++] = s[i] == '-' ? '-' : '\\';
		} else if (s[i] == '&' || s[i] == '|' || s[i] == '^') {
			continue;
		} else {
			if (s[i] == 'f' || s[i] == '*')
				i++;	/* \fB, \*x */
			if (i < len && s[i] == '(')
				i += 2;	/* \(em, \f(CW */
			out[n++] = ' ';
		}
	}
	split(w, out, n);
	free(out);
}

/* The arguments of a request line, as roff splits them. */
static size_t roff_args(const char *s, size_t len, const char **arg, size_t *alen, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		if (s[i] == '"') {
			arg[n] = s + ++i;
			while (i < len && s[i] != '"')
				i++;
		} else {
			arg[n] = s + i;
			while (i < len && s[i] != ' ')
				i++;
		}
		alen[n] = (size_t)(s + i - arg[n]);
		n++;
		i++;
	}
	return n;
}

/* Which arguments of request line LINE (M bytes of name) are bold: 0 the
 * odd ones (.BR, .BI), 1 the even ones (.RB, .IB), -1 none. */
static int bold_args(const char *line, size_t m)
{
	if (m == 3 && (!strncmp(line, ".BR", 3) || !strncmp(line, ".BI", 3)))
		return 0;
	if (m == 3 && (!strncmp(line, ".RB", 3) || !strncmp(line, ".IB", 3)))
		return 1;
	return -1;
}

/* A manual page: the words set in bold, by .B, .BR, .BI, .RB, .IB or
 * \fB...\fR (to the end of the line at most); comments say nothing. */
static void man_words(struct words *w, const char *text)
{
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n'), *b;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		size_t m = line[0] == '.' ? strcspn(line, " \n") : 0;

		if (strncmp(line, ".\\\"", 3) == 0) {
			line += len + (end != NULL);
			continue;
		}
		if (m == 2 && line[1] == 'B') {
			plain_roff(w, line + m, len - m);
		} else if (bold_args(line, m) >= 0) {
			const char *arg[16];
			size_t alen[16], nargs = roff_args(line + m, len - m, arg, alen, 16);

			for (size_t i = (size_t)bold_args(line, m); i < nargs; i += 2)
				plain_roff(w, arg[i], alen[i]);
		}
		for (b = line; (b = memmem(b, (size_t)(line + len - b), "\\fB", 3)); b += 3) {
			const char *stop = b + 3;

			while (stop + 1 < line + len && !(stop[0] == '\\' && stop[1] == 'f'))
				stop++;
			if (stop + 1 >= line + len)
				stop = line + len;
			plain_roff(w, b + 3, (size_t)(stop - b - 3));
		}
		line += len + (end != NULL);
	}
}

/* --- what the code defines --- */

static void on_key(const char *object, const char *key, void *arg)
{
	add_once(arg, key, object);
}

static void config_names(struct words *w)
{
	const char *const *names;

	cfg_each_key(on_key, w);
	for (names = sb_profile_names(); *names; names++)
		add_once(w, *names, "seccomp profile");
	for (names = sb_group_names(); *names; names++)
		add_once(w, *names, "syscall group");
}

/* The options and commands of `prospero --help`. */
static void cli_names(struct words *w)
{
	const char *prospero = getenv("PROSPERO");
	char cmd[1024], line[512];
	FILE *p;

	snprintf(cmd, sizeof cmd, "'%s' --help", prospero ? prospero : "./prospero");
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof line, p)) {
		struct words t = { 0 };
		const char *at = strstr(line, "prospero ");

		split(&t, line, strlen(line));
		for (size_t i = 0; i < t.n; i++)
			if (t.v[i][0] == '-' && isalpha((unsigned char)t.v[i][t.v[i][1] == '-' ? 2 : 1]))
				add_once(w, t.v[i], "option");
		/* "usage: prospero VERB ..." and the lines under it */
		if (at && (strncmp(line, "usage:", 6) == 0 || line[0] == ' ') && islower((unsigned char)at[9])) {
			size_t n = strspn(at + 9, "abcdefghijklmnopqrstuvwxyz-");
			char verb[64];

			snprintf(verb, sizeof verb, "%.*s", (int)n, at + 9);
			add_once(w, verb, "command");
		}
		words_free(&t);
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_gt(w->n, 4);
}

/* The options prospero(1) describes under OPTIONS, each in the bold of
 * its .TP tag line ("-s, --signal SIGNAL"): what --help must show too,
 * for an option the usage does not name cannot be found from it. */
static void manual_options(struct words *w)
{
	char *text = slurp_src("src/man/prospero.1");
	char *at = strstr(text, "\n.SH OPTIONS\n"), *end;

	ck_assert_ptr_nonnull(at);
	end = strstr(at + 1, "\n.SH ");
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	for (char *tp = at; (tp = strstr(tp, "\n.TP\n")); tp += 5) {
		char *tag = tp + 5, *nl = strchr(tag, '\n');
		struct words t = { 0 };

		if (nl)
			*nl = '\0';
		man_words(&t, tag);
		for (size_t i = 0; i < t.n; i++)
			if (t.v[i][0] == '-')
				add_once(w, t.v[i], "option");
		words_free(&t);
		if (nl)
			*nl = '\n';
	}
	free(text);
	ck_assert_uint_gt(w->n, 10);
}

/* Every prospero_*( outside comments in the installed headers, which the
 * Makefile lists in DOC_HEADERS: functions, and function types. */
static void library_names(struct words *w)
{
	char *list = strdup(getenv("DOC_HEADERS") ? getenv("DOC_HEADERS") : ""), *save = NULL;

	ck_assert_msg(list && *list, "DOC_HEADERS names no header");
	for (char *h = strtok_r(list, " ", &save); h; h = strtok_r(NULL, " ", &save)) {
		char *text = slurp_src(h), *c;

		while ((c = strstr(text, "/*"))) {
			char *e = strstr(c + 2, "*/");

			memset(c, ' ', e ? (size_t)(e + 2 - c) : strlen(c));
		}
		for (c = text; (c = strstr(c, "prospero_")); c++) {
			size_t n = 0;

			if (c > text && word_char(c[-1]))
				continue;
			while (word_char(c[n]))
				n++;
			if (c[n + strspn(c + n, " ")] == '(') {
				char name[128];

				snprintf(name, sizeof name, "%.*s", (int)n, c);
				add_once(w, name, "an installed header");
			}
		}
		free(text);
	}
	free(list);
	ck_assert_uint_gt(w->n, 10);
}

/* Error codes by their wire names, and the environment names the wire
 * contract defines: each "PROSPERO_..." string and each PP_ENV_ macro's. */
static void protocol_names(struct words *w)
{
	char path[1024];
	DIR *d;
	struct dirent *e;

	for (int code = PROSPERO_OK + 1; code < 64; code++)
		add_once(w, pf_error_name(code), "error code");
	snprintf(path, sizeof path, "%s/src/proto", srcdir());
	d = opendir(path);
	ck_assert_msg(d != NULL, "cannot open %s", path);
	while ((e = readdir(d))) {
		char rel[512], *text, *c;

		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof rel, "src/proto/%s", e->d_name);
		text = slurp_src(rel);
		for (c = text; (c = strchr(c, '"')); c++) {
			const char *line = c;
			size_t n = strspn(c + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
			char name[128];

			while (line > text && line[-1] != '\n')
				line--;
			if (c[1 + n] != '"' || n == 0 ||
			    (strncmp(c + 1, "PROSPERO_", 9) != 0 && strncmp(line, "#define PP_ENV_", 15) != 0))
				continue;
			snprintf(name, sizeof name, "%.*s", (int)n, c + 1);
			add_once(w, name, "environment name");
			c += n + 1;
		}
		free(text);
	}
	closedir(d);
	ck_assert_uint_gt(w->n, 8);
}

/* --- the checks --- */

enum doc_kind { README, MAN };

/* The names of NAMES that TEXT does not name, one a line, in REPORT
 * (CAP bytes); how many. */
static size_t missing(const char *text, enum doc_kind kind, const struct words *names, char *report, size_t cap)
{
	struct words found = { 0 };
	size_t n = 0;

	if (kind == README)
		readme_words(&found, text);
	else
		man_words(&found, text);
	sort(&found);
	report[0] = '\0';
	for (size_t i = 0; i < names->n; i++) {
		if (has(&found, names->v[i]))
			continue;
		n++;
		snprintf(report + strlen(report), cap - strlen(report), "  %s (%s)\n", names->v[i],
			 names->why[i]);
	}
	words_free(&found);
	return n;
}

/* Whether a roff escape (\fB, \(dq, \*x, \*(xx) ends just before AT. */
static bool after_escape(const char *text, const char *at)
{
	size_t back = (size_t)(at - text);

	return (back >= 3 && at[-3] == '\\' && (at[-2] == 'f' || at[-2] == '*')) ||
	       (back >= 4 && at[-4] == '\\' && at[-3] == '(') ||
	       (back >= 5 && at[-5] == '\\' && at[-4] == '*' && at[-3] == '(');
}

/* TEXT with every mention of NAME taken out: the plain spelling and the
 * roff one (\- for -), wherever no other word goes on around it. */
static char *without(const char *text, const char *name)
{
	char roff[256], *out = strdup(text);
	const char *spell[2] = { name, roff };
	size_t r = 0;

	for (const char *s = name; *s && r < sizeof roff - 3; s++) {
		if (*s == '-')
			roff[r++] = '\\';
		roff[r++] = *s;
	}
	roff[r] = '\0';
	ck_assert_ptr_nonnull(out);
	for (int k = 0; k < 2; k++) {
		size_t len = strlen(spell[k]);

		for (char *c = out; (c = strstr(c, spell[k])); c++) {
			if ((c > out && word_char(c[-1]) && !after_escape(out, c)) || word_char(c[len]))
				continue;
			memset(c, ' ', len);
		}
	}
	return out;
}

/* NAMES against the document at REL: none missing, and each missing once
 * taken out. */
static void check_doc(const char *rel, enum doc_kind kind, const struct words *names)
{
	char *text = slurp_src(rel);
	static char report[65536];
	size_t n = missing(text, kind, names, report, sizeof report);

	if (n)
		fprintf(stderr, "%s does not name:\n%s", rel, report);
	ck_assert_msg(n == 0, "%s does not name %zu of what the code defines:\n%s", rel, n, report);
	for (size_t i = 0; i < names->n; i++) {
		char *doctored = without(text, names->v[i]);

		n = missing(doctored, kind, names, report, sizeof report);
		ck_assert_msg(n == 1 && strncmp(report + 2, names->v[i], strlen(names->v[i])) == 0,
			      "%s with \"%s\" taken out: %zu missing:\n%s", rel, names->v[i], n, report);
		free(doctored);
	}
	free(text);
}

/* The names NAMES_OF collects, against the README (when IN_README) and
 * the manual page PAGE. */
static void check_names(void (*names_of)(struct words *), bool in_readme, const char *page)
{
	struct words names = { 0 };

	names_of(&names);
	if (in_readme)
		check_doc("README.md", README, &names);
	check_doc(page, MAN, &names);
	words_free(&names);
}

START_TEST(config_keys_are_documented)
{
	check_names(config_names, true, "src/man/prospero.jsonc.5");
}
END_TEST

START_TEST(commands_and_options_are_documented)
{
	check_names(cli_names, true, "src/man/prospero.1");
}
END_TEST

/* The other way: every option the manual describes is in the usage. */
START_TEST(help_shows_every_option_the_manual_describes)
{
	struct words manual = { 0 }, help = { 0 };

	manual_options(&manual);
	cli_names(&help);
	sort(&help);
	for (size_t i = 0; i < manual.n; i++)
		ck_assert_msg(has(&help, manual.v[i]), "prospero --help does not show %s", manual.v[i]);
	words_free(&manual);
	words_free(&help);
}
END_TEST

/* A cgroup limit's range, as check enforces it, in README.md's table row
 * and in the entry prospero.jsonc(5) gives it: a test written from the
 * documents tries the bounds they state. */
static void range_documented(const char *key, long lo, long hi)
{
	char *readme = slurp_src("README.md"), *man = slurp_src("src/man/prospero.jsonc.5");
	char range[64], row[64], entry[64], *at, *end;

	snprintf(range, sizeof range, "%ld to %ld", lo, hi);
	snprintf(row, sizeof row, "\n| `%s` |", key);
	at = strstr(readme, row);
	ck_assert_msg(at != NULL, "README.md has no row for \"%s\"", key);
	end = strchr(at + 1, '\n');
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	ck_assert_msg(strstr(at, range) != NULL, "README.md: \"%s\" does not say %s", key, range);
	snprintf(entry, sizeof entry, "\n.TP\n.B %s\n", key);
	at = strstr(man, entry);
	ck_assert_msg(at != NULL, "prospero.jsonc(5) has no entry for \"%s\"", key);
	if ((end = strstr(at + strlen(entry), "\n.TP\n")))
		*end = '\0';
	ck_assert_msg(strstr(at, range) != NULL, "prospero.jsonc(5): \"%s\" does not say %s", key, range);
	free(readme);
	free(man);
}

START_TEST(cgroup_limit_ranges_are_documented)
{
	range_documented("tasks", 1, SB_CGROUP_TASKS_MAX);
	range_documented("cpu_weight", SB_CGROUP_WEIGHT_MIN, SB_CGROUP_WEIGHT_MAX);
}
END_TEST

START_TEST(library_functions_are_documented)
{
	check_names(library_names, false, "src/man/libprospero.3");
}
END_TEST

START_TEST(protocol_names_are_documented)
{
	check_names(protocol_names, true, "src/man/prospero-protocol.7");
}
END_TEST

/* TEXT with its comments blanked; strings and characters are kept. */
static void blank_comments(char *text)
{
	for (char *c = text; *c; c++) {
		if (*c == '"' || *c == '\'') {
			char q = *c;

			for (c++; *c && *c != q; c++)
				if (*c == '\\' && c[1])
					c++;
			if (!*c)
				return;
		} else if (c[0] == '/' && c[1] == '*') {
			char *end = strstr(c + 2, "*/"), *stop = end ? end + 2 : c + strlen(c);

			memset(c, ' ', (size_t)(stop - c));
			c = stop - 1;
		} else if (c[0] == '/' && c[1] == '/') {
			while (*c && *c != '\n')
				*c++ = ' ';
			if (!*c)
				return;
		}
	}
}

/* Each "NAME" of NAMES that a C file under REL (src/proto left out) spells
 * in code, as "  FILE: NAME" lines in REPORT; how many. */
static size_t spelt_outside_proto(const char *rel, const struct words *names, char *report,
				  size_t cap)
{
	char path[1536];
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/%s", srcdir(), rel);
	d = opendir(path);
	ck_assert_msg(d != NULL, "cannot open %s", path);
	while ((e = readdir(d))) {
		char sub[512], *text;
		size_t len = strlen(e->d_name);
		struct stat st;

		snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
		if (e->d_name[0] == '.' || strcmp(sub, "src/proto") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", srcdir(), sub);
		ck_assert_int_eq(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			n += spelt_outside_proto(sub, names, report, cap);
			continue;
		}
		if (len < 3 || (strcmp(e->d_name + len - 2, ".c") != 0 &&
				strcmp(e->d_name + len - 2, ".h") != 0))
			continue;
		text = slurp_src(sub);
		blank_comments(text);
		for (size_t i = 0; i < names->n; i++) {
			char quoted[160];

			if (strcmp(names->why[i], "environment name") != 0)
				continue;
			snprintf(quoted, sizeof quoted, "\"%s\"", names->v[i]);
			if (!strstr(text, quoted))
				continue;
			n++;
			snprintf(report + strlen(report), cap - strlen(report), "  %s: %s\n", sub,
				 names->v[i]);
		}
		free(text);
	}
	closedir(d);
	return n;
}

/* The daemon, the library and the queue take each environment name of
 * the wire contract from src/proto (PP_ENV_...), not from a copy of its
 * spelling, even where they read systemd's variable for themselves. */
START_TEST(wire_names_are_spelt_in_src_proto_alone)
{
	static const char *const trees[] = { "src", "sandbox", "supervisor" };
	static char report[8192];
	struct words names = { 0 };
	size_t n = 0;
	char text[] = "x = \"A\"; /* \"B\" */ y = '\"'; // \"C\"\nz(\"D /* \\\" */\");";

	blank_comments(text);	/* the blanking itself */
	ck_assert(strstr(text, "\"A\"") && !strstr(text, "\"B\"") && !strstr(text, "\"C\""));
	ck_assert(strstr(text, "D /* \\\" */"));
	protocol_names(&names);
	report[0] = '\0';
	for (size_t i = 0; i < sizeof trees / sizeof *trees; i++)
		n += spelt_outside_proto(trees[i], &names, report, sizeof report);
	ck_assert_msg(n == 0, "wire names spelt outside src/proto (use its PP_ENV_ macros):\n%s",
		      report);
	words_free(&names);
}
END_TEST

/* The readers themselves, on text made to measure. */
START_TEST(names_count_only_where_documentation_puts_them)
{
	static const char readme[] =
		"Use `alpha` and `beta,\ngamma`.\n\n    delta --epsilon\n\n```\nzeta\n```\neta `theta\n\niota`\n";
	static const char man[] =
		".B alpha\n.BR beta (5),\n.RB [ gamma ]\nthe \\fB\\-\\-delta\\fR option, \\fIzeta\\fR\n"
		".BI \"int eta(int \" theta );\n.\\\" .B iota\n";
	struct words w = { 0 };

	readme_words(&w, readme);
	sort(&w);
	ck_assert(has(&w, "alpha") && has(&w, "beta") && has(&w, "gamma") && has(&w, "delta"));
	ck_assert(has(&w, "--epsilon") && has(&w, "theta"));
	ck_assert(!has(&w, "zeta") && !has(&w, "eta") && !has(&w, "iota") && !has(&w, "Use"));
	words_free(&w);
	man_words(&w, man);
	sort(&w);
	ck_assert(has(&w, "alpha") && has(&w, "beta") && has(&w, "gamma") && has(&w, "--delta"));
	ck_assert(has(&w, "int") && has(&w, "eta"));
	ck_assert(!has(&w, "zeta") && !has(&w, "theta") && !has(&w, "iota") && !has(&w, "5"));
	words_free(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("docs");
	TCase *tc = tcase_create("docs");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, names_count_only_where_documentation_puts_them);
	tcase_add_test(tc, config_keys_are_documented);
	tcase_add_test(tc, commands_and_options_are_documented);
	tcase_add_test(tc, help_shows_every_option_the_manual_describes);
	tcase_add_test(tc, library_functions_are_documented);
	tcase_add_test(tc, cgroup_limit_ranges_are_documented);
	tcase_add_test(tc, protocol_names_are_documented);
	tcase_add_test(tc, wire_names_are_spelt_in_src_proto_alone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
