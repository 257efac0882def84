/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pktgen_rx's statistics core: series (count, min, max, exact mean and
 * variance), histogram buckets and percentiles, and the per-sender sequence
 * window. It builds in the kernel and in userspace (kmod/test), so that the
 * arithmetic is tested against exact references outside the kernel.
 *
 * On the packet path (pgrx_series_add, pgrx_bucket, pgrx_seq_add): no
 * division, no lock. A series keeps n, min, max, K (its first sample) and
 * the sums of x - K and (x - K)^2, exactly: in 128 bits, plus the carries out
 * of the second. When the file is read, the series of every CPU are combined
 * exactly (parallel combination) in PGRX_WIDE-limb integers, and only then
 * divided: avg = floor(mean), var = floor(population variance).
 */
#ifndef _PGRX_STATS_H
#define _PGRX_STATS_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/string.h>
#else
#include "test/pgrx_shim.h"	/* types and helpers the kernel has */
#endif

/* Samples are capped at 2^42 ns (73 min): a larger one counts as the cap. */
#define PGRX_MAX_SAMPLE ((1ULL << 42) - 1)

/*
 * Histograms for percentiles: values below 32 ns exactly, then each power of
 * two in 16 buckets, so that a bucket's middle is within 1/32 of any value in
 * it. Up to 2^42 ns that is 39 groups of 16.
 */
#define PGRX_SUB_BITS 4
#define PGRX_SUB BIT(PGRX_SUB_BITS)
#define PGRX_BUCKETS ((42 - PGRX_SUB_BITS + 1) * PGRX_SUB)

/* How far back a late packet can still be told apart from a duplicate. */
#define PGRX_WINDOW 256

/* One CPU's series, in ns. */
struct pgrx_series {
	u64 n;
	u64 min;
	u64 max;
	u64 k;			/* the first sample: the sums are of x - k */
	__int128_t s1;		/* sum of (x - k) */
	__uint128_t s2;		/* sum of (x - k)^2, modulo 2^128 ... */
	u64 s2_hi;		/* ... and its carries past 2^128 */
};

static inline void pgrx_series_add(struct pgrx_series *s, u64 x)
{
	__uint128_t sq;
	s64 d;

	if (x > PGRX_MAX_SAMPLE)
		x = PGRX_MAX_SAMPLE;
	if (!s->n) {
		s->k = x;
		s->min = x;
		s->max = x;
	}
	s->n++;
	if (x < s->min)
		s->min = x;
	if (x > s->max)
		s->max = x;
	d = (s64)(x - s->k);	/* |d| < 2^42 */
	sq = (__uint128_t)((__int128_t)d * d);
	s->s1 += d;
	s->s2 += sq;
	if (s->s2 < sq)
		s->s2_hi++;
}

/*
 * Integers of PGRX_WIDE 32-bit limbs, least significant first, two's
 * complement: enough for n * sum (x - k)^2 and (sum (x - k))^2 with any u64
 * count and samples up to the cap. Only used when the file is read.
 */
#define PGRX_WIDE 10

struct pgrx_wide {
	u32 w[PGRX_WIDE];
};

static inline void pgrx_wide_s128(struct pgrx_wide *r, __int128_t v)
{
	__uint128_t u = (__uint128_t)v;
	u32 ext = v < 0 ? ~0U : 0;
	int i;

	for (i = 0; i < 4; i++) {
		r->w[i] = (u32)u;
		u >>= 32;
	}
	for (; i < PGRX_WIDE; i++)
		r->w[i] = ext;
}

/* lo + hi * 2^128, both unsigned */
static inline void pgrx_wide_u192(struct pgrx_wide *r, __uint128_t lo, u64 hi)
{
	int i;

	pgrx_wide_s128(r, 0);
	for (i = 0; i < 4; i++) {
		r->w[i] = (u32)lo;
		lo >>= 32;
	}
	r->w[4] = (u32)hi;
	r->w[5] = (u32)(hi >> 32);
}

static inline void pgrx_wide_add(struct pgrx_wide *r, const struct pgrx_wide *a)
{
	u64 carry = 0;
	int i;

	for (i = 0; i < PGRX_WIDE; i++) {
		carry += (u64)r->w[i] + a->w[i];
		r->w[i] = (u32)carry;
		carry >>= 32;
	}
}

static inline void pgrx_wide_neg(struct pgrx_wide *r)
{
	struct pgrx_wide one;
	int i;

	for (i = 0; i < PGRX_WIDE; i++)
		r->w[i] = ~r->w[i];
	pgrx_wide_s128(&one, 1);
	pgrx_wide_add(r, &one);
}

/* r = a * b modulo 2^(32 * PGRX_WIDE); r may not be a or b */
static inline void pgrx_wide_mul(struct pgrx_wide *r, const struct pgrx_wide *a,
				 const struct pgrx_wide *b)
{
	u64 carry;
	int i, j;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < PGRX_WIDE; i++) {
		carry = 0;
		for (j = 0; i + j < PGRX_WIDE; j++) {
			carry += (u64)a->w[i] * b->w[j] + r->w[i + j];
			r->w[i + j] = (u32)carry;
			carry >>= 32;
		}
	}
}

static inline bool pgrx_wide_negative(const struct pgrx_wide *a)
{
	return a->w[PGRX_WIDE - 1] >> 31;
}

static inline int pgrx_wide_cmp(const struct pgrx_wide *a, const struct pgrx_wide *b)
{
	int i;

	for (i = PGRX_WIDE - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* q = floor(a / b) for a >= 0, b > 0: shift and subtract, no division instruction */
static inline void pgrx_wide_div(struct pgrx_wide *q, const struct pgrx_wide *a,
				 const struct pgrx_wide *b)
{
	struct pgrx_wide rem, nb = *b;
	int bit, i;

	pgrx_wide_s128(&rem, 0);
	pgrx_wide_s128(q, 0);
	pgrx_wide_neg(&nb);
	for (bit = 32 * PGRX_WIDE - 1; bit >= 0; bit--) {
		for (i = PGRX_WIDE - 1; i > 0; i--)
			rem.w[i] = rem.w[i] << 1 | rem.w[i - 1] >> 31;
		rem.w[0] = rem.w[0] << 1 | ((a->w[bit / 32] >> (bit % 32)) & 1);
		if (pgrx_wide_cmp(&rem, b) >= 0) {
			pgrx_wide_add(&rem, &nb);
			q->w[bit / 32] |= 1U << (bit % 32);
		}
	}
}

/* A non-negative wide integer in decimal; buf holds at least PGRX_DEC_LEN bytes. */
#define PGRX_DEC_LEN 100

static inline char *pgrx_wide_dec(char *buf, const struct pgrx_wide *a)
{
	struct pgrx_wide v = *a;
	char *p = buf + PGRX_DEC_LEN - 1;
	bool zero;
	u32 rem;
	u64 cur;
	int i;

	*p = '\0';
	do {
		rem = 0;
		zero = true;
		for (i = PGRX_WIDE - 1; i >= 0; i--) {
			cur = div_u64_rem((u64)rem << 32 | v.w[i], 10, &rem);
			v.w[i] = (u32)cur;
			zero &= !v.w[i];
		}
		*--p = '0' + rem;
	} while (!zero);
	return p;
}

/* A series over several CPUs: exact sums about a common reference k. */
struct pgrx_moments {
	u64 n;
	u64 min;
	u64 max;
	u64 k;
	struct pgrx_wide s1;	/* sum of (x - k) */
	struct pgrx_wide s2;	/* sum of (x - k)^2 */
};

static inline void pgrx_moments_init(struct pgrx_moments *m)
{
	memset(m, 0, sizeof(*m));
}

/*
 * Add one CPU's series. With d = s->k - m->k:
 *   sum (x - m->k)   = s1 + n d
 *   sum (x - m->k)^2 = s2 + 2 d s1 + n d^2
 */
static inline void pgrx_moments_add(struct pgrx_moments *m, const struct pgrx_series *s)
{
	struct pgrx_wide s1, s2, d, n, t, u;

	if (!s->n)
		return;
	if (!m->n) {
		m->k = s->k;
		m->min = s->min;
		m->max = s->max;
	}
	if (s->min < m->min)
		m->min = s->min;
	if (s->max > m->max)
		m->max = s->max;
	m->n += s->n;
	pgrx_wide_s128(&s1, s->s1);
	pgrx_wide_u192(&s2, s->s2, s->s2_hi);
	pgrx_wide_s128(&d, (__int128_t)(s64)(s->k - m->k));
	pgrx_wide_u192(&n, s->n, 0);
	pgrx_wide_add(&m->s1, &s1);
	pgrx_wide_mul(&t, &n, &d);		/* n d */
	pgrx_wide_add(&m->s1, &t);
	pgrx_wide_add(&m->s2, &s2);
	pgrx_wide_mul(&u, &t, &d);		/* n d^2 */
	pgrx_wide_add(&m->s2, &u);
	pgrx_wide_add(&s1, &s1);		/* 2 s1 */
	pgrx_wide_mul(&t, &s1, &d);		/* 2 d s1 */
	pgrx_wide_add(&m->s2, &t);
}

/* floor(mean) = floor((k n + s1) / n); 0 without samples */
static inline void pgrx_moments_avg(const struct pgrx_moments *m, struct pgrx_wide *avg)
{
	struct pgrx_wide n, sum, t;

	pgrx_wide_s128(avg, 0);
	if (!m->n)
		return;
	pgrx_wide_u192(&n, m->n, 0);
	pgrx_wide_u192(&t, m->k, 0);
	pgrx_wide_mul(&sum, &t, &n);
	pgrx_wide_add(&sum, &m->s1);
	pgrx_wide_div(avg, &sum, &n);
}

/* floor(population variance) = floor((n s2 - s1^2) / n^2); 0 without samples */
static inline void pgrx_moments_var(const struct pgrx_moments *m, struct pgrx_wide *var)
{
	struct pgrx_wide n, nn, num, sq;

	pgrx_wide_s128(var, 0);
	if (!m->n)
		return;
	pgrx_wide_u192(&n, m->n, 0);
	pgrx_wide_mul(&nn, &n, &n);
	pgrx_wide_mul(&num, &n, &m->s2);
	pgrx_wide_mul(&sq, &m->s1, &m->s1);
	pgrx_wide_neg(&sq);
	pgrx_wide_add(&num, &sq);
	if (pgrx_wide_negative(&num))	/* cannot happen: Cauchy-Schwarz */
		return;
	pgrx_wide_div(var, &num, &nn);
}

static inline unsigned int pgrx_bucket(u64 v)
{
	unsigned int msb;

	if (v > PGRX_MAX_SAMPLE)
		v = PGRX_MAX_SAMPLE;
	if (v < PGRX_SUB)
		return v;
	msb = fls64(v) - 1;
	return (msb - PGRX_SUB_BITS + 1) * PGRX_SUB +
	       ((v >> (msb - PGRX_SUB_BITS)) & (PGRX_SUB - 1));
}

/* The middle of a bucket's values (exact below 32 ns). */
static inline u64 pgrx_bucket_mid(unsigned int b)
{
	unsigned int group = b / PGRX_SUB, shift;

	if (group < 2)
		return b;
	shift = group - 1;
	return ((u64)(PGRX_SUB + b % PGRX_SUB) << shift) + (1ULL << (shift - 1));
}

/*
 * The per-mille percentile by nearest rank: the bucket of the
 * ceil(n * per_mille / 1000)-th smallest sample, n the histogram's count.
 */
static inline u64 pgrx_percentile(const u64 *hist, unsigned int per_mille)
{
	u64 n = 0, rank, seen = 0;
	unsigned int b;
	u32 rem;

	for (b = 0; b < PGRX_BUCKETS; b++)
		n += hist[b];
	if (!n)
		return 0;
	/* ceil(n * per_mille / 1000) without overflowing n * per_mille */
	rank = div_u64_rem(n, 1000, &rem) * per_mille;
	rank += div_u64((u64)rem * per_mille + 999, 1000);
	for (b = 0; b < PGRX_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= rank)
			return pgrx_bucket_mid(b);
	}
	return pgrx_bucket_mid(PGRX_BUCKETS - 1);
}

/*
 * One sender's sequence numbers as one CPU saw them. Positions count from
 * the first sequence number seen (base) in 64 bits, so the 32-bit seq_num may
 * wrap. The window is a ring: for hi - PGRX_WINDOW < p <= hi, bit p mod
 * PGRX_WINDOW says whether position p has arrived, so that the next position
 * in order costs one bit set, not a shift of the whole window.
 */
struct pgrx_seq {
	u32 base;
	s64 lo;			/* lowest position seen */
	s64 hi;			/* highest position seen */
	u64 unique;
	u64 dups;
	u64 reordered;		/* arrived after a higher sequence number */
	u64 window[PGRX_WINDOW / 64];
};

/* The window's word for position P, and P's bit in it. */
static inline u64 *pgrx_ring_word(u64 *w, s64 p, u64 *bit)
{
	unsigned int i = (u64)p & (PGRX_WINDOW - 1);

	*bit = BIT_ULL(i % 64);
	return &w[i / 64];
}

/* Mark COUNT (< PGRX_WINDOW) positions from FROM on as not arrived. */
static inline void pgrx_ring_clear(u64 *w, s64 from, unsigned int count)
{
	unsigned int i, n;
	u64 mask;

	while (count) {
		i = (u64)from & (PGRX_WINDOW - 1);
		n = 64 - i % 64;
		if (n > count)
			n = count;
		mask = n == 64 ? ~0ULL : BIT_ULL(n) - 1;
		w[i / 64] &= ~(mask << (i % 64));
		from += n;
		count -= n;
	}
}

/* Place one sequence number: new, late, or a duplicate (within the window). */
static inline void pgrx_seq_add(struct pgrx_seq *s, u32 seq)
{
	u64 back, bit, *word;
	s64 pos, from;

	if (!s->unique && !s->dups) {
		s->base = seq;
		s->unique = 1;
		s->window[0] = 1;	/* position 0 */
		return;
	}
	pos = s->hi + (s32)(seq - (u32)(s->base + s->hi));
	if (pos > s->hi) {
		/*
		 * The positions passed over have not arrived (yet): in the
		 * window that ends at pos, those after hi.
		 */
		from = pos - s->hi > PGRX_WINDOW ? pos - PGRX_WINDOW + 1 : s->hi + 1;
		pgrx_ring_clear(s->window, from, pos - from);
		*pgrx_ring_word(s->window, pos, &bit) |= bit;
		s->hi = pos;
		s->unique++;
		return;
	}
	back = s->hi - pos;
	if (back < PGRX_WINDOW) {
		word = pgrx_ring_word(s->window, pos, &bit);
		if (*word & bit) {
			s->dups++;
			return;
		}
		*word |= bit;
	}
	s->unique++;
	s->reordered++;
	if (pos < s->lo)
		s->lo = pos;
}

/* One sender over all CPUs; positions count from the first CPU's base. */
struct pgrx_seq_total {
	u32 base;
	s64 lo;
	s64 hi;
	u64 unique;
	u64 dups;
	u64 reordered;
};

static inline void pgrx_seq_merge(struct pgrx_seq_total *t, const struct pgrx_seq *s, bool first)
{
	s64 off;

	if (first) {
		t->base = s->base;
		t->lo = s->lo;
		t->hi = s->hi;
	} else {
		off = (s32)(s->base - t->base);
		if (s->lo + off < t->lo)
			t->lo = s->lo + off;
		if (s->hi + off > t->hi)
			t->hi = s->hi + off;
	}
	t->unique += s->unique;
	t->dups += s->dups;
	t->reordered += s->reordered;
}

/* Positions between the lowest and highest seen that never arrived (at least 0). */
static inline s64 pgrx_seq_lost(const struct pgrx_seq_total *t)
{
	s64 lost = t->hi - t->lo + 1 - (s64)t->unique;

	return lost > 0 ? lost : 0;
}

#endif /* _PGRX_STATS_H */
