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
 *                              hooks them, resets and enables
 *   rx_reset                   zero the statistics
 *   rx_disable                 stop receiving and remove the hooks
 *   statistics counter|basic|time   what to measure (resets)
 *   display human|script       how reading shows it
 *   drop on|off                consume pktgen packets after counting (on) or
 *                              let them through to the stack (off)
 * A malformed or unknown command fails the write with EINVAL; reading the
 * file then ends with "Result: ERROR: <reason>".
 *
 * Module parameter hook=ingress (default: netfilter netdev ingress on each
 * receiving device, before the IP stack) or hook=prerouting (IPv4 and IPv6
 * PRE_ROUTING, after the IP stack's own checks).
 *
 * At statistics basic and time, sequence analysis per sender (source address)
 * from pktgen's seq_num: lost, reordered (late) and duplicated packets.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/bits.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/seqlock.h>
#include <linux/workqueue.h>
#include <linux/cpu.h>
#include <linux/uaccess.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/if_vlan.h>
#include <linux/timekeeping.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "pgrx_compat.h"
#include "pgrx_stats.h"

#define PGRX_VERSION "0.1.0"
#define PGRX_MAGIC 0xbe9be955
#define PGRX_MAX_DEVS 8
#define PGRX_MAX_CMD 128
#define PGRX_RESULT_LEN 128
#define PGRX_NHOOKS 2
/*
 * Sequence analysis: senders (source addresses) tracked per CPU, and how far
 * back a late packet can still be told apart from a duplicate.
 */
#define PGRX_SENDERS 16
#define PGRX_MERGED 64
/* Seqcount reads of a CPU's counters tried before copying them on that CPU. */
#define PGRX_READ_TRIES 4

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

/* One sender's sequence numbers as one CPU saw them. */
struct pgrx_sender {
	struct in6_addr addr;	/* source address; IPv4 as v4-mapped */
	struct pgrx_seq seq;
};

/*
 * One CPU's counters. Written only on that CPU with BH disabled, inside the
 * seqcount's write section; read whole (see pgrx_snapshot).
 */
struct pgrx_cpu {
	seqcount_t seq;
	u64 gen;		/* statistics generation and level (pgrx_net.gen) */
	u64 packets;
	u64 bytes;
	u64 first_ns;		/* monotonic arrival time of the first packet */
	u64 last_ns;		/* ... and of the last one */
	u64 last_latency;	/* previous latency sample, for jitter */
	bool has_latency;
	struct pgrx_series interarrival;
	struct pgrx_series jitter;
	struct pgrx_series latency;
	u64 hist_interarrival[PGRX_BUCKETS];
	u64 hist_latency[PGRX_BUCKETS];
	unsigned int nsenders;
	u64 untracked;		/* packets of senders beyond PGRX_SENDERS */
	u64 future;		/* latency samples sent "after" they arrived */
	struct pgrx_sender senders[PGRX_SENDERS];
};

/* Percentiles reported, in tenths of a percent. */
static const unsigned int pgrx_pct[] = { 500, 900, 990, 999 };
static const char * const pgrx_pct_names[] = { "p50", "p90", "p99", "p99.9" };

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
	u64 gen;		/* generation << 2 | level: one word read per packet */
	struct pgrx_cpu __percpu *stats;	/* from the first rx on */
	struct nf_hook_ops inet_ops[PGRX_NHOOKS];	/* prerouting: with priv = this */
	bool inet_hooked;	/* inet_ops registered (from rx to rx_disable) */
	struct list_head devhooks;	/* ingress: struct pgrx_devhook per device */
	char result[PGRX_RESULT_LEN];
};

static unsigned int pgrx_net_id __read_mostly;

static char *hook = "ingress";
module_param(hook, charp, 0444);
MODULE_PARM_DESC(hook, "where packets are counted: ingress (netfilter netdev ingress, default) or prerouting (IPv4/IPv6 PRE_ROUTING)");
static bool pgrx_ingress __read_mostly;

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

/* What the receiver keeps of a pktgen packet. */
struct pgrx_rcv {
	struct in6_addr src;	/* IPv4 as v4-mapped */
	u32 len;		/* the IP packet's length */
	u32 vlan_len;		/* the VLAN tag's length, when it had one */
	u32 seq;
	u32 tv_sec;
	u32 tv_usec;
};

/* The UDP header and pktgen's header after it, as they are on the wire. */
struct pgrx_udp_pkt {
	struct udphdr uh;
	struct pgrx_pkt ph;
};

/*
 * Read the UDP and pktgen headers at OFF, within an IP packet that ends at
 * END. Inlined: under emulation a call and its return cost as much as the
 * code.
 */
static __always_inline bool pgrx_parse_udp(const struct sk_buff *skb, unsigned int off,
					   unsigned int end, struct pgrx_rcv *r)
{
	const struct pgrx_udp_pkt *p;
	struct pgrx_udp_pkt buf __pgrx_uninit;

	if (off + sizeof(buf) > end)
		return false;
	p = skb_header_pointer(skb, off, sizeof(buf), &buf);
	/* The UDP length covers pktgen's header and stays within the IP payload. */
	if (!p || p->ph.magic != htonl(PGRX_MAGIC) || ntohs(p->uh.len) < sizeof(buf) ||
	    ntohs(p->uh.len) > end - off)
		return false;
	r->seq = ntohl(p->ph.seq_num);
	r->tv_sec = ntohl(p->ph.tv_sec);
	r->tv_usec = ntohl(p->ph.tv_usec);
	return true;
}

/*
 * An IPv4 packet from its network header: pktgen's when it is UDP, not a
 * fragment, its header checksum holds, and it carries pktgen's header within
 * its length. Checks what ip_rcv() would, as the ingress hook runs before it.
 * Inlined into pgrx_handle(), as pgrx_parse_udp() is.
 */
static __always_inline bool pgrx_parse_v4(struct sk_buff *skb, struct pgrx_rcv *r)
{
	int nh = skb_network_offset(skb);
	const struct iphdr *iph;
	union {
		struct iphdr iph;
		u8 max[60];
	} buf __pgrx_uninit;

	iph = nh < 0 ? NULL : skb_header_pointer(skb, nh, sizeof(buf.iph), &buf);
	if (!iph || iph->version != 4 || iph->ihl < 5 || iph->protocol != IPPROTO_UDP ||
	    ip_is_fragment(iph))
		return false;
	/* with options, the whole header */
	if (iph->ihl > 5)
		iph = skb_header_pointer(skb, nh, iph->ihl * 4, &buf);
	if (!iph || ip_fast_csum(iph, iph->ihl))
		return false;
	r->len = ntohs(iph->tot_len);
	if (r->len > skb->len - nh)
		return false;
	ipv6_addr_set_v4mapped(iph->saddr, &r->src);
	return pgrx_parse_udp(skb, nh + iph->ihl * 4, nh + r->len, r);
}

/*
 * An IPv6 packet: pktgen's UDP after any extension headers, not a fragment.
 * ipv6_find_hdr() walks the extension headers from the network offset with
 * skb_header_pointer(); with an offset of 0 it reads the fixed header in
 * place instead, so a fixed header outside the linear area is pulled in
 * first (never in a shared skb: that packet is left alone).
 */
static bool pgrx_parse_v6(struct sk_buff *skb, struct pgrx_rcv *r)
{
	int nh = skb_network_offset(skb), flags = 0;
	const struct ipv6hdr *ip6;
	unsigned short frag = 0;
	unsigned int off;
	struct ipv6hdr buf __pgrx_uninit;

	if (nh < 0)
		return false;
	if (skb_headlen(skb) < nh + sizeof(buf) &&
	    (skb_shared(skb) || !pskb_may_pull(skb, nh + sizeof(buf))))
		return false;
	ip6 = skb_header_pointer(skb, nh, sizeof(buf), &buf);
	if (!ip6 || ip6->version != 6)
		return false;
	r->len = sizeof(*ip6) + ntohs(ip6->payload_len);
	if (r->len > skb->len - nh)
		return false;
	r->src = ip6->saddr;
	off = nh;
	if (ipv6_find_hdr(skb, &off, IPPROTO_UDP, &frag, &flags) != IPPROTO_UDP ||
	    frag || (flags & IP6_FH_F_FRAG))
		return false;
	return pgrx_parse_udp(skb, off, nh + r->len, r);
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
	memset(st->hist_interarrival, 0, sizeof(st->hist_interarrival));
	memset(st->hist_latency, 0, sizeof(st->hist_latency));
	st->nsenders = 0;
	st->untracked = 0;
	st->future = 0;
	st->gen = gen;
}

static struct pgrx_sender *pgrx_sender(struct pgrx_cpu *st, const struct in6_addr *addr)
{
	struct pgrx_sender *s;
	unsigned int i;

	for (i = 0; i < st->nsenders; i++)
		if (ipv6_addr_equal(&st->senders[i].addr, addr))
			return &st->senders[i];
	if (st->nsenders == PGRX_SENDERS)
		return NULL;
	s = &st->senders[st->nsenders++];
	memset(s, 0, sizeof(*s));
	s->addr = *addr;
	return s;
}

/* Count one pktgen packet on this CPU. */
static void pgrx_count(struct pgrx_net *pn, const struct pgrx_rcv *r)
{
	u64 gen = READ_ONCE(pn->gen), now = 0, real = 0, sent;
	/*
	 * The writers of one CPU's counters must not interrupt each other.
	 * The receive path runs with BH disabled already, where disabling it
	 * again costs a call per packet; only a hook run with BH enabled (as
	 * after an nfqueue verdict) disables it here.
	 */
	bool bh = !softirq_count();
	int level = gen & 3;
	struct pgrx_sender *s;
	struct pgrx_cpu *st;
	s64 lat;

	if (bh)
		local_bh_disable();
	/*
	 * The clock read once, on this CPU, outside the write section that
	 * readers wait for. The wall clock is that reading plus the
	 * timekeeper's offset, as ktime_get_real_ns() computes it, without
	 * reading the clocksource again (an emulated HPET read costs
	 * microseconds).
	 */
	if (level >= PGRX_BASIC)
		now = ktime_get_ns();
	if (level >= PGRX_TIME)
		real = ktime_to_ns(ktime_mono_to_real(ns_to_ktime(now)));
	st = this_cpu_ptr(pn->stats);
	write_seqcount_begin(&st->seq);
	if (st->gen != gen)
		pgrx_cpu_clear(st, gen);
	st->packets++;
	st->bytes += ETH_HLEN + r->vlan_len + r->len;
	if (level >= PGRX_BASIC) {
		if (!st->first_ns) {
			st->first_ns = now;
		} else if (level >= PGRX_TIME) {
			/* one CPU's monotonic clock: now >= last_ns */
			pgrx_series_add(&st->interarrival, now - st->last_ns);
			st->hist_interarrival[pgrx_bucket(now - st->last_ns)]++;
		}
		st->last_ns = now;
		s = pgrx_sender(st, &r->src);
		if (s)
			pgrx_seq_add(&s->seq, r->seq);
		else
			st->untracked++;
	}
	if (level >= PGRX_TIME && (r->tv_sec || r->tv_usec)) {
		sent = (u64)r->tv_sec * NSEC_PER_SEC + (u64)r->tv_usec * NSEC_PER_USEC;
		lat = (s64)(real - sent);
		if (lat < 0) {
			/* the sender's clock is ahead of ours */
			st->future++;
		} else {
			pgrx_series_add(&st->latency, lat);
			st->hist_latency[pgrx_bucket(lat)]++;
			if (st->has_latency)
				pgrx_series_add(&st->jitter, lat > st->last_latency ?
						lat - st->last_latency :
						st->last_latency - lat);
			st->last_latency = lat;
			st->has_latency = true;
		}
	}
	write_seqcount_end(&st->seq);
	if (bh)
		local_bh_enable();
}

static unsigned int pgrx_handle(struct pgrx_net *pn, struct sk_buff *skb,
				const struct net_device *in, bool v6)
{
	struct pgrx_rcv r __pgrx_uninit;

	if (!READ_ONCE(pn->enabled) || !pgrx_dev_match(pn, in))
		return NF_ACCEPT;
	if (!(v6 ? pgrx_parse_v6(skb, &r) : pgrx_parse_v4(skb, &r)))
		return NF_ACCEPT;
	/* The frame as on the wire: its tag is still in the skb, or a VLAN device took it. */
	r.vlan_len = skb_vlan_tag_present(skb) || is_vlan_dev(in) ? VLAN_HLEN : 0;
	pgrx_count(pn, &r);
	if (!READ_ONCE(pn->drop))
		return NF_ACCEPT;
	consume_skb(skb);
	return NF_STOLEN;
}

static unsigned int pgrx_hook_prerouting(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	return pgrx_handle(priv, skb, state->in, state->pf == NFPROTO_IPV6);
}

/* Netdev ingress: before the IP stack, VLAN tag already taken off into the skb. */
static unsigned int pgrx_hook_ingress(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	if (skb->protocol == htons(ETH_P_IP))
		return pgrx_handle(priv, skb, state->in, false);
	if (skb->protocol == htons(ETH_P_IPV6))
		return pgrx_handle(priv, skb, state->in, true);
	return NF_ACCEPT;
}

static const struct nf_hook_ops pgrx_prerouting_ops[PGRX_NHOOKS] = {
	{
		.hook = pgrx_hook_prerouting,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_FIRST,
	},
	{
		.hook = pgrx_hook_prerouting,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_FIRST,
	},
};

/* An ingress hook on one device. */
struct pgrx_devhook {
	struct list_head list;
	struct nf_hook_ops ops;
};

/* Called with pn->lock held. */
static int pgrx_hook_dev(struct pgrx_net *pn, struct net_device *dev)
{
	struct pgrx_devhook *h;
	int err;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->ops.hook = pgrx_hook_ingress;
	h->ops.dev = dev;
	h->ops.priv = pn;
	h->ops.pf = NFPROTO_NETDEV;
	h->ops.hooknum = NF_NETDEV_INGRESS;
	h->ops.priority = INT_MIN;
	err = nf_register_net_hook(pn->net, &h->ops);
	if (err) {
		kfree(h);
		return err;
	}
	list_add(&h->list, &pn->devhooks);
	return 0;
}

static bool pgrx_listed(const int *ifindex, int n, int want)
{
	int i;

	for (i = 0; i < n; i++)
		if (ifindex[i] == want)
			return true;
	return false;
}

/*
 * Remove the ingress hooks on DEV, or on every device when DEV is NULL, but
 * those of the devices KEEP lists. Called with pn->lock held.
 */
static void pgrx_unhook(struct pgrx_net *pn, const struct net_device *dev, const int *keep,
			int nkeep)
{
	struct pgrx_devhook *h, *tmp;
	LIST_HEAD(gone);

	list_for_each_entry_safe(h, tmp, &pn->devhooks, list) {
		if (dev && h->ops.dev != dev)
			continue;
		if (keep && pgrx_listed(keep, nkeep, h->ops.dev->ifindex))
			continue;
		nf_unregister_net_hook(pn->net, &h->ops);
		list_move(&h->list, &gone);
	}
	if (list_empty(&gone))
		return;
	synchronize_net();
	list_for_each_entry_safe(h, tmp, &gone, list)
		kfree(h);
}

static bool pgrx_hooked(const struct pgrx_net *pn, const struct net_device *dev)
{
	const struct pgrx_devhook *h;

	list_for_each_entry(h, &pn->devhooks, list)
		if (h->ops.dev == dev)
			return true;
	return false;
}

/*
 * Ingress hooks on exactly the devices to receive on: every device of the
 * namespace when ALL, else those of IFINDEX. Called with RTNL and pn->lock.
 */
static int pgrx_rehook(struct pgrx_net *pn, bool all, const int *ifindex, int n)
{
	struct net_device *dev;
	int i, err;

	if (all) {
		for_each_netdev(pn->net, dev) {
			if (pgrx_hooked(pn, dev))
				continue;
			err = pgrx_hook_dev(pn, dev);
			if (err)
				return err;
		}
		return 0;
	}
	pgrx_unhook(pn, NULL, ifindex, n);
	for (i = 0; i < n; i++) {
		dev = __dev_get_by_index(pn->net, ifindex[i]);
		if (!dev || pgrx_hooked(pn, dev))
			continue;
		err = pgrx_hook_dev(pn, dev);
		if (err)
			return err;
	}
	return 0;
}

/* The PRE_ROUTING hooks of this namespace, on (for rx) or off. Called with pn->lock held. */
static int pgrx_prerouting(struct pgrx_net *pn, bool on)
{
	int i, err;

	if (on == pn->inet_hooked)
		return 0;
	if (!on) {
		nf_unregister_net_hooks(pn->net, pn->inet_ops, PGRX_NHOOKS);
		synchronize_net();
		pn->inet_hooked = false;
		return 0;
	}
	for (i = 0; i < PGRX_NHOOKS; i++) {
		pn->inet_ops[i] = pgrx_prerouting_ops[i];
		pn->inet_ops[i].priv = pn;
	}
	err = nf_register_net_hooks(pn->net, pn->inet_ops, PGRX_NHOOKS);
	pn->inet_hooked = !err;
	return err;
}

/* Stop receiving: counting off, then every hook of this namespace removed. */
static void pgrx_disable(struct pgrx_net *pn)
{
	WRITE_ONCE(pn->enabled, false);
	if (pgrx_ingress)
		pgrx_unhook(pn, NULL, NULL, 0);
	else
		pgrx_prerouting(pn, false);
}

/* The per-CPU statistics, allocated at the namespace's first rx. Called with pn->lock held. */
static int pgrx_alloc_stats(struct pgrx_net *pn)
{
	struct pgrx_cpu __percpu *stats;
	int cpu;

	if (pn->stats)
		return 0;
	stats = alloc_percpu(struct pgrx_cpu);
	if (!stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		seqcount_init(&per_cpu_ptr(stats, cpu)->seq);
	pn->stats = stats;
	return 0;
}

/* A new generation at the current level: every CPU starts again at its next packet. */
static void pgrx_reset(struct pgrx_net *pn)
{
	WRITE_ONCE(pn->gen, ((pn->gen >> 2) + 1) << 2 | pn->level);
}

struct pgrx_copy {
	const struct pgrx_cpu *st;
	struct pgrx_cpu *out;
};

/* Runs on the CPU that owns the counters: with BH off there, no packet can be half-counted. */
static long pgrx_copy_local(void *arg)
{
	struct pgrx_copy *c = arg;

	local_bh_disable();
	memcpy(c->out, c->st, sizeof(*c->out));
	local_bh_enable();
	return 0;
}

/*
 * FN(ARG) on CPU, with CPU hotplug held off; -ENODEV for an offline CPU.
 * work_on_cpu_safe() did this; 7.2's headers (not 6.12's) have it only
 * for kernels without SMP.
 */
static long pgrx_on_cpu(int cpu, long (*fn)(void *), void *arg)
{
	long ret = -ENODEV;

	cpus_read_lock();
	if (cpu_online(cpu))
		ret = work_on_cpu(cpu, fn, arg);
	cpus_read_unlock();
	return ret;
}

/*
 * One CPU's counters, copied consistently; false if they are from an older
 * generation. A few seqcount reads first; a CPU so busy that none of them
 * comes out whole has its counters copied on it, by a work item that runs
 * with BH disabled (the writer's own exclusion): no reader can livelock.
 */
static bool pgrx_snapshot(struct pgrx_net *pn, int cpu, struct pgrx_cpu *out)
{
	struct pgrx_copy c = { .st = per_cpu_ptr(pn->stats, cpu), .out = out };
	unsigned int start, tries;

	for (tries = 0; tries < PGRX_READ_TRIES; tries++) {
		start = raw_read_seqcount(&c.st->seq);
		if (start & 1) {
			cpu_relax();
			continue;
		}
		memcpy(out, c.st, sizeof(*out));
		if (!read_seqcount_retry(&c.st->seq, start))
			goto done;
	}
	/* An offline CPU has no writer: the copy below it is whole. */
	if (pgrx_on_cpu(cpu, pgrx_copy_local, &c))
		memcpy(out, c.st, sizeof(*out));
done:
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

/* floor(mean) and floor(variance) of M in decimal, into avg and var (PGRX_DEC_LEN each). */
static void pgrx_avg_var(const struct pgrx_moments *m, char *avg, char *var,
			 const char **a, const char **v)
{
	struct pgrx_wide w;

	pgrx_moments_avg(m, &w);
	*a = pgrx_wide_dec(avg, &w);
	pgrx_moments_var(m, &w);
	*v = pgrx_wide_dec(var, &w);
}

/* A series: average, variance, max, min, samples; human ends at "Samples: N". */
static void pgrx_show_series(struct seq_file *m, int display, const char *name,
			     const struct pgrx_moments *s, char *buf)
{
	const char *avg, *var;

	pgrx_avg_var(s, buf, buf + PGRX_DEC_LEN, &avg, &var);
	if (display == PGRX_SCRIPT) {
		seq_printf(m, " %s %s %llu %llu %llu", avg, var, s->max, s->min, s->n);
		return;
	}
	seq_printf(m, "\t%s\n\tAverage: %s ns Variance %s ns2\n", name, avg, var);
	seq_printf(m, "\tMax: %llu ns Min:: %llu ns\n\tSamples: %llu", s->max, s->min, s->n);
}

static void pgrx_show_cpu_series(struct seq_file *m, int display, const struct pgrx_cpu *st,
				 char *buf)
{
	struct pgrx_moments mo;

	pgrx_moments_init(&mo);
	pgrx_moments_add(&mo, &st->interarrival);
	pgrx_show_series(m, display, "Inter-arrival", &mo, buf);
	if (display == PGRX_HUMAN)
		seq_putc(m, '\n');
	pgrx_moments_init(&mo);
	pgrx_moments_add(&mo, &st->jitter);
	pgrx_show_series(m, display, "Jitter", &mo, buf);
	if (display == PGRX_HUMAN)
		seq_putc(m, '\n');
	pgrx_moments_init(&mo);
	pgrx_moments_add(&mo, &st->latency);
	pgrx_show_series(m, display, "Latency", &mo, buf);
	seq_printf(m, display == PGRX_HUMAN ? " Future: %llu\n" : " %llu", st->future);
}

/* Percentiles of the summed histograms: appended to the G line, or a human line. */
static void pgrx_show_percentiles(struct seq_file *m, int display, const char *name,
				  const u64 *hist)
{
	unsigned int i;

	if (display == PGRX_HUMAN)
		seq_printf(m, "\t%s percentiles:", name);
	for (i = 0; i < ARRAY_SIZE(pgrx_pct); i++) {
		if (display == PGRX_HUMAN)
			seq_printf(m, " %s %llu ns", pgrx_pct_names[i],
				   pgrx_percentile(hist, pgrx_pct[i]));
		else
			seq_printf(m, " %llu", pgrx_percentile(hist, pgrx_pct[i]));
	}
}

/* One sender over all CPUs. */
struct pgrx_sender_total {
	struct in6_addr addr;
	struct pgrx_seq_total seq;
};

struct pgrx_totals {
	u64 hist_interarrival[PGRX_BUCKETS];
	u64 hist_latency[PGRX_BUCKETS];
	struct pgrx_moments interarrival;
	struct pgrx_moments jitter;
	struct pgrx_moments latency;
	u64 future;
	unsigned int nsenders;
	u64 untracked;
	struct pgrx_sender_total senders[PGRX_MERGED];
	char buf[2 * PGRX_DEC_LEN];
};

static void pgrx_merge_senders(struct pgrx_totals *tot, const struct pgrx_cpu *st)
{
	const struct pgrx_sender *s;
	struct pgrx_sender_total *t;
	unsigned int i, j;

	tot->untracked += st->untracked;
	for (i = 0; i < st->nsenders; i++) {
		s = &st->senders[i];
		for (j = 0; j < tot->nsenders; j++)
			if (ipv6_addr_equal(&tot->senders[j].addr, &s->addr))
				break;
		if (j == PGRX_MERGED) {
			tot->untracked += s->seq.unique + s->seq.dups;
			continue;
		}
		t = &tot->senders[j];
		if (j == tot->nsenders) {
			tot->nsenders++;
			t->addr = s->addr;
		}
		pgrx_seq_merge(&t->seq, &s->seq, !t->seq.unique && !t->seq.dups);
	}
}

/* Per sender: received, lost, reordered, duplicated, first and last sequence number. */
static void pgrx_show_senders(struct seq_file *m, int display, const struct pgrx_totals *tot)
{
	const struct pgrx_sender_total *t;
	unsigned int i;

	if (display == PGRX_HUMAN && tot->nsenders)
		seq_puts(m, "\nSequence analysis per sender\n");
	for (i = 0; i < tot->nsenders; i++) {
		t = &tot->senders[i];
		seq_puts(m, display == PGRX_HUMAN ? "\t" : "S ");
		if (ipv6_addr_v4mapped(&t->addr))
			seq_printf(m, "%pI4", &t->addr.s6_addr32[3]);
		else
			seq_printf(m, "%pI6c", &t->addr);
		if (display == PGRX_HUMAN)
			seq_putc(m, ':');
		seq_printf(m, display == PGRX_HUMAN ?
			   " Received %llu Lost %lld Reordered %llu Duplicated %llu Seq %u-%u\n" :
			   " %llu %lld %llu %llu %u %u\n",
			   t->seq.unique + t->seq.dups, pgrx_seq_lost(&t->seq), t->seq.reordered,
			   t->seq.dups, (u32)(t->seq.base + t->seq.lo),
			   (u32)(t->seq.base + t->seq.hi));
	}
	if (!tot->untracked)
		return;
	seq_printf(m, display == PGRX_HUMAN ?
		   "\tUntracked: %llu packets (senders beyond %d per CPU or %d in all)\n" :
		   "U %llu\n", tot->untracked, PGRX_SENDERS, PGRX_MERGED);
}

/* The settings in one line, so that a reader can tell what a command would change. */
static void pgrx_show_config(struct seq_file *m, const struct pgrx_net *pn)
{
	const struct net_device *dev;
	int i;

	seq_printf(m, "Config: enabled %s rx ", pn->enabled ? "yes" : "no");
	if (pn->all_devs)
		seq_puts(m, "all");
	else if (!pn->ndevs)
		seq_puts(m, "none");
	rcu_read_lock();
	for (i = 0; !pn->all_devs && i < pn->ndevs; i++) {
		if (i)
			seq_putc(m, ',');
		dev = dev_get_by_index_rcu(pn->net, pn->ifindex[i]);
		if (dev)
			seq_puts(m, dev->name);
		else
			seq_printf(m, "ifindex:%d", pn->ifindex[i]);
	}
	rcu_read_unlock();
	seq_printf(m, " statistics %s display %s drop %s hook %s\n",
		   pgrx_level_names[pn->level], pgrx_display_names[pn->display],
		   pn->drop ? "on" : "off", pgrx_ingress ? "ingress" : "prerouting");
}

static int pgrx_show(struct seq_file *m, void *v)
{
	struct pgrx_net *pn = m->private;
	u64 packets = 0, bytes = 0, first = U64_MAX, last = 0;
	struct pgrx_totals *tot;
	struct pgrx_cpu *st;
	struct pgrx_rate r;
	int cpu, level, display, b;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	tot = kzalloc(sizeof(*tot), GFP_KERNEL);
	if (!st || !tot) {
		kfree(st);
		kfree(tot);
		return -ENOMEM;
	}
	pgrx_moments_init(&tot->interarrival);
	pgrx_moments_init(&tot->jitter);
	pgrx_moments_init(&tot->latency);
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
		for (b = 0; b < PGRX_BUCKETS; b++) {
			tot->hist_interarrival[b] += st->hist_interarrival[b];
			tot->hist_latency[b] += st->hist_latency[b];
		}
		pgrx_moments_add(&tot->interarrival, &st->interarrival);
		pgrx_moments_add(&tot->jitter, &st->jitter);
		pgrx_moments_add(&tot->latency, &st->latency);
		tot->future += st->future;
		pgrx_merge_senders(tot, st);
		pgrx_rate(st->packets, st->bytes, st->first_ns, st->last_ns, &r);
		if (display == PGRX_SCRIPT) {
			seq_printf(m, "%d %llu %llu %llu %llu %llu %llu", cpu, st->packets,
				   st->bytes, r.work_us, r.pps, r.mbps, r.bps);
			if (level >= PGRX_TIME)
				pgrx_show_cpu_series(m, display, st, tot->buf);
			seq_putc(m, '\n');
			continue;
		}
		seq_printf(m, "CPU %d:\tRx packets: %llu\t Rx bytes: %llu\n", cpu,
			   st->packets, st->bytes);
		if (level >= PGRX_BASIC)
			seq_printf(m, "\tWork time %llu us\n\tRate:  %llupps %lluMb/sec (%llubps)\n",
				   r.work_us, r.pps, r.mbps, r.bps);
		if (level >= PGRX_TIME)
			pgrx_show_cpu_series(m, display, st, tot->buf);
	}
	pgrx_rate(packets, bytes, first == U64_MAX ? 0 : first, last, &r);
	if (display == PGRX_SCRIPT) {
		seq_printf(m, "G %llu %llu %llu %llu %llu %llu", packets, bytes,
			   r.work_us, r.pps, r.mbps, r.bps);
	} else {
		seq_printf(m, "\nGlobal Statistics\nPackets Rx: %llu\t Bytes Rx: %llu\n",
			   packets, bytes);
		if (level >= PGRX_BASIC)
			seq_printf(m, "\tWork time %llu us\n\tRate:  %llupps %lluMb/sec (%llubps)\n",
				   r.work_us, r.pps, r.mbps, r.bps);
	}
	if (level >= PGRX_TIME && display == PGRX_HUMAN) {
		pgrx_show_percentiles(m, display, "Inter-arrival", tot->hist_interarrival);
		seq_putc(m, '\n');
		pgrx_show_percentiles(m, display, "Latency", tot->hist_latency);
		seq_printf(m, " Future: %llu\n", tot->future);
	} else if (level >= PGRX_TIME) {
		/* percentiles, then (appended) future and the series over all CPUs */
		pgrx_show_percentiles(m, display, "Inter-arrival", tot->hist_interarrival);
		pgrx_show_percentiles(m, display, "Latency", tot->hist_latency);
		seq_printf(m, " %llu", tot->future);
		pgrx_show_series(m, display, "Inter-arrival", &tot->interarrival, tot->buf);
		pgrx_show_series(m, display, "Jitter", &tot->jitter, tot->buf);
		pgrx_show_series(m, display, "Latency", &tot->latency, tot->buf);
	}
	if (display == PGRX_SCRIPT)
		seq_putc(m, '\n');
	if (level >= PGRX_BASIC)
		pgrx_show_senders(m, display, tot);
result:
	pgrx_show_config(m, pn);
	seq_printf(m, "Result: %s\n", pn->result);
	mutex_unlock(&pn->lock);
	kfree(tot);
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

/*
 * Set receiving devices from "rx" arguments and put the hooks on them (and
 * only them), before the measurement starts; returns an error message or
 * NULL. Called with RTNL and pn->lock held.
 */
static const char *pgrx_cmd_rx(struct pgrx_net *pn, char **args, int nargs)
{
	int ifindex[PGRX_MAX_DEVS];
	struct net_device *dev;
	bool all;
	int i;

	if (nargs < 1)
		return "rx needs a device name, several, or all";
	if (nargs > PGRX_MAX_DEVS)
		return "rx takes at most 8 devices";
	all = nargs == 1 && !strcmp(args[0], "all");
	for (i = 0; !all && i < nargs; i++) {
		dev = __dev_get_by_name(pn->net, args[i]);
		if (!dev)
			return "no such device in this network namespace";
		ifindex[i] = dev->ifindex;
	}
	if (pgrx_alloc_stats(pn))
		return "out of memory for the statistics";
	if (pgrx_ingress ? pgrx_rehook(pn, all, ifindex, all ? 0 : nargs) :
	    pgrx_prerouting(pn, true)) {
		pgrx_disable(pn);
		return "could not register the receiver's hooks";
	}
	if (!all) {
		WRITE_ONCE(pn->ndevs, 0);
		for (i = 0; i < nargs; i++)
			WRITE_ONCE(pn->ifindex[i], ifindex[i]);
		WRITE_ONCE(pn->ndevs, nargs);
	}
	WRITE_ONCE(pn->all_devs, all);
	return NULL;
}

/* Run one command; returns an error message or NULL. Called with RTNL and pn->lock held. */
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
		WRITE_ONCE(pn->enabled, true);
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
	/* RTNL first, as in the netdev notifier: rx looks devices up and hooks them. */
	rtnl_lock();
	mutex_lock(&pn->lock);
	err = pgrx_command(pn, line);
	if (err)
		snprintf(pn->result, sizeof(pn->result), "ERROR: %s", err);
	else
		snprintf(pn->result, sizeof(pn->result), "OK: %s", shown);
	mutex_unlock(&pn->lock);
	rtnl_unlock();
	return err ? -EINVAL : count;
}

static const struct pgrx_proc_ops pgrx_fops = PGRX_PROC_OPS(pgrx_open, pgrx_write);

/*
 * A new namespace gets its control file and nothing else: statistics and
 * hooks come with its first rx. Never fails the namespace's creation.
 */
static int __net_init pgrx_net_init(struct net *net)
{
	struct pgrx_net *pn = net_generic(net, pgrx_net_id);

	pn->net = net;
	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->devhooks);
	pn->level = PGRX_BASIC;
	pn->display = PGRX_HUMAN;
	pn->drop = true;
	pn->gen = 1 << 2 | PGRX_BASIC;
	strscpy(pn->result, "OK: ready", sizeof(pn->result));
	pn->dir = proc_mkdir("pktgen_rx", net->proc_net);
	if (pn->dir && !proc_create_data("pgrx", 0600, pn->dir, &pgrx_fops, pn)) {
		proc_remove(pn->dir);
		pn->dir = NULL;
	}
	if (!pn->dir)
		pr_warn_ratelimited("no memory for a control file: this namespace has no receiver\n");
	return 0;
}

/* Devices have gone by now (each unhooked by the notifier); the rest goes here. */
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

/*
 * Ingress hooks live on devices: a device loses its hook when it goes away
 * or leaves the namespace, and one that appears in a namespace receiving on
 * all devices (rx all) gets one. Unregistering the notifier replays
 * NETDEV_UNREGISTER for every device, which removes every ingress hook
 * before the module goes. Runs with RTNL held.
 */
static int pgrx_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct pgrx_net *pn;

	if (!pgrx_ingress || (event != NETDEV_REGISTER && event != NETDEV_UNREGISTER))
		return NOTIFY_DONE;
	pn = net_generic(dev_net(dev), pgrx_net_id);
	mutex_lock(&pn->lock);
	if (event == NETDEV_UNREGISTER)
		pgrx_unhook(pn, dev, NULL, 0);
	else if (pn->enabled && pn->all_devs && pgrx_hook_dev(pn, dev))
		pr_warn("could not hook device %s: not counting on it\n", dev->name);
	mutex_unlock(&pn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block pgrx_netdev_notifier = {
	.notifier_call = pgrx_netdev_event,
};

static int __init pgrx_init(void)
{
	int err;

	if (!strcmp(hook, "ingress")) {
		pgrx_ingress = true;
	} else if (strcmp(hook, "prerouting")) {
		pr_err("hook=%s: use hook=ingress or hook=prerouting\n", hook);
		return -EINVAL;
	}
	err = register_pernet_subsys(&pgrx_net_ops);
	if (err)
		return err;
	err = register_netdevice_notifier(&pgrx_netdev_notifier);
	if (err)
		unregister_pernet_subsys(&pgrx_net_ops);
	return err;
}

static void __exit pgrx_exit(void)
{
	unregister_netdevice_notifier(&pgrx_netdev_notifier);
	unregister_pernet_subsys(&pgrx_net_ops);
}

module_init(pgrx_init);
module_exit(pgrx_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Receiver for the kernel's pktgen: counts and times pktgen packets");
MODULE_VERSION(PGRX_VERSION);
