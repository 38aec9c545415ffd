/* See failalloc.h. The linker's --wrap makes our objects' calls to
 * malloc land in __wrap_malloc; __real_malloc is the C library's (or the
 * sanitizer's). Allocations the C library makes inside itself are not
 * counted, but for fdopen and realpath, which fail here as they would
 * there. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <seccomp.h>
#include <sqlite3.h>
#include <sys/capability.h>

#include "tests/common/failalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define FA_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define FA_LSAN 1
#endif
#endif

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
__attribute__((format(printf, 2, 0))) int __wrap_vasprintf(char **out, const char *fmt, va_list ap);
__attribute__((format(printf, 2, 3))) int __wrap_asprintf(char **out, const char *fmt, ...);
__attribute__((format(printf, 3, 0))) int __wrap___vasprintf_chk(char **out, int flag, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int __wrap___asprintf_chk(char **out, int flag, const char *fmt, ...);
void *__real_reallocarray(void *p, size_t n, size_t size);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
FILE *__real_fdopen(int fd, const char *mode);
FILE *__wrap_fdopen(int fd, const char *mode);
char *__real_realpath(const char *path, char *resolved);
char *__wrap_realpath(const char *path, char *resolved);
char *__real_cap_to_name(cap_value_t cap);
char *__wrap_cap_to_name(cap_value_t cap);
char *__real_seccomp_syscall_resolve_num_arch(uint32_t arch, int num);
char *__wrap_seccomp_syscall_resolve_num_arch(uint32_t arch, int num);

static unsigned long armed_at, counted;
static bool paused;
/* jansson's own count: it crashes inside json_loadb when some of its
 * allocations fail (a SEGV in its parser, 2.14), so a sweep of ours
 * leaves them alone and a test fails them one by one on purpose */
static unsigned long jansson_armed_at, jansson_counted;
static bool failed;

void fa_arm(unsigned long k)
{
	jansson_armed_at = 0;
	armed_at = k;
	counted = 0;
	failed = false;
}

void fa_disarm(void)
{
	armed_at = 0;
	jansson_armed_at = 0;
}

void fa_pause(bool on)
{
	paused = on;
}

unsigned long fa_count(void)
{
	return counted;
}

bool fa_failed(void)
{
	return failed;
}

/* Whether this allocation is the one to fail. */
static bool fail_now(void)
{
	if (paused || ++counted != armed_at || !armed_at)
		return false;
	failed = true;
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
	return fail_now() ? NULL : __real_reallocarray(p, n, size);
}

/* the C library allocates for these inside: fail them as it would */
FILE *__wrap_fdopen(int fd, const char *mode)
{
	return fail_now() ? NULL : __real_fdopen(fd, mode);
}

char *__wrap_realpath(const char *path, char *resolved)
{
	return !resolved && fail_now() ? NULL : __real_realpath(path, resolved);
}

/* libcap and libseccomp copy the names they return: each a strdup */
char *__wrap_cap_to_name(cap_value_t cap)
{
	return fail_now() ? NULL : __real_cap_to_name(cap);
}

char *__wrap_seccomp_syscall_resolve_num_arch(uint32_t arch, int num)
{
	char *s = __real_seccomp_syscall_resolve_num_arch(arch, num);

	/* only a name there is can fail to be copied */
	if (s && fail_now()) {
		free(s);
		return NULL;
	}
	return s;
}

char *__wrap_strdup(const char *s)
{
	return __wrap_strndup(s, strlen(s));
}

char *__wrap_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *c = __wrap_malloc(len + 1);

	if (c) {
		memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0 || !(*out = __wrap_malloc((size_t)n + 1)))
		return -1;
	return vsnprintf(*out, (size_t)n + 1, fmt, ap);
}

int __wrap_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __wrap_vasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

/* what _FORTIFY_SOURCE turns the two into */
int __wrap___vasprintf_chk(char **out, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return __wrap_vasprintf(out, fmt, ap);
}

int __wrap___asprintf_chk(char **out, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)flag;
	va_start(ap, fmt);
	n = __wrap_vasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}


void fa_arm_jansson(unsigned long k)
{
	armed_at = 0;
	jansson_armed_at = k;
	jansson_counted = 0;
	failed = false;
}

static void *fa_malloc(size_t n)
{
	if (!paused && jansson_armed_at && ++jansson_counted == jansson_armed_at) {
		failed = true;
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

static void fa_free(void *p)
{
	free(p);
}

void fa_route_jansson(void)
{
	json_set_alloc_funcs(fa_malloc, fa_free);
}

/* SQLite asks each allocation's size back: kept in front of it, as its
 * own default allocator does */
#define SQ_HEAD 8

static void *sq_malloc(int n)
{
	char *p;

	if (n <= 0 || fail_now() || !(p = __real_malloc((size_t)n + SQ_HEAD)))
		return NULL;
	memcpy(p, &(size_t){ (size_t)n }, sizeof(size_t));
	return p + SQ_HEAD;
}

static void sq_free(void *p)
{
	if (p)
		free((char *)p - SQ_HEAD);
}

static int sq_size(void *p)
{
	size_t n;

	if (!p)
		return 0;
	memcpy(&n, (char *)p - SQ_HEAD, sizeof n);
	return (int)n;
}

static void *sq_realloc(void *p, int n)
{
	char *q;

	if (!p)
		return sq_malloc(n);
	if (n <= 0 || fail_now() || !(q = __real_realloc((char *)p - SQ_HEAD, (size_t)n + SQ_HEAD)))
		return NULL;
	memcpy(q, &(size_t){ (size_t)n }, sizeof(size_t));
	return q + SQ_HEAD;
}

static int sq_roundup(int n)
{
	return (n + 7) & ~7;
}

static int sq_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void sq_shutdown(void *arg)
{
	(void)arg;
}

void fa_route_sqlite(void)
{
	static const sqlite3_mem_methods m = { sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup,
					       sq_init, sq_shutdown, NULL };

	/* SQLITE_MISUSE once SQLite is initialized: an earlier call did it */
	(void)sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

bool fa_leaked(void)
{
#ifdef FA_LSAN
	return __lsan_do_recoverable_leak_check() != 0;
#else
	return false;
#endif
}

unsigned long fa_sweep(void (*op)(unsigned long k, void *arg), void *arg, unsigned long full,
		       unsigned long stride)
{
	unsigned long k = 1, tried = 0;

	for (;;) {
		op(k, arg);
		fa_disarm();
		fa_pause(false);
		tried++;
		if (fa_leaked())
			ck_abort_msg("a leak after the allocation %lu failed", k);
		if (!fa_failed())
			return tried;
		k += k < full || stride < 2 ? 1 : stride;
	}
}
