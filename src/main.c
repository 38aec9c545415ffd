/* prospero: the command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config.h"
#include "src/daemon.h"
#include "src/log.h"

#define EXIT_USAGE 2

static void usage(FILE *to)
{
	fputs("usage: prospero run -c FILE [-c FILE | FILE]... [--events FILE] [--runtime-dir DIR]\n"
	      "       prospero check -c FILE [-c FILE | FILE]...\n"
	      "       prospero --help | --version\n"
	      "\n"
	      "  run     start the supervision tree and supervise it until SIGTERM/SIGINT\n"
	      "  check   validate the configuration and exit (0: valid, 1: errors)\n"
	      "\n"
	      "  -c, --config FILE     a config file (JSONC); repeat, or list more files after it\n"
	      "  -e, --events FILE     append every lifecycle event to FILE as a JSON line\n"
	      "  -r, --runtime-dir DIR where the notify socket lives (default: $RUNTIME_DIRECTORY,\n"
	      "                        else a private directory under $TMPDIR or /tmp)\n"
	      "\n"
	      "exit status: 0 clean stop, 1 config or start-up error, 2 usage error,\n"
	      "             3 the root supervisor gave up (restart intensity exceeded)\n", to);
}

static struct cfg *load(char **files, size_t nfiles)
{
	struct cfg_diag diag = { 0 };
	struct cfg *cfg = cfg_load(files, nfiles, &diag);

	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.lines[i]);
	if (!cfg && diag.nerrors == 0)
		fprintf(stderr, "prospero: out of memory loading the configuration\n");
	cfg_diag_free(&diag);
	return cfg;
}

static size_t count(const struct cfg_supervisor *s, size_t *sups)
{
	size_t n = 0;

	(*sups)++;
	for (size_t i = 0; i < s->nchildren; i++)
		n += s->children[i].kind == CFG_CHILD_ACTOR ? s->children[i].u.actor->instances
							     : count(s->children[i].u.sup, sups);
	return n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "events", required_argument, NULL, 'e' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_opts opts = { 0 };
	char **files;
	size_t nfiles = 0;
	const char *cmd;
	struct cfg *cfg;
	int c, rc;

	log_init("prospero");
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		puts("prospero " PACKAGE_VERSION);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "check") != 0)) {
		if (argc >= 2)
			fprintf(stderr, "prospero: unknown command \"%s\"\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	files = calloc((size_t)argc, sizeof *files);
	if (!files)
		return 1;
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:e:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': files[nfiles++] = optarg; break;
		case 'e': opts.events_path = optarg; break;
		case 'r': opts.runtime_dir = optarg; break;
		case 'h': usage(stdout); free(files); return 0;
		default: usage(stderr); free(files); return EXIT_USAGE;
		}
	}
	/* "-c root.jsonc actors/NAME.jsonc...": the shell's expansion lands here */
	while (optind < argc)
		files[nfiles++] = argv[optind++];
	if (nfiles == 0) {
		fprintf(stderr, "prospero: %s needs at least one config file (-c FILE)\n", cmd);
		usage(stderr);
		free(files);
		return EXIT_USAGE;
	}

	cfg = load(files, nfiles);
	free(files);
	if (!cfg)
		return 1;
	if (strcmp(cmd, "check") == 0) {
		size_t sups = 0, procs = count(cfg->root, &sups);
		printf("configuration ok: root \"%s\", %zu supervisors, %zu actors, %zu processes\n",
		       cfg->root->name, sups, cfg->nactors, procs);
		rc = 0;
	} else {
		rc = daemon_run(cfg, &opts);
	}
	cfg_free(cfg);
	return rc;
}
