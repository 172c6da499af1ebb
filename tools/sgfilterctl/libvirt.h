/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvirt.c, libvirt_state.c and libvirt_xml.c: what they share (the hook
 * and its state are described at the top of libvirt.c).
 */
#ifndef SGFILTERCTL_LIBVIRT_H
#define SGFILTERCTL_LIBVIRT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "sgfilterctl.h"

#define LV_ID_MAX	(ID_MAX + 16)
#define LV_NAME_MAX	256

/* A LUN device of the domain: <disk device='lun'> or a SCSI <hostdev> */
struct lv_dev {
	char kind[8];			/* "disk", "hostdev" */
	char target[64];		/* <target dev>, disks only */
	char alias[128];		/* <alias name> */
	char src[PATH_MAX];		/* the source path, H:C:T:L for a hostdev; "" */
	char what[PATH_MAX + 128];	/* for messages */
	int resolved;			/* 0 not yet, 1 done, -1 failed */
	struct target t;
};

/* What one domain asks for one LUN */
struct lv_req {
	char id[LV_ID_MAX];
	char src[PATH_MAX];
	int class;
	bool unfiltered;
	struct scsi_sgio_table set;
	char *key;			/* "unfiltered", or " read KEY... write KEY..." */
	char what[PATH_MAX + 256];
	const struct lv_dev *dev;
};

/* A "lun" line: the LUN's base */
struct lv_lun {
	char id[LV_ID_MAX];
	char src[PATH_MAX];
	int class;
	int unpriv;
	struct scsi_sgio_table base;
	bool touched;
};

/* A "use" line */
struct lv_use {
	char uuid[64];
	char name[LV_NAME_MAX];
	char id[LV_ID_MAX];
	char *key;
};

struct lv_state {
	struct lv_lun *lun;
	int nr_lun;
	struct lv_use *use;
	int nr_use;
};

struct lv_domain {
	char name[LV_NAME_MAX];
	char uuid[64];
	struct lv_dev *dev;
	int nr_dev;
	struct lv_req *req;
	int nr_req;
};

/* libvirt_state.c: small helpers, the state, the LUN's grants and flag */
void *lv_grow(void *p, int nr, size_t size);
void lv_copy(char *dst, size_t size, const char *src);
char *lv_tokens(const struct scsi_sgio_table *t);
void lv_lun_id(const struct target *t, char *id, size_t size);
const char *lv_req_text(const char *key);
int lv_split(char *line, char **tok, int max);
int load_lv_state(struct lv_state *st);
int save_lv_state(const struct lv_state *st);
struct lv_lun *lv_find_lun(struct lv_state *st, const char *id);
int lv_set_lun(const struct lv_lun *l, int unpriv, const struct scsi_sgio_table *set);
int lv_read_base(struct lv_lun *l, const struct target *t);
void lv_restore_unused(struct lv_state *st, const char *who);
bool lv_is_domain(const struct lv_use *u, const char *uuid, const char *name);
int lv_drop_domain(struct lv_state *st, const char *uuid, const char *name);

/* libvirt_xml.c: the domain's XML */
int lv_read_stdin(char **out);
int lv_parse_domain(const char *argname, struct lv_domain *d, bool requests);

#endif /* SGFILTERCTL_LIBVIRT_H */
