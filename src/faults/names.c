#include <signal.h>
#include <string.h>

#include "src/faults/names.h"

static const struct {
	const char *alias, *name;
} errno_aliases[] = {
	{ "EWOULDBLOCK", "EAGAIN" },
	{ "EDEADLOCK", "EDEADLK" },
	{ "ENOTSUP", "EOPNOTSUPP" },
};

/* Those that end a process by default or are commonly handled: the
 * faults worth injecting. The rest are ignored by default or job
 * control, which a stall covers. */
static const char *const signal_names[] = {
	"SIGKILL", "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGABRT", "SIGSEGV",
	"SIGBUS", "SIGFPE", "SIGILL", "SIGPIPE", "SIGALRM", "SIGUSR1", "SIGUSR2", NULL,
};

size_t fault_errno_names(const char *out[FAULT_ERRNO_LIMIT])
{
	size_t n = 0;

	for (int e = 1; e < FAULT_ERRNO_LIMIT; e++)
		if (strerrorname_np(e))
			out[n++] = strerrorname_np(e);
	return n;
}

int fault_errno_parse(const char *name)
{
	for (size_t i = 0; i < sizeof errno_aliases / sizeof errno_aliases[0]; i++)
		if (strcmp(name, errno_aliases[i].alias) == 0)
			name = errno_aliases[i].name;
	for (int e = 1; e < FAULT_ERRNO_LIMIT; e++) {
		const char *s = strerrorname_np(e);

		if (s && strcmp(s, name) == 0)
			return e;
	}
	return -1;
}

const char *fault_errno_name(int err)
{
	const char *s = err > 0 && err < FAULT_ERRNO_LIMIT ? strerrorname_np(err) : NULL;

	return s ? s : "E?";
}

const char *const *fault_signal_names(void)
{
	return signal_names;
}

/* SIGTERM for "SIGTERM", by the C library's own abbreviations. */
static int signal_number(const char *name)
{
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcmp(name + 3, abbrev) == 0)
			return sig;
	}
	return -1;
}

int fault_signal_parse(const char *name)
{
	for (size_t i = 0; signal_names[i]; i++)
		if (strcmp(name, signal_names[i]) == 0)
			return signal_number(name);
	return -1;
}

const char *fault_signal_name(int sig)
{
	if (sig == SIGSTOP)
		return "SIGSTOP";
	for (size_t i = 0; signal_names[i]; i++)
		if (signal_number(signal_names[i]) == sig)
			return signal_names[i];
	return "SIG?";
}
