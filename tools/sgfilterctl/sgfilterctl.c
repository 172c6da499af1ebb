// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilterctl - look at and change who may send which SCSI command (SG_IO).
 *
 * The built-in class tables come from the kernel's own drivers/scsi/scsi_sgio.c
 * and the entry syntax from the module's kernel/sgfilter/edits.c, compiled in
 * (see the Makefile): the tool keeps no copy of either. Opcode names come
 * from sg3_utils' libsgutils2, per device type. sgfilterctl.h lists which
 * file does what; this one holds the command table and main().
 *
 * Exit status: 0 success, 1 error, 2 usage error.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgfilterctl.h"

#ifndef SGFILTERCTL_VERSION
#define SGFILTERCTL_VERSION "0.1"
#endif

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, unsigned int flags);
	const char *args;	/* for the usage line; NULL: none */
	const char *help;
	int min_args, max_args;
	unsigned int options;	/* the OPT_* it takes */
	bool root;		/* changes something: needs root */
};

static const struct cmd cmds[] = {
	{ .name = "status", .fn = cmd_status,
	  .help = "backend, classes, devices with unpriv_sgio set" },
	{ .name = "unpriv", .fn = cmd_unpriv, .args = "DEVICE [on|off]",
	  .help = "show or (root) set a device's unpriv_sgio flag", .min_args = 1, .max_args = 2 },
	{ .name = "show", .fn = cmd_show, .args = "CLASS|DEVICE",
	  .help = "a class table, or a device's (its grants marked)", .min_args = 1,
	  .max_args = 1 },
	{ .name = "allow", .fn = cmd_allow, .args = "CLASS read|write OPCODE[/SA]...",
	  .help = "add entries to a class table", .min_args = 3, .max_args = INT_MAX,
	  .root = true },
	{ .name = "deny", .fn = cmd_deny, .args = "CLASS OPCODE[/SA]...",
	  .help = "remove entries from a class table", .min_args = 2, .max_args = INT_MAX,
	  .root = true },
	{ .name = "reset", .fn = cmd_reset, .args = "[CLASS]",
	  .help = "back to the built-in table(s)", .max_args = 1, .root = true },
	{ .name = "grant", .fn = cmd_grant,
	  .args = "DEVICE PROFILE|read OPCODE[/SA]...|write OPCODE[/SA]...",
	  .help = "give one device's openers more commands", .min_args = 2,
	  .max_args = INT_MAX, .root = true },
	{ .name = "revoke", .fn = cmd_revoke, .args = "DEVICE PROFILE|OPCODE[/SA]...|all",
	  .help = "take a device's grants back", .min_args = 2, .max_args = INT_MAX,
	  .root = true },
	{ .name = "profiles", .fn = cmd_profiles,
	  .help = "the grant profiles and their entries" },
	{ .name = "check", .fn = cmd_check, .args = "DEVICE OPCODE[/SA] [--read-only]",
	  .help = "the verdict and why, without sending anything", .min_args = 2, .max_args = 2,
	  .options = OPT_READ_ONLY },
	{ .name = "stats", .fn = cmd_stats,
	  .help = "denied commands per class and opcode", .root = true },
	{ .name = "save", .fn = cmd_save, .args = "FILE",
	  .help = "the tables in force, as a policy file (- for stdout)", .min_args = 1,
	  .max_args = 1 },
	{ .name = "load", .fn = cmd_load, .args = "[--fail-closed] FILE",
	  .help = "apply a policy file (--fail-closed: a table it cannot\n"
		  "                                   apply is loaded empty)",
	  .min_args = 1, .max_args = 1, .options = OPT_FAIL_CLOSED, .root = true },
	{ .name = "apply-device", .fn = cmd_apply_device, .args = "DEVICE",
	  .help = "/etc/sgfilter/*.conf's device lines, for DEVICE (udev)", .min_args = 1,
	  .max_args = 1, .root = true },
	{ .name = "libvirt-hook", .fn = cmd_libvirt_hook,
	  .args = "DOMAIN OPERATION [SUB-OPERATION [EXTRA]]",
	  .help = "libvirt's qemu hook (domain XML on stdin): at prepare,\n"
		  "                                   the grants or flag its <metadata> asks for;\n"
		  "                                   at release, back", .min_args = 2,
	  .max_args = 4, .root = true },
	{ .name = "libvirt-reconcile", .fn = cmd_libvirt_reconcile,
	  .help = "drop the hook's records of domains that no longer run", .root = true },
};

#define NR_CMDS	(sizeof(cmds) / sizeof(cmds[0]))

/* getopt_long()'s values for the options without a short form */
enum { LONG_JSON = 0x100, LONG_VERSION, LONG_READ_ONLY, LONG_FAIL_CLOSED };

static const struct option long_options[] = {
	{ "json", no_argument, NULL, LONG_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, LONG_VERSION },
	{ "read-only", no_argument, NULL, LONG_READ_ONLY },
	{ "fail-closed", no_argument, NULL, LONG_FAIL_CLOSED },
	{}
};

/* Where the help of a command starts in usage() */
#define HELP_COLUMN	32

static void usage(FILE *f)
{
	const struct cmd *c;
	char line[64];
	int i;

	fprintf(f, "Usage: sgfilterctl [--json] COMMAND [ARGS]\n\n");
	for (c = cmds; c < cmds + NR_CMDS; c++) {
		snprintf(line, sizeof(line), "%s%s%s", c->name, c->args ? " " : "", c->args ?: "");
		if (strlen(line) > HELP_COLUMN)
			fprintf(f, "  %s\n  %-*s %s%s\n", line, HELP_COLUMN, "", c->help,
				c->root ? " (root)" : "");
		else
			fprintf(f, "  %-*s %s%s\n", HELP_COLUMN, line, c->help,
				c->root ? " (root)" : "");
	}
	fprintf(f, "\nCLASS:");
	for (i = 0; i < SCSI_SGIO_NR_CLASSES; i++)
		fprintf(f, " %s", scsi_sgio_class_name(i));
	fprintf(f, "\nPROFILE: %s (sgfilterctl profiles)\n", profile_names());
	fprintf(f, "DEVICE: /dev/sdX, /dev/srN, /dev/sgN, /dev/bsg/H:C:T:L, a /dev/disk/by-id link, H:C:T:L;\n"
"        for grant, revoke and show also a dm-multipath map (/dev/mapper/X, /dev/dm-N)\n"
"OPCODE: hex (0x5f, 5f) or a name for the class (PERSISTENT_RESERVE_OUT,\n"
"        \"persistent reserve out\"); SA: hex or a name (0x5f/0x00, 0x5f/register)\n"
"--json: one JSON document on stdout, for the reading commands\n");
}

static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *c;

	for (c = cmds; c < cmds + NR_CMDS; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* A usage error in @c's arguments: its usage line and a pointer to --help */
static int cmd_usage(const struct cmd *c)
{
	fprintf(stderr, "Usage: sgfilterctl %s%s%s\n", c->name, c->args ? " " : "",
		c->args ?: "");
	hint("sgfilterctl --help");
	return EXIT_USAGE;
}

/* The options: --json, --help, --version and each command's own ones */
static int parse_options(int argc, char **argv, unsigned int *flags, bool *json)
{
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (opt) {
		case LONG_JSON:
			*json = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case LONG_VERSION:
			printf("sgfilterctl %s\n", SGFILTERCTL_VERSION);
			exit(0);
		case LONG_READ_ONLY:
			*flags |= OPT_READ_ONLY;
			break;
		case LONG_FAIL_CLOSED:
			*flags |= OPT_FAIL_CLOSED;
			break;
		default:
			if (optopt > 0 && optopt < 0x100)
				usage_error("unknown option \"-%c\"", optopt);
			else
				usage_error("unknown option \"%s\"", argv[optind - 1]);
			hint("sgfilterctl --help");
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* The command's own checks of its arguments, before it runs */
static int check_args(const struct cmd *c, int argc, char **argv, unsigned int flags)
{
	unsigned int other = flags & ~c->options;

	if (other)
		return usage_error("%s: option \"--%s\" is not one of this command's", c->name,
				   other & OPT_READ_ONLY ? "read-only" : "fail-closed");
	if (argc < c->min_args)
		return usage_error("%s: too few arguments", c->name);
	if (argc > c->max_args)
		return usage_error("%s: unexpected argument \"%s\"", c->name, argv[c->max_args]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("SGFILTER_SYSFS");
	unsigned int flags = 0;
	const struct cmd *c;
	bool json = false;
	int ret;

	if (env && *env)
		sysfs = env;
	if (parse_options(argc, argv, &flags, &json))
		return EXIT_USAGE;
	out_init(json);
	scsi_sgio_init_defaults();
	if (optind == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		usage_error("unknown command \"%s\"", argv[optind]);
		hint("sgfilterctl --help");
		return EXIT_USAGE;
	}
	argc -= optind + 1;
	argv += optind + 1;
	ret = check_args(c, argc, argv, flags);
	if (!ret)
		ret = c->fn(argc, argv, flags);
	if (ret == EXIT_USAGE)
		cmd_usage(c);
	return ret;
}
