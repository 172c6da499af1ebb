// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device grants, where they go: the lock (/run/sgfilter/lock) that
 * keeps two sgfilterctl from losing each other's change, the runtime state,
 * and DEVICE resolved to its SCSI devices.
 *
 * Through dm-multipath, a grant goes to every path of the map, and is
 * remembered by the LUN's WWID in the runtime state (/run/sgfilter/grants,
 * lines of the policy file's "grant" syntax), which apply-device consults
 * for paths that appear later. Another kind of dm device, or one path of a
 * map on its own, is refused: dm sends SG_IO down a path of its choosing,
 * so such a grant would be accepted and then ignored.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sgfilterctl.h"

/* --- the lock and the runtime state ------------------------------------------ */

const char *run_dir(void)
{
	const char *d = getenv("SGFILTER_RUN_DIR");

	return d && *d ? d : "/run/sgfilter";
}

/* mkdir -p @dir (mode 0755): 0, or -1 with errno (a system without /run) */
static int make_dirs(const char *dir)
{
	char p[PATH_MAX];
	size_t i;

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 1; ; i++) {
		char c = p[i];

		if (c && c != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -1;
		if (!c)
			return 0;
		p[i] = c;
	}
}

/*
 * Serialize the sgfilterctl that change grants: an exclusive flock on
 * RUN_DIR/lock, held until the process exits. 0, or 1 with a message.
 */
int take_lock(void)
{
	static int fd = -1;
	char path[PATH_MAX];

	if (fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/lock", run_dir());
	if (make_dirs(run_dir())) {
		error("Failed to create \"%s\": %s", run_dir(), strerror(errno));
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			hint_errno(errno);
		return 1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		error("Failed to open \"%s\": %s", path, strerror(errno));
		hint_errno(errno);
		return 1;
	}
	if (flock(fd, LOCK_EX)) {
		error("Failed to lock \"%s\": %s", path, strerror(errno));
		close(fd);
		fd = -1;
		return 1;
	}
	return 0;
}

static void state_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/grants", run_dir());
}

/* The runtime state, parsed into @st (empty if there is none); 0, or 1 */
int load_state(struct policy *st)
{
	char path[PATH_MAX];

	st->nr_unpriv = 0;
	st->nr_grants = 0;
	state_path(path, sizeof(path));
	if (access(path, F_OK))
		return 0;
	return parse_policy(path, st);
}

/* The decoded ID of a "grant ID ..." line, or "" */
static void line_id(const char *line, char *id, size_t size)
{
	char enc[3 * ID_MAX];

	id[0] = '\0';
	if (sscanf(line, "grant %12287s", enc) == 1 && decode_id(enc, id, size))
		id[0] = '\0';
}

/*
 * Remember @t as the grants of the multipath LUN @wwid (none: forget it),
 * replacing what the state had for it. Under the lock. 0, or 1.
 */
int save_state(const char *wwid, const struct scsi_sgio_table *t)
{
	char path[PATH_MAX], id[ID_MAX], enc[3 * ID_MAX], *old = NULL, *line, *save;
	char *buf = NULL, *set = table_text(t);
	size_t size = 0;
	FILE *f;
	int err, ret = 1;

	state_path(path, sizeof(path));
	err = read_all(path, &old);
	if (err && err != -ENOENT) {
		error("Failed to read \"%s\": %s", path, strerror(-err));
		goto out;
	}
	f = open_memstream(&buf, &size);
	if (!f || !set)
		goto out;
	fprintf(f, "# sgfilterctl: grants given through dm-multipath devices, by the LUN's "
		"WWID,\n# for the paths that appear later (apply-device). Not a policy file.\n");
	for (line = old ? strtok_r(old, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		line_id(line, id, sizeof(id));
		if (line[0] != '#' && strcmp(id, wwid))
			fprintf(f, "%s\n", line);
	}
	if (set[0]) {
		encode_id(wwid, enc, sizeof(enc));
		fprintf(f, "grant %s", enc);
		grant_tokens(f, t);
		fprintf(f, "\n");
	}
	if (fclose(f))
		goto out;
	ret = write_file_atomic(path, buf, size);
out:
	free(old);
	free(buf);
	free(set);
	return ret;
}

/* --- DEVICE: a SCSI device, or a dm-multipath map and its paths ---------------- */

/* The H:C:T:L of the SCSI disk @name ("sdc"), from /sys/block/NAME/device */
static int disk_hctl(const char *name, char *hctl, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	sysfs_path(path, sizeof(path), "block/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= size)
		return -1;
	memcpy(hctl, base, strlen(base) + 1);
	return strchr(hctl, ':') ? 0 : -1;
}

/* The dm uuid of the block device at sysfs @dir ("dev/block/253:3", "block/dm-3") */
static int dm_uuid(const char *dir, char *buf, size_t size)
{
	char path[PATH_MAX];

	sysfs_path(path, sizeof(path), "%s/dm/uuid", dir);
	if (read_text(path, buf, size))
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool is_mpath(const char *uuid)
{
	return !strncmp(uuid, "mpath-", 6);
}

/*
 * The multipath map (dm-N) that holds the SCSI device @hctl as a path, in
 * @dm; false if none does
 */
static bool mpath_holder(const char *hctl, char *dm, size_t size)
{
	char path[PATH_MAX], dir[PATH_MAX], uuid[256];
	struct dirent *de, *he;
	bool found = false;
	DIR *d, *h;

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/block", hctl);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		sysfs_path(path, sizeof(path), "block/%s/holders", de->d_name);
		h = opendir(path);
		if (!h)
			continue;
		while (!found && (he = readdir(h))) {
			snprintf(dir, sizeof(dir), "block/%s", he->d_name);
			if (he->d_name[0] != '.' && !dm_uuid(dir, uuid, sizeof(uuid)) &&
			    is_mpath(uuid)) {
				snprintf(dm, size, "%.31s", he->d_name);
				found = true;
			}
		}
		closedir(h);
	}
	closedir(d);
	return found;
}

/* The paths of the multipath map at sysfs @dir, its WWID and class */
static int mpath_paths(const char *arg, const char *dir, struct target *t)
{
	char path[PATH_MAX], wwid[ID_MAX];
	struct dirent *de;
	DIR *d;
	int i;

	sysfs_path(path, sizeof(path), "%s/slaves", dir);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (t->nr == MAX_PATHS) {
			error("\"%s\" has more than %d paths", arg, MAX_PATHS);
			closedir(d);
			return 1;
		}
		if (disk_hctl(de->d_name, t->hctl[t->nr], sizeof(t->hctl[0]))) {
			error("\"%s\": its path %s is not a SCSI device", arg, de->d_name);
			closedir(d);
			return 1;
		}
		t->nr++;
	}
	if (d)
		closedir(d);
	if (!t->nr) {
		error("\"%s\" (multipath %s) has no paths", arg, t->dm);
		return 1;
	}
	t->class = device_class(t->hctl[0]);
	device_wwid(t->hctl[0], t->wwid, sizeof(t->wwid));
	for (i = 1; i < t->nr; i++) {
		device_wwid(t->hctl[i], wwid, sizeof(wwid));
		if (strcmp(wwid, t->wwid) || device_class(t->hctl[i]) != t->class) {
			error("\"%s\": its paths %s and %s are not the same LUN (WWID \"%s\", \"%s\")",
			      arg, t->hctl[0], t->hctl[i], t->wwid, wwid);
			return 1;
		}
	}
	if (!t->wwid[0]) {
		error("\"%s\": its paths have no WWID: a grant could not follow the paths "
		      "that appear later", arg);
		return 1;
	}
	return 0;
}

/*
 * DEVICE, for grant, revoke and show: a SCSI device (one path), or a
 * dm-multipath map (every path). @change: a path of a multipath map on its
 * own is refused. 0, or 1 with a message.
 */
int resolve_target(const char *arg, struct target *t, bool change)
{
	char real[PATH_MAX], dir[64], uuid[256];
	struct stat st;

	memset(t, 0, sizeof(*t));
	if (realpath(arg, real) && !stat(real, &st) && S_ISBLK(st.st_mode)) {
		snprintf(dir, sizeof(dir), "dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
		if (!dm_uuid(dir, uuid, sizeof(uuid))) {
			snprintf(t->dm, sizeof(t->dm), "dm-%u", minor(st.st_rdev));
			if (!is_mpath(uuid)) {
				error("\"%s\" is a device-mapper device but not multipath (dm uuid "
				      "\"%.64s\"): grants belong to SCSI devices, and dm sends "
				      "SG_IO to one of its own choosing", arg, uuid);
				hint("grant to the SCSI device below it (lsblk -s %s)", arg);
				return 1;
			}
			return mpath_paths(arg, dir, t);
		}
	}
	if (resolve_device(arg, t->hctl[0], sizeof(t->hctl[0]), NULL))
		return 1;
	t->nr = 1;
	t->class = device_class(t->hctl[0]);
	device_wwid(t->hctl[0], t->wwid, sizeof(t->wwid));
	if (change && mpath_holder(t->hctl[0], dir, sizeof(dir))) {
		error("%s is a path of the multipath map %s: a grant to one path would be "
		      "ignored whenever dm sends SG_IO down another", t->hctl[0], dir);
		hint("grant through the map, /dev/%s, so that every path gets it", dir);
		return 1;
	}
	return 0;
}
