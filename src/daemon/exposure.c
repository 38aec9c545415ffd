/* What would expose actors; see exposure.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/daemon/confinement.h"
#include "src/daemon/exposure.h"
#include "src/daemon/log.h"

int exposure_dev_vars_path(const struct cfg *cfg, char *path, size_t len)
{
	char *copy = strdup(cfg->root->pos.file);
	int n;

	if (!copy)
		return -1;
	n = snprintf(path, len, "%s/.dev.vars", dirname(copy));
	free(copy);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Root's own file, readable by others: as ssh would not use such a key,
 * but git cannot record 0600, so the quick start would never work: made
 * private, and said. 0600 whatever it was: git records 0755 too, and
 * the daemon reads it as root either way. */
static int make_private(int fd, const char *path, mode_t mode, char *msg, size_t len)
{
	if (fchmod(fd, 0600) < 0) {
		snprintf(msg, len, "%s is readable by other users (mode %04o), actors included, and "
			 "cannot be made 0600: %s; refusing to read it", path, (unsigned)mode,
			 strerror(errno));
		return -1;
	}
	log_warn("%s was readable by other users (mode %04o), actors included: made it 0600 "
		 "(git checks files out 0644)", path, (unsigned)mode);
	return 0;
}

int exposure_dev_vars_file(const char *path, bool check, char *msg, size_t len)
{
	struct stat st;
	int fd, rc = 0;

	/* the file the lookup reads: through a symbolic link too */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0044)) {
		mode_t mode = st.st_mode & 07777;
		struct stat link;

		if (check || geteuid() != 0)
			log_warn("%s is readable by other users (mode %04o): they, and every actor, can "
				 "read every secret in it; chmod 600 %s", path, (unsigned)mode, path);
		/* a link's target may be any file of root's: not ours to change */
		else if (st.st_uid == 0 && lstat(path, &link) == 0 && !S_ISLNK(link.st_mode))
			rc = make_private(fd, path, mode, msg, len);
		else {
			snprintf(msg, len, "%s is readable by other users (mode %04o), actors included: "
				 "refusing to read it; chmod 600 %s", path, (unsigned)mode, path);
			rc = -1;
		}
	}
	close(fd);
	if (rc < 0)
		errno = EPERM;
	return rc;
}

int exposure_dev_vars(const struct cfg *cfg, bool check)
{
	char path[4096], msg[8400];

	if (exposure_dev_vars_path(cfg, path, sizeof path) < 0)
		return 0;	/* the secrets lookup says what is wrong with it */
	if (exposure_dev_vars_file(path, check, msg, sizeof msg) < 0) {
		log_err("%s", msg);
		return -1;
	}
	return 0;
}

void exposure_uid(void)
{
	/* confinement_plan changes no id without it: the actors stay root */
	if (geteuid() == 0 && !confinement_privileged()) {
		log_warn("running as root without CAP_SETPCAP: every actor process runs as uid 0, "
			 "with no separation and no dynamic uids: each can read the others' "
			 "/proc/PID/environ and memory and their credentials, signal the daemon and use "
			 "its control socket; give the daemon CAP_SETPCAP (CapabilityBoundingSet= under systemd)");
		return;
	}
	if (geteuid() == 0)
		return;
	log_warn("running without root: every actor process runs as uid %u, the daemon's own, "
		 "with no separation: each can read the others' /proc/PID/environ and memory and "
		 "their credentials, signal the daemon and use its control socket; run as root for a "
		 "dynamic uid each",
		 (unsigned)geteuid());
}
