/* What every command of the command line shares (prospero(1), OPTIONS):
 * the usage, and the options a command does not use, which it ignores
 * rather than refuse, so one set of options may be given to any command. */
#ifndef PROSPERO_CLI_OPTIONS_H
#define PROSPERO_CLI_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

/* prospero(1), EXIT STATUS: a usage error, whatever the command */
#define EXIT_USAGE 2

/* getopt_long's answer for a long option the command does not use */
#define CLI_OPT_OTHER 0x100
#define CLI_OPT_VERSION 0x101
/* Every command's short options after its own: those that take an
 * argument, or none, alike wherever they are used (-s is --secrets-dir
 * and --signal, both with one; -n and -f are not: --dry-run takes none,
 * --lines one). A command's own come first in its optstring and win
 * (getopt takes the first). */
#define CLI_SHORT_OTHERS "c:e:r:s:d:u:k:x:S:l:h"
/* Room for every documented long option and the terminator. */
#define CLI_LONGOPTS_MAX 32

void cli_usage(FILE *to);
/* Every usage error of every command, said one way: "prospero: " and FMT,
 * then where the usage is. EXIT_USAGE (2), for the caller to return. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* getopt_long over the command's own short options SHORTS, then every
 * other command's (CLI_SHORT_OTHERS), and LONGOPTS (cli_longopts). What
 * getopt finds wrong (an unknown option, a missing argument, one given to
 * an option that takes none) is said by cli_usage_error, not by getopt
 * with argv[0], and answered '?'. */
int cli_getopt(int argc, char **argv, const char *shorts, const struct option *longopts);
/* MINE (terminated) and then every documented long option MINE lacks,
 * as CLI_OPT_OTHER, and --help and --version: into OUT, terminated. */
void cli_longopts(const struct option *mine, struct option out[CLI_LONGOPTS_MAX]);
/* What to do with C, an option a command has no case of: 0 go on (one it
 * does not use), 1 stop with status 0 (--help or --version, printed), -1
 * a usage error (cli_getopt has said which). */
int cli_option_other(int c);
/* The N bytes at S as a whole number from 0 to MAX, into *OUT: decimal
 * digits and nothing else (strtoul would take leading blanks and a sign,
 * and wrap a negative number). -1 for anything else. */
int cli_parse_uint(const char *s, size_t n, unsigned long long max, unsigned long long *out);

/* ARG of OPTION, a path, into *OUT; an empty one is a usage error (said,
 * -1), not the default it would silently stand for. */
int cli_path_arg(const char *option, const char *arg, const char **out);

#endif
