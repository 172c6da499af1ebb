#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the logs of a `make bench` run into results.md and results.png.

  report.py LOGS OUTDIR          LOGS: build/bench/logs, or bench/logs.tar.xz
  report.py --tree-hash          patches=... module=... of this tree (for meta)
  report.py --sizes LABEL OBJ... the kernels' size and symbol lines (for sizes.log)

LOGS holds meta (what was measured where: bench/run.sh), KERNEL-PASS.log
for every boot (the suites' SGF-BENCH lines, bench/bench-suites.sh and
bench/bench-fio.sh), decide.log (bench/decide.c, natively), insns.log
(bench/decide-insns.sh: instructions per decision) and sizes.log.
The report depends on nothing else but this tree's kernel/patches and
kernel/sgfilter: when their hashes differ from those meta recorded, the
report's first line says that the figures describe the measured commit.
The same logs and the same tree give the same report, byte for byte
(tests/unit/bench_report_test.sh checks the committed one).

Within one boot, a ratio is the median of the per-round ratios (the rounds
alternate, ABBA). Across boots: one estimate per boot (that median), or per
pass for a comparison of two kernels (the boots of a pass are adjacent in
time, and the passes alternate the order), and the geometric mean of the
estimates with its 95% t interval (report_lib.across). With one boot only,
the interval is a bootstrap over the rounds of that boot. Verdicts are
taken on the interval's bounds.
"""
import os
import statistics
import subprocess
import sys

from report_lib import (across, boots, fmt_ratio, med, meta,
                        parse, ratio, read_logs, runs, sizes, tree_hash,
                        verdict_at_least, verdict_cost)


def within(bs, bench, num, den, field="ns"):
    """A ratio of two configurations of the same boots: per-boot medians
    of the per-round ratios, then across boots; one boot: over rounds."""
    per, single = [], None
    for _, d in bs:
        r = ratio(runs(d, bench, field, **num), runs(d, bench, field, **den))
        if r:
            per.append(r[0])
            single = r
    return across(per) if len(per) >= 2 else single


def paired(a, b, f):
    """A ratio of two kernels: f(boot of a, boot of b) for each pass both
    have, then across passes."""
    bd = dict(b)
    vals = [f(d, bd[i]) for i, d in a if i in bd]
    return across([v for v in vals if v == v])


def all_runs(bs, bench, field="ns", **match):
    """Every run of every boot, for medians of absolute figures"""
    out = {}
    for i, d in bs:
        for r, v in runs(d, bench, field, **match).items():
            out[(i, r)] = v
    return out


def config_head(md, base):
    md.append(f"| command | configuration | median ns | min ns | vs {base} | vs root |")
    md.append("|---|---|---|---|---|---|")


def config_row(md, bs, bench, op, cfg, base):
    """A row of a configuration table: the median and the fastest run over
    every boot, the ratio to BASE and to root (1 for themselves). Returns
    whether CFG ran, and its ratio to BASE."""
    r = all_runs(bs, bench, config=cfg, op=op)
    if not r:
        return False, None
    vb = within(bs, bench, dict(config=cfg, op=op), dict(config=base, op=op)) \
        if cfg != base else None
    vr = within(bs, bench, dict(config=cfg, op=op), dict(config="root", op=op)) \
        if cfg != "root" else None
    md.append(f"| {op} | {cfg} | {med(r):.0f} | {min(r.values()):.0f} | "
              f"{fmt_ratio(vb) if vb else '1'} | {fmt_ratio(vr) if vr else '1'} |")
    return True, vb


def header(md, mt, files):
    now = tree_hash()
    short = mt.get("commit", "?")[:12]
    # (the byte-for-byte test regenerates this line with the tree it runs in:
    # once kernel/patches or kernel/sgfilter change, the committed report
    # must carry it, make bench-report adds it)
    if (mt.get("patches"), mt.get("module")) != (now["patches"], now["module"]):
        md.append(f"**Measured at {short}; the patches and module have changed since: "
                  f"figures describe {short}.**\n")
    md.append("# sgfilter benchmarks\n")
    order = [ln.split()[0] for ln in files.get("order", "").splitlines() if ln.strip()]
    bench = mt.get("bench", "?").split(",")
    md.append(f"Measured at commit `{mt.get('commit', '?')}`"
              f"{' with uncommitted changes' if mt.get('dirty') == 'yes' else ''} "
              f"({mt.get('date', '?')}), patches `{mt.get('patches')}`, module "
              f"`{mt.get('module')}` (sha256 of kernel/patches and kernel/sgfilter, "
              f"bench/report_lib.py). Host: {mt.get('cpu', '?')}, {mt.get('cpus', '?')} CPUs, "
              f"Linux {mt.get('host_kernel', '?')}, load {mt.get('load_start', '?')} before and "
              f"{mt.get('load_end', '?')} after; {mt.get('qemu', '?')}, TCG. Kernel configs "
              f"(sha256, the files are in the logs): tinyconfig + `base.config` "
              f"`{mt.get('fragment_base')}` + `bench.config` `{mt.get('fragment_bench')}` "
              f"(-O2, full SLUB, no debug options) gives patched `{mt.get('config_patched')}` "
              f"and mainline `{mt.get('config_mainline')}`; Debian's `{mt.get('stock_release')}` "
              f"`{mt.get('config_stock')}`.\n")
    md.append(f"Parameters: `SGF_BENCH={mt.get('bench')}` (rounds, commands per run, PR "
              f"commands per run), `SGF_FIO={mt.get('fio')}` (fio's rounds, seconds per run, "
              f"disks, jobs per disk), `SGF_BENCH_BOOTS={mt.get('boots')}`. Boots in this order: "
              f"{', '.join(order) or '?'} (pass 1 patched, mainline, stock; pass 2 the other "
              "way round; and so on). The raw logs are `bench/logs.tar.xz`; `make bench-report` "
              "makes this file from them again.\n")
    if int(mt.get("boots", "0")) < 2 or int(bench[0] if bench[0].isdigit() else 0) < 10:
        md.append("**A short run: it shows that the machinery works; its figures mean "
                  "nothing** (fewer than 10 rounds or 2 boots of each kernel).\n")
    md.append("Within a boot every configuration runs once per round, in alternating "
              "(ABBA) order; a ratio within one kernel is the median of its per-round ratios in "
              "each boot, a ratio between two kernels is taken per pass (the two boots of a "
              "pass are adjacent in time); either is then given as the geometric mean over "
              "boots or passes, followed by (its 95% t interval; the smallest and the largest "
              "boot). With a single boot the interval is a bootstrap over that boot's rounds, "
              "and says nothing about the next boot. Verdicts use the interval's bounds: "
              "*met* when the whole interval meets the goal, *missed* when none of it does, "
              "*undecided* otherwise. Absolute times are TCG times and mean little.\n")


def filter_section(md, chart, pb, mb, nat):
    md.append("## 1. Filter overhead\n")
    md.append("An unprivileged read-only opener of a scsi_debug disk (`delay=0`) sends SG_IO "
              "in a loop (`bench/sgbench.c`; each run: the median of 21 batches). "
              "Configurations: `builtin` (the patched kernel's tables), `module` (sgfilter.ko "
              "loaded), `module200` (loaded, 200 entries added to the disk table), `root` "
              "(CAP_SYS_RAWIO: the decision returns before any table), `mainline` (6.12.117 "
              "unpatched, its own boots).\n")
    config_head(md, "builtin")
    cross = []
    for op in ("read10", "tur"):
        for cfg in ("builtin", "module", "module200", "root"):
            has, vb = config_row(md, pb, "filter", op, cfg, "builtin")
            if not has:
                continue
            if vb:
                chart.append((f"{op} {cfg}/builtin", *vb[:3], 1))
            if cfg == "root" or not mb:
                continue

            def anchored(p, m, cfg=cfg, op=op):
                a = ratio(runs(p, "filter", config=cfg, op=op), runs(p, "filter", config="root", op=op))
                b = ratio(runs(m, "filter", config="mainline", op=op), runs(m, "filter", config="root", op=op))
                return a[0] / b[0] if a and b else float("nan")

            def raw(p, m, cfg=cfg, op=op):
                return med(runs(p, "filter", config=cfg, op=op)) / \
                    med(runs(m, "filter", config="mainline", op=op))
            cross.append((op, cfg, paired(pb, mb, anchored), paired(pb, mb, raw)))
        mr = all_runs(mb, "filter", config="mainline", op=op)
        if mr:
            vr = within(mb, "filter", dict(config="mainline", op=op), dict(config="root", op=op))
            md.append(f"| {op} | mainline | {med(mr):.0f} | {min(mr.values()):.0f} | - | "
                      f"{fmt_ratio(vr)} |")
    md.append("")
    if cross:
        md.append("Against mainline, per pass (the patched boot and the mainline boot of that "
                  "pass), two ways: *anchored* divides the configuration's per-round ratio to "
                  "`root` by mainline's (`root` runs the same code in both kernels, so it "
                  "cancels what differs between two boots of TCG); *raw* divides the medians. "
                  "Mean over passes (95% interval).\n")
        md.append("| command | configuration | anchored | raw |")
        md.append("|---|---|---|---|")
        for op, cfg, an, raw in cross:
            md.append(f"| {op} | {cfg} | {fmt_ratio(an, True)} | {fmt_ratio(raw, True)} |")
            if an:
                chart.append((f"{op} {cfg}/mainline", *an[:3], 1))
        md.append("")

    prof, hits = {}, set()
    for _, d in pb + mb:
        for b, kv in d:
            if b == "profile":
                prof.setdefault((kv["config"], kv["func"]), []).append(int(kv["ns"]))
                hits.add(int(kv["hits"]))
    prof = {k: round(statistics.median(v)) for k, v in prof.items()}
    if prof:
        md.append("ftrace's function profiler over runs of the reader's READ(10) "
                  f"({'/'.join(str(h) for h in sorted(hits))} calls each), "
                  "alternating configurations: the median over the runs (of every boot) of "
                  "the mean ns per call of the whole ioctl and of the decision in it. Both "
                  "include the profiler's own cost, the same in every configuration; the "
                  "decision's callees are not profiled. In the patched kernel the compiler "
                  "inlines `scsi_cmd_allowed()` into its caller in scsi_ioctl.c (the "
                  "profiler sees no call of it): its cost is inside `sd_ioctl`, which is "
                  "compared with mainline's across boots. No interval: indicative only.\n")
        md.append("| configuration | `sd_ioctl` ns | `sd_ioctl` / mainline's | `scsi_cmd_allowed` ns |")
        md.append("|---|---|---|---|")
        ioctl = prof.get(("mainline", "sd_ioctl"))
        for cfg in ("mainline", "builtin", "module"):
            sd, ca = prof.get((cfg, "sd_ioctl")), prof.get((cfg, "scsi_cmd_allowed"))
            if not sd:
                continue
            vs = f"{sd / ioctl:.3f}" if ioctl else "-"
            md.append(f"| {cfg} | {sd} | {vs} | {ca if ca else 'inlined'} |")
        md.append("")

    if nat:
        md.append("The decision alone on the host's own CPU, no emulator (`bench/decide.c`: "
                  "drivers/scsi/scsi_sgio.c compiled in user space; the forms as in the "
                  "instruction counts below), median ns per decision over "
                  f"{max(int(kv['round']) for b, kv in nat)} rounds of "
                  f"{int(nat[0][1]['count']):,}:\n")
        forms = []
        for b, kv in nat:
            if b == "decide" and kv.get("form") not in forms:
                forms.append(kv["form"])
        md.append("| command | " + " | ".join(forms) + " |")
        md.append("|---|" + "---|" * len(forms))
        for op in ("read10", "tur"):
            cells = [f"{med(runs(nat, 'decide', form=f, op=op)):.2f}" for f in forms]
            md.append(f"| {op} | " + " | ".join(cells) + " |")
        md.append("")

    if cross:
        v = [(op, cfg, verdict_cost(an)) for op, cfg, an, _ in cross]
        overall = ("missed" if any(x[2] == "missed" for x in v) else
                   "met" if all(x[2] == "met" for x in v) else "undecided")
        md.append(f"Goal, every filtered configuration at most 1% slower than mainline "
                  f"(anchored, the interval's upper bound): **{overall}**; "
                  + "; ".join(f"{op} {cfg} {x}" for op, cfg, x in v) + ".\n")


# Issue 16's goals for the instructions of one decision, as a multiple of
# mainline's switch: the common commands, and a command keyed by service
# action (READ CAPACITY(16), SERVICE ACTION IN(16) 0x9e/0x10)
INSNS_GOALS = {"read10": 1.2, "tur": 1.2, "rc16": 1.5}


def insns_section(md, ins):
    """Instructions per decision (callgrind on bench/decide.c): exact
    counts, the same on any machine, so the verdict needs no interval."""
    forms, ops, n = [], [], {}
    for b, kv in ins:
        if b != "insns":
            continue
        forms += [kv["form"]] if kv["form"] not in forms else []
        ops += [kv["op"]] if kv["op"] not in ops else []
        n[kv["form"], kv["op"]] = int(kv["insns"])
    if "mainline" not in forms:
        return
    md.append("Instructions per decision (`bench/decide-insns.sh`: `bench/decide.c` and "
              "the kernel's scsi_sgio.c built as the test kernels build them, each pair run "
              "alone under valgrind's callgrind, counting inside the form's function only; "
              "exact, so repeatable on a loaded machine). `mainline` is mainline's switch; "
              "the other forms are the patched kernel's decision (patch 0010): the current "
              "table of the device type first, inline, the device's grants and the "
              "module's `denied()` only for what it refuses. `builtin` decides with the "
              "built-in tables, `module` with sgfilter.ko's copies published in "
              "`scsi_sgio_type_tables[]` (no call into the module), `nogrant` and `grantpr` "
              "with the module loaded on a device without grants and on one with the `pr` "
              "profile. "
              "Goal: at most "
              + ", ".join(f"{g}x for {op}" for op, g in INSNS_GOALS.items()) + ".\n")
    md.append("| command | " + " | ".join(forms) + " | goal |")
    md.append("|---|" + "---|" * (len(forms) + 1))
    verdicts = []
    for op in ops:
        base, goal = n.get(("mainline", op)), INSNS_GOALS.get(op)
        cells = []
        for f in forms:
            x = n.get((f, op))
            if x is None or not base:
                cells.append("-")
                continue
            cells.append(f"{x} ({x / base:.2f}x)" if f != "mainline" else str(x))
            if f != "mainline" and goal:
                verdicts.append((op, f, "met" if x <= goal * base else "missed"))
        md.append(f"| {op} | " + " | ".join(cells) + f" | {goal or '-'}x |")
    md.append("")
    if verdicts:
        missed = [f"{op} {f}" for op, f, v in verdicts if v == "missed"]
        md.append("Goal, instructions per decision: **"
                  + ("met" if not missed else "missed") + "**"
                  + (f" ({', '.join(missed)} over the goal)" if missed else "") + ".\n")


def stock_section(md, chart, sb):
    """The stock backend (bench_stock, boots of Debian's own kernel): the
    module against the kernel as shipped, in the same boots."""
    release = next((kv["release"] for _, d in sb for b, kv in d if b == "stockkernel"), "?")
    md.append("### The stock backend: sgfilter.ko on Debian's own kernel\n")
    md.append(f"Debian's own kernel `{release}`, unmodified (`tests/vm/stock-run.sh`), "
              f"{len(sb)} boot(s), the same reader, commands and disk. Configurations: "
              "`stock` (the kernel as Debian ships it, no module: mainline's decision), "
              "`module` (sgfilter.ko loaded: the stock backend's kprobe on `scsi_cmd_allowed()` "
              "finds the device from the command and decides; a kprobe on `scsi_ioctl()` "
              "looks at the ioctl number), `root` (no module). `module` "
              "against `stock` in the same boots is the stock backend's cost against "
              "mainline's decision.\n")
    config_head(md, "stock (mainline's decision)")
    cost = []
    for op in ("read10", "tur"):
        for cfg in ("stock", "module", "root"):
            _, vs = config_row(md, sb, "stock", op, cfg, "stock")
            if cfg == "module" and vs:
                chart.append((f"{op} stock backend/mainline", *vs[:3], 1))
                cost.append(f"{op} {fmt_ratio(vs, True)}: {verdict_cost(vs)}")
    md.append("")
    if cost:
        md.append("The stock backend at most 1% slower than mainline's decision (the same "
                  "boots; the interval's upper bound): " + "; ".join(cost) + ".\n")
    mod = next((kv for _, d in sb for b, kv in d if b == "stockmodule"), None)
    if mod and mod.get("coresize"):
        md.append(f"sgfilter.ko built for `{release}`: {mod['coresize']} bytes of module core "
                  "(`/sys/module/sgfilter/coresize`).\n")


def fio_section(md, chart, pb, mb, sb):
    if not any(b == "fio" for _, d in pb + mb + sb for b, kv in d):
        return
    kv0 = next(kv for _, d in pb + mb + sb for b, kv in d if b == "fio")
    md.append("## 4. SG_IO throughput: fio\n")
    md.append(f"`fio --ioengine=sg --rw=randread --bs=4k --readonly` as the unprivileged "
              f"user (`root`: as root) on {kv0.get('disks', '?')} scsi_debug disks (`delay=0`) at once, "
              f"{kv0.get('jobs', '?')} jobs per disk (`bench/bench-fio.sh`): fio's sg engine sends "
              "each READ through SG_IO on the block node, each through the decision. "
              "Configurations: `builtin`, `module`, `grant` (the module, and `sgfilterctl grant "
              "DISK pr` on every disk: looked up for what the table refuses), `root`, `mainline`, and on "
              "Debian's kernel `stock` (as shipped) and `module` (the stock backend). IOPS "
              "of all jobs; ratios of IOPS (below 1: slower).\n")
    md.append("| kernel | configuration | median IOPS | IOPS / mainline, per pass, raw | anchored on root |")
    md.append("|---|---|---|---|---|")
    verdicts = []
    for kernel, bs, cfgs in (("patched", pb, ("builtin", "module", "grant", "root")),
                             ("mainline", mb, ("mainline", "root"))):
        for cfg in cfgs:
            r = all_runs(bs, "fio", "iops", config=cfg)
            if not r:
                continue
            raw = an = None
            if kernel == "patched" and cfg != "root" and mb:
                raw = paired(pb, mb, lambda p, m, cfg=cfg: med(runs(p, "fio", "iops", config=cfg)) /
                             med(runs(m, "fio", "iops", config="mainline")))

                def anchored(p, m, cfg=cfg):
                    a = ratio(runs(p, "fio", "iops", config=cfg), runs(p, "fio", "iops", config="root"))
                    b = ratio(runs(m, "fio", "iops", config="mainline"),
                              runs(m, "fio", "iops", config="root"))
                    return a[0] / b[0] if a and b else float("nan")
                an = paired(pb, mb, anchored)
                if raw:
                    chart.append((f"fio {cfg}/mainline", *raw[:3], 3))
                    verdicts.append(f"{cfg} {verdict_at_least(raw, 0.99)}")
            md.append(f"| {kernel} | {cfg} | {med(r):.0f} | {fmt_ratio(raw) if raw else '-'} | "
                      f"{fmt_ratio(an) if an else '-'} |")
    md.append("")
    within_rows = []
    for cfg, base in (("module", "builtin"), ("grant", "module")):
        w = within(pb, "fio", dict(config=cfg), dict(config=base), "iops")
        if w:
            within_rows.append(f"`{cfg}`/`{base}` {fmt_ratio(w)}")
            chart.append((f"fio {cfg}/{base}", *w[:3], 3))
    s = within(sb, "fio", dict(config="module"), dict(config="stock"), "iops")
    if s:
        within_rows.append(f"on Debian's kernel, the stock backend/as shipped {fmt_ratio(s)}")
        chart.append(("fio stock backend/as shipped", *s[:3], 3))
        verdicts.append(f"stock backend {verdict_at_least(s, 0.99)}")
    if within_rows:
        md.append("In the same boots: " + "; ".join(within_rows) + ".\n")
    if verdicts:
        md.append("Goal, at least 99% of mainline's IOPS (raw per pass; the stock backend "
                  "against Debian's kernel as shipped; the interval's lower bound): "
                  + "; ".join(verdicts) + ".\n")


def pr_section(md, chart, p, m, sz):
    md.append("## 2. Persistent reservations: direct against qemu-pr-helper\n")
    md.append("An unprivileged QEMU inside the VM passes two LIO LUNs to its guest with "
              "scsi-block: LUN 0 with `unpriv_sgio=1` and no helper (`direct`), LUN 1 with "
              "`unpriv_sgio=0` and `file.pr-manager` pointing at `qemu-pr-helper` running as "
              "root (`helper`). The guest alternates between them, in the first patched boot "
              "(the interval: over its rounds).\n")
    md.append("| command | direct median ns | helper median ns | helper / direct per round |")
    md.append("|---|---|---|---|")
    goal = []
    for op, name in (("prin", "PR IN READ KEYS"), ("prout", "PR OUT REGISTER AND IGNORE")):
        d = runs(p, "pr", path="direct", op=op)
        h = runs(p, "pr", path="helper", op=op)
        r = ratio(h, d)
        md.append(f"| {name} | {med(d):.0f} | {med(h):.0f} | {fmt_ratio(r)} |")
        if r:
            chart.append((f"{op} helper/direct", *r[:3], 2))
            goal.append(f"{op} {verdict_at_least(r, 2)} ({r[1]:.2f}-{r[2]:.2f})")
    md.append("")
    vm = {op: med(runs(p, "prvm", op=op)) for op in ("prin", "prout")}
    if any(v == v for v in vm.values()):
        md.append("Where the time goes (medians, ns): *command* is the same command sent "
                  "by a process of the VM itself (no QEMU, no guest: the target, LIO's "
                  "reservation code, the SG_IO path); *guest and QEMU* is `direct` minus "
                  "that (the guest's driver and its emulation, TCG inside TCG, and QEMU's "
                  "scsi-block); *helper hop* is `helper` minus `direct` (QEMU's request to "
                  "qemu-pr-helper over a Unix socket with the file descriptor passed, the "
                  "helper's SG_IO, the reply).\n")
        md.append("| command | command | guest and QEMU | helper hop | hop / (command + guest and QEMU) |")
        md.append("|---|---|---|---|---|")
        for op, name in (("prin", "PR IN READ KEYS"), ("prout", "PR OUT REGISTER AND IGNORE")):
            d = med(runs(p, "pr", path="direct", op=op))
            h = med(runs(p, "pr", path="helper", op=op))
            if not all(x == x for x in (vm[op], d, h)):
                continue  # not measured (NaN)
            md.append(f"| {name} | {vm[op]:.0f} | {d - vm[op]:.0f} | {h - d:.0f} | "
                      f"{(h - d) / d:.2f} |")
        md.append("")
        md.append("What carries over to KVM on hardware: the *command* column and the helper "
                  "hop run as processes of the test VM, emulated once (TCG); on hardware they "
                  "are native code, the same syscalls, context switches and socket round trip, "
                  "only faster. The *guest and QEMU* column is emulated twice (the guest under "
                  "TCG inside TCG); under KVM the guest runs natively and a request costs a "
                  "few VM exits, a far larger speed-up than the hop's. The helper/direct ratio "
                  "above is therefore likely to understate the hop's share on KVM, not to "
                  "overstate it; the design's claim rests on the hop it removes and the "
                  "privileged daemon, not on this TCG ratio.\n")
    if goal:
        md.append("Goal, direct at least 2x faster (the interval's lower bound): "
                  + "; ".join(goal) + ".\n")


def scale_section(md, chart, p, m, sz):
    scale = {label: next((kv for b, kv in data if b == "scale" and "devices" in kv), {})
             for label, data in (("patched", p), ("mainline", m))}
    md.append(f"## 3. Scale: {scale['patched'].get('devices', '?')} LUNs\n")
    r = ratio(runs(p, "scale", lun="last"), runs(p, "scale", lun="first"))
    hctl = {kv["lun"]: kv["hctl"] for b, kv in p if b == "scale" and "lun" in kv}
    if r:
        md.append(f"READ(10) from the reader on the last LUN ({hctl.get('last')}) against the "
                  f"first ({hctl.get('first')}) of the scsi_debug host, the first patched boot: "
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
    size = {kv["kernel"]: kv for b, kv in sz if b == "size"}
    if "patched" in size and "mainline" in size:
        d = {k: int(size["patched"][k]) - int(size["mainline"][k]) for k in ("text", "data", "bss")}
        md.append("Kernel image (`size vmlinux`, bytes): text "
                  f"{d['text']:+d}, data {d['data']:+d}, bss {d['bss']:+d} against mainline.\n")
    syms = [kv for b, kv in sz if b == "symbol" and kv["kernel"] == "patched"]
    if syms:
        md.append("| symbol (`objdump -t vmlinux`) | bytes | section |")
        md.append("|---|---|---|")
        for s in sorted(syms, key=lambda s: (-int(s["size"]), s["name"])):
            note = " (freed after boot)" if s["section"].startswith(".init") else ""
            md.append(f"| `{s['name']}` | {s['size']} | `{s['section']}`{note} |")
        resident = sum(int(s["size"]) for s in syms
                       if not s["section"].startswith((".init", ".text")))
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


def draw(chart, outdir):
    """One mark per ratio, its interval as error bars: the costs (around
    1), the PR helper (goal 2), fio's IOPS (around 1)."""
    dats = []
    for panel in (1, 2, 3):
        dat = os.path.join(outdir, f".chart{panel}.dat")
        with open(dat, "w") as f:
            rows = [c for c in chart if c[4] == panel]
            for i, (label, mid, lo, hi, _) in enumerate(rows):
                lo, hi = (lo, hi) if lo == lo else (mid, mid)
                f.write(f'{i} "{label}" {mid} {lo} {hi}\n')
            if not rows:
                f.write('0 "none" 0 0 0\n')
        dats.append(dat)
    n = [max(len([c for c in chart if c[4] == p]), 1) for p in (1, 2, 3)]
    script = f"""
set terminal pngcairo size 1500,600 font ",10"
set output "{os.path.join(outdir, 'results.png')}"
set multiplot layout 1,3 title "sgfilter benchmarks: bars are 95% intervals (across boots when there are two or more)"
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -30 left
set grid ytics
set ylabel "ratio"
set bmargin 8
set title "cost ratios (time; 1 = the same)"
set xrange [-0.5:{n[0] - 0.5}]
set offsets 0, 0, 0.01, 0.01
plot "{dats[0]}" using 1:3:4:5:xtic(2) with yerrorbars pt 7 ps 1.2 lc rgb "#4477aa" notitle, \\
     1 notitle lc rgb "black", 1.01 notitle dt 2 lc rgb "#888888"
set title "PR latency: through qemu-pr-helper / direct (goal: 2 or more)"
set xrange [-0.5:{n[1] - 0.5}]
set yrange [0:*]
plot "{dats[1]}" using 1:3:4:5:(0.6):xtic(2) with boxerrorbars notitle lc rgb "#cc6677", \\
     2 notitle dt 2 lc rgb "black"
set title "fio --ioengine=sg IOPS ratios (1 = the same)"
set xrange [-0.5:{n[2] - 0.5}]
set autoscale y
plot "{dats[2]}" using 1:3:4:5:xtic(2) with yerrorbars pt 7 ps 1.2 lc rgb "#228833" notitle, \\
     1 notitle lc rgb "black", 0.99 notitle dt 2 lc rgb "#888888"
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    for dat in dats:
        os.unlink(dat)


def main():
    if sys.argv[1:2] == ["--tree-hash"]:
        print("\n".join(f"{k}={v}" for k, v in tree_hash().items()))
        return
    if sys.argv[1:2] == ["--sizes"]:
        for label, obj in zip(sys.argv[2::2], sys.argv[3::2]):
            print("\n".join(sizes(label, obj)))
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    files = read_logs(sys.argv[1])
    outdir = sys.argv[2]
    mt = meta(files.get("meta", ""))
    pb, mb, sb = boots(files, "patched"), boots(files, "mainline"), boots(files, "stock")
    nat = parse(files.get("decide.log", ""))
    first = lambda bs: bs[0][1] if bs else []  # noqa: E731
    md, chart = [], []  # chart: (label, mid, low, high, panel)
    header(md, mt, files)
    filter_section(md, chart, pb, mb, nat)
    insns_section(md, parse(files.get("insns.log", "")))
    if sb:
        stock_section(md, chart, sb)
    for name, bench, section in (("2. Persistent reservations", "pr", pr_section),
                                 ("3. Scale", "scale", scale_section)):
        if any(b == bench for b, kv in first(pb)):
            section(md, chart, first(pb), first(mb), parse(files.get("sizes.log", "")))
        else:
            md.append(f"## {name}\n\nNot measured in this run (`SGF_BENCH_ONCE`).\n")
    fio_section(md, chart, pb, mb, sb)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(md).rstrip() + "\n\n![ratios](results.png)\n")
    draw(chart, outdir)


if __name__ == "__main__":
    main()
