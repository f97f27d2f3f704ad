#!/usr/bin/env python3
"""Prints the benchmark results (bench/results/*.json) as one table against the targets."""
import json
import os
import sys

SYNC_TARGETS = {100000: {"wall_s": 15, "cpu_s": 5, "peak_rss_mb": 150}}


def mark(value, target):
    if target is None:
        return ""
    return "ok" if value <= target else "MISSED"


def sync_table(doc):
    print(f"sync ({doc.get('cores')} cores, {doc.get('latency_ms')} ms per request, {doc.get('date')})")
    head = f"{'users':>8} {'sync':<8} {'wall s':>7} {'cpu s':>6} {'rss MB':>7} {'requests':>9} " \
           f"{'per 1k':>7} {'chain':>6}  targets (100k: <15 s, <5 s CPU, <150 MB)"
    print(head)
    for r in doc["results"]:
        if r["kind"] in ("initial", "resync"):
            t = SYNC_TARGETS.get(r["users"], {})
            verdict = " ".join(mark(r[k], t.get(k)) for k in ("wall_s", "cpu_s", "peak_rss_mb")
                               if k in t)
            print(f"{r['users']:>8} {r['kind']:<8} {r['wall_s']:>7} {r['cpu_s']:>6} "
                  f"{r['peak_rss_mb']:>7} {r['requests']:>9} {r['per_1k_users']:>7} "
                  f"{r['longest_chain']:>6}  {verdict}")
    for r in doc["results"]:
        if r["kind"] == "activity-fallback":
            print(f"per-user activity (last-active-dates) on {r['users']} users: "
                  f"{r['activity_ok']} answered in {r['measured_s']} s = {r['rate_per_min']}/min "
                  f"({r['activity_429']} refused 429); projected {r['projected_total_min']} min "
                  f"for all, {r['requests_per_1k_users']} requests per 1,000 users")
    scrapes = [r for r in doc["results"] if r["kind"] == "scrape"]
    if scrapes:
        print("\nGET /metrics on a new connection each (target: a scrape < 1 ms)")
        print(f"{'users':>8} {'scrapes':>8} {'bytes':>7} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'in daemon p50':>14} {'max':>7} {'first after publish':>20}")
        for r in scrapes:
            firsts = [x.get("first_scrape_ms") for x in doc["results"]
                      if x["kind"] in ("initial", "resync") and x["users"] == r["users"]]
            first = max((f for f in firsts if f is not None), default="")
            print(f"{r['users']:>8} {r['scrapes']:>8} {r['bytes']:>7} {r['p50_ms']:>8} "
                  f"{r['p99_ms']:>8} {r['daemon_p50_ms']:>14} {r['daemon_max_ms']:>7} "
                  f"{first:>20}  {mark(r['daemon_p50_ms'], 1.0)}")
    socket = [r for r in doc["results"] if r["kind"] == "socket"]
    if socket:
        print(f"\ncontrol socket, {socket[0]['clients']} concurrent clients (100k snapshot)")
        print(f"{'case':<44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
        for r in socket:
            print(f"{r['case']:<44} {r['requests_per_s']:>9} {r['p50_ms']:>8} {r['p99_ms']:>8}")


def query_table(doc):
    print(f"\nqueries on {doc.get('users')} users ({doc.get('cpus')} cores, median of {doc.get('runs')})")
    print(f"{'case':<72} {'median ms':>10} {'target':>8}")
    for c in doc["cases"]:
        target = c.get("target_ms")
        verdict = "" if target is None else ("ok" if c.get("within_target") else "MISSED")
        print(f"{c['case']:<72} {c['median_ms']:>10} {target if target else '':>8} {verdict}")


def ops_table(doc):
    print(f"\nbulk suspend against the sim's rate limit ({doc.get('cores')} cores, {doc.get('date')})")
    print(f"{'users':>6} {'limit/min':>9} {'429 hint':<12} {'ok':>5} {'failed':>6} {'run s':>6} "
          f"{'req/min':>8} {'users/min':>9} {'full windows':>13} {'429s':>5} {'repeated':>8} "
          f"{'cpu s':>6} {'rss MB':>7}  target (>90 % of the limit, 0 repeated)")
    for r in doc["results"]:
        if r.get("kind") != "bulk-suspend":
            continue
        counts = r.get("counts", {})
        steady = r.get("steady_vs_limit")
        use = "/".join(f"{u:.0%}" for u in r.get("full_window_use", [])) or "-"
        ok = steady is not None and steady > 0.9 and r["repeated"] == 0 and not counts.get("failed")
        print(f"{r['users']:>6} {r['rate_limit_per_min']:>9} "
              f"{'Retry-After' if r['retry_after'] else 'Reset only':<12} {counts.get('ok', ''):>5} "
              f"{counts.get('failed', ''):>6} {r['run_s']:>6} {r['requests_per_min']:>8} "
              f"{r['users_per_min']:>9} {use:>13} {r['http_429']:>5} {r['repeated']:>8} "
              f"{r['cpu_s']:>6} {r['peak_rss_mb']:>7}  {'ok' if ok else 'MISSED'}")
    print("(req/min: accepted requests of the run, re-reads + suspends, over its span; full windows: "
          "accepted requests / limit in each of the sim's one-minute windows wholly inside the run)")


def main():
    for path in sys.argv[1:]:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            doc = json.load(f)
        if doc.get("benchmark") == "sync":
            sync_table(doc)
        elif doc.get("benchmark") == "ops":
            ops_table(doc)
        elif "cases" in doc:
            query_table(doc)


if __name__ == "__main__":
    main()
