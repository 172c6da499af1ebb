// SPDX-License-Identifier: GPL-2.0
/*
 * Files under /sys: the kernel's attributes are read whole (sysfs gives a
 * page per read(), the module's table listings are longer) and written in
 * one write() (the kernel takes a page at most, and one edit per write).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sgfilterctl.h"

const char *sysfs = "/sys";

/* @sysfs/@fmt...; -ENAMETOOLONG if it does not fit */
int sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, len, "%s/", sysfs);

	va_start(ap, fmt);
	n += vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	return n < (int)len ? 0 : -ENAMETOOLONG;
}

/*
 * Read a whole file, however many read()s it takes (sysfs gives at most a
 * page per read), into a malloc'ed string; -errno
 */
int read_all(const char *path, char **out)
{
	int fd = open(path, O_RDONLY), err = 0;
	size_t len = 0, size = 8192;
	char *buf = malloc(size), *bigger;
	ssize_t n;

	if (fd < 0 || !buf) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		if (size - len < 4096) {
			bigger = realloc(buf, size * 2);
			if (!bigger) {
				err = -ENOMEM;
				break;
			}
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		len += n;
	}
out:
	if (fd >= 0)
		close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Read a small file (a flag, a counter) into @buf, cut to @size; -errno */
int read_text(const char *path, char *buf, size_t size)
{
	char *all;
	size_t len;
	int err = read_all(path, &all);

	if (err) {
		buf[0] = '\0';
		return err;
	}
	len = strlen(all);
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, all, len);
	buf[len] = '\0';
	free(all);
	return 0;
}

/* One write() of all of @s; -errno (a short write is -EIO) */
int write_text(const char *path, const char *s)
{
	return write_text_flags(path, s, 0);
}

/*
 * The same, with more open() flags: O_TRUNC for a file that the write
 * replaces as a whole (sgio_grants), as a shell's > opens it. sysfs ignores
 * it; a regular file (a test's made-up sysfs) then holds what was written.
 */
int write_text_flags(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | flags), ret = 0;
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* The most the kernel takes in one sysfs write: a page */
size_t page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);

	return n > 0 ? n : 4096;
}

bool module_loaded(void)
{
	char path[PATH_MAX];
	struct stat st;

	sysfs_path(path, sizeof(path), "kernel/sgfilter");
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* 0 if the module is loaded, else 1 with a message: it holds the editable tables */
int need_module(void)
{
	if (module_loaded())
		return 0;
	error("the sgfilter module is not loaded: the built-in tables cannot be changed");
	hint("modprobe sgfilter");
	return 1;
}
