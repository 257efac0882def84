// SPDX-License-Identifier: GPL-2.0
/*
 * Feeds samples through pgrx_stats.h as the module does (per simulated CPU,
 * then combined as when the file is read) and prints what the module would.
 * run.py compares the figures with exact references of its own.
 *
 *   stats_test series FILE   FILE: u64 count, count u64 samples, count u8 CPUs
 *   stats_test seq FILE      FILE: u64 count, count records (u8 CPU, u8 sender, u32 seq)
 * Little-endian. Output: one line per CPU and one for all, "key value" pairs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>

#include "../pgrx_stats.h"

#define NCPUS 64
#define NSENDERS 16

static const unsigned int pct[] = { 500, 900, 990, 999 };

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		exit(2);
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		exit(2);
	fclose(f);
	*len = n;
	return buf;
}

static void show(const char *who, const struct pgrx_moments *m)
{
	char a[PGRX_DEC_LEN], v[PGRX_DEC_LEN];
	struct pgrx_wide w;
	const char *avg, *var;

	pgrx_moments_avg(m, &w);
	avg = pgrx_wide_dec(a, &w);
	pgrx_moments_var(m, &w);
	var = pgrx_wide_dec(v, &w);
	printf("%s n %" PRIu64 " min %" PRIu64 " max %" PRIu64 " avg %s var %s", who, m->n,
	       m->min, m->max, avg, var);
}

static int series(const char *path)
{
	static struct pgrx_series s[NCPUS];
	static uint64_t hist[NCPUS][PGRX_BUCKETS], total[PGRX_BUCKETS];
	struct pgrx_moments all, one;
	uint64_t count, i;
	const uint8_t *cpus;
	const char *buf;
	size_t len;
	char who[32];
	unsigned int b;
	int c;

	buf = slurp(path, &len);
	memcpy(&count, buf, 8);
	if (len != 8 + count * 9)
		return 2;
	cpus = (const uint8_t *)buf + 8 + count * 8;
	for (i = 0; i < count; i++) {
		uint64_t x;

		memcpy(&x, buf + 8 + i * 8, 8);
		c = cpus[i] % NCPUS;
		pgrx_series_add(&s[c], x);
		hist[c][pgrx_bucket(x)]++;
	}
	pgrx_moments_init(&all);
	for (c = 0; c < NCPUS; c++) {
		if (!s[c].n)
			continue;
		pgrx_moments_init(&one);
		pgrx_moments_add(&one, &s[c]);
		pgrx_moments_add(&all, &s[c]);
		for (b = 0; b < PGRX_BUCKETS; b++)
			total[b] += hist[c][b];
		snprintf(who, sizeof(who), "cpu %d", c);
		show(who, &one);
		putchar('\n');
	}
	show("all", &all);
	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
		printf(" p%u %" PRIu64, pct[i], pgrx_percentile(total, pct[i]));
	putchar('\n');
	return 0;
}

static int seq(const char *path)
{
	static struct pgrx_seq s[NCPUS][NSENDERS];
	static struct pgrx_seq_total t[NSENDERS];
	uint64_t count, i;
	const char *buf;
	size_t len;
	int c, k;

	buf = slurp(path, &len);
	memcpy(&count, buf, 8);
	if (len != 8 + count * 6)
		return 2;
	for (i = 0; i < count; i++) {
		const uint8_t *r = (const uint8_t *)buf + 8 + i * 6;
		uint32_t v;

		memcpy(&v, r + 2, 4);
		pgrx_seq_add(&s[r[0] % NCPUS][r[1] % NSENDERS], v);
	}
	for (k = 0; k < NSENDERS; k++) {
		bool first = true;

		for (c = 0; c < NCPUS; c++) {
			if (!s[c][k].unique)
				continue;
			pgrx_seq_merge(&t[k], &s[c][k], first);
			first = false;
		}
		if (first)
			continue;
		printf("sender %d received %" PRIu64 " lost %" PRId64 " reordered %" PRIu64
		       " duplicated %" PRIu64 " first %u last %u\n", k, t[k].unique + t[k].dups,
		       pgrx_seq_lost(&t[k]), t[k].reordered, t[k].dups,
		       (uint32_t)(t[k].base + t[k].lo), (uint32_t)(t[k].base + t[k].hi));
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "series"))
		return series(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "seq"))
		return seq(argv[2]);
	fprintf(stderr, "usage: stats_test series|seq FILE\n");
	return 2;
}
