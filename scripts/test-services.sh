# Private RabbitMQ and Redis for ./test.sh (sourced by it, not run on its own).
#
# start_test_services starts each one whose URL (RABBITMQ_TEST_URL, REDIS_TEST_URL) is not given, on free loopback
# ports, with every file it writes (data, logs, config, Erlang cookie) in one temporary folder, and exports the URL.
# Nothing of an installed broker is used or touched: RabbitMQ gets its own node name, AMQP port, Erlang distribution
# port and epmd (on its own port, so a system RabbitMQ's epmd on 4369 is left alone). stop_test_services stops what
# was started (test.sh calls it from its exit trap: also on failure and Ctrl+C), checks that no process of theirs is
# left and deletes the folder.

services_dir=""
redis_pid=""
epmd_pid=""
rabbitmq_pid=""  # the rabbitmq-server script, parent of the Erlang VM
beam_pid=""      # the Erlang VM running the broker

# free_ports N: N distinct TCP ports that are free on 127.0.0.1 now (held together while chosen, so all differ).
free_ports() {
  node -e '
    const net = require("net");
    const held = [];
    const next = () => {
      if (held.length === Number(process.argv[1])) {
        console.log(held.map((s) => s.address().port).join(" "));
        held.forEach((s) => s.close());
        return;
      }
      const server = net.createServer();
      server.listen(0, "127.0.0.1", () => { held.push(server); next(); });
    };
    next();
  ' "$1"
}

# wait_for_port <port> <pid> <seconds>: until 127.0.0.1:<port> accepts a connection; fails if <pid> ends first.
wait_for_port() {
  local deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

start_private_redis() {
  local port dir="$services_dir/redis"
  port="$(free_ports 1)" || return 1
  mkdir -p "$dir"
  # No persistence, no Unix socket, loopback only; the log goes to the folder.
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no --daemonize no \
    --logfile "$dir/redis.log" >/dev/null 2>&1 &
  redis_pid=$!
  if ! wait_for_port "$port" "$redis_pid" 30; then
    echo "test.sh: the private redis-server did not start on 127.0.0.1:$port; its log:"
    tail -n 20 "$dir/redis.log" 2>/dev/null
    return 1
  fi
  export REDIS_TEST_URL="127.0.0.1:$port"
  echo "test.sh: private Redis on $REDIS_TEST_URL (pid $redis_pid)"
}

start_private_rabbitmq() {
  local ports amqp_port dist_port epmd_port dir="$services_dir/rabbitmq"
  ports="$(free_ports 3)" || return 1
  read -r amqp_port dist_port epmd_port <<<"$ports"
  mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
  printf 'listeners.tcp.1 = 127.0.0.1:%s\n' "$amqp_port" >"$dir/rabbitmq.conf"
  printf '[].\n' >"$dir/enabled_plugins"  # no management plugin: it would take port 15672
  : >"$dir/rabbitmq-env.conf"              # instead of /etc/rabbitmq/rabbitmq-env.conf

  # epmd started here (loopback, own port) so that it is ours to stop; the VM registers with it through ERL_EPMD_PORT.
  ERL_EPMD_ADDRESS=127.0.0.1 epmd -port "$epmd_port" >"$dir/log/epmd.log" 2>&1 &
  epmd_pid=$!
  wait_for_port "$epmd_port" "$epmd_pid" 10 || { echo "test.sh: epmd did not start on 127.0.0.1:$epmd_port"; return 1; }

  # The server script itself, not Debian's /usr/sbin wrapper (which switches to the rabbitmq user and its folders).
  (
    export HOME="$dir/home" ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1 \
      RABBITMQ_NODENAME="faceblur-test-$$@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
      RABBITMQ_NODE_PORT="$amqp_port" RABBITMQ_DIST_PORT="$dist_port" \
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
      RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
      RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
      RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
    exec /usr/lib/rabbitmq/bin/rabbitmq-server
  ) >"$dir/log/server.out" 2>&1 &
  rabbitmq_pid=$!
  # The broker opens its AMQP listener at the end of its boot.
  if ! wait_for_port "$amqp_port" "$rabbitmq_pid" 120; then
    echo "test.sh: the private RabbitMQ did not start on 127.0.0.1:$amqp_port; its output:"
    tail -n 30 "$dir/log/server.out" "$dir"/log/*.log 2>/dev/null
    return 1
  fi
  beam_pid="$(cat "/proc/$rabbitmq_pid/task/"*/children 2>/dev/null | tr ' ' '\n' | grep -m 1 .)"
  export RABBITMQ_TEST_URL="amqp://guest:guest@127.0.0.1:$amqp_port/"
  echo "test.sh: private RabbitMQ on 127.0.0.1:$amqp_port (Erlang VM pid ${beam_pid:-?}, epmd on $epmd_port)"
}

start_test_services() {
  [[ -n "${REDIS_TEST_URL:-}" && -n "${RABBITMQ_TEST_URL:-}" ]] && return 0
  services_dir="$(mktemp -d "${TMPDIR:-/tmp}/faceblur-test-services.XXXXXX")" || return 1
  if [[ -z "${REDIS_TEST_URL:-}" ]]; then start_private_redis || return 1; fi
  if [[ -z "${RABBITMQ_TEST_URL:-}" ]]; then start_private_rabbitmq || return 1; fi
}

# stop_pid <pid> <name> <seconds>: TERM, then KILL after <seconds>; works for processes that are not our children.
stop_pid() {
  local pid="$1" deadline=$((SECONDS + $3))
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "test.sh: $2 (pid $pid) did not stop within $3 s; killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

stop_test_services() {
  [[ -n "$services_dir" ]] || return 0
  # The VM first (a clean shutdown on TERM), then the script that waits for it, then epmd, which the VM used.
  stop_pid "$beam_pid" "the RabbitMQ Erlang VM" 30
  stop_pid "$rabbitmq_pid" "rabbitmq-server" 30
  stop_pid "$epmd_pid" "epmd" 10
  stop_pid "$redis_pid" "redis-server" 10
  # Anything still running from the folder (an Erlang helper, a VM whose pid was not found) is named and killed.
  local left=() pid
  # (The patterns come from a pipe, so that grep's own command line does not match them.)
  for pid in $(grep -lsF -f <(printf '%s\n' "$services_dir" "faceblur-test-$$@") /proc/[0-9]*/cmdline | cut -d/ -f3); do
    [[ "$pid" != "$$" && "$pid" != "$BASHPID" ]] && left+=("$pid")
  done
  if ((${#left[@]})); then
    echo "test.sh: processes of the private services still running: ${left[*]}; killing them"
    kill -KILL "${left[@]}" 2>/dev/null
  fi
  rm -rf "$services_dir"
  services_dir=""
}
