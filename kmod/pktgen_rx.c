// SPDX-License-Identifier: GPL-2.0
/*
 * pktgen_rx: the receiver side of the kernel's pktgen.
 *
 * Counts and times the packets pktgen sends, recognised by the header pktgen
 * writes after the UDP header (magic, sequence number, send time). Per
 * network namespace control file /proc/net/pktgen_rx/pgrx; per-CPU state, so
 * that RSS spreads the work over every CPU; totals summed when read.
 *
 * Commands (one per write):
 *   rx DEV [DEV...] | rx all   receive on these devices (at most 8) or all;
 *                              resets and enables
 *   rx_reset                   zero the statistics
 *   rx_disable                 stop receiving
 *   statistics counter|basic|time   what to measure (resets)
 *   display human|script       how reading shows it
 *   drop on|off                consume pktgen packets after counting (on) or
 *                              let them through to the stack (off)
 * A malformed or unknown command fails the write with EINVAL; reading the
 * file then ends with "Result: ERROR: <reason>".
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/u64_stats_sync.h>
#include <linux/uaccess.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/timekeeping.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "pgrx_compat.h"

#define PGRX_VERSION "0.1.0"
#define PGRX_MAGIC 0xbe9be955
#define PGRX_MAX_DEVS 8
#define PGRX_MAX_CMD 128
#define PGRX_RESULT_LEN 128
#define PGRX_NHOOKS 2
/* Running means in fixed point: ns << PGRX_FP; samples are capped at 2^42 ns (73 min). */
#define PGRX_FP 20
#define PGRX_MAX_SAMPLE ((1ULL << 42) - 1)

/* What pktgen writes after the UDP header. */
struct pgrx_pkt {
	__be32 magic;
	__be32 seq_num;
	__be32 tv_sec;
	__be32 tv_usec;
};

enum pgrx_level { PGRX_COUNTER, PGRX_BASIC, PGRX_TIME };
enum pgrx_display { PGRX_HUMAN, PGRX_SCRIPT };

static const char * const pgrx_level_names[] = { "counter", "basic", "time" };
static const char * const pgrx_display_names[] = { "human", "script" };

/*
 * Running min, max, mean and variance of a per-CPU series, in ns. The mean is
 * the exact sum over the count; the variance follows Welford's method in its
 * variance form, so there is no sum of squares that could overflow.
 */
struct pgrx_series {
	u64 n;
	u64 min;
	u64 max;
	u64 sum;	/* ns; 2^64 ns is 584 years of samples */
	s64 mean_fp;	/* sum / n, ns << PGRX_FP */
	s64 var;	/* population variance, ns^2 */
};

struct pgrx_cpu {
	struct u64_stats_sync syncp;
	u64 gen;		/* statistics generation these counters belong to */
	u64 packets;
	u64 bytes;
	u64 first_ns;		/* monotonic arrival time of the first packet */
	u64 last_ns;		/* ... and of the last one */
	u64 last_latency;	/* previous latency sample, for jitter */
	bool has_latency;
	struct pgrx_series interarrival;
	struct pgrx_series jitter;
	struct pgrx_series latency;
};

struct pgrx_net {
	struct net *net;
	struct proc_dir_entry *dir;
	struct mutex lock;	/* serialises commands and hook registration */
	bool enabled;
	bool all_devs;
	int ifindex[PGRX_MAX_DEVS];
	int ndevs;
	int level;
	int display;
	bool drop;
	u64 gen;
	struct pgrx_cpu __percpu *stats;
	struct nf_hook_ops ops[PGRX_NHOOKS];	/* pgrx_hook_ops with priv = this */
	char result[PGRX_RESULT_LEN];
};

static unsigned int pgrx_net_id __read_mostly;

/* sum / n in fixed point, for n < 2^44 */
static s64 pgrx_mean_fp(u64 sum, u64 n)
{
	u64 rem, whole = div64_u64_rem(sum, n, &rem);

	return (s64)((whole << PGRX_FP) + div64_u64(rem << PGRX_FP, n));
}

static void pgrx_series_add(struct pgrx_series *s, u64 x)
{
	s64 x_fp, d_old, prod;

	if (x > PGRX_MAX_SAMPLE)
		x = PGRX_MAX_SAMPLE;
	x_fp = (s64)(x << PGRX_FP);
	s->n++;
	s->sum += x;
	if (s->n == 1) {
		s->min = x;
		s->max = x;
		s->mean_fp = x_fp;
		s->var = 0;
		return;
	}
	if (x < s->min)
		s->min = x;
	if (x > s->max)
		s->max = x;
	d_old = x_fp - s->mean_fp;
	s->mean_fp = pgrx_mean_fp(s->sum, s->n);
	/* (x - old mean)(x - new mean), back from fixed point to ns^2 */
	prod = (s64)min_t(__int128, ((__int128)d_old * (x_fp - s->mean_fp)) >> (2 * PGRX_FP),
			  S64_MAX / 2);
	s->var += div64_s64(prod - s->var, (s64)s->n);
}

static u64 pgrx_series_avg(const struct pgrx_series *s)
{
	return s->n ? div64_u64(s->sum, s->n) : 0;
}

static u64 pgrx_series_var(const struct pgrx_series *s)
{
	return s->var > 0 ? (u64)s->var : 0;
}

static bool pgrx_dev_match(const struct pgrx_net *pn, const struct net_device *in)
{
	int i, n;

	if (READ_ONCE(pn->all_devs))
		return true;
	if (!in)
		return false;
	n = READ_ONCE(pn->ndevs);
	for (i = 0; i < n && i < PGRX_MAX_DEVS; i++)
		if (READ_ONCE(pn->ifindex[i]) == in->ifindex)
			return true;
	return false;
}

/* The pktgen header of an IPv4 packet, or NULL when it has none. */
static const struct pgrx_pkt *pgrx_hdr_v4(const struct sk_buff *skb, struct pgrx_pkt *buf)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (iph->protocol != IPPROTO_UDP || ip_is_fragment(iph))
		return NULL;
	return skb_header_pointer(skb, skb_network_offset(skb) + iph->ihl * 4 +
				  sizeof(struct udphdr), sizeof(*buf), buf);
}

/* The pktgen header of an IPv6 packet (after any extension headers), or NULL. */
static const struct pgrx_pkt *pgrx_hdr_v6(const struct sk_buff *skb, struct pgrx_pkt *buf)
{
	unsigned int off = 0;
	unsigned short frag = 0;

	if (ipv6_find_hdr(skb, &off, IPPROTO_UDP, &frag, NULL) != IPPROTO_UDP || frag)
		return NULL;
	return skb_header_pointer(skb, off + sizeof(struct udphdr), sizeof(*buf), buf);
}

static void pgrx_cpu_clear(struct pgrx_cpu *st, u64 gen)
{
	st->packets = 0;
	st->bytes = 0;
	st->first_ns = 0;
	st->last_ns = 0;
	st->last_latency = 0;
	st->has_latency = false;
	memset(&st->interarrival, 0, sizeof(st->interarrival));
	memset(&st->jitter, 0, sizeof(st->jitter));
	memset(&st->latency, 0, sizeof(st->latency));
	st->gen = gen;
}

static void pgrx_count(struct pgrx_net *pn, const struct sk_buff *skb,
		       const struct pgrx_pkt *ph)
{
	int level = READ_ONCE(pn->level);
	u64 gen = READ_ONCE(pn->gen);
	struct pgrx_cpu *st;
	u64 now = 0, sent;
	s64 lat;

	if (level >= PGRX_BASIC)
		now = ktime_get_ns();

	local_bh_disable();
	st = this_cpu_ptr(pn->stats);
	u64_stats_update_begin(&st->syncp);
	if (st->gen != gen)
		pgrx_cpu_clear(st, gen);
	st->packets++;
	st->bytes += skb->len + ETH_HLEN;
	if (level >= PGRX_BASIC) {
		if (!st->first_ns)
			st->first_ns = now;
		else if (level >= PGRX_TIME && now >= st->last_ns)
			pgrx_series_add(&st->interarrival, now - st->last_ns);
		st->last_ns = now;
	}
	if (level >= PGRX_TIME && (ph->tv_sec || ph->tv_usec)) {
		sent = (u64)ntohl(ph->tv_sec) * NSEC_PER_SEC +
		       (u64)ntohl(ph->tv_usec) * NSEC_PER_USEC;
		lat = (s64)(ktime_get_real_ns() - sent);
		if (lat >= 0) {
			pgrx_series_add(&st->latency, lat);
			if (st->has_latency)
				pgrx_series_add(&st->jitter, lat > st->last_latency ?
						lat - st->last_latency :
						st->last_latency - lat);
			st->last_latency = lat;
			st->has_latency = true;
		}
	}
	u64_stats_update_end(&st->syncp);
	local_bh_enable();
}

static unsigned int pgrx_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct pgrx_net *pn = priv;
	const struct pgrx_pkt *ph;
	struct pgrx_pkt buf;

	if (!pgrx_dev_match(pn, state->in))
		return NF_ACCEPT;
	ph = state->pf == NFPROTO_IPV4 ? pgrx_hdr_v4(skb, &buf) : pgrx_hdr_v6(skb, &buf);
	if (!ph || ph->magic != htonl(PGRX_MAGIC))
		return NF_ACCEPT;
	pgrx_count(pn, skb, ph);
	if (!READ_ONCE(pn->drop))
		return NF_ACCEPT;
	consume_skb(skb);
	return NF_STOLEN;
}

static const struct nf_hook_ops pgrx_hook_ops[PGRX_NHOOKS] = {
	{
		.hook = pgrx_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_FIRST,
	},
	{
		.hook = pgrx_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_FIRST,
	},
};

static int pgrx_enable(struct pgrx_net *pn)
{
	int i, err;

	if (pn->enabled)
		return 0;
	for (i = 0; i < PGRX_NHOOKS; i++) {
		pn->ops[i] = pgrx_hook_ops[i];
		pn->ops[i].priv = pn;
	}
	err = nf_register_net_hooks(pn->net, pn->ops, PGRX_NHOOKS);
	if (!err)
		pn->enabled = true;
	return err;
}

static void pgrx_disable(struct pgrx_net *pn)
{
	if (!pn->enabled)
		return;
	nf_unregister_net_hooks(pn->net, pn->ops, PGRX_NHOOKS);
	pn->enabled = false;
}

static void pgrx_reset(struct pgrx_net *pn)
{
	WRITE_ONCE(pn->gen, pn->gen + 1);
}

/* One CPU's counters, copied consistently; false if they are from an older generation. */
static bool pgrx_snapshot(struct pgrx_net *pn, int cpu, struct pgrx_cpu *out)
{
	const struct pgrx_cpu *st = per_cpu_ptr(pn->stats, cpu);
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&st->syncp);
		memcpy(out, st, sizeof(*out));
	} while (u64_stats_fetch_retry(&st->syncp, start));
	return out->gen == READ_ONCE(pn->gen) && out->packets;
}

struct pgrx_rate {
	u64 work_us;
	u64 pps;
	u64 mbps;
	u64 bps;
};

static void pgrx_rate(u64 packets, u64 bytes, u64 first_ns, u64 last_ns, struct pgrx_rate *r)
{
	r->work_us = last_ns > first_ns ? div_u64(last_ns - first_ns, NSEC_PER_USEC) : 0;
	if (!r->work_us) {
		r->pps = 0;
		r->bps = 0;
	} else {
		r->pps = mul_u64_u64_div_u64(packets, USEC_PER_SEC, r->work_us);
		r->bps = mul_u64_u64_div_u64(bytes * 8, USEC_PER_SEC, r->work_us);
	}
	r->mbps = div_u64(r->bps, 1000000);
}

static void pgrx_show_series_human(struct seq_file *m, const char *name,
				   const struct pgrx_series *s)
{
	seq_printf(m, "\t%s\n\tAverage: %llu ns Variance %llu ns2\n", name,
		   pgrx_series_avg(s), pgrx_series_var(s));
	seq_printf(m, "\tMax: %llu ns Min:: %llu ns\n\tSamples: %llu\n", s->max, s->min, s->n);
}

static void pgrx_show_series_script(struct seq_file *m, const struct pgrx_series *s)
{
	seq_printf(m, " %llu %llu %llu %llu %llu", pgrx_series_avg(s), pgrx_series_var(s),
		   s->max, s->min, s->n);
}

static int pgrx_show(struct seq_file *m, void *v)
{
	struct pgrx_net *pn = m->private;
	u64 packets = 0, bytes = 0, first = U64_MAX, last = 0;
	struct pgrx_cpu *st;
	struct pgrx_rate r;
	int cpu, level, display;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	mutex_lock(&pn->lock);
	level = pn->level;
	display = pn->display;
	if (!pn->enabled) {
		seq_puts(m, "Not enabled.\n");
		goto result;
	}
	if (display == PGRX_HUMAN)
		seq_puts(m, "\t\tRECEPTION STATISTICS\nPER-CPU Stats\n");
	for_each_possible_cpu(cpu) {
		if (!pgrx_snapshot(pn, cpu, st))
			continue;
		packets += st->packets;
		bytes += st->bytes;
		if (st->first_ns && st->first_ns < first)
			first = st->first_ns;
		if (st->last_ns > last)
			last = st->last_ns;
		pgrx_rate(st->packets, st->bytes, st->first_ns, st->last_ns, &r);
		if (display == PGRX_SCRIPT) {
			seq_printf(m, "%d %llu %llu %llu %llu %llu %llu", cpu, st->packets,
				   st->bytes, r.work_us, r.pps, r.mbps, r.bps);
			if (level >= PGRX_TIME) {
				pgrx_show_series_script(m, &st->interarrival);
				pgrx_show_series_script(m, &st->jitter);
				pgrx_show_series_script(m, &st->latency);
			}
			seq_putc(m, '\n');
			continue;
		}
		seq_printf(m, "CPU %d:\tRx packets: %llu\t Rx bytes: %llu\n", cpu,
			   st->packets, st->bytes);
		if (level >= PGRX_BASIC)
			seq_printf(m, "\tWork time %llu us\n\tRate:  %llupps %lluMb/sec (%llubps)\n",
				   r.work_us, r.pps, r.mbps, r.bps);
		if (level >= PGRX_TIME) {
			pgrx_show_series_human(m, "Inter-arrival", &st->interarrival);
			pgrx_show_series_human(m, "Jitter", &st->jitter);
			pgrx_show_series_human(m, "Latency", &st->latency);
		}
	}
	pgrx_rate(packets, bytes, first == U64_MAX ? 0 : first, last, &r);
	if (display == PGRX_SCRIPT) {
		seq_printf(m, "G %llu %llu %llu %llu %llu %llu\n", packets, bytes,
			   r.work_us, r.pps, r.mbps, r.bps);
	} else {
		seq_printf(m, "\nGlobal Statistics\nPackets Rx: %llu\t Bytes Rx: %llu\n",
			   packets, bytes);
		if (level >= PGRX_BASIC)
			seq_printf(m, "\tWork time %llu us\n\tRate:  %llupps %lluMb/sec (%llubps)\n",
				   r.work_us, r.pps, r.mbps, r.bps);
	}
result:
	seq_printf(m, "Result: %s\n", pn->result);
	mutex_unlock(&pn->lock);
	kfree(st);
	return 0;
}

static int pgrx_open(struct inode *inode, struct file *file)
{
	return single_open(file, pgrx_show, pde_data(inode));
}

static int pgrx_word(const char *word, const char * const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(word, names[i]))
			return i;
	return -1;
}

/* Set receiving devices from "rx" arguments; returns an error message or NULL. */
static const char *pgrx_cmd_rx(struct pgrx_net *pn, char **args, int nargs)
{
	int ifindex[PGRX_MAX_DEVS];
	struct net_device *dev;
	int i;

	if (nargs < 1)
		return "rx needs a device name, several, or all";
	if (nargs > PGRX_MAX_DEVS)
		return "rx takes at most 8 devices";
	if (nargs == 1 && !strcmp(args[0], "all")) {
		WRITE_ONCE(pn->all_devs, true);
		return NULL;
	}
	for (i = 0; i < nargs; i++) {
		dev = dev_get_by_name(pn->net, args[i]);
		if (!dev)
			return "no such device in this network namespace";
		ifindex[i] = dev->ifindex;
		dev_put(dev);
	}
	WRITE_ONCE(pn->ndevs, 0);
	for (i = 0; i < nargs; i++)
		WRITE_ONCE(pn->ifindex[i], ifindex[i]);
	WRITE_ONCE(pn->ndevs, nargs);
	WRITE_ONCE(pn->all_devs, false);
	return NULL;
}

/* Run one command; returns an error message or NULL. Called with pn->lock held. */
static const char *pgrx_command(struct pgrx_net *pn, char *line)
{
	char *args[PGRX_MAX_DEVS + 2];
	const char *err;
	int nargs = 0, v;
	char *tok;

	while ((tok = strsep(&line, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (nargs == ARRAY_SIZE(args))
			return "too many arguments";
		args[nargs++] = tok;
	}
	if (!nargs)
		return "empty command";

	if (!strcmp(args[0], "rx")) {
		err = pgrx_cmd_rx(pn, args + 1, nargs - 1);
		if (err)
			return err;
		pgrx_reset(pn);
		if (pgrx_enable(pn))
			return "could not register the netfilter hooks";
		return NULL;
	}
	if (nargs != 1 && (!strcmp(args[0], "rx_reset") || !strcmp(args[0], "rx_disable")))
		return "this command takes no argument";
	if (!strcmp(args[0], "rx_reset")) {
		pgrx_reset(pn);
		return NULL;
	}
	if (!strcmp(args[0], "rx_disable")) {
		pgrx_disable(pn);
		return NULL;
	}
	if (!strcmp(args[0], "statistics")) {
		v = nargs == 2 ? pgrx_word(args[1], pgrx_level_names,
					   ARRAY_SIZE(pgrx_level_names)) : -1;
		if (v < 0)
			return "statistics takes counter, basic or time";
		WRITE_ONCE(pn->level, v);
		pgrx_reset(pn);
		return NULL;
	}
	if (!strcmp(args[0], "display")) {
		v = nargs == 2 ? pgrx_word(args[1], pgrx_display_names,
					   ARRAY_SIZE(pgrx_display_names)) : -1;
		if (v < 0)
			return "display takes human or script";
		pn->display = v;
		return NULL;
	}
	if (!strcmp(args[0], "drop")) {
		if (nargs != 2 || (strcmp(args[1], "on") && strcmp(args[1], "off")))
			return "drop takes on or off";
		WRITE_ONCE(pn->drop, !strcmp(args[1], "on"));
		return NULL;
	}
	return "unknown command";
}

static bool pgrx_printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			if (*s != '\t')
				return false;
	return true;
}

/* Record why a write was refused; returns -EINVAL for the write. */
static ssize_t pgrx_fail(struct pgrx_net *pn, const char *err)
{
	mutex_lock(&pn->lock);
	snprintf(pn->result, sizeof(pn->result), "ERROR: %s", err);
	mutex_unlock(&pn->lock);
	return -EINVAL;
}

static ssize_t pgrx_write(struct file *file, const char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct pgrx_net *pn = pde_data(file_inode(file));
	char line[PGRX_MAX_CMD + 1];
	const char *err = NULL;
	char shown[48];
	size_t len = count;

	if (count > PGRX_MAX_CMD)
		return pgrx_fail(pn, "command longer than 128 bytes");
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';
	if (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (strlen(line) != len || !pgrx_printable(line))
		return pgrx_fail(pn, "command has bytes that are not printable text");
	strscpy(shown, line, sizeof(shown));
	mutex_lock(&pn->lock);
	err = pgrx_command(pn, line);
	if (err)
		snprintf(pn->result, sizeof(pn->result), "ERROR: %s", err);
	else
		snprintf(pn->result, sizeof(pn->result), "OK: %s", shown);
	mutex_unlock(&pn->lock);
	return err ? -EINVAL : count;
}

static const struct pgrx_proc_ops pgrx_fops = PGRX_PROC_OPS(pgrx_open, pgrx_write);

static int __net_init pgrx_net_init(struct net *net)
{
	struct pgrx_net *pn = net_generic(net, pgrx_net_id);

	pn->net = net;
	mutex_init(&pn->lock);
	pn->level = PGRX_BASIC;
	pn->display = PGRX_HUMAN;
	pn->drop = true;
	pn->gen = 1;
	strscpy(pn->result, "OK: ready", sizeof(pn->result));
	pn->stats = alloc_percpu(struct pgrx_cpu);
	if (!pn->stats)
		return -ENOMEM;
	pn->dir = proc_mkdir("pktgen_rx", net->proc_net);
	if (!pn->dir)
		goto err;
	if (!proc_create_data("pgrx", 0600, pn->dir, &pgrx_fops, pn))
		goto err_dir;
	return 0;
err_dir:
	proc_remove(pn->dir);
err:
	free_percpu(pn->stats);
	return -ENOMEM;
}

static void __net_exit pgrx_net_exit(struct net *net)
{
	struct pgrx_net *pn = net_generic(net, pgrx_net_id);

	proc_remove(pn->dir);
	mutex_lock(&pn->lock);
	pgrx_disable(pn);
	mutex_unlock(&pn->lock);
	free_percpu(pn->stats);
}

static struct pernet_operations pgrx_net_ops = {
	.init = pgrx_net_init,
	.exit = pgrx_net_exit,
	.id = &pgrx_net_id,
	.size = sizeof(struct pgrx_net),
};

static int __init pgrx_init(void)
{
	return register_pernet_subsys(&pgrx_net_ops);
}

static void __exit pgrx_exit(void)
{
	unregister_pernet_subsys(&pgrx_net_ops);
}

module_init(pgrx_init);
module_exit(pgrx_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Receiver for the kernel's pktgen: counts and times pktgen packets");
MODULE_VERSION(PGRX_VERSION);
