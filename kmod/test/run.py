# Copyright: netlab.pktgen contributors
# GNU General Public License v2.0 (see LICENSES/GPL-2.0-only.txt)
"""pgrx_stats.h against exact references computed here, in Python integers.

usage: run.py STATS_TEST HOT_OBJECT [SAMPLES_DIR]

For each distribution: 10^6 samples (ns), spread over simulated CPUs, fed
through the header by STATS_TEST (stats_test.c). Checked, per CPU and over
all CPUs: n, min, max; avg == floor(exact mean) and var == floor(exact
population variance), exactly; the percentiles (nearest rank) within the
documented bucket error of the exact order statistic. Then the sequence
window against a set-based model. Samples go to SAMPLES_DIR when given
(kept, to replay other arithmetic on them), else to a temporary directory.
HOT_OBJECT (hot.c compiled -O2) holds the packet-path functions alone: its
disassembly must have no division instruction. Only the standard library
and binutils' objdump; nothing here reuses the header's code.
"""

import math
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

CAP = (1 << 42) - 1  # samples above it count as the cap
N = 10**6
PER_MILLE = (500, 900, 990, 999)


def gauss(mean, sigma):
    def draw(rng, n):
        return [max(0, round(rng.gauss(mean, sigma))) for _draw in range(n)]

    return draw


def exponential(mean):
    def draw(rng, n):
        return [round(rng.expovariate(1 / mean)) for _draw in range(n)]

    return draw


def bimodal(rng, n):
    return [
        max(0, round(rng.gauss(1000, 50) if rng.random() < 0.5 else rng.gauss(100_000, 500)))
        for _draw in range(n)
    ]


def constant(rng, n):
    return [1234] * n


def outliers(rng, n):
    values = [max(0, round(rng.gauss(1000, 30))) for _draw in range(n)]
    for index, value in zip(rng.sample(range(n), 5), (CAP, CAP, CAP + 1, 1 << 50, (1 << 64) - 1)):
        values[index] = value
    values[rng.randrange(n)] = 0
    return values


def uniform_to_cap(rng, n):
    return [rng.randrange(CAP + 1) for _draw in range(n)]


DISTRIBUTIONS = {
    "gauss-1us-sigma1ns": gauss(1000, 1),
    "gauss-1us-sigma10ns": gauss(1000, 10),
    "gauss-1us-sigma100ns": gauss(1000, 100),
    "gauss-1ms-sigma10us": gauss(10**6, 10**4),
    "gauss-100ms-sigma10ms": gauss(10**8, 10**7),
    "exponential-1us": exponential(1000),
    "bimodal-1us-100us": bimodal,
    "constant": constant,
    "outliers-at-cap": outliers,
    "uniform-0-to-cap": uniform_to_cap,
}


def exact(values):
    """n, min, max, floor(mean), floor(population variance), in integers."""
    n = len(values)
    s1 = sum(values)
    s2 = sum(v * v for v in values)
    return dict(n=n, min=min(values), max=max(values), avg=s1 // n, var=(n * s2 - s1 * s1) // (n * n))


def bucket_error(v):
    """The documented bound: exact below 32 ns, else 2^(msb - 5) (at most v / 32)."""
    return 0 if v < 32 else 1 << (v.bit_length() - 1 - 5)


def parse(line):
    words = line.split()
    key = " ".join(words[:2]) if words[0] == "cpu" else words[0]
    rest = words[2:] if words[0] == "cpu" else words[1:]
    return key, {rest[i]: int(rest[i + 1]) for i in range(0, len(rest), 2)}


def check_series(binary, workdir, name, draw, *, rng, failures):
    values = draw(rng, N)
    ncpus = rng.choice((2, 3, 4, 8))
    # CPUs take runs of random length, as RSS would hand out flows
    cpus = bytearray()
    while len(cpus) < N:
        cpus += bytes([rng.randrange(ncpus)]) * rng.randrange(1, 5000)
    cpus = cpus[:N]
    path = os.path.join(workdir, name + ".bin")
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", N))
        out.write(struct.pack("<%dQ" % N, *values))
        out.write(bytes(cpus))
    got = dict(
        parse(line) for line in subprocess.check_output([binary, "series", path], text=True).splitlines()
    )
    capped = [min(v, CAP) for v in values]
    per_cpu = {}
    for value, cpu in zip(capped, cpus):
        per_cpu.setdefault(cpu, []).append(value)
    want = {"cpu %d" % cpu: exact(vals) for cpu, vals in per_cpu.items()}
    want["all"] = exact(capped)
    for key, ref in want.items():
        for field, value in ref.items():
            have = got.get(key, {}).get(field)
            if have != value:
                failures.append("%s %s %s: got %s, exact %d" % (name, key, field, have, value))
    ordered = sorted(capped)
    worst = 0.0
    for per_mille in PER_MILLE:
        rank = (N * per_mille + 999) // 1000
        value = ordered[rank - 1]
        reported = got["all"]["p%d" % per_mille]
        if abs(reported - value) > bucket_error(value):
            failures.append("%s p%d: got %d, exact %d" % (name, per_mille, reported, value))
        if value:
            worst = max(worst, abs(reported - value) / value)
    ref = want["all"]
    print(
        "%-24s %d CPUs  avg %d  var %d (sigma %.4g ns)  worst percentile error %.2f %%"
        % (name, ncpus, ref["avg"], ref["var"], math.sqrt(ref["var"]), 100 * worst)
    )


def seq_model(records):
    """Per sender: what a per-CPU 256-position window makes of the records, merged over CPUs."""
    cpus = {}
    for cpu, sender, absolute in records:
        st = cpus.setdefault((cpu, sender), dict(first=absolute, hi=absolute, lo=absolute, seen={absolute}))
        if st.get("unique") is None:
            st.update(unique=1, dups=0, reordered=0)
            continue
        if absolute > st["hi"]:
            st["hi"] = absolute
            st["unique"] += 1
            st["seen"].add(absolute)
        elif st["hi"] - absolute < 256 and absolute in st["seen"]:
            st["dups"] += 1
        else:
            st["unique"] += 1
            st["reordered"] += 1
            st["seen"].add(absolute)
            st["lo"] = min(st["lo"], absolute)
    out = {}
    for (_cpu, sender), st in cpus.items():
        tot = out.setdefault(sender, dict(unique=0, dups=0, reordered=0, lo=st["lo"], hi=st["hi"]))
        for key in ("unique", "dups", "reordered"):
            tot[key] += st[key]
        tot["lo"], tot["hi"] = min(tot["lo"], st["lo"]), max(tot["hi"], st["hi"])
    return {
        sender: dict(
            received=t["unique"] + t["dups"],
            lost=max(0, t["hi"] - t["lo"] + 1 - t["unique"]),
            reordered=t["reordered"],
            duplicated=t["dups"],
            first=t["lo"] % (1 << 32),
            last=t["hi"] % (1 << 32),
        )
        for sender, t in out.items()
    }


def check_seq(binary, workdir, rng, failures):
    records = []
    for sender in range(6):
        start = rng.choice((0, 1000, (1 << 32) - 3000))  # one wraps past 2^32
        stream = list(range(start, start + 100_000))
        for _step in range(2000):  # losses
            stream.pop(rng.randrange(len(stream)))
        for _step in range(60):  # bursts: the window skips over part of a word, words, all of it
            index = rng.randrange(len(stream))
            del stream[index : index + rng.choice((3, 63, 64, 65, 130, 255, 256, 257, 600))]
        for _step in range(2000):  # duplicates, near and far
            index = rng.randrange(len(stream))
            stream.insert(min(len(stream), index + rng.choice((1, 5, 100, 300, 5000))), stream[index])
        for _step in range(2000):  # late packets, within and beyond the window
            index = rng.randrange(len(stream))
            late = index + rng.choice((2, 50, 255, 256, 257, 3000))
            stream.insert(min(len(stream), late), stream.pop(index))
        ncpus = 1 if sender < 2 else rng.choice((2, 4))
        for absolute in stream:
            records.append((rng.randrange(ncpus), sender, absolute))
    # A jump of 300 positions from 99 to 399, then 355 late: 355 shares 99's place in the ring
    # (mod 256), which the jump must have cleared, or 355 counts as a duplicate.
    for absolute in list(range(100)) + list(range(399, 420)) + [355] + list(range(420, 500)):
        records.append((0, 6, absolute))
    path = os.path.join(workdir, "seq.bin")
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(records)))
        for cpu, sender, absolute in records:
            out.write(struct.pack("<BBI", cpu, sender, absolute % (1 << 32)))
    got = {}
    for line in subprocess.check_output([binary, "seq", path], text=True).splitlines():
        words = line.split()
        got[int(words[1])] = {words[i]: int(words[i + 1]) for i in range(2, len(words), 2)}
    want = seq_model(records)
    if got != want:
        failures.append("sequence analysis: got %r, model %r" % (got, want))
    for sender, ref in sorted(want.items()):
        print("sequence sender %d: %s" % (sender, " ".join("%s %d" % kv for kv in ref.items())))


def check_no_division(hot, failures):
    """No div/idiv (nor a libgcc division call) in the packet-path functions."""
    listing = subprocess.check_output(["objdump", "-dr", "--no-show-raw-insn", hot], text=True)
    functions = re.findall(r"^[0-9a-f]+ <(hot_\w+)>:", listing, re.M)
    found = re.findall(r"\si?div[bwlq]?\s|__u?(?:div|mod)[td]i3", listing)
    print("packet path: %s; division instructions: %d" % (", ".join(functions), len(found)))
    if len(functions) != 3 or found:
        failures.append("packet-path functions %r, divisions %r" % (functions, found))


def main():
    binary = os.path.abspath(sys.argv[1])
    keep = sys.argv[3] if len(sys.argv) > 3 else None
    rng = random.Random(20261202)
    failures = []
    check_no_division(sys.argv[2], failures)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = keep or tmp
        os.makedirs(workdir, exist_ok=True)
        for name, draw in DISTRIBUTIONS.items():
            check_series(binary, workdir, name, draw, rng=rng, failures=failures)
        check_seq(binary, workdir, rng, failures)
    for failure in failures:
        print("FAIL", failure)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
