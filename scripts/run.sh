#!/usr/bin/env bash
# make run / make dev: the web server and the background worker side by side, stopped together.
#   scripts/run.sh run   gunicorn (gunicorn.conf.py: sync workers, preload) + huey's consumer
#   scripts/run.sh dev   Flask's reloader (code changes reload the web process) + huey's consumer
# Ctrl-C reaches both (same process group); if either stops on its own, the other is stopped too.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
bin=.venv/bin
port=${PORTAL_PORT:-5000}
pids=()

stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  wait 2>/dev/null
  echo "网站和后台服务已停止"
}
trap stop INT TERM EXIT

# The worker: two threads; -f clears locks a killed worker may have left (periodic jobs also record
# each run in the database, so a run is never repeated even then).
"$bin/huey_consumer" portal.worker.huey --workers 2 --worker-type thread --flush-locks --quiet &
pids+=($!)
if [ "$mode" = dev ]; then
  "$bin/flask" --app app run --debug --host 127.0.0.1 --port "$port" &
else
  PORTAL_BIND="127.0.0.1:$port" "$bin/gunicorn" -c gunicorn.conf.py portal.wsgi:app &
fi
pids+=($!)
sleep 2
echo "打开 http://127.0.0.1:$port ，用上面的演示账号登录（按 Ctrl+C 同时停止网站和后台服务）"
wait -n
