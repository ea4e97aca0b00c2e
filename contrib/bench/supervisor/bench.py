#!/usr/bin/env python3
"""almanac daemon vs supervisord, each managing N idle children, measured in one run.

Figures: time until all children are ready, supervisor RSS/PSS, total worker RSS/PSS, idle CPU
over BENCH_IDLE_SECONDS, status-command latency p50/p99 (`almanac status` vs `supervisorctl
status`), and time from SIGKILL of a worker that has been up a minute to its replacement being
ready, then of that replacement at once (almanac backs off from the second restart on).

The children are the same binary in both cases: `almanac worker` (under supervisord its fd 3 is a
FIFO opened read-write, which never reaches EOF, and fd 4 is /dev/null, so it idles exactly as under the daemon, sending
a heartbeat every 5 s). "Ready" is the worker's `ready` message for almanac and supervisord's
RUNNING state (default startsecs=1) for supervisord.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
N = int(os.environ.get("BENCH_PROFILES", "200"))
IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", "60"))
STATUS_RUNS = int(os.environ.get("BENCH_STATUS_RUNS", "100"))
KILLS = 5
TICK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def almanac_binary():
    b = os.environ.get("ALMANAC_BIN")
    if b:
        return b
    b = os.path.join(REPO, ".build", "release", "almanac")
    if not os.path.exists(b):
        log("building almanac (make release)…")
        subprocess.run(["make", "release"], cwd=REPO, check=True)
    return b


def supervisord_commands():
    """Command prefixes for supervisord and supervisorctl: $SUPERVISORD, else a venv with
    `pip install supervisor` under $TMPDIR, else (no venv module) `pip install --target`."""
    d = os.environ.get("SUPERVISORD")
    if d:
        return [d], [os.path.join(os.path.dirname(d), "supervisorctl")]
    venv = os.path.join(tempfile.gettempdir(), "almanac-bench-venv")
    if os.path.exists(os.path.join(venv, "bin", "supervisord")):
        return [os.path.join(venv, "bin", "supervisord")], [os.path.join(venv, "bin", "supervisorctl")]
    log("installing supervisor (PyPI) into %s…" % venv)
    if subprocess.run([sys.executable, "-m", "venv", venv], stderr=subprocess.DEVNULL).returncode == 0:
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "supervisor"], check=True)
        return [os.path.join(venv, "bin", "supervisord")], [os.path.join(venv, "bin", "supervisorctl")]
    target = venv + "-site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", target, "supervisor"], check=True)
    os.environ["PYTHONPATH"] = target
    return [sys.executable, "-m", "supervisor.supervisord"], [sys.executable, "-m", "supervisor.supervisorctl"]


# ---- /proc measurements ------------------------------------------------------------------------

def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError):
        return 0


def idle_cpu(pids, seconds):
    before = {p: cpu_ticks(p) for p in pids}
    time.sleep(seconds)
    after = {p: cpu_ticks(p) for p in pids}
    used = sum(after[p] - before[p] for p in pids) / TICK
    return used, 100.0 * used / seconds


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100.0 * (len(s) - 1))))]


def timed(cmd, runs, ok_codes=(0,)):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
        if r.returncode not in ok_codes:
            raise RuntimeError("%s exited %d" % (cmd, r.returncode))
    return times


# ---- almanac ------------------------------------------------------------------------------------

class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("almanac", timeout=10)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def api(sock, path):
    c = UnixHTTP(sock)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return json.loads(body) if body.startswith(b"{") else body


def write_profiles(d, root):
    os.makedirs(d)
    for i in range(N):
        p = os.path.join(d, "p%d.toml" % i)
        with open(p, "w") as f:
            f.write('timezone = "UTC"\n[schedule]\nmanual = true\n'
                    '[connections.src]\nconnector = "csv"\npath = "%s/in%d.csv"\n'
                    '[connections.dst]\nconnector = "csv"\npath = "%s/out%d.csv"\n'
                    '[[jobs]]\nname = "main"\nfrom = "src"\nto = "dst"\n' % (root, i, root, i))
        os.chmod(p, 0o600)


UP = ("ready", "idle", "syncing")


def wait_up(sock, n, seconds, every):
    """Polls `GET /v1/profiles` every `every` s until it lists n profiles, each of them up (UP);
    False when `seconds` pass first."""
    give_up = time.monotonic() + seconds
    while True:
        try:
            st = api(sock, "/v1/profiles")["profiles"]
            if len(st) == n and all(p["state"] in UP for p in st):
                return True
        except (OSError, ValueError, KeyError):
            pass
        if time.monotonic() > give_up:
            return False
        time.sleep(every)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def bench_almanac(binary, root):
    profiles, state, run = (os.path.join(root, x) for x in ("profiles.d", "state", "run"))
    write_profiles(profiles, root)
    sock = os.path.join(run, "almanac.sock")
    out = {}
    t0 = time.perf_counter()
    daemon = subprocess.Popen([binary, "daemon", "--profiles", profiles, "--state", state, "--runtime", run],
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "daemon.log"), "w"))
    try:
        if not wait_up(sock, N, 120, every=0.02):
            raise RuntimeError("almanac: not all workers ready after 120 s")
        out["ready_s"] = time.perf_counter() - t0
        time.sleep(3)
        pids = [p["pid"] for p in api(sock, "/v1/profiles")["profiles"]]
        out["sup_rss"], out["sup_pss"] = rss_kb(daemon.pid), pss_kb(daemon.pid)
        out["wrk_rss"] = sum(rss_kb(p) for p in pids)
        out["wrk_pss"] = sum(pss_kb(p) for p in pids)
        out["wrk_rss_each"] = statistics.median(rss_kb(p) for p in pids)
        log("almanac: %d workers ready in %.2f s; idling %d s…" % (N, out["ready_s"], IDLE))
        out["cpu_s"], out["cpu_pct"] = idle_cpu([daemon.pid] + pids, IDLE)
        out["sup_cpu_s"], _ = idle_cpu([daemon.pid], min(IDLE, 10))
        times = timed([binary, "status", "--runtime", run], STATUS_RUNS)
        out["status_p50"], out["status_p99"] = pct(times, 50), pct(times, 99)
        api_times = []
        for _ in range(STATUS_RUNS):
            t = time.perf_counter()
            api(sock, "/v1/profiles")
            api_times.append((time.perf_counter() - t) * 1000)
        out["api_p50"], out["api_p99"] = pct(api_times, 50), pct(api_times, 99)
        def kill_until_replaced(name):
            old = api(sock, "/v1/profiles/" + name)["pid"]
            t = time.perf_counter()
            os.kill(old, signal.SIGKILL)
            while True:
                s = api(sock, "/v1/profiles/" + name)
                if s.get("pid") not in (None, old) and s["state"] in UP:
                    return time.perf_counter() - t
                time.sleep(0.005)

        kills, again = [], []
        for i in range(KILLS):
            name = "p%d" % ((i * 7) % N)
            # A worker that has been up a minute is restarted at once the first time it dies…
            while api(sock, "/v1/profiles/" + name).get("uptime_s", 0) < 61:
                time.sleep(0.5)
            kills.append(kill_until_replaced(name))
            # …and with the backoff (1 s, 2 s, …) when its replacement dies soon after.
            again.append(kill_until_replaced(name))
        out["kill_ready_s"] = statistics.median(kills)
        out["kill_again_s"] = statistics.median(again)
        t = time.perf_counter()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
        out["stop_s"] = time.perf_counter() - t
        out["exit"] = daemon.returncode
        out["left"] = sum(1 for p in pids if os.path.exists("/proc/%d" % p))
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    return out


# ---- supervisord --------------------------------------------------------------------------------

def bench_supervisord(binary, supervisord, supervisorctl, root):
    """`supervisord`/`supervisorctl`: command prefixes (lists)."""
    profiles, state = os.path.join(root, "profiles.d"), os.path.join(root, "state")
    write_profiles(profiles, root)
    os.makedirs(state)
    conf = os.path.join(root, "supervisord.conf")
    # fd 3 of each worker: a FIFO opened read-write, so it never reaches EOF and nothing is sent.
    fifo = os.path.join(root, "commands.fifo")
    os.mkfifo(fifo, 0o600)
    with open(conf, "w") as f:
        f.write("[unix_http_server]\nfile=%s/supervisor.sock\nchmod=0660\n\n"
                "[supervisord]\nnodaemon=true\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\n"
                "childlogdir=%s\nminfds=4096\n\n"
                "[rpcinterface:supervisor]\n"
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                "[supervisorctl]\nserverurl=unix://%s/supervisor.sock\n\n" % (root, root, root, root, root))
        for i in range(N):
            f.write("[program:p%d]\ncommand=/bin/sh -c 'exec %s worker --profile p%d --profiles %s --state %s "
                    "3<>%s 4>/dev/null'\nautorestart=true\nstopasgroup=true\nkillasgroup=true\n"
                    "stdout_logfile=NONE\nstderr_logfile=NONE\n\n" % (i, binary, i, profiles, state, fifo))
    ctl = supervisorctl + ["-c", conf]
    out = {}
    t0 = time.perf_counter()
    sup = subprocess.Popen(supervisord + ["-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def statuses():
        r = subprocess.run(ctl + ["status"], capture_output=True, text=True)
        rows = {}
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2:
                pid = int(parts[3].rstrip(",")) if len(parts) > 3 and parts[2] == "pid" else None
                rows[parts[0]] = (parts[1], pid)
        return rows

    try:
        while True:
            st = statuses()
            if len(st) == N and all(s == "RUNNING" for s, _ in st.values()):
                break
            if time.perf_counter() - t0 > 180:
                raise RuntimeError("supervisord: not all children RUNNING after 180 s")
            time.sleep(0.05)
        out["ready_s"] = time.perf_counter() - t0
        time.sleep(3)
        pids = [p for _, p in statuses().values()]
        out["sup_rss"], out["sup_pss"] = rss_kb(sup.pid), pss_kb(sup.pid)
        out["wrk_rss"] = sum(rss_kb(p) for p in pids)
        out["wrk_pss"] = sum(pss_kb(p) for p in pids)
        out["wrk_rss_each"] = statistics.median(rss_kb(p) for p in pids)
        log("supervisord: %d children RUNNING in %.2f s; idling %d s…" % (N, out["ready_s"], IDLE))
        out["cpu_s"], out["cpu_pct"] = idle_cpu([sup.pid] + pids, IDLE)
        out["sup_cpu_s"], _ = idle_cpu([sup.pid], min(IDLE, 10))
        times = timed(ctl + ["status"], max(10, STATUS_RUNS // 4))
        out["status_p50"], out["status_p99"] = pct(times, 50), pct(times, 99)
        def kill_until_replaced(name):
            old = statuses()[name][1]
            t = time.perf_counter()
            os.kill(old, signal.SIGKILL)
            while True:
                r = subprocess.run(ctl + ["status", name], capture_output=True, text=True).stdout.split()
                if len(r) > 3 and r[1] == "RUNNING" and int(r[3].rstrip(",")) != old:
                    return time.perf_counter() - t
                time.sleep(0.005)

        kills, again = [], []
        for i in range(KILLS):
            name = "p%d" % ((i * 7) % N)
            kills.append(kill_until_replaced(name))
            again.append(kill_until_replaced(name))
        out["kill_ready_s"] = statistics.median(kills)
        out["kill_again_s"] = statistics.median(again)
        t = time.perf_counter()
        sup.send_signal(signal.SIGTERM)
        sup.wait(timeout=120)
        out["stop_s"] = time.perf_counter() - t
    finally:
        if sup.poll() is None:
            sup.send_signal(signal.SIGTERM)
            try:
                sup.wait(timeout=60)
            except subprocess.TimeoutExpired:
                sup.kill()
                sup.wait()
    return out


def main():
    binary = almanac_binary()
    root = tempfile.mkdtemp(prefix="almanac-bench-")
    try:
        supervisord, supervisorctl = supervisord_commands()
        a = bench_almanac(binary, os.path.join(root, "almanac"))
        s = bench_supervisord(binary, supervisord, supervisorctl, os.path.join(root, "supervisord"))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def row(label, av, sv, unit, fmt="%.2f"):
        ratio = (av / sv) if sv else float("nan")
        print("%-38s %12s %12s   %6.2fx" % (label, (fmt % av) + " " + unit, (fmt % sv) + " " + unit, ratio))

    print("supervisor benchmark: %d profiles, idle %d s, %d status runs (almanac at %s)" % (N, IDLE, STATUS_RUNS, binary))
    print("%-38s %12s %12s   %7s" % ("", "almanac", "supervisord", "ratio"))
    row("time until all ready", a["ready_s"], s["ready_s"], "s")
    row("supervisor RSS", a["sup_rss"] / 1024, s["sup_rss"] / 1024, "MB", "%.1f")
    row("supervisor PSS", a["sup_pss"] / 1024, s["sup_pss"] / 1024, "MB", "%.1f")
    row("workers RSS, total", a["wrk_rss"] / 1024, s["wrk_rss"] / 1024, "MB", "%.0f")
    row("workers PSS, total", a["wrk_pss"] / 1024, s["wrk_pss"] / 1024, "MB", "%.0f")
    row("worker RSS, median", a["wrk_rss_each"] / 1024, s["wrk_rss_each"] / 1024, "MB", "%.1f")
    row("idle CPU, supervisor + workers", a["cpu_pct"], s["cpu_pct"], "%", "%.2f")
    row("idle CPU, supervisor alone (10 s)", a["sup_cpu_s"], s["sup_cpu_s"], "s", "%.2f")
    row("status command p50", a["status_p50"], s["status_p50"], "ms", "%.1f")
    row("status command p99", a["status_p99"], s["status_p99"], "ms", "%.1f")
    print("%-38s %12s" % ("GET /v1/profiles p50 / p99", "%.2f / %.2f ms" % (a["api_p50"], a["api_p99"])))
    row("SIGKILL → replacement ready (median)", a["kill_ready_s"], s["kill_ready_s"], "s")
    row("  the same again at once (median)", a["kill_again_s"], s["kill_again_s"], "s")
    row("SIGTERM → all stopped", a["stop_s"], s["stop_s"], "s")
    print("almanac daemon exit code %d, workers left after stop: %d" % (a["exit"], a["left"]))
    print("targets: idle worker RSS <= 12 MB: %s; supervisor RSS <= half of supervisord's: %s; status p99 <= 20 ms: %s"
          % ("met" if a["wrk_rss_each"] <= 12 * 1024 else "NOT met",
             "met" if a["sup_rss"] * 2 <= s["sup_rss"] else "NOT met",
             "met" if a["status_p99"] <= 20 else "NOT met"))


if __name__ == "__main__":
    main()
