/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility with the kernels pktgen_rx claims: Linux 5.4 to 7.3
 * (Ubuntu 20.04 to 24.04; Debian 11 to 13, sid and experimental).
 * Probe features where the headers allow it, versions where they do not.
 */
#ifndef _PGRX_COMPAT_H
#define _PGRX_COMPAT_H

#include <linux/version.h>
#include <linux/proc_fs.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 4, 0)
#error "pktgen_rx supports Linux 5.4 and later: this kernel is older"
#endif

/* __int128 is only multiplied and shifted: the kernel has no 128-bit division. */
#ifndef __SIZEOF_INT128__
#error "pktgen_rx needs a 64-bit kernel with 128-bit integers (x86_64, arm64)"
#endif

#include <linux/math64.h>
/* mul_u64_u64_div_u64() arrived in 5.9. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 9, 0)
static inline u64 mul_u64_u64_div_u64(u64 a, u64 mul, u64 div)
{
	return div64_u64(a, div) * mul + div64_u64((a % div) * mul, div);
}
#endif

/* proc_ops arrived in 5.6; before, procfs took file_operations. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 6, 0)
#define pgrx_proc_ops file_operations
#define PGRX_PROC_OPS(open_fn, write_fn)		\
	{						\
		.owner = THIS_MODULE,			\
		.open = open_fn,			\
		.read = seq_read,			\
		.write = write_fn,			\
		.llseek = seq_lseek,			\
		.release = single_release,		\
	}
#else
#define pgrx_proc_ops proc_ops
#define PGRX_PROC_OPS(open_fn, write_fn)		\
	{						\
		.proc_open = open_fn,			\
		.proc_read = seq_read,			\
		.proc_write = write_fn,			\
		.proc_lseek = seq_lseek,		\
		.proc_release = single_release,		\
	}
#endif

/* PDE_DATA() became pde_data() in 5.17. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
#define pde_data(inode) PDE_DATA(inode)
#endif

/*
 * A stack variable written before it is read, left out of the zeroing that
 * CONFIG_INIT_STACK_ALL_ZERO (Debian's kernels) gives every one: on the
 * packet path that is a rep stos per packet. GCC 12 and clang know the
 * attribute; older compilers do not zero either.
 */
#if __has_attribute(__uninitialized__)
#define __pgrx_uninit __attribute__((__uninitialized__))
#else
#define __pgrx_uninit
#endif

#endif /* _PGRX_COMPAT_H */
