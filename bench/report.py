#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark VM runs into bench/results.md and bench/results.png.

  report.py PATCHED-RESULTS MAINLINE-RESULTS DECIDE-RESULTS PATCHED-OBJ MAINLINE-OBJ OUTDIR [STOCK-RESULTS]

The results files are the second serial port logs of the two boots (the
SGF-BENCH lines of bench/bench-suites.sh) and the output of bench/decide.c (run
natively on the host); the object trees give the sizes of
vmlinux and of the table symbols. STOCK-RESULTS, if given, is the log of a
third boot, Debian's own kernel with and without sgfilter.ko's stock backend
(suite bench_stock); without it the report has no stock backend section.
Every timing figure is a ratio of runs
made side by side in one boot, in alternating rounds: the median of the
per-round ratios, with the smallest and largest round.
"""
import os
import random
import re
import statistics
import subprocess
import sys


def parse(path):
    """SGF-BENCH lines as (bench, {key: value}) pairs."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.startswith("SGF-BENCH "):
                continue
            words = line.split()
            kv = dict(w.split("=", 1) for w in words[2:] if "=" in w)
            out.append((words[1], kv))
    return out


def runs(data, bench, **match):
    """{round: ns} of the runs of bench whose fields match."""
    got = {}
    for b, kv in data:
        if b == bench and all(kv.get(k) == v for k, v in match.items()):
            got[int(kv["round"])] = float(kv["ns"])
    return got


def median_ci(xs, level=0.95, resamples=2000):
    """The median of xs and a bootstrap confidence interval of it."""
    rng = random.Random(1)  # the same report from the same figures
    meds = sorted(statistics.median(rng.choices(xs, k=len(xs))) for _ in range(resamples))
    cut = int(resamples * (1 - level) / 2)
    return statistics.median(xs), meds[cut], meds[-cut - 1]


def ratio(num, den):
    """Per-round ratios num/den over the rounds both have:
    (median, CI low, CI high, smallest, largest, n)."""
    rs = [num[r] / den[r] for r in sorted(num) if r in den and den[r]]
    if not rs:
        return None
    return (*median_ci(rs), min(rs), max(rs), len(rs))


def med(d):
    return statistics.median(d.values()) if d else float("nan")


def fmt_ratio(r):
    if r is None:
        return "n/a"
    return f"{r[0]:.3f} ({r[1]:.3f}-{r[2]:.3f}; {r[3]:.2f}-{r[4]:.2f})"


def fmt_pct(x):
    return f"{(x - 1) * 100:+.2f}%"


def sizes(obj):
    """text, data, bss of vmlinux, and the sizes of the scsi_sgio symbols."""
    vmlinux = os.path.join(obj, "vmlinux")
    if not os.path.exists(vmlinux):
        return None
    line = subprocess.run(["size", vmlinux], capture_output=True, text=True,
                          check=True).stdout.splitlines()[1].split()
    text, data, bss = (int(x) for x in line[:3])
    syms = {}
    dump = subprocess.run(["objdump", "-t", vmlinux], capture_output=True, text=True,
                          check=True).stdout
    for ln in dump.splitlines():
        # address, flags, section, size, name
        m = re.match(r"^[0-9a-f]+ .{7} (\S+)\s+([0-9a-f]+) (scsi_sgio\w*)$", ln)
        if m:
            syms[m.group(3)] = (int(m.group(2), 16), m.group(1))
    return text, data, bss, syms


def stock_section(s, md, chart):
    """The stock backend (bench_stock, a boot of Debian's own kernel): the
    module against the kernel as shipped, per round in that boot."""
    release = next((kv["release"] for b, kv in s if b == "stockkernel"), "?")
    rounds = max((int(kv["round"]) for b, kv in s if "round" in kv), default=0)
    md.append("### The stock backend: sgfilter.ko on Debian's own kernel\n")
    md.append(f"A third boot: Debian's own kernel `{release}`, unmodified "
              "(`tests/vm/stock-run.sh`), the same reader, commands and disk, "
              f"{rounds} alternating rounds. Configurations: `stock` (the kernel as Debian "
              "ships it, no module: mainline's decision), `module` (sgfilter.ko loaded: the "
              "stock backend's kretprobes record the device, its kprobe on "
              "`scsi_cmd_allowed()` decides), `root` (no module). `module` against `stock` "
              "in the same boot is the stock backend's cost against mainline's decision.\n")
    md.append("| command | configuration | median ns | min ns | vs stock (mainline's decision), per round | vs root, per round |")
    md.append("|---|---|---|---|---|---|")
    cost = []
    for op in ("read10", "tur"):
        base = runs(s, "stock", config="stock", op=op)
        root = runs(s, "stock", config="root", op=op)
        for cfg in ("stock", "module", "root"):
            r = runs(s, "stock", config=cfg, op=op)
            if not r:
                continue
            vs = ratio(r, base) if cfg != "stock" else None
            vr = ratio(r, root) if cfg != "root" else None
            md.append(f"| {op} | {cfg} | {med(r):.0f} | {min(r.values()):.0f} | "
                      f"{fmt_ratio(vs) if vs else '1'} | {fmt_ratio(vr) if vr else '1'} |")
            if cfg == "module" and vs:
                chart.append((f"{op} stock backend/mainline", *vs[:3], 1))
                cost.append(f"{op} {fmt_pct(vs[0])} ({fmt_pct(vs[1])} to {fmt_pct(vs[2])})")
    md.append("")
    if cost:
        md.append("The stock backend against mainline's decision, the same boot, median of "
                  "the per-round ratios (95% interval): " + "; ".join(cost) + ".\n")
    mod = next((kv for b, kv in s if b == "stockmodule"), None)
    if mod and mod.get("coresize"):
        md.append(f"sgfilter.ko built for `{release}`: {mod['coresize']} bytes of module core "
                  "(`/sys/module/sgfilter/coresize`).\n")


def main():
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    pres, mres, dres, pobj, mobj, outdir = sys.argv[1:7]
    p, m, nat = parse(pres), parse(mres), parse(dres)
    stock = parse(sys.argv[7]) if len(sys.argv) == 8 else None
    md = []
    chart = []  # (label, median, CI low, CI high, panel)

    rounds = max((int(kv["round"]) for b, kv in p + m if "round" in kv), default=0)
    md.append("# sgfilter benchmarks\n")
    md.append("Made by `make bench` (bench/run.sh). Two boots of the benchmark kernel "
              "(`kernel/config/bench.config`: -O2, full SLUB) under QEMU TCG: the patched "
              "kernel, then Linux 6.12.117 without the patch series. Within a boot every "
              f"configuration runs once per round, {rounds} alternating rounds (ABBA order); a "
              "ratio is the median of the per-round ratios, followed by (its 95% bootstrap "
              "confidence interval; the smallest and the largest round). "
              "Absolute times are TCG times and mean little; they also follow the load of "
              "the machine under the emulator, so two `make bench` runs differ by more than "
              "the effects of section 1: read its profiler and native figures first.\n")

    # 1. Filter overhead
    md.append("## 1. Filter overhead\n")
    md.append("An unprivileged read-only opener of a scsi_debug disk (`delay=0`) sends SG_IO "
              "in a loop (`bench/sgbench.c`; each run: the median of 21 batches). "
              "Configurations: `builtin` (the patched kernel's tables), `module` (sgfilter.ko "
              "loaded), `module200` (loaded, 200 entries added to the disk table), `root` "
              "(CAP_SYS_RAWIO: the decision returns before any table), `mainline` (6.12.117 "
              "unpatched, the second boot).\n")
    md.append("| command | configuration | median ns | min ns | vs builtin, per round | vs root, per round |")
    md.append("|---|---|---|---|---|---|")
    cross = []  # (op, cfg, anchored median, anchored min, raw)
    for op in ("read10", "tur"):
        base = runs(p, "filter", config="builtin", op=op)
        root = runs(p, "filter", config="root", op=op)
        mrun = runs(m, "filter", config="mainline", op=op)
        mroot = runs(m, "filter", config="root", op=op)
        mline = ratio(mrun, mroot)
        for cfg in ("builtin", "module", "module200", "root"):
            r = runs(p, "filter", config=cfg, op=op)
            if not r:
                continue
            vb = ratio(r, base) if cfg != "builtin" else None
            vr = ratio(r, root) if cfg != "root" else None
            md.append(f"| {op} | {cfg} | {med(r):.0f} | {min(r.values()):.0f} | "
                      f"{fmt_ratio(vb) if vb else '1'} | {fmt_ratio(vr) if vr else '1'} |")
            if vb:
                chart.append((f"{op} {cfg}/builtin", *vb[:3], 1))
            if vr and mline:
                cross.append((op, cfg, vr[0] / mline[0],
                              (min(r.values()) / min(root.values())) /
                              (min(mrun.values()) / min(mroot.values())),
                              med(r) / med(mrun)))
        if mrun:
            md.append(f"| {op} | mainline | {med(mrun):.0f} | {min(mrun.values()):.0f} | - | "
                      f"{fmt_ratio(mline)} |")
    md.append("")
    md.append("Against mainline (a second boot), three ways: *anchored* divides the "
              "configuration's per-round ratio to `root` by mainline's (`root` runs the same "
              "code in both kernels, so it cancels what differs between two boots of TCG); "
              "*anchored, fastest* does the same with each configuration's fastest run (TCG's "
              "noise only ever adds time); *raw* divides the medians.\n")
    md.append("| command | configuration | anchored | anchored, fastest | raw |")
    md.append("|---|---|---|---|---|")
    for op, cfg, an, fa, raw in cross:
        md.append(f"| {op} | {cfg} | {fmt_pct(an)} | {fmt_pct(fa)} | {fmt_pct(raw)} |")
        chart.append((f"{op} {cfg}/mainline*", an, min(an, fa), max(an, fa), 1))
    md.append("")

    # the profiler's figures: medians over its rounds
    prof, hits = {}, set()
    for b, kv in p + m:
        if b == "profile":
            prof.setdefault((kv["config"], kv["func"]), []).append(int(kv["ns"]))
            hits.add(int(kv["hits"]))
    prof = {k: round(statistics.median(v)) for k, v in prof.items()}
    share = {}
    if prof:
        md.append("ftrace's function profiler over runs of the reader's READ(10) "
                  f"({'/'.join(str(h) for h in sorted(hits))} calls each), "
                  "alternating configurations: the median over the runs of the mean ns "
                  "per call of the whole ioctl and of the decision in it. Both include the "
                  "profiler's own cost, the same in every configuration; the decision's callees "
                  "are not profiled, so their calls cost what they cost unprofiled.\n")
        md.append("| configuration | `sd_ioctl` ns | `scsi_cmd_allowed` ns | decision - mainline's | share of the ioctl |")
        md.append("|---|---|---|---|---|")
        base = prof.get(("mainline", "scsi_cmd_allowed"))
        ioctl = prof.get(("mainline", "sd_ioctl"))
        for cfg in ("mainline", "builtin", "module"):
            sd, ca = prof.get((cfg, "sd_ioctl")), prof.get((cfg, "scsi_cmd_allowed"))
            if not sd or not ca:
                continue
            extra = ca - base if base else None
            if extra is not None and ioctl:
                share[cfg] = extra / ioctl
            md.append(f"| {cfg} | {sd} | {ca} | "
                      f"{'%+d' % extra if extra is not None else '-'} | "
                      f"{'%+.2f%%' % (share[cfg] * 100) if cfg in share else '-'} |")
        md.append("")

    if nat:
        md.append("The decision alone on the host's own CPU, no emulator (`bench/decide.c`: "
                  "drivers/scsi/scsi_sgio.c compiled in user space; `module` adds the indirect "
                  "call, the table pointer and the counter), median ns per decision over "
                  f"{max(int(kv['round']) for b, kv in nat)} rounds of "
                  f"{int(nat[0][1]['count']):,}:\n")
        # nogrant/grantpr (issue 14): only in logs that have them
        forms = [f for f in ("mainline", "builtin", "module", "nogrant", "grantpr")
                 if runs(nat, 'decide', form=f, op="read10")]
        if "nogrant" in forms:
            md.append("`nogrant` is `builtin` on a device without grants (the grants pointer "
                      "tested first), `grantpr` on a device with the `pr` grants (looked up "
                      "first, then the table).\n")
        md.append("| command | " + " | ".join(forms) + " |")
        md.append("|---|" + "---|" * len(forms))
        for op in ("read10", "tur"):
            cells = [f"{med(runs(nat, 'decide', form=f, op=op)):.2f}" for f in forms]
            md.append(f"| {op} | " + " | ".join(cells) + " |")
        md.append("")

    if cross:
        verdicts = []
        for name, idx in (("anchored", 2), ("anchored, fastest", 3)):
            worst = max(cross, key=lambda c: abs(c[idx] - 1))
            verdicts.append(f"{name}: {'met' if abs(worst[idx] - 1) <= 0.01 else 'missed'} "
                            f"(largest {fmt_pct(worst[idx])}, {worst[0]} {worst[1]})")
        if share:
            worst = max(share, key=lambda c: abs(share[c]))
            verdicts.append(f"profiler: {'met' if all(abs(v) <= 0.01 for v in share.values()) else 'missed'} "
                            f"(largest {share[worst] * 100:+.2f}%, {worst})")
        md.append("Goal, every filtered configuration within 1% of mainline: "
                  + "; ".join(verdicts) + ".\n")

    if stock is not None:
        stock_section(stock, md, chart)

    # 2. Persistent reservations
    md.append("## 2. Persistent reservations: direct against qemu-pr-helper\n")
    md.append("An unprivileged QEMU inside the VM passes two LIO LUNs to its guest with "
              "scsi-block: LUN 0 with `unpriv_sgio=1` and no helper (`direct`), LUN 1 with "
              "`unpriv_sgio=0` and `file.pr-manager` pointing at `qemu-pr-helper` running as "
              "root (`helper`). The guest alternates between them.\n")
    md.append("| command | direct median ns | helper median ns | helper / direct per round |")
    md.append("|---|---|---|---|")
    pr_goal = []
    for op, name in (("prin", "PR IN READ KEYS"), ("prout", "PR OUT REGISTER AND IGNORE")):
        d = runs(p, "pr", path="direct", op=op)
        h = runs(p, "pr", path="helper", op=op)
        r = ratio(h, d)
        md.append(f"| {name} | {med(d):.0f} | {med(h):.0f} | {fmt_ratio(r)} |")
        if r:
            chart.append((f"{op} helper/direct", *r[:3], 2))
            pr_goal.append(r[0])
    md.append("")
    vm = {op: med(runs(p, "prvm", op=op)) for op in ("prin", "prout")}
    if all(v == v for v in vm.values()):
        md.append(f"The same commands sent by a process of the VM itself (no QEMU, no guest): "
                  f"PR IN {vm['prin']:.0f} ns, PR OUT {vm['prout']:.0f} ns. The rest of the "
                  "`direct` figure is the guest's emulation (TCG inside TCG) and QEMU's "
                  "scsi-block; `helper` adds a round trip to the daemon over a Unix socket, "
                  "with the file descriptor passed along.\n")
    if pr_goal:
        md.append(f"Goal (direct at least 2x faster): **{'met' if min(pr_goal) >= 2 else 'missed'}** "
                  f"(smallest median ratio {min(pr_goal):.2f}).\n")

    # 3. Scale
    scale = {label: next((kv for b, kv in data if b == "scale" and "devices" in kv), {})
             for label, data in (("patched", p), ("mainline", m))}
    md.append(f"## 3. Scale: {scale['patched'].get('devices', '?')} LUNs\n")
    first = runs(p, "scale", lun="first")
    last = runs(p, "scale", lun="last")
    r = ratio(last, first)
    hctl = {kv["lun"]: kv["hctl"] for b, kv in p if b == "scale" and "lun" in kv}
    if r:
        md.append(f"READ(10) from the reader on the last LUN ({hctl.get('last')}) against the "
                  f"first ({hctl.get('first')}) of the scsi_debug host: "
                  f"{fmt_ratio(r)}.\n")
        chart.append(("READ(10) last/first LUN", *r[:3], 1))
    md.append("| kernel | devices | kernfs nodes per device | Slab kB per device |")
    md.append("|---|---|---|---|")
    per = {}
    for label, sc in scale.items():
        if not sc:
            continue
        n = int(sc["devices"])
        nodes = (int(sc["kernfs_nodes_after"]) - int(sc["kernfs_nodes_before"])) / n
        slab = (int(sc["slab_kb_after"]) - int(sc["slab_kb_before"])) / n
        per[label] = (nodes, slab, int(sc["kernfs_node_size"]))
        md.append(f"| {label} | {n} | {nodes:.2f} | {slab:.2f} |")
    md.append("")
    if "patched" in per and "mainline" in per:
        extra = per["patched"][0] - per["mainline"][0]
        md.append(f"Per device the patches add {extra:.2f} kernfs nodes "
                  f"(`unpriv_sgio` in the queue directory and in the SCSI device directory) of "
                  f"{per['patched'][2]} bytes each (the cache's object size): "
                  f"**{extra * per['patched'][2]:.0f} bytes per device**; "
                  f"the `unpriv_sgio` files counted in the patched boot: {scale['patched'].get('unpriv_sgio_files')}. "
                  f"The flag itself is a bit of the queue's existing `queue_flags` word.\n")

    psz, msz = sizes(pobj), sizes(mobj)
    pt, pd, pb, psyms = psz or (0, 0, 0, {})
    if psz and msz:
        mt, mdat, mb, _ = msz
        md.append("Kernel image (`size vmlinux`, bytes): text "
                  f"{pt - mt:+d}, data {pd - mdat:+d}, bss {pb - mb:+d} against mainline.\n")
    if psyms:
        md.append("| symbol (`objdump -t vmlinux`) | bytes | section |")
        md.append("|---|---|---|")
        for s, (sz, sec) in sorted(psyms.items(), key=lambda x: -x[1][0]):
            note = " (freed after boot)" if sec.startswith(".init") else ""
            md.append(f"| `{s}` | {sz} | `{sec}`{note} |")
        resident = sum(sz for sz, sec in psyms.values()
                       if not sec.startswith(".init") and not sec.startswith(".text"))
        md.append("")
        md.append(f"Resident data of the built-in tables: {resident} bytes.\n")
    mod = next((kv for b, kv in p if b == "module"), None)
    if mod:
        k = int(mod["kmalloc1k_after"]) - int(mod["kmalloc1k_before"])
        s = int(mod["slab_kb_after"]) - int(mod["slab_kb_before"])
        md.append(f"sgfilter.ko: {mod['coresize']} bytes of module core "
                  f"(`/sys/module/sgfilter/coresize`); loading it took {k} kmalloc-1k objects "
                  "(six of them are its class tables, one per class); `Slab:` in "
                  f"/proc/meminfo grew by {s} kB.\n")

    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(md).rstrip() + "\n\n![ratios](results.png)\n")

    # The chart: one mark per ratio, its confidence interval as error bars; one
    # panel for the overheads (around 1), one for the helper (goal 2)
    dats = []
    for panel in (1, 2):
        dat = os.path.join(outdir, f".chart{panel}.dat")
        with open(dat, "w") as f:
            rows = [c for c in chart if c[4] == panel]
            for i, (label, mid, lo, hi, _) in enumerate(rows):
                f.write(f'{i} "{label}" {mid} {lo} {hi}\n')
            if not rows:
                f.write('0 "none" 0 0 0\n')
        dats.append(dat)
    script = f"""
set terminal pngcairo size 1100,600 font ",10"
set output "{os.path.join(outdir, 'results.png')}"
set multiplot layout 1,2 title "sgfilter benchmarks: median of per-round ratios, bars: its 95% confidence interval"
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -30 left
set grid ytics
set ylabel "ratio"
set bmargin 8
set title "cost ratios (1 = the same; *: against mainline across boots, bar spans its two estimates)"
set xrange [-0.5:{max(len([c for c in chart if c[4] == 1]), 1) - 0.5}]
set offsets 0, 0, 0.01, 0.01
plot "{dats[0]}" using 1:3:4:5:xtic(2) with yerrorbars pt 7 ps 1.2 lc rgb "#4477aa" notitle, \\
     1 notitle lc rgb "black", 1.01 notitle dt 2 lc rgb "#888888", 0.99 notitle dt 2 lc rgb "#888888"
set title "PR latency: through qemu-pr-helper / direct (goal: 2 or more)"
set xrange [-0.5:{max(len([c for c in chart if c[4] == 2]), 1) - 0.5}]
set yrange [0:*]
plot "{dats[1]}" using 1:3:4:5:(0.6):xtic(2) with boxerrorbars notitle lc rgb "#cc6677", \\
     2 notitle dt 2 lc rgb "black"
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    for dat in dats:
        os.unlink(dat)


if __name__ == "__main__":
    main()
