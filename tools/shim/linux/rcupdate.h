/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RCU as the table code uses it, in one thread: a published pointer is
 * read with one load (the kernel's rcu_dereference() is READ_ONCE()), and
 * nothing is ever freed behind a reader.
 */
#ifndef SGFILTER_SHIM_RCUPDATE_H
#define SGFILTER_SHIM_RCUPDATE_H
#include "kshim.h"

#define __rcu
#define rcu_dereference(p)		(*(__typeof__(p) volatile *)&(p))
#define rcu_assign_pointer(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v)		((p) = (v))
#define rcu_read_lock()			do { } while (0)
#define rcu_read_unlock()		do { } while (0)

#endif
