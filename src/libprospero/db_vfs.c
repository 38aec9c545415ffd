/* The system's default SQLite VFS, with the errno of a failed file call
 * kept. SQLite reports a failed write or sync as SQLITE_IOERR_*, and the
 * errno it gives with it (sqlite3_system_errno) is the global errno when
 * the statement ends, which the rollback has overwritten by then: a full
 * quota (EDQUOT) read as EIO. The real file keeps its own
 * (SQLITE_FCNTL_LAST_ERRNO), read here at once after the failure. */
#include <errno.h>
#include <pthread.h>

#include "src/libprospero/db.h"

struct kept_file {
	sqlite3_file base;
	sqlite3_file *real;	/* the default VFS's, right behind */
};

static sqlite3_vfs kept_vfs, *real_vfs;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered = SQLITE_ERROR;
/* a connection is one thread's (SQLITE_OPEN_NOMUTEX), as is its error */
static __thread int kept_errno;

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((struct kept_file *)f)->real;
}

/* RC from the real file F: what it failed with, kept. */
static int keep(sqlite3_file *f, int rc)
{
	int e = 0;

	if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ)
		return rc;
	if (rc == SQLITE_FULL)
		e = ENOSPC;	/* the default VFS's own word for it */
	else if (f->pMethods->xFileControl(f, SQLITE_FCNTL_LAST_ERRNO, &e) != SQLITE_OK)
		e = 0;
	if (e)
		kept_errno = e;
	return rc;
}

int pr_db_vfs_take_errno(void)
{
	int e = kept_errno;

	kept_errno = 0;
	return e;
}

static int k_close(sqlite3_file *f)
{
	return real_of(f)->pMethods->xClose(real_of(f));
}

static int k_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return keep(real_of(f), real_of(f)->pMethods->xRead(real_of(f), buf, n, off));
}

static int k_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	return keep(real_of(f), real_of(f)->pMethods->xWrite(real_of(f), buf, n, off));
}

static int k_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return keep(real_of(f), real_of(f)->pMethods->xTruncate(real_of(f), size));
}

static int k_sync(sqlite3_file *f, int flags)
{
	return keep(real_of(f), real_of(f)->pMethods->xSync(real_of(f), flags));
}

static int k_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int k_lock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int k_unlock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int k_check_reserved_lock(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int k_file_control(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int k_sector_size(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int k_device_characteristics(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int k_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
	return keep(real_of(f), real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out));
}

static int k_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void k_shm_barrier(sqlite3_file *f)
{
	real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int k_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static int k_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	return real_of(f)->pMethods->xFetch(real_of(f), off, n, out);
}

static int k_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

static const sqlite3_io_methods kept_methods = {
	.iVersion = 3,
	.xClose = k_close,
	.xRead = k_read,
	.xWrite = k_write,
	.xTruncate = k_truncate,
	.xSync = k_sync,
	.xFileSize = k_file_size,
	.xLock = k_lock,
	.xUnlock = k_unlock,
	.xCheckReservedLock = k_check_reserved_lock,
	.xFileControl = k_file_control,
	.xSectorSize = k_sector_size,
	.xDeviceCharacteristics = k_device_characteristics,
	.xShmMap = k_shm_map,
	.xShmLock = k_shm_lock,
	.xShmBarrier = k_shm_barrier,
	.xShmUnmap = k_shm_unmap,
	.xFetch = k_fetch,
	.xUnfetch = k_unfetch,
};

static int k_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags)
{
	struct kept_file *k = (struct kept_file *)f;
	int rc;

	(void)vfs;
	k->real = (sqlite3_file *)(k + 1);
	rc = real_vfs->xOpen(real_vfs, name, k->real, flags, out_flags);
	/* SQLite closes a file whose open failed only if it has methods */
	k->base.pMethods = k->real->pMethods ? &kept_methods : NULL;
	return rc;
}

static void register_vfs(void)
{
	/* the methods this file forwards are those of version 3 */
	if (!(real_vfs = sqlite3_vfs_find(NULL)) || real_vfs->iVersion < 3)
		return;
	kept_vfs = *real_vfs;	/* its other calls, and their app data */
	kept_vfs.pNext = NULL;
	kept_vfs.zName = PR_DB_VFS;
	kept_vfs.szOsFile = (int)sizeof(struct kept_file) + real_vfs->szOsFile;
	kept_vfs.xOpen = k_open;
	registered = sqlite3_vfs_register(&kept_vfs, 0);
}

const char *pr_db_vfs(void)
{
	pthread_once(&once, register_vfs);
	return registered == SQLITE_OK ? PR_DB_VFS : NULL;
}
