// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: four processes send SG_IO while this one toggles unpriv_sgio,
 * edits the disk class table and loads and unloads sgfilter.ko.
 *
 *   stress RELOADS SD-NODE SG-NODE BSG-NODE UNPRIV-FILE
 *
 * The nodes belong to one scsi_debug disk. Each worker checks every verdict
 * against every state it could have seen: the edits and the flag never touch
 * TEST UNIT READY, READ(10) and UNMAP, so a reader must always see UNMAP
 * refused and everybody must always see TUR and READ(10) pass; PERSISTENT
 * RESERVE OUT from the writer may go either way, and is only counted.
 * TAP; the last line is "N passed, N failed".
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
#include "../../selftests/sgfilter/sgio_util.h"

struct worker {
	const char *what;
	int node;		/* 0 sd, 1 sg, 2 bsg */
	bool user, writer;
	unsigned long commands, wrong, pr_allowed, pr_denied;
};

static struct worker *workers;
#define NR_WORKERS 4

static int send(int node, int fd, const uint8_t *cdb, unsigned int len, enum sgf_dir dir,
		void *buf, unsigned int xfer)
{
	return node == 2 ? sgf_bsg(fd, cdb, len, dir, buf, xfer) :
			   sgf_sg_io(fd, cdb, len, dir, buf, xfer);
}

static void work(struct worker *w, const char *path)
{
	static const uint8_t tur[6], read10[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t unmap[10] = { 0x42, 0, 0, 0, 0, 0, 0, 0, 24 };
	static const uint8_t pr_out[10] = { 0x5f, 0x06, 0, 0, 0, 0, 0, 0, 24 };
	uint8_t buf[512], param[24] = { 0, 22, 0, 16 };
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
		ret = send(w->node, fd, tur, 6, SGF_DIR_NONE, NULL, 0);
		w->wrong += ret == -EPERM;
		ret = send(w->node, fd, read10, 10, SGF_DIR_IN, buf, 512);
		w->wrong += ret == -EPERM;
		ret = send(w->node, fd, unmap, 10, SGF_DIR_OUT, param, 24);
		/* refused for every unprivileged reader in every state */
		w->wrong += (ret == -EPERM) != (w->user && !w->writer);
		memset(buf, 0, 24);
		ret = send(w->node, fd, pr_out, 10, SGF_DIR_OUT, buf, 24);
		if (ret == -EPERM)
			w->pr_denied++;
		else
			w->pr_allowed++;
		w->wrong += !w->user && ret == -EPERM;
		w->commands += 4;
	}
}

int main(int argc, char **argv)
{
	static const struct worker init[NR_WORKERS] = {
		{ "unprivileged reader, bsg", 2, true, false },
		{ "unprivileged writer, sd", 0, true, true },
		{ "unprivileged reader, sg", 1, true, false },
		{ "root writer, sg", 1, false, true },
	};
	unsigned long commands = 0, wrong = 0, failed_ops = 0;
	const char *disk_allow = "/sys/kernel/sgfilter/disk/allow";
	const char *disk_deny = "/sys/kernel/sgfilter/disk/deny";
	struct timespec t0, t1;
	pid_t pids[NR_WORKERS];
	int reloads, i, status;

	if (argc != 6) {
		fprintf(stderr, "usage: stress RELOADS SD SG BSG UNPRIV-FILE\n");
		return 2;
	}
	reloads = atoi(argv[1]);
	workers = mmap(NULL, sizeof(init), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memcpy(workers, init, sizeof(init));
	for (i = 0; i < NR_WORKERS; i++) {
		pids[i] = fork();
		if (!pids[i])
			work(&workers[i], argv[2 + workers[i].node]);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < reloads; i++) {
		failed_ops += system("modprobe sgfilter") != 0;
		failed_ops += sgf_write_str(disk_allow, "0x5f write") != 0;
		failed_ops += sgf_write_str(argv[5], "1") != 0;
		failed_ops += sgf_write_str(disk_deny, "0x5f") != 0;
		failed_ops += sgf_write_str(argv[5], "0") != 0;
		failed_ops += sgf_write_str(disk_allow, "0x5f/0x06 write") != 0;
		failed_ops += sgf_write_str("/sys/kernel/sgfilter/disk/reset", "1") != 0;
		failed_ops += system("rmmod sgfilter") != 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	for (i = 0; i < NR_WORKERS; i++) {
		bool alive = waitpid(pids[i], &status, WNOHANG) == 0;

		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
		check(alive && !workers[i].wrong && workers[i].commands,
		      "%s: %lu commands, %lu wrong verdicts, PR OUT %lu allowed / %lu refused",
		      workers[i].what, workers[i].commands, workers[i].wrong,
		      workers[i].pr_allowed, workers[i].pr_denied);
		commands += workers[i].commands;
		wrong += workers[i].wrong;
	}
	check(!failed_ops, "%d reload cycles, each with 5 edits and flag changes: %lu failed",
	      reloads, failed_ops);
	/* both outcomes of the state-dependent command, or the states never mixed */
	check(workers[1].pr_allowed && workers[1].pr_denied,
	      "the unprivileged writer's PR OUT saw both verdicts");
	diag("%d reload cycles in %ld ms, %lu commands, %lu wrong verdicts", reloads,
	     (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, commands, wrong);
	return check_summary();
}
