#!/bin/sh
# Load benchmark of `taskweave serve`: starts the server of the built distribution on a loopback
# port, runs dev.taskweave.serve.bench.LoadBenchmark against /v1/recommend (open-loop fixed rates,
# then 100,000 requests with the server's RSS read before and after), and stops the server.
#
#   scripts/serve-benchmark.sh MODEL_DIR [--rates 50,100,200,400] [--seconds 20] [--requests 100000] ...
#
# Environment: TASKWEAVE_HOME (the distribution; default distribution/target/taskweave), PORT (default 18080), SERVER_JAVA_OPTS (default: a fixed 512 MB heap, pre-touched, ZGC,
# so heap growth does not read as a leak), BENCH_JAVA_OPTS (the load generator's; default -Xmx1g -XX:+UseZGC), TASKWEAVE_THREADS (PyTorch intra-op threads, default 1).
set -e
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
home="${TASKWEAVE_HOME:-$root/distribution/target/taskweave}"
model=${1:?usage: scripts/serve-benchmark.sh MODEL_DIR [benchmark options]}
shift
port=${PORT:-18080}
log=$(mktemp)
[ -x "$home/bin/taskweave" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }
JAVA_OPTS="${SERVER_JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseZGC}" TASKWEAVE_THREADS="${TASKWEAVE_THREADS:-1}" \
  "$home/bin/taskweave" serve --model "$model" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT INT TERM
i=0
until curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 240 ] || ! kill -0 $pid 2>/dev/null; then echo "server did not start:" >&2; cat "$log" >&2; exit 1; fi
  sleep 0.5
done
echo "server pid $pid: $(head -1 "$log")"
"${JAVA_HOME:+$JAVA_HOME/bin/}java" ${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseZGC} -cp "$home/lib/*" dev.taskweave.serve.bench.LoadBenchmark --url "http://127.0.0.1:$port" --pid "$pid" "$@"
