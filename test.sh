#!/usr/bin/env bash
# Runs every test and check of the project: formatting, the build (warnings are errors) and the test suites (.NET,
# then the web page's lint, typecheck, unit and end-to-end tests).
# Sets up what it needs first: the Debian packages the tests use (installed when run as root, else it prints the
# one command to run), the detector model, and a private RabbitMQ and Redis on free loopback ports (unless
# RABBITMQ_TEST_URL / REDIS_TEST_URL name running ones), stopped again at the end, also on failure and Ctrl+C.
# Ends with one line "N passed, N failed" (checks count as one test each) and exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
source "$root/scripts/test-services.sh"

# give_up <message>: ends the run before the counted checks (the summary line still comes last).
give_up() { echo "$1"; stop_test_services; echo "0 passed, 1 failed"; exit 1; }

for tool in dotnet node npm dpkg-query; do
  command -v "$tool" >/dev/null || give_up "test.sh: '$tool' is required (the .NET 10 SDK, Node.js 20+ with npm, on Debian/Ubuntu)."
done

# Debian packages: ffmpeg (video), GTK 3 (OpenCV's library), Redis (also started by the fault tests), Chromium (the
# end-to-end tests), strace (the no-phone-home test traces the app's connections), docker-compose (v1: validates
# docker-compose.yml without a Docker engine), curl; RabbitMQ unless one is given.
packages=(ffmpeg libgtk-3-0 redis-server chromium curl ca-certificates strace docker-compose)
[[ -n "${RABBITMQ_TEST_URL:-}" ]] || packages+=(rabbitmq-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  install=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [[ "$(id -u)" -ne 0 ]]; then
    give_up "test.sh: these Debian packages are missing: ${missing[*]}. Install them with this command, then run ./test.sh again:
  sudo apt-get update && sudo ${install[*]}"
  fi
  echo "test.sh: installing ${missing[*]}"
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${install[@]}" -qq >/dev/null; } \
    || give_up "test.sh: apt-get could not install ${missing[*]}"
fi

trap stop_test_services EXIT
trap 'echo "test.sh: interrupted"; exit 130' INT TERM
start_test_services || give_up "test.sh: could not start the private RabbitMQ and Redis (see above)"

passed=0
failed=0
check() { # check <name> <command...>: a pass/fail step counted in the totals
  local name="$1"; shift
  echo "==> $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

scripts/fetch-models.sh || give_up "test.sh: the detector model could not be set up"
export DETECTOR_MODEL_PATH="${DETECTOR_MODEL_PATH:-$root/models/face_detection_yunet_2023mar.onnx}"

dotnet restore FaceBlur.sln --nologo -v quiet || give_up "test.sh: dotnet restore failed"
check "dotnet format (verify)" dotnet format FaceBlur.sln --verify-no-changes --no-restore
if ! dotnet build FaceBlur.sln -c Release --no-restore --nologo -v quiet; then
  failed=$((failed + 1))
  echo "FAILED: build"
  stop_test_services
  echo "$passed passed, $failed failed"
  exit 1
fi
passed=$((passed + 1))

results="$root/artifacts/test-results"
rm -rf "$results"
dotnet test FaceBlur.Tests/FaceBlur.Tests.csproj -c Release --no-build --nologo \
  --results-directory "$results" --logger "trx;LogFileName=dotnet.trx" --logger "console;verbosity=minimal"
trx="$results/dotnet.trx"
if [[ -f "$trx" ]]; then
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  tests_total="$(count total)"; tests_passed="$(count passed)"; tests_failed="$(count failed)"
  tests_other=$(( ${tests_total:-0} - ${tests_passed:-0} - ${tests_failed:-0} ))
  passed=$((passed + ${tests_passed:-0}))
  # Anything not passed (failed, errored, timed out, not executed) counts as failed.
  failed=$((failed + ${tests_failed:-0} + tests_other))
  if [[ "${tests_total:-0}" -eq 0 ]]; then failed=$((failed + 1)); echo "FAILED: no .NET test ran"; fi
else
  failed=$((failed + 1))
  echo "FAILED: the .NET test run wrote no results"
fi

# The web page (ClientApp): lint, typecheck, unit tests, then end-to-end tests that start the real host (zero-setup,
# temporary STORAGE_DIR, free port) and drive Debian's Chromium (/usr/bin/chromium) through playwright-core.
client="$root/ClientApp"
mkdir -p "$results"
vitest_counts() { # vitest_counts <name> <json report>: adds the report's tests to the totals
  local counts
  if counts="$(node -e '
    const r = require(process.argv[1]);
    const other = r.numTotalTests - r.numPassedTests - r.numFailedTests - r.numPendingTests - r.numTodoTests;
    // A file that failed before its tests ran (an import or setup error) counts as one failure.
    const broken = r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? 1 : 0;
    console.log(r.numPassedTests, r.numFailedTests + other + broken, r.numPendingTests + r.numTodoTests, r.numTotalTests);
  ' "$2" 2>/dev/null)"; then
    read -r p f s t <<<"$counts"
    passed=$((passed + p)); failed=$((failed + f))
    echo "$1: $p passed, $f failed, $s skipped"
    if [[ "$t" -eq 0 ]]; then failed=$((failed + 1)); echo "FAILED: no $1 test ran"; fi
  else
    failed=$((failed + 1)); echo "FAILED: $1 wrote no report"
  fi
}
if [[ ! -f "$client/node_modules/.package-lock.json" || "$client/package-lock.json" -nt "$client/node_modules/.package-lock.json" ]]; then
  (cd "$client" && npm ci --no-audit --no-fund) || { failed=$((failed + 1)); echo "FAILED: npm ci"; }
fi
check "ClientApp eslint" bash -c "cd '$client' && npx --no-install eslint ."
check "ClientApp prettier (check)" bash -c "cd '$client' && npx --no-install prettier --check ."
check "ClientApp typecheck" bash -c "cd '$client' && npx --no-install tsc -b --noEmit"
(cd "$client" && npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json")
vitest_counts "vitest" "$results/vitest.json"
(cd "$client" && npx --no-install vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json \
  --outputFile.json="$results/e2e.json")
vitest_counts "e2e (chromium)" "$results/e2e.json"

stop_test_services
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
