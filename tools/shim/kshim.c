// SPDX-License-Identifier: GPL-2.0
/*
 * The shim's state, defined once for every program that builds kernel code
 * through it (unit tests, sgfilterctl, fuzzers, VM checkers, benchmarks).
 */
#include <linux/kshim.h>

/* WARN_ON() and friends that fired: a test asserts that none did */
unsigned int kshim_warnings;
