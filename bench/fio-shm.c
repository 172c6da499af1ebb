// SPDX-License-Identifier: GPL-2.0
/*
 * System V shared memory for fio in the benchmark VM, preloaded
 * (LD_PRELOAD): fio keeps its job table in a shmget() segment, and the
 * test kernels (tinyconfig + kernel/config) have no CONFIG_SYSVIPC, so
 * Debian's fio stops with "shmget: Function not implemented". Here a
 * segment is an anonymous MAP_SHARED mapping (CONFIG_SHMEM), which a child
 * fio forks shares as it would share the segment; bench/bench-fio.sh
 * preloads it on every kernel, so that each runs the same fio.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define NSEG 64

static struct {
	void *addr;
	size_t size;
} seg[NSEG];
static int nseg;

int shmget(key_t key, size_t size, int flags)
{
	void *p;

	(void)key;
	(void)flags;
	if (nseg == NSEG) {
		errno = ENOSPC;
		return -1;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return -1;
	}
	seg[nseg].addr = p;
	seg[nseg].size = size;
	return nseg++;
}

void *shmat(int id, const void *addr, int flags)
{
	(void)addr;
	(void)flags;
	if (id < 0 || id >= nseg || !seg[id].addr) {
		errno = EINVAL;
		return (void *)-1;
	}
	return seg[id].addr;
}

int shmdt(const void *addr)
{
	(void)addr;
	return 0;
}

/* IPC_RMID: the mapping goes with the process; IPC_STAT: the size */
int shmctl(int id, int cmd, struct shmid_ds *buf)
{
	if (id < 0 || id >= nseg) {
		errno = EINVAL;
		return -1;
	}
	if (cmd == IPC_STAT && buf) {
		memset(buf, 0, sizeof(*buf));
		buf->shm_segsz = seg[id].size;
	}
	return 0;
}
