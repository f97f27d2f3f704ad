#!/usr/bin/env python3
"""bench/ops: a bulk suspend of N users against rosterd-sim with its rate limit on.

Starts rosterd-sim (--rate-limit R requests per minute per key, fixed one-minute windows) and
rosterd (ops.max_users raised to N), waits for the initial sync, picks N active, non-admin
Atlassian accounts (`rosterctl users`), and applies `rosterctl bulk suspend --from-file ...
--apply --max-users N`. From the sim's request log it measures:

  run_s              from the run's first request (the first re-read) to its last suspend
  requests           API requests of the run: re-reads (users/search) + suspends + 429s
  requests_per_min   requests answered 2xx per minute over run_s; vs_limit = that / R
                     (the target: above 90 % of the allowed rate)
  attempted_per_min  every request of the run, 429s included, per minute (what the sim counted)
  suspends_per_min   mutating requests (suspend) per minute; users_per_min is the same figure
                     (one suspend per user)
  repeated           account ids whose suspend the sim accepted more than once (target: 0);
                     suspend_attempts and max_attempts_per_account also count the attempts the
                     sim refused with 429 (not executed, so retrying them repeats nothing)
  missing            users the plan acted on that received no suspend
  http_429           429 answers during the run
  wall_s             bulk command start to its answer (rosterctl's view: planning included)
  post_run_requests  requests after the run's last suspend: the refresh that publishes the run's
                     changes (the users it changed, read again 100 a request); post_run_kinds
                     counts them by endpoint, as request_kinds does the run's
  cpu_s, peak_rss_mb rosterd's CPU seconds during the run and its peak resident set (VmHWM)
  windows            the sim's one-minute windows (rebuilt from the log) that overlap the run;
                     full_window_use: accepted / limit for each window wholly inside the run, and
                     steady_vs_limit their mean (the target, > 0.9, without the edge effects of a
                     run that starts in the sync's window and ends in a fresh one)

By default it runs twice: the sim sending Retry-After on 429s, and only X-RateLimit-* (where
rosterd has to go by X-RateLimit-Reset, which has whole seconds). Environment: BENCH_OPS_KEEP=DIR
copies the work directory (request log, rosterd's log, database) there.

The executor re-reads the users before acting (docs/operations.md) in batches just ahead of them
(by email, up to 100 a request), so a suspended user costs about 1.01 requests, and the refresh
after the run another 0.01: at the limit R, about R users a minute.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync import Daemon, Sim, cpu_seconds, reset_peak, status_kb  # noqa: E402


def is_suspend(r):
    return r["method"] == "POST" and r["path"].endswith("/suspend")


def kind_of(r):
    """The endpoint of a request, users/search told apart by what it filters on."""
    if is_suspend(r):
        return "suspend"
    if r["path"].endswith("/users/search"):
        body = r.get("body") if isinstance(r.get("body"), dict) else {}
        for field in ("emails", "accountIds"):
            if field in body:
                return f"users/search by {field}"
        return "users/search (sync)"
    return f"{r['method']} {r['path']}"


def account_of(r):
    parts = r["path"].rstrip("/").split("/")
    return parts[-2]


def bench(build, users, rate_limit, latency, retry_after, sim_users):
    with tempfile.TemporaryDirectory(prefix="rosterd-bench-ops-") as work:
        # rosterd refuses a key file others may read.
        with open(os.open(os.path.join(work, "api-key"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("bench-key-0123456789\n")
        args = ["--users", str(sim_users), "--sites", "3", "--products-per-site", "2", "--groups", "200",
                "--seed", "1", "--latency-ms", str(latency), "--rate-limit", str(rate_limit)]
        if retry_after:
            args.append("--retry-after")
        sim = Sim(build, work, args)
        try:
            daemon = Daemon(build, work, sim.port, f"ops:\n  max_users: {users}\n")
            try:
                pid = daemon.proc.pid
                daemon.ctl_json(["sync", "--wait"])  # the initial sync (starts by itself)
                listing = daemon.ctl_json(["users", "--status", "active", "--no-admins",
                                           "--account-type", "atlassian", "--limit", str(users)])
                ids = [u.get("account_id") or u.get("accountId") or u.get("id") for u in listing["users"]]
                if len(ids) < users:
                    raise SystemExit(f"only {len(ids)} eligible users in a {sim_users}-user sim")
                selection = os.path.join(work, "selection.txt")
                with open(selection, "w") as f:
                    f.write("\n".join(ids) + "\n")
                log_before = len(sim.log_lines())
                cpu_before = cpu_seconds(pid)
                reset_peak(pid)
                t0 = time.time()
                doc = daemon.ctl_json(["bulk", "suspend", "--from-file", selection, "--apply",
                                       "--max-users", str(users)])
                wall = time.time() - t0
                cpu = cpu_seconds(pid) - cpu_before
                rss = status_kb(pid, "VmHWM") / 1024
                time.sleep(1)  # the sim writes its log line after answering
                everything = [json.loads(l) for l in sim.log_lines()]
                before, lines = everything[:log_before], everything[log_before:]
            finally:
                daemon.stop()
        finally:
            sim.stop()
            keep = os.environ.get("BENCH_OPS_KEEP")  # a directory: keep the logs for a look
            if keep:
                import shutil
                shutil.copytree(work, keep, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("*.sock", "api-key"))

    run = doc.get("run", doc)
    suspends = [r for r in lines if is_suspend(r)]
    if not suspends:
        raise SystemExit(f"no suspend requests: {json.dumps(doc)[:2000]}")
    all_lines = sorted(before + lines, key=lambda r: r["t"])
    first_search = next(i for i, r in enumerate(lines) if "users/search" in r["path"] or is_suspend(r))
    last = max(i for i, r in enumerate(lines) if is_suspend(r))
    in_run = lines[first_search:last + 1]
    after = lines[last + 1:]
    span_s = max((in_run[-1]["t"] - in_run[0]["t"]) / 1000.0, 1e-3)
    ok = [r for r in in_run if 200 <= r["status"] < 300]
    refused = [r for r in in_run if r["status"] == 429]
    ok_suspends = [r for r in suspends if 200 <= r["status"] < 300]
    per_account = Counter(account_of(r) for r in ok_suspends)
    attempts_per_account = Counter(account_of(r) for r in suspends)
    repeated = sorted(a for a, n in per_account.items() if n > 1)
    missing = sorted(set(ids) - set(per_account))
    kinds = Counter(kind_of(r) for r in in_run)
    post_kinds = Counter(kind_of(r) for r in after if not r["path"].startswith("/_sim"))
    # The sim's windows (one minute, opened by the first request after the previous one closed;
    # refused requests do not count), rebuilt from the whole log: the sync before the run opened
    # the first one. A window wholly inside the run shows how much of the allowed budget the run
    # used; the first is shared with the sync and the last one is cut short by the run's end.
    windows = []
    for i, r in enumerate(all_lines):
        if r["path"].endswith("/last-active-dates") or r["path"].startswith("/_sim"):
            continue
        if not windows or r["t"] >= windows[-1]["start"] + 60000:
            windows.append({"start": r["t"], "accepted": 0, "refused": 0})
        windows[-1]["refused" if r["status"] == 429 else "accepted"] += 1
    run_start, run_end = in_run[0]["t"], in_run[-1]["t"]
    # (1.5 s of slack at the end: the run may finish just before the window it used up closes,
    # and X-RateLimit-Reset has whole seconds)
    full = [w for w in windows if w["start"] >= run_start and w["start"] + 60000 <= run_end + 1500]
    window_use = [round(w["accepted"] / rate_limit, 3) for w in full]
    gaps = sorted(((b["t"] - a["t"]) for a, b in zip(in_run, in_run[1:])), reverse=True)[:5]
    result = {
        "kind": "bulk-suspend",
        "users": users,
        "rate_limit_per_min": rate_limit,
        "latency_ms": latency,
        "retry_after": retry_after,
        "sim_users": sim_users,
        "state": run.get("state"),
        "counts": {k: run.get(k) for k in ("ok", "failed", "skipped") if k in run},
        "wall_s": round(wall, 2),
        "run_s": round(span_s, 2),
        "requests": len(in_run),
        "request_kinds": dict(kinds),
        "requests_ok": len(ok),
        "requests_per_min": round(len(ok) / span_s * 60, 1),
        "attempted_per_min": round(len(in_run) / span_s * 60, 1),
        "vs_limit": round(len(ok) / span_s * 60 / rate_limit, 3),
        "suspends": len(ok_suspends),
        "suspends_per_min": round(len(ok_suspends) / span_s * 60, 1),
        "users_per_min": round(len(per_account) / span_s * 60, 1),
        "suspend_attempts": len(suspends),
        "max_attempts_per_account": max(attempts_per_account.values()),
        "repeated": len(repeated),
        "repeated_ids": repeated[:10],
        "missing": len(missing),
        "http_429": len(refused),
        "windows": [{"offset_s": round((w["start"] - run_start) / 1000, 1), "accepted": w["accepted"],
                     "refused": w["refused"]} for w in windows if w["start"] + 60000 > run_start],
        "full_window_use": window_use,
        "steady_vs_limit": round(sum(window_use) / len(window_use), 3) if window_use else None,
        "longest_gaps_ms": gaps,
        "post_run_requests": len(after),
        "post_run_kinds": dict(post_kinds),
        "requests_per_user": round((len(in_run) + len(after)) / max(len(per_account), 1), 4),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(rss, 1),
    }
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build")
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--rate-limit", type=int, default=5000, help="the sim's requests per minute")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--retry-after", choices=("on", "off", "both"), default="both",
                        help="the sim sends Retry-After on 429s (on), only X-RateLimit-* (off), or one "
                             "run each (both)")
    parser.add_argument("--sim-users", type=int, default=0,
                        help="users in the simulated org (default: enough for --users eligible ones)")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    sim_users = args.sim_users or int(args.users * 1.35) + 200
    results = []
    for retry_after in {"on": [True], "off": [False], "both": [True, False]}[args.retry_after]:
        r = bench(args.build, args.users, args.rate_limit, args.latency_ms, retry_after, sim_users)
        print(json.dumps(r), flush=True)
        results.append(r)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"benchmark": "ops", "cores": os.cpu_count(),
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "results": results}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
