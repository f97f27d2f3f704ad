#!/usr/bin/env python3
"""bench/sync: rosterd syncing a large simulated organization.

For each size, starts rosterd-sim (3 sites x 2 products = 6 products, 2,000 groups, 20 ms per
request) and rosterd, syncs from empty (the initial sync) and again over the existing snapshot,
and measures per sync:

  wall_s         the run's duration as rosterd records it (sync history), start to publish
  requests       API requests the sim received during the sync (its --request-log; the first
                 sync starts with the daemon, so all of the log until it ends)
  per_1k_users   requests per 1,000 users
  request_kinds  the requests by what they were for (user pages, role pages, admin holders and
                 questions, counts, groups, group roles, fixed)
  longest_chain  the longest chain of sequential requests: the most pages fetched for one query
                 (requests with the same method, path and body apart from `cursor` form one
                 cursor chain, and each page needs the previous page's cursor). Times the latency,
                 it is the lower bound of the sync's wall time.
  indexed_s      from the request until the query index of the new snapshot is built (questions
                 are answered from it; the CPU and memory figures include building it)
  cpu_s          rosterd's user+system CPU seconds, the sync and the new index (/proc/PID/stat;
                 the first sync, which starts with the daemon: since the daemon started)
  peak_rss_mb    rosterd's peak resident set (VmHWM; reset through /proc/PID/clear_refs before
                 the second sync)

With --activity it also runs the opt-in per-user activity source (`last-active-dates`, one
request per user, limited by the sim to 200 a minute) on 10,000 users for a bounded slice of
time and extrapolates the full cost from the measured rate.
"""
import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

ORG = "3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35"
NOW = "2026-11-01T12:00:00Z"
NOW_MS = 1793534400000  # NOW in epoch milliseconds
START = time.time()


def clk_tck():
    return os.sysconf(os.sysconf_names["SC_CLK_TCK"])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / clk_tck()


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Sim:
    def __init__(self, build, work, args):
        self.port_file = os.path.join(work, "sim.port")
        self.log_path = os.path.join(work, "requests.jsonl")
        cmd = [find_binary(build, "rosterd-sim"), "--port-file", self.port_file, "--request-log", self.log_path,
               "--now", NOW, "--api-key-file", os.path.join(work, "api-key")] + args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(
            os.path.join(work, "sim.err"), "w"))
        self.proc.stdout.readline()  # "rosterd-sim listening on ..."
        with open(self.port_file) as f:
            self.port = int(f.read().strip())

    def log_lines(self):
        with open(self.log_path) as f:
            return f.readlines()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def find_binary(build, name):
    for candidate in (os.path.join(build, name), os.path.join(build, "daemon", name),
                      os.path.join(build, "daemon", "cli", name), os.path.join(build, "sim", name),
                      os.path.join(build, "bench", name)):
        if os.path.exists(candidate):
            return candidate
    raise SystemExit(f"{name} not found under {build}")


def free_port():
    import socket as socketlib
    with socketlib.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, build, work, sim_port, extra_yaml=""):
        self.build = build
        self.metrics_port = free_port()
        self.socket = os.path.join(work, "ctl.sock")
        self.db = os.path.join(work, "rosterd.db")
        config = os.path.join(work, "rosterd.yaml")
        with open(config, "w") as f:
            f.write(f"""atlassian:
  org_id: {ORG}
  api_base: http://127.0.0.1:{sim_port}
  api_key_file: {os.path.join(work, 'api-key')}
storage:
  path: {self.db}
control:
  socket: {self.socket}
logging:
  level: {os.environ.get("BENCH_LOG_LEVEL", "info")}
metrics:
  listen: 127.0.0.1:{self.metrics_port}
{extra_yaml}""")
        self.proc = subprocess.Popen([find_binary(build, "rosterd"), "--config", config],
                                     stdout=open(os.path.join(work, "rosterd.out"), "w"),
                                     stderr=open(os.path.join(work, "rosterd.err"), "w"))
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.ctl(["status"]).returncode == 0:
                return
            time.sleep(0.05)
        raise SystemExit("rosterd did not come up")

    def ctl(self, args):
        return subprocess.run([find_binary(self.build, "rosterctl"), "--socket", self.socket] + args,
                              capture_output=True, text=True)

    def ctl_json(self, args):
        r = self.ctl(["--json"] + args)
        if r.returncode != 0:
            raise SystemExit(f"rosterctl {' '.join(args)} failed: {r.stdout}{r.stderr}")
        return json.loads(r.stdout)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def chains(lines):
    """Longest cursor chain and the number of distinct queries in the given request-log lines."""
    per_query = Counter()
    for line in lines:
        r = json.loads(line)
        body = r.get("body")
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k != "cursor"}
        query = "&".join(p for p in (r.get("query") or "").split("&") if not p.startswith("cursor="))
        per_query[(r["method"], r["path"], json.dumps(body, sort_keys=True), query)] += 1
    longest = max(per_query.values()) if per_query else 0
    return longest, len(per_query)


def request_kinds(lines):
    """What the requests of a sync were for: the user listing, the roles, the partition counts,
    the groups and what they grant (filtered group searches, role assignments), the rest (organization, workspaces, directories,
    domains)."""
    kinds = Counter()
    for line in lines:
        r = json.loads(line)
        path = r["path"]
        body = r.get("body") if isinstance(r.get("body"), dict) else {}
        if path.endswith("/users/search"):
            if "expand" in body and "roleIds" not in body:
                kinds["user_pages"] += 1
            elif "resourceIds" not in body:
                kinds["admin_holders"] += 1
            elif "emails" in body or "accountIds" in body:
                kinds["admin_questions"] += 1
            else:
                kinds["role_pages"] += 1
        elif path.endswith("/users/count"):
            kinds["role_counts" if "roleIds" in (r.get("query") or "") else "partition_counts"] += 1
        elif path.endswith("/groups/search"):
            # A filtered search reads what groups grant (daemon/sync/group_grant_code.hpp).
            filtered = "roleIds" in body or "resourceIds" in body
            kinds["group_grant_searches" if filtered else "group_pages"] += 1
        elif path.endswith("/role-assignments"):
            kinds["group_roles"] += 1
        else:
            kinds["fixed"] += 1
    return dict(sorted(kinds.items()))


def _socket_client(args):
    """One control-socket client: sequential request/answer pairs until the deadline."""
    import socket as socketlib
    path, request, deadline = args
    sock = socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_STREAM)
    sock.connect(path)
    reader = sock.makefile("rb")
    done = 0
    latencies = []
    fixed = (json.dumps(dict(id=1, **request)) + "\n").encode()
    live = request.get("args", {}).get("now_ms") == "live"
    while time.time() < deadline:
        line = fixed
        if live:
            # The organization's clock, moving at the speed of this one: each question asks at
            # its own instant, with the 30-day cutoff among the users' activity (as in
            # production, where the sim's fixed NOW is today).
            args = dict(request["args"], now_ms=NOW_MS + int((time.time() - START) * 1000))
            line = (json.dumps(dict(id=1, command=request["command"], args=args)) + "\n").encode()
        t0 = time.perf_counter()
        sock.sendall(line)
        answer = reader.readline()
        latencies.append(time.perf_counter() - t0)
        if b'"ok":true' not in answer:
            raise RuntimeError(f"bad answer: {answer[:200]!r}")
        done += 1
    sock.close()
    return done, latencies


def status(socket_path):
    import socket as socketlib
    with socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_STREAM) as sock:
        sock.connect(socket_path)
        sock.sendall(b'{"id":1,"command":"status"}\n')
        return json.loads(sock.makefile("rb").readline())["result"]


def socket_throughput(socket_path, clients=20, seconds=5.0):
    """Requests per second over the control socket with `clients` concurrent connections."""
    from multiprocessing import Pool
    out = []
    cases = [
        ("status", {"command": "status"}),
        ("dashboard", {"command": "dashboard"}),
        ("users page (inactive 30d in Jira, 50 rows)",
         {"command": "users",
          "args": {"inactive-days": 30, "product": "jira-software", "limit": 50, "now_ms": "live"}}),
    ]
    for name, request in cases:
        deadline = time.time() + seconds
        with Pool(clients) as pool:
            results = pool.map(_socket_client, [(socket_path, request, deadline)] * clients)
        total = sum(r[0] for r in results)
        latencies = sorted(l for r in results for l in r[1])
        p = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2)
        entry = {"kind": "socket", "case": name, "clients": clients,
                 "requests_per_s": round(total / seconds, 1), "p50_ms": p(0.5),
                 "p99_ms": p(0.99), "max_ms": round(latencies[-1] * 1000, 2)}
        if request["command"] == "users":
            # How many answers took a pass over the users, and how many reused a selection.
            query = status(socket_path)["query"]
            entry["selections_computed"] = query["selections_computed"]
            entry["selections_reused"] = query["selections_reused"]
        out.append(entry)
    return out


def scrape(port):
    """One GET /metrics on a new connection, as Prometheus scrapes: (seconds, body bytes)."""
    import socket as socketlib
    t0 = time.perf_counter()
    with socketlib.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    elapsed = time.perf_counter() - t0
    if not data.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"bad scrape: {data[:200]!r}")
    return elapsed, len(data)


def scrape_times(daemon, users, scrapes=300):
    """GET /metrics round trips on the published snapshot (client side: connect, request, read
    to the close), and the daemon's own time per scrape (status: metrics.last_scrape_us)."""
    times, inside = [], []
    size = 0
    for _ in range(scrapes):
        t, size = scrape(daemon.metrics_port)
        times.append(t)
    for _ in range(20):
        scrape(daemon.metrics_port)
        inside.append(daemon.ctl_json(["status"])["metrics"]["last_scrape_us"] / 1000.0)
    times.sort()
    inside.sort()
    p = lambda xs, q: round(xs[min(len(xs) - 1, int(q * len(xs)))] * 1000, 3)
    return {"kind": "scrape", "users": users, "scrapes": scrapes, "bytes": size,
            "p50_ms": p(times, 0.5), "p99_ms": p(times, 0.99),
            "daemon_p50_ms": round(inside[len(inside) // 2], 3),
            "daemon_max_ms": round(inside[-1], 3)}


def index_snapshot(daemon):
    return daemon.ctl_json(["status"]).get("query", {}).get("index_snapshot")


def wait_for_index(daemon, held_before, timeout=60):
    """The query index of the new snapshot is built after the publish (by the query service):
    its time, CPU and memory belong to the sync's cost, so the measurement ends when it is in."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        held = index_snapshot(daemon)
        if held is not None and held != held_before:
            return
        time.sleep(0.05)
    raise SystemExit("the query index of the new snapshot was not built")


def run_sync(daemon, sim, pid, users, first):
    # The first sync starts with the daemon (no snapshot yet), before this is called: its
    # requests are all of the simulator's log (the daemon asks the API nothing else at start-up;
    # checked below: the log holds one sync's organization request).
    log_before = 0 if first else len(sim.log_lines())
    held_before = index_snapshot(daemon)
    cpu_before = 0.0 if first else cpu_seconds(pid)  # the first: since the daemon started
    if not first:
        # A daily sync comes long after the work a publish starts (seat history, seat alerts,
        # the first questions, each on the published snapshot's index); starting this one while
        # that work still runs would reload the index the sync lets go and measure both.
        time.sleep(3)
        reset_peak(pid)
    t0 = time.time()
    outcome = daemon.ctl_json(["sync", "--wait"])
    elapsed = time.time() - t0
    wait_for_index(daemon, held_before)
    indexed = time.time() - t0
    # The first scrape after a publish computes the seat figures (once per snapshot).
    first_scrape, _ = scrape(daemon.metrics_port)
    cpu = cpu_seconds(pid) - cpu_before
    lines = sim.log_lines()[log_before:]
    syncs = sum(1 for line in lines if json.loads(line)["path"] == f"/admin/v1/orgs/{ORG}")
    if syncs != 1:
        raise SystemExit(f"expected the requests of one sync, found {syncs} syncs' in the log")
    longest, queries = chains(lines)
    history = daemon.ctl_json(["sync", "history"])["runs"][0]
    if history.get("outcome") != "succeeded":
        raise SystemExit(f"sync failed: {history}")
    wall = outcome.get("duration_ms", elapsed * 1000) / 1000.0
    return {
        "kind": "initial" if first else "resync",
        "users": users,
        "wall_s": round(wall, 2),
        "client_wait_s": round(elapsed, 2),
        "indexed_s": round(indexed, 2),
        "requests": len(lines),
        "per_1k_users": round(len(lines) * 1000 / users, 1),
        "queries": queries,
        "request_kinds": request_kinds(lines),
        "longest_chain": longest,
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(status_kb(pid, "VmHWM") / 1024, 1),
        "retries": int(history.get("retries", 0)),
        "first_scrape_ms": round(first_scrape * 1000, 2),
    }


def sim_args(users, latency):
    # The largest organizations have more groups too: 10,000 at 500k users (issue 20).
    groups = 10000 if users >= 500000 else 2000
    return ["--users", str(users), "--sites", "3", "--products-per-site", "2", "--groups", str(groups),
            "--seed", "1", "--latency-ms", str(latency)]


def work_directory(keep):
    """A fresh temporary directory, or `keep` (left behind for inspection: the database, logs)."""
    if keep:
        os.makedirs(keep, exist_ok=True)
        return contextlib.nullcontext(keep)
    return tempfile.TemporaryDirectory(prefix="rosterd-bench-")


def db_megabytes(daemon):
    """The database file with its WAL, as it sits on disk after a sync."""
    total = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            total += os.path.getsize(daemon.db + suffix)
    return round(total / 1e6, 1)


def socket_call(socket_path, request, runs=15):
    """Median and worst round trip of one control-socket request, one client, `runs` times.
    `request` may be a function of the run's number, for questions that must differ."""
    import socket as socketlib
    sock = socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_STREAM)
    sock.connect(socket_path)
    reader = sock.makefile("rb")
    times = []
    for i in range(runs):
        line = (json.dumps(dict(id=1, **(request(i) if callable(request) else request))) + "\n").encode()
        t0 = time.perf_counter()
        sock.sendall(line)
        answer = reader.readline()
        times.append(time.perf_counter() - t0)
        if b'"ok":true' not in answer:
            raise SystemExit(f"bad answer: {answer[:200]!r}")
    sock.close()
    times.sort()
    return round(times[len(times) // 2] * 1000, 2), round(times[-1] * 1000, 2)


def query_times(daemon, users):
    """What a person waits for on this snapshot: the dashboard and a filtered users page over the
    socket (median of 15), the full CSV export through rosterctl (one run, process included).
    Each users page asks for another number of days, so each is a pass over the users, not a
    selection the daemon remembered (the socket bench measures those)."""
    dash = socket_call(daemon.socket, {"command": "dashboard"})
    page = socket_call(daemon.socket, lambda i: {"command": "users", "args": {
        "inactive-days": 30 + i, "product": "jira-software", "limit": 50}})
    t0 = time.perf_counter()
    with open(os.devnull, "w") as sink:
        r = subprocess.run([find_binary(daemon.build, "rosterctl"), "--socket", daemon.socket,
                            "users", "--format", "csv"], stdout=sink, stderr=subprocess.PIPE)
    csv_s = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"csv export failed: {r.stderr[:300]!r}")
    return {"kind": "queries", "users": users, "dashboard_ms": dash[0], "dashboard_max_ms": dash[1],
            "users_page_ms": page[0], "users_page_max_ms": page[1], "csv_s": round(csv_s, 2)}


def naive_run(sim, work, users):
    """The sequential client (bench/naive_sync.py) against the same simulator."""
    out = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "naive_sync.py"),
                          "--port", str(sim.port), "--org", ORG,
                          "--key-file", os.path.join(work, "api-key"),
                          "--db", os.path.join(work, "naive.db")],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"naive client failed: {out.stdout}{out.stderr}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    if r["users"] != users:
        raise SystemExit(f"naive client listed {r['users']} users of {users}")
    return {"kind": "naive", "users": users, "wall_s": r["wall_s"], "cpu_s": r["cpu_s"],
            "requests": r["requests"]}


def bench_size(build, users, latency, extra_yaml, socket_bench=False, keep="", naive=False):
    with work_directory(keep) as work:
        # rosterd refuses a key file others may read.
        with open(os.open(os.path.join(work, "api-key"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("bench-key-0123456789\n")
        sim = Sim(build, work, sim_args(users, latency))
        try:
            daemon = Daemon(build, work, sim.port, extra_yaml)
            try:
                pid = daemon.proc.pid
                # The first sync starts by itself (a key and no snapshot); --wait joins it.
                first = run_sync(daemon, sim, pid, users, True)
                second = run_sync(daemon, sim, pid, users, False)
                second["db_mb"] = db_megabytes(daemon)
                results = [first, second, scrape_times(daemon, users), query_times(daemon, users)]
                if socket_bench:
                    results += socket_throughput(daemon.socket)
                if naive:
                    results.append(naive_run(sim, work, users))
                return results
            finally:
                daemon.stop()
        finally:
            sim.stop()


def bench_days(build, users, days, latency):
    """The database over `days` daily syncs of an organization that changes a little every day
    (users suspended, restored and deactivated through /_sim/churn): its size must level off."""
    with tempfile.TemporaryDirectory(prefix="rosterd-bench-") as work:
        with open(os.open(os.path.join(work, "api-key"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("bench-key-0123456789\n")
        sim = Sim(build, work, sim_args(users, latency))
        try:
            daemon = Daemon(build, work, sim.port)
            try:
                sizes = []
                for day in range(days):
                    if day:
                        import urllib.request
                        body = json.dumps({"after_pages": 3, "suspend": users // 500,
                                           "restore": users // 1000, "deactivate": users // 1000,
                                           "seed": day}).encode()
                        urllib.request.urlopen(urllib.request.Request(
                            f"http://127.0.0.1:{sim.port}/_sim/churn", data=body,
                            headers={"Content-Type": "application/json"})).read()
                    outcome = daemon.ctl_json(["sync", "--wait"])
                    if outcome.get("outcome", "succeeded") != "succeeded":
                        raise SystemExit(f"day {day + 1}: sync failed: {outcome}")
                    time.sleep(0.3)  # the retired generation is pruned right after the publish
                    sizes.append(db_megabytes(daemon))
                return {"kind": "daily", "users": users, "days": days, "db_mb": sizes,
                        "first_mb": sizes[0], "last_mb": sizes[-1], "max_mb": max(sizes)}
            finally:
                daemon.stop()
        finally:
            sim.stop()


def bench_activity(build, users, seconds):
    """The opt-in per-user source: measure a bounded slice, extrapolate the rest."""
    with tempfile.TemporaryDirectory(prefix="rosterd-bench-") as work:
        # rosterd refuses a key file others may read.
        with open(os.open(os.path.join(work, "api-key"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("bench-key-0123456789\n")
        sim = Sim(build, work, sim_args(users, 20) + ["--last-active-limit", "200"])
        try:
            daemon = Daemon(build, work, sim.port, "sync:\n  activity_source: last-active-dates\n")
            try:
                t0 = time.time()
                first_activity = None
                while time.time() - t0 < seconds + 120:
                    lines = [json.loads(l) for l in sim.log_lines()]
                    activity = [r for r in lines if "last-active-dates" in r["path"]]
                    if activity and first_activity is None:
                        first_activity = activity[0]["t"]
                    if first_activity is not None and time.time() * 1000 - first_activity > seconds * 1000:
                        break
                    time.sleep(1)
                lines = [json.loads(l) for l in sim.log_lines()]
                activity = [r for r in lines if "last-active-dates" in r["path"]]
                bulk = [r for r in lines if "last-active-dates" not in r["path"]]
                ok = [r for r in activity if r["status"] == 200]
                refused = [r for r in activity if r["status"] == 429]
                span_s = (activity[-1]["t"] - activity[0]["t"]) / 1000.0 if len(activity) > 1 else 0
                rate = len(ok) / span_s * 60 if span_s else 0
                projected_min = users / rate if rate else None
                return {
                    "kind": "activity-fallback",
                    "users": users,
                    "measured_s": round(span_s, 1),
                    "bulk_requests": len(bulk),
                    "activity_ok": len(ok),
                    "activity_429": len(refused),
                    "rate_per_min": round(rate, 1),
                    "projected_total_min": round(projected_min, 1) if projected_min else None,
                    "requests_per_1k_users": round((len(bulk) + users) * 1000 / users, 1),
                }
            finally:
                daemon.proc.kill()
                daemon.proc.wait()
        finally:
            sim.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build")
    parser.add_argument("--users", default="10000,100000")
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--activity-seconds", type=int, default=0,
                        help="also measure the per-user activity source on 10k users for this long")
    parser.add_argument("--config", default="", help="extra rosterd YAML")
    parser.add_argument("--socket-bench", action="store_true",
                        help="after the largest size, measure control-socket throughput")
    parser.add_argument("--naive-max", type=int, default=100000,
                        help="also run the naive sequential client at sizes up to this many users")
    parser.add_argument("--days", type=int, default=0,
                        help="also sync the --days-users organization this many times (daily growth)")
    parser.add_argument("--days-users", type=int, default=10000)
    parser.add_argument("--out", default="")
    parser.add_argument("--keep", default="",
                        help="work directory to use and keep (database, logs); one size only")
    args = parser.parse_args()
    results = []
    sizes = [int(x) for x in args.users.split(",") if x]
    for n in sizes:
        for r in bench_size(args.build, n, args.latency_ms, args.config,
                            args.socket_bench and n == max(sizes), args.keep,
                            n <= args.naive_max):
            print(json.dumps(r), flush=True)
            results.append(r)
    if args.days:
        r = bench_days(args.build, args.days_users, args.days, args.latency_ms)
        print(json.dumps(r), flush=True)
        results.append(r)
    if args.activity_seconds:
        r = bench_activity(args.build, 10000, args.activity_seconds)
        print(json.dumps(r), flush=True)
        results.append(r)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"benchmark": "sync", "cores": os.cpu_count(), "latency_ms": args.latency_ms,
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "results": results}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
