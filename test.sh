#!/usr/bin/env bash
# Runs every test and check of the project: formatting, the build (warnings are errors) and the test suites.
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

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
