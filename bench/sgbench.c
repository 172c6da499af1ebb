// SPDX-License-Identifier: GPL-2.0
/*
 * sgbench: time one SCSI command sent COUNT times through SG_IO.
 *
 *   sgbench [-w] OP DEVICE COUNT
 *
 * OP is read10 (READ(10) of LBA 0, 512 bytes), tur (TEST UNIT READY),
 * prin (PERSISTENT RESERVE IN, READ KEYS) or prout (PERSISTENT RESERVE OUT,
 * REGISTER AND IGNORE EXISTING KEY with key 0x5347, which leaves the
 * registration as it was). DEVICE is opened read-only, or read-write with -w.
 * A tenth as many untimed commands go first (TCG translates the code paths
 * the first time they run). The COUNT commands are timed in SGB_BATCHES
 * batches; sgbench prints the median over the batches of the mean time per
 * command, in nanoseconds. Under emulation the host now and then stops the
 * guest for tens of milliseconds: that lands in one or two batches, not in
 * the median. The data buffer is page-aligned: on the stack, where address
 * space randomization puts it, it would now and then straddle two pages and
 * make a run map twice as many. Every command must succeed (an error or a SCSI status other
 * than GOOD ends the run with exit status 1: a benchmark of refusals
 * measures nothing).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

#include "../selftests/sgfilter/sgio_util.h"

#define SGB_KEY 0x5347
#define SGB_BATCHES 21

struct sgb_op {
	const char *name;
	uint8_t cdb[10];
	unsigned int len;
	enum sgf_dir dir;
	unsigned int xfer;
};

static const struct sgb_op sgb_ops[] = {
	{ "read10", { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, 10, SGF_DIR_IN, 512 },
	{ "tur", { 0x00 }, 6, SGF_DIR_NONE, 0 },
	/* READ KEYS, allocation length 512 */
	{ "prin", { 0x5e, 0x00, 0, 0, 0, 0, 0, 0x02, 0x00, 0 }, 10, SGF_DIR_IN, 512 },
	/* REGISTER AND IGNORE EXISTING KEY, 24-byte parameter list */
	{ "prout", { 0x5f, 0x06, 0, 0, 0, 0, 0, 0, 24, 0 }, 10, SGF_DIR_OUT, 24 },
};

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-w] read10|tur|prin|prout DEVICE COUNT\n", argv0);
	return 2;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const struct sgb_op *op = NULL;
	/* one page, always the same offset in it: see the comment at the top */
	static uint8_t buf[512] __attribute__((aligned(4096)));
	unsigned long count, i, b, done = 0, per;
	int argi = 1, flags = O_RDONLY, fd, ret = 0;
	long long batch[SGB_BATCHES], t0;
	char *end;

	if (argi < argc && !strcmp(argv[argi], "-w")) {
		flags = O_RDWR;
		argi++;
	}
	if (argc - argi != 3)
		return usage(argv[0]);
	for (i = 0; i < sizeof(sgb_ops) / sizeof(sgb_ops[0]); i++)
		if (!strcmp(argv[argi], sgb_ops[i].name))
			op = &sgb_ops[i];
	if (!op)
		return usage(argv[0]);
	errno = 0;
	count = strtoul(argv[argi + 2], &end, 10);
	if (errno || end == argv[argi + 2] || *end || count < SGB_BATCHES ||
	    argv[argi + 2][0] == '-') {
		fprintf(stderr, "Invalid count \"%s\": an integer of at least %d\n",
			argv[argi + 2], SGB_BATCHES);
		return 2;
	}
	per = count / SGB_BATCHES;
	fd = open(argv[argi + 1], flags | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "Failed to open \"%s\": %s\n", argv[argi + 1], strerror(errno));
		return 1;
	}
	if (op->dir == SGF_DIR_OUT) {
		/* the service action reservation key: bytes 8-15 */
		buf[14] = SGB_KEY >> 8;
		buf[15] = SGB_KEY & 0xff;
	}

	for (i = 0; i <= count / 10 && !ret; i++)
		ret = sgf_sg_io(fd, op->cdb, op->len, op->dir, buf, op->xfer);
	for (b = 0; b < SGB_BATCHES && !ret; b++) {
		t0 = now_ns();
		for (i = 0; i < per && !ret; i++, done++)
			ret = sgf_sg_io(fd, op->cdb, op->len, op->dir, buf, op->xfer);
		batch[b] = (now_ns() - t0) / (long long)per;
	}
	close(fd);
	if (ret) {
		fprintf(stderr, "%s on \"%s\" failed after %lu commands: %s\n", op->name,
			argv[argi + 1], done, ret < 0 ? strerror(-ret) : "SCSI status not GOOD");
		if (ret == -EPERM)
			fprintf(stderr, "Hint: the SG_IO filter refused it; a benchmark needs an allowed command\n");
		return 1;
	}
	qsort(batch, SGB_BATCHES, sizeof(batch[0]), cmp_ll);
	printf("%lld\n", batch[SGB_BATCHES / 2]);
	return 0;
}
