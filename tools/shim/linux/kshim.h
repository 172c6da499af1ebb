/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's environment for drivers/scsi/scsi_sgio.c and
 * the sgfilter policy code to build in user space, in the manner of
 * tools/testing/vma. Every linux/ header in this directory includes this one.
 */
#ifndef SGFILTER_KSHIM_H
#define SGFILTER_KSHIM_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <asm/byteorder.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

/* linux/types.h's, for structures that embed one (scsi_sgio_grants) */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define BIT(n)			(1UL << (n))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define DECLARE_FLEX_ARRAY(T, n) T n[]
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)

#include <stdarg.h>

#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __init
#define __initconst
#define __ro_after_init
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)

/* A kernel WARN is a test failure here: count it, say where. */
extern unsigned int kshim_warnings;
#define WARN_ON_ONCE(cond) ({						\
	bool __c = !!(cond);						\
	if (__c) {							\
		kshim_warnings++;					\
		fprintf(stderr, "WARNING at %s:%d: %s\n",		\
			__FILE__, __LINE__, #cond);			\
	}								\
	__c;								\
})
#define WARN_ON(cond) WARN_ON_ONCE(cond)

static inline int hex_to_bin(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

#endif
