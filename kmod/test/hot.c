// SPDX-License-Identifier: GPL-2.0
/* The packet-path functions of pgrx_stats.h on their own, for run.py to look for division instructions. */
#include "../pgrx_stats.h"

void hot_series_add(struct pgrx_series *s, u64 x);
unsigned int hot_bucket(u64 v);
void hot_seq_add(struct pgrx_seq *s, u32 seq);

void hot_series_add(struct pgrx_series *s, u64 x)
{
	pgrx_series_add(s, x);
}

unsigned int hot_bucket(u64 v)
{
	return pgrx_bucket(v);
}

void hot_seq_add(struct pgrx_seq *s, u32 seq)
{
	pgrx_seq_add(s, seq);
}
