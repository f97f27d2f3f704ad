#!/usr/bin/env python3
"""bench/naive_sync: the straightforward sequential client rosterd's sync is compared with.

One request at a time over one keep-alive connection, the same endpoints and page size as
rosterd (users/search with limit 100 and the same expand, one chain for all users; groups/search;
role-assignments of every group that grants something; users/search per product and role), each
page parsed and stored in SQLite (one transaction per page) before the next request. No
partitions, no parallelism, no batching: what a script written against the API reference does.

  naive_sync.py --port PORT --org ORG --key-file FILE [--db PATH]

Prints one JSON object: wall_s, cpu_s (this process), requests, users.
"""
import argparse
import http.client
import json
import os
import sqlite3
import tempfile
import time

ROLES = ["atlassian/admin", "atlassian/guest", "atlassian/customer", "atlassian/contributor",
         "atlassian/basic", "atlassian/stakeholder"]


class Api:
    def __init__(self, port, org, key):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.org = org
        self.headers = {"Authorization": f"Bearer {key}", "Accept": "application/json",
                        "Content-Type": "application/json"}
        self.requests = 0

    def call(self, method, path, body=None):
        for attempt in range(20):
            self.requests += 1
            self.conn.request(method, path, body=None if body is None else json.dumps(body),
                              headers=self.headers)
            r = self.conn.getresponse()
            data = r.read()
            if r.status == 200:
                return json.loads(data)
            if r.status in (429, 500, 502, 503):
                time.sleep(min(2.0, 0.05 * 2 ** attempt))
                continue
            raise SystemExit(f"{method} {path}: HTTP {r.status} {data[:200]!r}")
        raise SystemExit(f"{method} {path}: gave up")

    def pages_post(self, path, body):
        cursor = None
        while True:
            page = self.call("POST", path, dict(body, **({"cursor": cursor} if cursor else {})))
            yield page.get("data", [])
            cursor = (page.get("links") or {}).get("next")
            if not cursor:
                return

    def pages_get(self, path, query):
        cursor = None
        while True:
            q = query + (f"&cursor={cursor}" if cursor else "")
            page = self.call("GET", f"{path}?{q}")
            yield page.get("data", [])
            cursor = (page.get("links") or {}).get("next")
            if not cursor:
                return


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--org", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    with open(args.key_file) as f:
        key = f.read().strip()
    t0, c0 = time.time(), time.process_time()
    tmp = None
    if not args.db:
        tmp = tempfile.TemporaryDirectory(prefix="rosterd-naive-")
        args.db = os.path.join(tmp.name, "naive.db")
    db = sqlite3.connect(args.db)
    db.executescript("""
        CREATE TABLE users(account_id TEXT PRIMARY KEY, doc TEXT);
        CREATE TABLE user_groups(account_id TEXT, group_id TEXT, PRIMARY KEY (account_id, group_id));
        CREATE TABLE user_access(account_id TEXT, resource_id TEXT, last_active TEXT, role TEXT,
                                  PRIMARY KEY (account_id, resource_id));
        CREATE TABLE groups(id TEXT PRIMARY KEY, doc TEXT);
        CREATE TABLE group_roles(group_id TEXT, doc TEXT);
    """)
    api = Api(args.port, args.org, key)
    v2 = f"/admin/v2/orgs/{args.org}"
    api.call("GET", f"/admin/v1/orgs/{args.org}")
    workspaces = [w for page in api.pages_post(f"{v2}/workspaces", {"limit": 100}) for w in page]
    api.call("GET", f"{v2}/directories?limit=100")
    users = 0
    for page in api.pages_post(f"{v2}/directories/-/users/search",
                               {"limit": 100, "expand": ["platformRoles", "productAccess", "groups"]}):
        with db:
            for u in page:
                db.execute("INSERT OR REPLACE INTO users VALUES (?, ?)", (u["accountId"], json.dumps(u)))
                for g in u.get("groups") or []:
                    db.execute("INSERT OR IGNORE INTO user_groups VALUES (?, ?)", (u["accountId"], g.get("id")))
                for a in u.get("productAccess") or []:
                    db.execute("INSERT OR REPLACE INTO user_access VALUES (?, ?, ?, 'atlassian/user')",
                               (u["accountId"], a.get("id"), a.get("lastActiveTimestamp")))
        users += len(page)
    groups = []
    for page in api.pages_post(f"{v2}/directories/-/groups/search",
                               {"limit": 100, "expand": ["counts.resources"]}):
        groups += page
        with db:
            db.executemany("INSERT OR REPLACE INTO groups VALUES (?, ?)",
                           [(g["id"], json.dumps(g)) for g in page])
    for g in groups:
        if ((g.get("counts") or {}).get("resources", 1)) == 0:
            continue
        gid = g["id"].rsplit("/", 1)[-1]
        for page in api.pages_get(f"{v2}/directories/-/groups/{gid}/role-assignments", "limit=100"):
            with db:
                db.executemany("INSERT INTO group_roles VALUES (?, ?)", [(gid, json.dumps(x)) for x in page])
    for w in workspaces:
        for role in ROLES:
            for page in api.pages_post(f"{v2}/directories/-/users/search",
                                       {"limit": 100, "resourceIds": [w["id"]], "roleIds": [role]}):
                with db:
                    db.executemany("UPDATE user_access SET role = ? WHERE account_id = ? AND resource_id = ?",
                                   [(role, u["accountId"], w["id"]) for u in page])
    print(json.dumps({"wall_s": round(time.time() - t0, 2), "cpu_s": round(time.process_time() - c0, 2),
                      "requests": api.requests, "users": users}))


if __name__ == "__main__":
    main()
