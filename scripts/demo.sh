#!/usr/bin/env bash
# make demo: a simulated organization (rosterd-sim), rosterd against it, the first sync with
# progress, the status and the sync history, the licence dashboard (all sites, then each site)
# and a filtered users query; then an automated task's dry-run plan, the task applied against the
# simulator, its result, and its undo; then a task with a notice stage: users put on notice and
# mailed (an aiosmtpd sink), one user coming back and released, the rest acted on after a grace
# of seconds, and undo; then everything is stopped.
set -euo pipefail
build_dir="${1:-build}"
bin_sim="$build_dir/sim/rosterd-sim"
bin_daemon="$build_dir/daemon/rosterd"
bin_ctl="$build_dir/daemon/cli/rosterctl"
users="${DEMO_USERS:-3000}"

work=$(mktemp -d /tmp/rosterd-demo.XXXXXX)
sim_pid=""
daemon_pid=""
smtp_pid=""
cleanup() {
    [ -n "$smtp_pid" ] && kill "$smtp_pid" 2>/dev/null && wait "$smtp_pid" 2>/dev/null || true
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting rosterd-sim: a simulated organization with $users users on 2 sites"
printf 'demo-key-%s\n' "$RANDOM$RANDOM" > "$work/api-key"
chmod 600 "$work/api-key"
"$bin_sim" --users "$users" --sites 2 --seed 42 --api-key-file "$work/api-key" \
    --port-file "$work/port" --dump-truth "$work/truth.json" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
echo "rosterd-sim listening on http://127.0.0.1:$port"

step "Starting an SMTP sink (python3-aiosmtpd, tests/support/smtp_sink.py) for the notice mails"
/usr/bin/python3 tests/support/smtp_sink.py "$work/mail" 0 >"$work/smtp.log" 2>&1 &
smtp_pid=$!
for _ in $(seq 1 100); do [ -s "$work/mail/port" ] && break; sleep 0.1; done
smtp_port=$(cat "$work/mail/port")
echo "SMTP sink listening on smtp://127.0.0.1:$smtp_port, writing each mail to $work/mail"

step "Starting rosterd with config/demo.yaml"
sed -e "s#http://127.0.0.1:18080#http://127.0.0.1:$port#" \
    -e "s#smtp://127.0.0.1:2525#smtp://127.0.0.1:$smtp_port#" \
    -e "s#/tmp/rosterd-demo#$work#g" config/demo.yaml > "$work/rosterd.yaml"
"$bin_daemon" --check-config "$work/rosterd.yaml"
"$bin_daemon" --config "$work/rosterd.yaml" 2>"$work/rosterd.log" &
daemon_pid=$!
ctl() { "$bin_ctl" --socket "$work/control.sock" "$@"; }
for _ in $(seq 1 100); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done

step "rosterctl sync --wait   (the first sync starts by itself; this follows it)"
ctl sync --wait

step "rosterctl status"
ctl status

step "rosterctl sync history"
ctl sync history

step "rosterctl dashboard   (billable seats, all sites; inactive = 30 days without activity)"
ctl dashboard

for site in $(ctl --json dashboard | grep -o '"site": "[^"]*"' | cut -d'"' -f4 | sort -u); do
    step "rosterctl dashboard --site $site"
    ctl dashboard --site "$site"
done

step "rosterctl users --product jira-software --inactive-days 90 --no-admins --sort last-active --limit 10"
ctl users --product jira-software --inactive-days 90 --no-admins --sort last-active --limit 10

# Long plans: the first rows and the summary line.
excerpt() { local file=$1; head -n 12 "$file"; local n; n=$(wc -l <"$file"); [ "$n" -gt 13 ] && echo "  ... ($((n - 13)) more rows)"; tail -n 1 "$file"; }

step "rosterctl tasks   (config/demo.yaml: one task, dry-run mode)"
ctl tasks

step "rosterctl tasks run reclaim-idle-jira   (a dry run: the plan, nothing changes)"
ctl tasks run reclaim-idle-jira >"$work/plan.txt"
excerpt "$work/plan.txt"

step "rosterctl dashboard --site acme.atlassian.net   (before the task applies)"
ctl dashboard --site acme.atlassian.net

step "rosterctl tasks run reclaim-idle-jira --apply   (against the simulator)"
start=$(date +%s.%N)
ctl tasks run reclaim-idle-jira --apply >"$work/applied.txt" 2>"$work/progress.txt" || true
end=$(date +%s.%N)
tail -n 3 "$work/progress.txt"
excerpt "$work/applied.txt"
run_id=$(ctl --json runs -n 1 | grep -o '"id": "[^"]*"' | head -n 1 | cut -d'"' -f4)
users=$(ctl --json runs show "$run_id" | grep -o '"users": [0-9]*' | head -n 1 | grep -o '[0-9]*')
changed=$(ctl --json runs show "$run_id" | grep -o '"ok": [0-9]*' | head -n 1 | grep -o '[0-9]*')
awk -v u="$users" -v c="$changed" -v s="$start" -v e="$end" \
    'BEGIN { printf "run over %s users (%s changed, the rest skipped) in %.1f s\n", u, c, e - s }'

step "rosterctl sync --wait   (the run's follow-up sync: the dashboard reflects the change)"
ctl sync --wait 2>/dev/null
ctl dashboard --site acme.atlassian.net

step "rosterctl savings   (potential: inactive seats now; realised: seats the run removed)"
ctl savings

step "rosterctl runs undo $run_id --apply   (re-grant everything the run removed)"
ctl runs undo "$run_id" --apply >"$work/undo.txt" 2>/dev/null || true
excerpt "$work/undo.txt"
ctl sync --wait >/dev/null 2>&1
ctl dashboard --site acme.atlassian.net

step "rosterctl runs"
ctl runs

step "rosterctl savings   (after the undo: the seats were given back, realised savings fall back)"
ctl savings

step "rosterctl history --product jira-software --site acme.atlassian.net   (one point per sync)"
ctl history --product jira-software --site acme.atlassian.net

step "rosterctl report --html -o $work/report.html   (one self-contained file, charts inline)"
ctl report --html -o "$work/report.html"

step "rosterctl tasks run notice-idle-confluence   (dry run: who would be noticed; nothing recorded)"
ctl tasks run notice-idle-confluence >"$work/notice-dry.txt" 2>/dev/null || true
excerpt "$work/notice-dry.txt"

step "rosterctl tasks run notice-idle-confluence --apply   (the notice stage: recorded, mailed, nothing sent to Atlassian)"
ctl tasks run notice-idle-confluence --apply >"$work/notice.txt" 2>/dev/null || true
excerpt "$work/notice.txt"
ctl --json notices --task notice-idle-confluence --state on-notice >"$work/notices.json"
noticed=$(grep -c '"account_id"' "$work/notices.json" || true)
for _ in $(seq 1 200); do
    [ "$(ls "$work/mail" | grep -c '\.eml$')" -ge "$noticed" ] && break; sleep 0.1
done
echo "mails in the SMTP sink: $(ls "$work/mail" | grep -c '\.eml$') for $noticed users on notice; the first one:"
first_mail=$(ls "$work/mail" | grep '\.eml$' | head -n 1)
sed -e 's/\r$//' -e 's/^/  | /' "$work/mail/$first_mail"

step "rosterctl notices --task notice-idle-confluence"
ctl notices --task notice-idle-confluence >"$work/notices.txt"
excerpt "$work/notices.txt"

ctl --json notices --task notice-idle-confluence --state on-notice >"$work/notices.json"
back=$(grep -o '"account_id": "[^"]*"' "$work/notices.json" | head -n 1 | cut -d'"' -f4)
step "User $back comes back (the simulator's POST /_sim/activity), then a sync"
resource=$(/usr/bin/python3 -c '
import json, sys
truth = json.load(open(sys.argv[1]))
for site in truth["sites"]:
    if site["host"] == "acme.atlassian.net":
        for p in site["products"]:
            if p["key"] == "confluence":
                print(p["resource_id"])
' "$work/truth.json")
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
/usr/bin/python3 -c '
import json, sys, urllib.request
body = json.dumps({"account_id": sys.argv[2], "resource_id": sys.argv[3], "last_active": sys.argv[4]})
urllib.request.urlopen(urllib.request.Request(sys.argv[1], body.encode(), {"Content-Type": "application/json"}))
' "http://127.0.0.1:$port/_sim/activity" "$back" "$resource" "$now"
ctl sync --wait >/dev/null 2>&1

step "Waiting for the 20 s grace to pass"
sleep 21

step "rosterctl tasks run notice-idle-confluence --apply   (after the grace: $back released, the rest acted on)"
ctl tasks run notice-idle-confluence --apply >"$work/notice-act.txt" 2>/dev/null || true
excerpt "$work/notice-act.txt"
notice_run=$(ctl --json runs -n 1 | grep -o '"id": "[^"]*"' | head -n 1 | cut -d'"' -f4)
ctl notices --task notice-idle-confluence >"$work/notices.txt"
excerpt "$work/notices.txt"
echo "mails in the SMTP sink after the act stage: $(ls "$work/mail" | grep -c '\.eml$') (one per user, none at the act stage)"

step "rosterctl runs undo $notice_run --apply   (give back what the act stage removed)"
ctl sync --wait >/dev/null 2>&1 || true
ctl runs undo "$notice_run" --apply >"$work/notice-undo.txt" 2>/dev/null || true
excerpt "$work/notice-undo.txt"

step "Stopping rosterd (SIGTERM) and rosterd-sim"
kill "$daemon_pid"
wait "$daemon_pid" && echo "rosterd stopped cleanly"
daemon_pid=""
echo
echo "rosterd's log:"
sed 's/^/  /' "$work/rosterd.log"
