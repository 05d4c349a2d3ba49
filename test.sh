#!/usr/bin/env bash
# Runs every test and check of the project: formatting, the build (warnings are errors) and the test suites (.NET,
# then the web page's lint, typecheck, unit and end-to-end tests).
# Ends with one line "N passed, N failed" (checks count as one test each) and exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

passed=0
failed=0
check() { # check <name> <command...>: a pass/fail step counted in the totals
  local name="$1"; shift
  echo "==> $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

scripts/fetch-models.sh || { echo "0 passed, 1 failed"; exit 1; }
export DETECTOR_MODEL_PATH="${DETECTOR_MODEL_PATH:-$root/models/face_detection_yunet_2023mar.onnx}"

dotnet restore FaceBlur.sln --nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
check "dotnet format (verify)" dotnet format FaceBlur.sln --verify-no-changes --no-restore
if ! dotnet build FaceBlur.sln -c Release --no-restore --nologo -v quiet; then
  failed=$((failed + 1))
  echo "FAILED: build"
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

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
