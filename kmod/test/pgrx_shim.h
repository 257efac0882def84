/* SPDX-License-Identifier: GPL-2.0 */
/* What pgrx_stats.h takes from the kernel, for building it in userspace (kmod/test). */
#ifndef _PGRX_SHIM_H
#define _PGRX_SHIM_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
typedef uint64_t u64;
typedef int64_t s64;
typedef uint32_t u32;
typedef int32_t s32;
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline u64 div_u64_rem(u64 a, u32 b, u32 *rem)
{
	*rem = a % b;
	return a / b;
}

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}
#endif /* _PGRX_SHIM_H */
