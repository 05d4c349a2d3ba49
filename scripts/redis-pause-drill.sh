#!/usr/bin/env bash
# The frozen-Redis drill: RUNS times (default 10), a redis-server of its own and the app on RabbitMQ (RABBITMQ_URL, a
# queue of its own) and that Redis take a batch of JOBS photo jobs from 6 clients; once PAUSE_AFTER jobs have ended,
# redis-server is frozen (SIGSTOP) for PAUSE_SECONDS (default 20) and then let go on (SIGCONT). Each run prints the
# load report's last lines; a run passes when no accepted job was lost or failed. Needs a Release build of
# FaceBlur.Web and FaceBlur.Bench, the fetched models, the evaluation photos (FACEBLUR_EVAL_DIR, default ../shared/eval),
# redis-server and a RabbitMQ. Queues it declared are deleted with rabbitmqctl when that is available.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-10}" jobs="${JOBS:-60}" pause_seconds="${PAUSE_SECONDS:-20}" pause_after="${PAUSE_AFTER:-15}"
rabbitmq="${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}"
app="$root/FaceBlur.Web/bin/Release/net10.0/FaceBlur.Web.dll"
bench="$root/FaceBlur.Bench/bin/Release/net10.0/FaceBlur.Bench.dll"
for file in "$app" "$bench"; do
  [[ -f "$file" ]] || { echo "redis-pause-drill: $file is missing (dotnet build -c Release first)" >&2; exit 1; }
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ORT_DISABLE_TELEMETRY=1
export FACEBLUR_EVAL_DIR="${FACEBLUR_EVAL_DIR:-$root/../shared/eval}"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 300); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 0.2; done; return 1; }

redis_pid="" app_pid="" work=""
cleanup() {
  [[ -n "$app_pid" ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  [[ -n "$redis_pid" ]] && { kill -CONT "$redis_pid" 2>/dev/null; kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; } || true
  [[ -n "$work" ]] && rm -rf "$work"
  app_pid="" redis_pid="" work=""
}
trap cleanup EXIT

failures=0
for run in $(seq 1 "$runs"); do
  work="$(mktemp -d)"
  redis_port="$(free_port)" app_port="$(free_port)" queue="faceblur-drill-$$-$run"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
  redis_pid=$!
  wait_for redis-cli -p "$redis_port" ping
  STORAGE_DIR="$work/storage" STATS_DB_PATH="$work/stats.db" REDIS_URL="127.0.0.1:$redis_port" RABBITMQ_URL="$rabbitmq" \
    RABBITMQ_QUEUE="$queue" BLUR_RATE_LIMIT="100000/minute" LOG_LEVEL=Warning \
    dotnet "$app" --contentRoot "$root" --urls "http://127.0.0.1:$app_port" >"$work/app.log" 2>&1 &
  app_pid=$!
  wait_for curl -sf "http://127.0.0.1:$app_port/health"
  echo "run $run: $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet "$bench" load --url "http://127.0.0.1:$app_port" --jobs "$jobs" --concurrency 6 --videos 0 \
    --pause-pid "$redis_pid" --pause-seconds "$pause_seconds" --pause-after "$pause_after" >"$work/load.txt" 2>&1 || true
  grep -q " failed=0 lost=0 " "$work/load.txt" || failures=$((failures + 1))
  grep -E "^(pause|accepted|  images)" "$work/load.txt" | sed 's/^/  /' || tail -n 5 "$work/load.txt"
  # Health checks that find Redis down are logged as errors by ASP.NET Core; anything else is worth a look.
  errors="$(grep '"LogLevel":"\(Error\|Critical\)"' "$work/app.log" | grep -vc 'HealthChecks' || true)"
  echo "  app errors other than failed health checks: $errors"
  [[ "$errors" -eq 0 ]] || { grep '"LogLevel":"\(Error\|Critical\)"' "$work/app.log" | grep -v 'HealthChecks' | cut -c1-300 | sed -n '1,5s/^/    /p' || true; }
  command -v rabbitmqctl >/dev/null && { rabbitmqctl -q delete_queue "$queue" >/dev/null 2>&1 || true; rabbitmqctl -q delete_queue "$queue.dead" >/dev/null 2>&1 || true; }
  cleanup
done
echo "redis-pause-drill: $runs runs, $failures with a lost or failed job"
[[ "$failures" -eq 0 ]]
