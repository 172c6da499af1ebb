// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: four processes send SG_IO while this one toggles unpriv_sgio,
 * edits the disk class table, grants and revokes PR OUT on the disk (every
 * other cycle the unload takes the grant away) and loads and unloads
 * sgfilter.ko.
 *
 *   stress RELOADS SD-NODE SG-NODE BSG-NODE UNPRIV-FILE
 *
 * The nodes belong to one scsi_debug disk. Each worker checks every verdict
 * against every state it could have seen, which it knows from the phase
 * (sgio_util.h): loaded, unloaded, or coming or going meanwhile. The edits
 * and the flag never touch TEST UNIT READY, READ(10) and UNMAP:
 *
 *  - everybody always sees TUR and READ(10) pass, and root everything; an
 *    error other than EPERM is never right (the command was neither
 *    allowed nor refused);
 *  - with the module loaded, an unprivileged reader sees UNMAP refused and
 *    the writer sees it pass;
 *  - unloaded, the patched kernel's built-in tables say the same, while a
 *    stock kernel has mainline's list (tests/unit/mainline.h), on which
 *    UNMAP (0x42) is READ SUB-CHANNEL, allowed to every opener: that is
 *    the stock behaviour, and it must show;
 *  - while the module comes or goes on a stock kernel, a command may meet
 *    either, or the backend's verdict for a command it cannot attribute
 *    (the strictest tables): the unprivileged UNMAPs are only counted;
 *  - PERSISTENT RESERVE OUT is refused to the unprivileged reader always
 *    (no table has it for readers, nor has mainline); the writer's may go
 *    either way with the module loaded (the edits, the flag, the grant), and is
 *    refused without it (neither the built-in tables nor mainline have it).
 *
 * Every cycle waits until each worker has sent a command wholly in the
 * loaded and in the unloaded state, so each state is checked every time.
 * KTAP (tests/unit/check.h); the last line is kselftest's
 * "# Totals: pass:N fail:N ...".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "../unit/check.h"
#include "../unit/mainline.h"
#include "../../selftests/sgfilter/sgio_util.h"

struct worker {
	const char *what;
	int node;		/* 0 sd, 1 sg, 2 bsg */
	bool user, writer;
	unsigned long commands, wrong, pr_allowed, pr_denied;
	/* an unprivileged UNMAP: unloaded and allowed, loaded and refused */
	unsigned long unmap_unloaded_allowed, unmap_loaded_refused;
	/* while the module came or went (stock): allowed, refused */
	unsigned long unmap_changing[2];
	/* the last even phase one of its commands ran wholly in */
	unsigned long seen;
	char first_wrong[128];
};

static struct worker *workers;
static unsigned long *phase;
static bool stock;
#define NR_WORKERS 4

static const char *const state_name[] = { "unloaded", "loaded", "changing" };

/* Mainline's verdict (scsi_cmd_allowed() of 6.12, the same in 6.1) */
static bool mainline_allows(uint8_t opcode, bool writer)
{
	enum scsi_sgio_perm p = mainline_perm(opcode);

	return p == SCSI_SGIO_READ || (p == SCSI_SGIO_WRITE && writer);
}

static int send(int node, int fd, const uint8_t *cdb, unsigned int len, enum sgf_dir dir,
		void *buf, unsigned int xfer, enum sgf_mod_state *state)
{
	unsigned long before = sgf_phase_read(phase), after;
	int ret;

	ret = node == 2 ? sgf_bsg(fd, cdb, len, dir, buf, xfer) :
			  sgf_sg_io(fd, cdb, len, dir, buf, xfer);
	after = sgf_phase_read(phase);
	*state = sgf_phase_state(before, after);
	return ret;
}

/* Count a result that is neither verdict (an error but EPERM): false if so */
static bool verdict(struct worker *w, const uint8_t *cdb, enum sgf_mod_state state, int ret)
{
	if (ret >= 0 || ret == -EPERM)
		return true;
	if (!w->wrong++)
		snprintf(w->first_wrong, sizeof(w->first_wrong),
			 "opcode 0x%02x failed while %s (%s)", cdb[0], state_name[state],
			 strerror(-ret));
	return false;
}

/* Count a verdict that is not the expected one, and describe the first */
static void judge(struct worker *w, const uint8_t *cdb, enum sgf_mod_state state,
		  int ret, bool refused)
{
	if (!verdict(w, cdb, state, ret) || (ret == -EPERM) == refused)
		return;
	if (!w->wrong++)
		snprintf(w->first_wrong, sizeof(w->first_wrong),
			 "opcode 0x%02x %s while %s (ret %d)", cdb[0],
			 refused ? "allowed" : "refused", state_name[state], ret);
}

static void work(struct worker *w, const char *path)
{
	static const uint8_t tur[6], read10[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t unmap[10] = { 0x42, 0, 0, 0, 0, 0, 0, 0, 24 };
	static const uint8_t pr_out[10] = { 0x5f, 0x06, 0, 0, 0, 0, 0, 0, 24 };
	bool reader = w->user && !w->writer;
	uint8_t buf[512], param[24] = { 0, 22, 0, 16 };
	enum sgf_mod_state s, s1, s2, s3;
	int fd, ret;

	if (w->user)
		sgf_drop_to_user();
	fd = open(path, w->writer ? O_RDWR : O_RDONLY);
	if (fd < 0)
		_exit(3);
	/* UNMAP aims at a block far from anything the other tests use */
	param[15] = 0x40;
	param[14] = 0x10;
	param[19] = 1;
	for (;;) {
		unsigned long p = sgf_phase_read(phase);

		ret = send(w->node, fd, tur, 6, SGF_DIR_NONE, NULL, 0, &s);
		judge(w, tur, s, ret, false);
		ret = send(w->node, fd, read10, 10, SGF_DIR_IN, buf, 512, &s1);
		judge(w, read10, s1, ret, false);

		ret = send(w->node, fd, unmap, 10, SGF_DIR_OUT, param, 24, &s2);
		if (!w->user)
			judge(w, unmap, s2, ret, false);
		else if (stock && s2 == SGF_MOD_UNLOADED)
			judge(w, unmap, s2, ret, !mainline_allows(unmap[0], w->writer));
		else if (stock && s2 == SGF_MOD_CHANGING)
			w->unmap_changing[ret == -EPERM] += verdict(w, unmap, s2, ret);
		else
			judge(w, unmap, s2, ret, reader);
		w->unmap_unloaded_allowed += w->user && s2 == SGF_MOD_UNLOADED && ret != -EPERM;
		w->unmap_loaded_refused += w->user && s2 == SGF_MOD_LOADED && ret == -EPERM;

		memset(buf, 0, 24);
		ret = send(w->node, fd, pr_out, 10, SGF_DIR_OUT, buf, 24, &s3);
		if (!w->user || reader)
			judge(w, pr_out, s3, ret, w->user);
		else if (s3 == SGF_MOD_UNLOADED)
			judge(w, pr_out, s3, ret, !mainline_allows(pr_out[0], true));
		else if (!verdict(w, pr_out, s3, ret))
			;
		else if (ret == -EPERM)
			w->pr_denied++;
		else
			w->pr_allowed++;
		w->commands += 4;
		/* a whole round in one state: the loader may move on */
		if (s == s3 && s != SGF_MOD_CHANGING && sgf_phase_read(phase) == p)
			__atomic_store_n(&w->seen, p, __ATOMIC_SEQ_CST);
	}
}

/* Whether worker process @pid has ended (not reaped: main judges it later) */
static bool ended(pid_t pid)
{
	siginfo_t info = { 0 };

	return waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) || info.si_pid == pid;
}

/*
 * Until every worker has sent a whole round in the current phase: 0, or -1
 * if one has ended. No time limit: under TCG on a busy host a round may
 * take seconds; a hang is the suite's timeout's to catch.
 */
static int wait_for_workers(const pid_t *pids)
{
	unsigned long p = sgf_phase_read(phase);
	struct timespec pause = { 0, 2000000 };
	int i;

	for (i = 0; i < NR_WORKERS; i++) {
		while (__atomic_load_n(&workers[i].seen, __ATOMIC_SEQ_CST) != p) {
			if (ended(pids[i])) {
				diag("%s: ended before a whole round %s", workers[i].what,
				     state_name[(p & 2) / 2]);
				return -1;
			}
			nanosleep(&pause, NULL);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct worker init[NR_WORKERS] = {
		{ "unprivileged reader, bsg", 2, true, false },
		{ "unprivileged writer, sd", 0, true, true },
		{ "unprivileged reader, sg", 1, true, false },
		{ "root writer, sg", 1, false, true },
	};
	unsigned long commands = 0, wrong = 0, failed_ops = 0, stalls = 0;
	unsigned long unloaded_allowed = 0, loaded_refused = 0, changing[2] = {};
	const char *disk_allow = "/sys/kernel/sgfilter/disk/allow";
	const char *disk_deny = "/sys/kernel/sgfilter/disk/deny";
	char grants[128];
	struct timespec t0, t1;
	pid_t pids[NR_WORKERS];
	int reloads, i, status;

	if (argc != 6) {
		fprintf(stderr, "usage: stress RELOADS SD SG BSG UNPRIV-FILE\n");
		return 2;
	}
	check_header();
	reloads = atoi(argv[1]);
	/* the disk's grants (issue 14): the SCSI device of the sd node */
	snprintf(grants, sizeof(grants), "/sys/class/block/%s/device/sgio_grants",
		 strrchr(argv[2], '/') + 1);
	/* which backend: the module says, once loaded */
	failed_ops += system("modprobe sgfilter") != 0;
	stock = sgf_stock_backend();
	failed_ops += system("rmmod sgfilter") != 0;
	diag("backend: %s", stock ? "stock (unloaded: mainline's list)" :
				   "patched (unloaded: the built-in tables)");

	workers = mmap(NULL, sizeof(init), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	phase = mmap(NULL, sizeof(*phase), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	memcpy(workers, init, sizeof(init));
	*phase = 0;
	for (i = 0; i < NR_WORKERS; i++) {
		workers[i].seen = -1UL;
		pids[i] = fork();
		if (!pids[i])
			work(&workers[i], argv[2 + workers[i].node]);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < reloads; i++) {
		sgf_phase_next(phase);		/* loading */
		failed_ops += system("modprobe sgfilter") != 0;
		sgf_phase_next(phase);		/* loaded */
		failed_ops += sgf_write_str(disk_allow, "0x5f write") != 0;
		failed_ops += sgf_write_str(argv[5], "1") != 0;
		failed_ops += sgf_write_str(disk_deny, "0x5f") != 0;
		failed_ops += sgf_write_str(argv[5], "0") != 0;
		failed_ops += sgf_write_str(disk_allow, "0x5f/0x06 write") != 0;
		failed_ops += sgf_write_str("/sys/kernel/sgfilter/disk/reset", "1") != 0;
		/* a grant of PR OUT to writers, then none: the unload takes them too */
		failed_ops += sgf_write_str(grants, "0x5f write\n") != 0;
		if (i % 2)
			failed_ops += sgf_write_str(grants, "\n") != 0;
		stalls += wait_for_workers(pids) != 0;
		sgf_phase_next(phase);		/* unloading */
		failed_ops += system("rmmod sgfilter") != 0;
		sgf_phase_next(phase);		/* unloaded */
		stalls += wait_for_workers(pids) != 0;
		/* on the console as it goes: where a crash came */
		if ((i + 1) % 10 == 0) {
			diag("%d reload cycles", i + 1);
			fflush(stdout);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	for (i = 0; i < NR_WORKERS; i++) {
		struct worker *w = &workers[i];
		bool alive = waitpid(pids[i], &status, WNOHANG) == 0;

		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
		check(alive && !w->wrong && w->commands,
		      "%s: %lu commands, %lu wrong verdicts%s%s, PR OUT %lu allowed / %lu refused",
		      w->what, w->commands, w->wrong, w->wrong ? ", first: " : "",
		      w->first_wrong, w->pr_allowed, w->pr_denied);
		if (stock && w->user)
			diag("%s: UNMAP while the module came or went: %lu allowed, %lu refused",
			     w->what, w->unmap_changing[0], w->unmap_changing[1]);
		commands += w->commands;
		wrong += w->wrong;
		if (w->user && !w->writer) {
			unloaded_allowed += w->unmap_unloaded_allowed;
			loaded_refused += w->unmap_loaded_refused;
			changing[0] += w->unmap_changing[0];
			changing[1] += w->unmap_changing[1];
		}
	}
	check(!failed_ops, "%d reload cycles, each with 5 edits, flag and grant changes: %lu failed",
	      reloads, failed_ops);
	check(!stalls, "every worker sent commands in each state of each cycle: %lu missed",
	      stalls);
	/* both outcomes of the state-dependent command, or the states never mixed */
	check(workers[1].pr_allowed && workers[1].pr_denied,
	      "the unprivileged writer's PR OUT saw both verdicts");
	/* the protection, and (stock) the stock behaviour, both seen */
	check(!reloads || loaded_refused, "the readers' UNMAP was refused while loaded: %lu times",
	      loaded_refused);
	if (stock)
		check(!reloads || unloaded_allowed,
		      "stock kernel: the readers' UNMAP passed while unloaded (mainline): %lu times",
		      unloaded_allowed);
	else
		check(!unloaded_allowed,
		      "patched kernel: the readers' UNMAP never passed while unloaded: %lu times",
		      unloaded_allowed);
	diag("%d reload cycles in %ld ms, %lu commands, %lu wrong verdicts", reloads,
	     (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, commands, wrong);
	if (stock)
		diag("the readers' UNMAP while the module came or went: %lu allowed, %lu refused",
		     changing[0], changing[1]);
	return check_finished();
}
