#!/usr/bin/env bash
# The whole test suite: builds (warnings are errors), packages the function app as it ships
# (tools/scripts/package.sh: artifacts/functions.zip) and unpacks that zip to artifacts/app, runs
# every test against a real Azurite, the simulator over HTTP and the unpacked package under the local
# Functions host, and ends with one line "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

bash tools/scripts/prereqs.sh --browser || exit 1

config="${CONFIGURATION:-Release}"
echo "==> building ($config)"
if ! dotnet build DisclosurePipeline.sln -c "$config" --nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# What Azure runs is what the local host runs: the deployment zip, unpacked.
echo "==> packaging the function app (artifacts/functions.zip, unpacked to artifacts/app)"
if ! bash tools/scripts/package.sh --configuration "$config" --no-build --unpack "$root/artifacts/app" "$root/artifacts/functions.zip"; then
  echo "packaging failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$root/TestResults"
rm -rf "$results"
echo "==> testing"
dotnet test DisclosurePipeline.sln -c "$config" --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout 10m "$@"
status=$?

passed=0; failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the runner failed without a result file saying why (crash, hang): count it
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
