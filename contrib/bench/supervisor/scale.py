#!/usr/bin/env python3
"""The almanac daemon with 1,000 idle profiles on one host, against the targets of issue 20.

Figures: time until all workers are ready, supervisor RSS (idle, and its peak), PSS of the workers
(total, mean, largest) from /proc/PID/smaps_rollup, idle CPU of the whole tree (daemon + workers,
utime + stime ticks from /proc/PID/stat) over BENCH_IDLE_SECONDS, `almanac status` p99 (the CLI
as a new process, as an administrator runs it; the bare `GET /v1/profiles` of the control API is
shown beside it), SIGKILL of a worker → its replacement ready, SIGTERM → every process stopped.
Each line is printed with its target and `pass` / `MISS`; the machine's load average is printed
before and after, since the figures on a shared machine depend on it.

Then the thundering-herd phase (herd.py): every profile's scheduled run due in the same minute
against the fake Google with one shared quota of 600 requests a minute, with its own daemon once
the idle one has stopped. BENCH_HERD=0 leaves it out; BENCH_HERD_ONLY=1 runs it alone.
"""
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import shutil
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the measurement helpers of the 200-profile comparison)
import herd  # noqa: E402  (the thundering-herd phase)

N = int(os.environ.get("BENCH_SCALE_PROFILES", "1000"))
IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", "60"))
STATUS_RUNS = int(os.environ.get("BENCH_STATUS_RUNS", "100"))
KILLS = 5
UP = bench.UP

# The targets of issue 20 ("`make bench` prints the 1,000-profile table").
TARGET_READY_S = 10.0
TARGET_SUP_RSS_MB = 40.0
TARGET_WORKER_PSS_MB = 2.5
TARGET_IDLE_CPU_PCT = 2.0
TARGET_STATUS_P99_MS = 50.0


def hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def profiles(sock):
    return bench.api(sock, "/v1/profiles")["profiles"]


def template_pid(daemon_pid):
    """The daemon's worker template (`almanac worker-template`), or None."""
    try:
        with open("/proc/%d/task/%d/children" % (daemon_pid, daemon_pid)) as f:
            children = [int(x) for x in f.read().split()]
    except OSError:
        return None
    for pid in children:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if b"\0worker-template" in f.read():
                    return pid
        except OSError:
            pass
    return None


def ready_with_exec(binary, root):
    """Time until all N workers are ready when each is exec'd (`--no-worker-template`), the way
    workers started before the template, on the same profiles with a state directory of its own;
    then SIGTERM. Run after the measured phase (it sees the inodes that phase's stop freed)."""
    profiles_dir, state, run = (os.path.join(root, x) for x in ("profiles.d", "state-exec", "run-exec"))
    sock = os.path.join(run, "almanac.sock")
    t0 = time.perf_counter()
    daemon = subprocess.Popen([binary, "daemon", "--no-worker-template", "--profiles", profiles_dir, "--state", state,
                               "--runtime", run],
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "daemon-exec.log"), "w"))
    try:
        if not bench.wait_up(sock, N, 300, every=0.1):
            raise RuntimeError("almanac --no-worker-template: not all %d workers ready after 300 s" % N)
        ready = time.perf_counter() - t0
        bench.log("almanac --no-worker-template: %d workers ready in %.2f s" % (N, ready))
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=120)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    time.sleep(5)
    return ready


def bench_scale(binary, root):
    os.makedirs(root)
    bench.N = N
    profiles_dir, state, run = (os.path.join(root, x) for x in ("profiles.d", "state", "run"))
    bench.write_profiles(profiles_dir, root)
    sock = os.path.join(run, "almanac.sock")
    out = {"load_before": bench.loadavg()}
    t0 = time.perf_counter()
    daemon = subprocess.Popen([binary, "daemon", "--profiles", profiles_dir, "--state", state, "--runtime", run],
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "daemon.log"), "w"))
    try:
        if not bench.wait_up(sock, N, 300, every=0.1):
            raise RuntimeError("almanac: not all %d workers ready after 300 s" % N)
        out["ready_s"] = time.perf_counter() - t0
        bench.log("almanac: %d workers ready in %.2f s" % (N, out["ready_s"]))
        pids = [p["pid"] for p in profiles(sock)]
        # The daemon drops start-up and request code from its resident set 2 s after the last
        # control request: measure the idle daemon after that, without asking it anything.
        time.sleep(5)
        out["sup_rss"], out["sup_pss"], out["sup_hwm"] = (
            bench.rss_kb(daemon.pid), bench.pss_kb(daemon.pid), hwm_kb(daemon.pid))
        pss = [bench.pss_kb(p) for p in pids]
        out["wrk_pss"], out["wrk_pss_max"] = sum(pss), max(pss)
        template = template_pid(daemon.pid)
        out["template_pss"] = bench.pss_kb(template) if template else None
        tree = [daemon.pid] + pids + ([template] if template else [])
        out["wrk_rss_each"] = statistics.median(bench.rss_kb(p) for p in pids)
        bench.log("almanac: idling %d s…" % IDLE)
        out["cpu_s"], out["cpu_pct"] = bench.idle_cpu(tree, IDLE)
        out["load_idle"] = bench.loadavg()
        times = bench.timed([binary, "status", "--runtime", run], STATUS_RUNS)
        out["status_p50"], out["status_p99"] = bench.pct(times, 50), bench.pct(times, 99)
        api_times = []
        for _ in range(STATUS_RUNS):
            t = time.perf_counter()
            profiles(sock)
            api_times.append((time.perf_counter() - t) * 1000)
        out["api_p50"], out["api_p99"] = bench.pct(api_times, 50), bench.pct(api_times, 99)

        kills = []
        for i in range(KILLS):
            name = "p%d" % ((i * 197) % N)
            old = bench.api(sock, "/v1/profiles/" + name)["pid"]
            t = time.perf_counter()
            os.kill(old, signal.SIGKILL)
            while True:
                s = bench.api(sock, "/v1/profiles/" + name)
                if s.get("pid") not in (None, old) and s["state"] in UP:
                    kills.append(time.perf_counter() - t)
                    break
                if time.perf_counter() - t > 60:
                    raise RuntimeError("almanac: %s not ready again 60 s after SIGKILL" % name)
                time.sleep(0.005)
        out["kill_ready_s"], out["kill_ready_max"] = statistics.median(kills), max(kills)
        pids = [p["pid"] for p in profiles(sock)] + ([template_pid(daemon.pid)] if template else [])
        pids = [p for p in pids if p]
        t = time.perf_counter()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=120)
        out["stop_s"] = time.perf_counter() - t
        out["exit"] = daemon.returncode
        out["left"] = sum(1 for p in pids if os.path.exists("/proc/%d" % p))
        out["load_after"] = bench.loadavg()
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    if os.environ.get("BENCH_EXEC_READY", "1") != "0":
        # After the measured phase, not before: the workers' exits delete their SQLite -wal and
        # -shm files, and ext4 makes the inodes created in the next ~30 s slower to allocate
        # (`recently_deleted` in `perf`), which would weigh on whichever phase comes second.
        time.sleep(35)
        out["exec_ready_s"] = ready_with_exec(binary, root)
    return out


def line(label, value, target, ok):
    verdict = "" if ok is None else ("pass" if ok else "MISS")
    print("%-40s %16s %14s   %s" % (label, value, target, verdict))


def table(a):

    print("1,000-profile run: %d profiles, idle %d s, %d status runs; load average before %s, "
          "while idle %s, after %s" % (N, IDLE, STATUS_RUNS, a["load_before"], a["load_idle"], a["load_after"]))
    print("%-40s %16s %14s   %s" % ("", "almanac", "target", ""))
    line("time until all ready", "%.2f s" % a["ready_s"], "<= %.0f s" % TARGET_READY_S,
         a["ready_s"] <= TARGET_READY_S)
    if "exec_ready_s" in a:
        line("  the same, each worker exec'd", "%.2f s" % a["exec_ready_s"], "", None)
    line("supervisor RSS (idle)", "%.1f MB" % (a["sup_rss"] / 1024), "<= %.0f MB" % TARGET_SUP_RSS_MB,
         a["sup_rss"] <= TARGET_SUP_RSS_MB * 1024)
    line("supervisor RSS, peak (VmHWM)", "%.1f MB" % (a["sup_hwm"] / 1024), "", None)
    line("supervisor PSS (idle)", "%.1f MB" % (a["sup_pss"] / 1024), "", None)
    line("workers PSS, total", "%.0f MB" % (a["wrk_pss"] / 1024), "", None)
    template = a.get("template_pss") or 0
    if a.get("template_pss") is not None:
        line("worker template PSS", "%.1f MB" % (template / 1024), "", None)
    # The template's share counts with the workers: they share its pages.
    line("worker PSS, mean (template included)", "%.2f MB" % ((a["wrk_pss"] + template) / N / 1024),
         "<= %.1f MB" % TARGET_WORKER_PSS_MB, (a["wrk_pss"] + template) / N <= TARGET_WORKER_PSS_MB * 1024)
    line("worker PSS, largest", "%.2f MB" % (a["wrk_pss_max"] / 1024), "<= %.1f MB" % TARGET_WORKER_PSS_MB,
         a["wrk_pss_max"] <= TARGET_WORKER_PSS_MB * 1024)
    line("worker RSS, median", "%.1f MB" % (a["wrk_rss_each"] / 1024), "", None)
    line("idle CPU, daemon + workers + template", "%.2f %%" % a["cpu_pct"], "<= %.0f %%" % TARGET_IDLE_CPU_PCT,
         a["cpu_pct"] <= TARGET_IDLE_CPU_PCT)
    line("almanac status (CLI) p50", "%.1f ms" % a["status_p50"], "", None)
    line("almanac status (CLI) p99", "%.1f ms" % a["status_p99"], "<= %.0f ms" % TARGET_STATUS_P99_MS,
         a["status_p99"] <= TARGET_STATUS_P99_MS)
    line("GET /v1/profiles p50 / p99", "%.1f / %.1f ms" % (a["api_p50"], a["api_p99"]), "", None)
    line("SIGKILL → ready (median / max of %d)" % KILLS, "%.2f / %.2f s" % (a["kill_ready_s"], a["kill_ready_max"]),
         "", None)
    line("SIGTERM → all stopped", "%.2f s" % a["stop_s"], "exit 0, 0 left",
         a["exit"] == 0 and a["left"] == 0)
    print("  (daemon exit code %d, workers left after stop: %d)" % (a["exit"], a["left"]))
    if a.get("herd") is None:
        line("thundering herd, 600 requests/min", "not run", "", None)
    else:
        herd.print_lines(a["herd"], line)


def main():
    binary = bench.almanac_binary()
    root = tempfile.mkdtemp(prefix="almanac-scale-")
    herd_only = os.environ.get("BENCH_HERD_ONLY") == "1"
    try:
        a = None if herd_only else bench_scale(binary, os.path.join(root, "almanac"))
        h = None
        if os.environ.get("BENCH_HERD", "1") != "0":
            h = herd.run(binary, os.path.join(root, "herd"), N)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(root, ignore_errors=True)
        else:
            bench.log("kept %s" % root)
    if a is not None:
        a["herd"] = h
        table(a)
    elif h is not None:
        herd.print_lines(h, line)


if __name__ == "__main__":
    main()
