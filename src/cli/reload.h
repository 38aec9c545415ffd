/* `prospero reload [--dry-run] [--runtime-dir DIR]`: ask the daemon that
 * owns the runtime directory to reload, and wait until it has (README
 * "Reload"). */
#ifndef PROSPERO_CLI_RELOAD_H
#define PROSPERO_CLI_RELOAD_H

/* ARGV[0] is "reload". The exit status: 0 applied (or the plan printed),
 * 1 refused (the diagnostics on stderr) or no daemon, 2 a usage error. */
int cli_reload(int argc, char **argv);

#endif
