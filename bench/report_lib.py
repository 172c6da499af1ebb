# SPDX-License-Identifier: GPL-2.0
"""bench/report.py's reading and arithmetic: the logs of a `make bench`
run (a directory, or the tar.xz that make bench-publish commits), the
SGF-BENCH lines, intervals over rounds and over boots, the tree's hashes."""
import hashlib
import math
import os
import random
import re
import statistics
import subprocess
import tarfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tree_hash(top=TOP):
    """sha256 over the files of kernel/patches and kernel/sgfilter (git's
    list of them, their contents in the work tree): what decides the
    figures of the patched kernel, the module and the stock backend."""
    out = {}
    for key, path in (("patches", "kernel/patches"), ("module", "kernel/sgfilter")):
        files = subprocess.run(["git", "-C", top, "ls-files", path], capture_output=True,
                               text=True, check=True).stdout.split()
        h = hashlib.sha256()
        for f in sorted(files):
            with open(os.path.join(top, f), "rb") as fh:
                h.update(f"{f} {hashlib.sha256(fh.read()).hexdigest()}\n".encode())
        out[key] = h.hexdigest()[:16]
    return out


def read_logs(src):
    """{name: text} of the files of a logs directory or tar.xz."""
    files = {}
    if os.path.isdir(src):
        for name in sorted(os.listdir(src)):
            with open(os.path.join(src, name), errors="replace") as f:
                files[name] = f.read()
    else:
        with tarfile.open(src) as t:
            for m in t.getmembers():
                if m.isfile():
                    files[os.path.basename(m.name)] = \
                        t.extractfile(m).read().decode(errors="replace")
    return files


def parse(text):
    """SGF-BENCH lines as (bench, {key: value}) pairs."""
    out = []
    for line in text.splitlines():
        line = line.rstrip("\r")
        if not line.startswith("SGF-BENCH "):
            continue
        words = line.split()
        kv = dict(w.split("=", 1) for w in words[2:] if "=" in w)
        out.append((words[1], kv))
    return out


def meta(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def boots(files, kernel):
    """The parsed logs of KERNEL's boots, in pass order: [(pass, data)]"""
    got = []
    for name, text in files.items():
        m = re.fullmatch(re.escape(kernel) + r"-(\d+)\.log", name)
        if m:
            got.append((int(m.group(1)), parse(text)))
    return sorted(got, key=lambda x: x[0])


def runs(data, bench, field="ns", **match):
    """{round: value} of the runs of bench whose fields match."""
    got = {}
    for b, kv in data:
        if b == bench and all(kv.get(k) == v for k, v in match.items()):
            got[int(kv["round"])] = float(kv[field])
    return got


def med(d):
    return statistics.median(d.values()) if d else float("nan")


def round_ratios(num, den):
    return [num[r] / den[r] for r in sorted(num) if r in den and den[r]]


def median_ci(xs, level=0.95, resamples=2000):
    """The median of xs and a bootstrap confidence interval of it."""
    rng = random.Random(1)  # the same report from the same figures
    meds = sorted(statistics.median(rng.choices(xs, k=len(xs))) for _ in range(resamples))
    cut = int(resamples * (1 - level) / 2)
    return statistics.median(xs), meds[cut], meds[-cut - 1]


def ratio(num, den):
    """Per-round ratios num/den of one boot, over the rounds both have:
    (median, CI low, CI high, smallest, largest, n), the CI a bootstrap
    over rounds."""
    rs = round_ratios(num, den)
    if not rs:
        return None
    return (*median_ci(rs), min(rs), max(rs), len(rs))


# Student's t, 97.5th percentile, by degrees of freedom
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086]


def across(xs):
    """One estimate per boot (or per pass) of a ratio: their geometric
    mean and its 95% t interval, computed on the logarithms (ratios
    multiply), as (mean, low, high, smallest, largest, n). One estimate:
    no interval (low and high are NaN)."""
    xs = [x for x in xs if x and x > 0 and x == x]
    if not xs:
        return None
    logs = [math.log(x) for x in xs]
    m = statistics.fmean(logs)
    if len(xs) < 2:
        return (math.exp(m), float("nan"), float("nan"), xs[0], xs[0], 1)
    half = T975[min(len(xs) - 2, len(T975) - 1)] * statistics.stdev(logs) / math.sqrt(len(xs))
    return (math.exp(m), math.exp(m - half), math.exp(m + half), min(xs), max(xs), len(xs))


def fmt_pct(x):
    return f"{(x - 1) * 100:+.2f}%"


def fmt_ratio(r, pct=False):
    """A ratio: 1.050 (its 95% interval; the smallest-the largest), or
    with PCT: +5.00% (interval); r as across() or ratio() give it."""
    if r is None:
        return "n/a"
    f = fmt_pct if pct else "{:.3f}".format
    if r[1] != r[1]:
        return f"{f(r[0])} (one {'pass' if pct else 'boot'}: no interval)"
    if pct:
        return f"{f(r[0])} ({f(r[1])} to {f(r[2])})"
    return f"{f(r[0])} ({f(r[1])}-{f(r[2])}; {r[3]:.2f}-{r[4]:.2f})"


def verdict_at_least(r, goal):
    """A ratio that must be at least GOAL, on its interval's bounds: met if
    the lower bound is, missed if the upper bound is not, undecided if the
    interval straddles the goal or there is no interval."""
    if r is None or r[1] != r[1]:
        return "undecided"
    return "met" if r[1] >= goal else "missed" if r[2] < goal else "undecided"


def verdict_cost(r, limit=1.01):
    """A cost ratio (time; 1 = mainline's) against 'at most 1% slower':
    the same on the reciprocal (its interval, bounds swapped)."""
    return verdict_at_least(r and (1 / r[0], 1 / r[2], 1 / r[1]), 1 / limit)


def sizes(label, obj):
    """SGF-BENCH size and symbol lines for vmlinux of OBJ: text, data, bss,
    and the scsi_sgio symbols' sizes and sections (the report reads them
    from the logs, so that it needs no kernel tree)."""
    vmlinux = os.path.join(obj, "vmlinux")
    if not os.path.exists(vmlinux):
        return []
    line = subprocess.run(["size", vmlinux], capture_output=True, text=True,
                          check=True).stdout.splitlines()[1].split()
    out = [f"SGF-BENCH size kernel={label} text={line[0]} data={line[1]} bss={line[2]}"]
    dump = subprocess.run(["objdump", "-t", vmlinux], capture_output=True, text=True,
                          check=True).stdout
    for ln in dump.splitlines():
        # address, flags, section, size, name
        m = re.match(r"^[0-9a-f]+ .{7} (\S+)\s+([0-9a-f]+) (scsi_sgio\w*)$", ln)
        if m:
            out.append(f"SGF-BENCH symbol kernel={label} name={m.group(3)} "
                       f"size={int(m.group(2), 16)} section={m.group(1)}")
    return out
