/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sgfilter selftests (and the VM checkers) share: sending a CDB,
 * becoming the test user, writing a sysfs file.
 */
#ifndef SGIO_UTIL_H
#define SGIO_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bsg.h>
#include <scsi/sg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define SGF_TIMEOUT_MS	10000

enum sgf_dir { SGF_DIR_NONE, SGF_DIR_IN, SGF_DIR_OUT };

/* SG_IO v3, on block and sg nodes: -errno if the ioctl failed, else the status */
static inline int sgf_sg_io(int fd, const uint8_t *cdb, unsigned int len,
			    enum sgf_dir dir, void *buf, unsigned int xfer)
{
	uint8_t sense[32];
	struct sg_io_hdr h = {
		.interface_id = 'S',
		.cmd_len = len,
		.cmdp = (unsigned char *)cdb,
		.dxfer_direction = dir == SGF_DIR_IN ? SG_DXFER_FROM_DEV :
				   dir == SGF_DIR_OUT ? SG_DXFER_TO_DEV : SG_DXFER_NONE,
		.dxfer_len = dir == SGF_DIR_NONE ? 0 : xfer,
		.dxferp = buf,
		.sbp = sense,
		.mx_sb_len = sizeof(sense),
		.timeout = SGF_TIMEOUT_MS,
	};

	return ioctl(fd, SG_IO, &h) ? -errno : h.status;
}

/* SG_IO v4, on bsg nodes: -errno if the ioctl failed, else the status */
static inline int sgf_bsg(int fd, const uint8_t *cdb, unsigned int len,
			  enum sgf_dir dir, void *buf, unsigned int xfer)
{
	uint8_t sense[32];
	struct sg_io_v4 h = {
		.guard = 'Q',
		.protocol = BSG_PROTOCOL_SCSI,
		.subprotocol = BSG_SUB_PROTOCOL_SCSI_CMD,
		.request_len = len,
		.request = (uintptr_t)cdb,
		.max_response_len = sizeof(sense),
		.response = (uintptr_t)sense,
		.timeout = SGF_TIMEOUT_MS,
	};

	if (dir == SGF_DIR_IN) {
		h.din_xfer_len = xfer;
		h.din_xferp = (uintptr_t)buf;
	} else if (dir == SGF_DIR_OUT) {
		h.dout_xfer_len = xfer;
		h.dout_xferp = (uintptr_t)buf;
	}
	return ioctl(fd, SG_IO, &h) ? -errno : h.device_status;
}

/*
 * Become the unprivileged test user SGF_UID (default 1000) with the
 * supplementary group SGF_GID (default 6, "disk"). Only ever called in a
 * child: it exits with status 200 if it cannot.
 */
static inline void sgf_drop_to_user(void)
{
	const char *u = getenv("SGF_UID"), *g = getenv("SGF_GID");
	gid_t gid = g ? atoi(g) : 6;
	uid_t uid = u ? atoi(u) : 1000;

	if (setgroups(1, &gid) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		_exit(200);
}

/* Write @len bytes to @path in one write(): 0 or -errno */
static inline int sgf_write(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

static inline int sgf_write_str(const char *path, const char *s)
{
	return sgf_write(path, s, strlen(s));
}

/*
 * Whether sgfilter.ko runs its stock-kernel backend, which has no built-in
 * tables to go back to (Documentation/sgfilter.rst)
 */
static inline bool sgf_stock_backend(void)
{
	char buf[16] = "";
	int fd = open("/sys/kernel/sgfilter/backend", O_RDONLY);

	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return !strncmp(buf, "stock", 5);
}

/*
 * Whether sgfilter.ko was loaded while a command ran, for the tests that
 * load and unload it while other processes send commands. The process that
 * loads and unloads it counts the transitions in a shared word, the phase:
 * phase % 4 is 0 unloaded, 1 loading (modprobe running), 2 loaded (modprobe
 * returned: every hook is in place), 3 unloading (rmmod running). A sender
 * reads the phase before and after each command: the same even phase both
 * times, and the command ran wholly in that state; otherwise it may have
 * met the module half there (a stock kernel's hooks come and go one by one).
 */
enum sgf_mod_state { SGF_MOD_UNLOADED, SGF_MOD_LOADED, SGF_MOD_CHANGING };

static inline unsigned long sgf_phase_read(const unsigned long *phase)
{
	return __atomic_load_n(phase, __ATOMIC_SEQ_CST);
}

/* The loader: before and after each modprobe and rmmod */
static inline void sgf_phase_next(unsigned long *phase)
{
	__atomic_add_fetch(phase, 1, __ATOMIC_SEQ_CST);
}

/* The state a command ran in, from the phase read before and after it */
static inline enum sgf_mod_state sgf_phase_state(unsigned long before, unsigned long after)
{
	if (before != after || (before & 1))
		return SGF_MOD_CHANGING;
	return before & 2 ? SGF_MOD_LOADED : SGF_MOD_UNLOADED;
}

#endif
