#!/usr/bin/env bash
# Benchmark of the supplier sync (a measurement, not a test): for each registry size N it starts its
# own Azurite (disk mode, fresh folder) and public data simulator, imports the registry through
# RegistryImport, runs a full sync and an unchanged re-sync through SyncScheduler and
# SyncBatchProcessor (the sync-batches queue drained as the Functions host drains it), and prints
# time, throughput, storage requests, public data API requests and memory. One process per N.
#
#   tools/scripts/benchmark.sh               # N = 1000 10000
#   tools/scripts/benchmark.sh 1000 10000 100000
#   tools/scripts/benchmark.sh host          # the local Functions host (see below)
#
# Environment: BENCH_TIMEOUT_MINUTES (per N, default 30). See docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

# tools/scripts/benchmark.sh host [--app <dir> --path /api/x --header 'K: V' ...]: the local Functions
# host's benchmark (cold start, gRPC invocations/s, queue throughput, HTTP latency; docs/benchmarks.md).
if [ "${1:-}" = "host" ]; then
  shift
  bash tools/scripts/prereqs.sh
  echo "==> building the host, its fixture worker and the benchmark (Release)"
  dotnet build tests/HostFixture/HostFixture.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
  dotnet build tools/Benchmark/Benchmark.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
  echo "==> $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  exec dotnet tools/Benchmark/bin/Release/net10.0/Benchmark.dll host --root "$root" "$@"
fi

sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
for n in "${sizes[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: '$n' is not a positive entity count" >&2; exit 2; }
done

bash tools/scripts/prereqs.sh

echo "==> building the benchmark and the simulator (Release)"
dotnet build tools/Benchmark/Benchmark.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build tools/PublicDataSimulator/PublicDataSimulator.csproj -c Release -nologo -v quiet -clp:ErrorsOnly

echo "==> $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
summary=()
status=0
for n in "${sizes[@]}"; do
  echo "==> N=$n"
  log="$(mktemp)"
  if dotnet tools/Benchmark/bin/Release/net10.0/Benchmark.dll --entities "$n" --root "$root" \
       --timeout-minutes "${BENCH_TIMEOUT_MINUTES:-30}" | tee "$log"; then
    summary+=("$(grep -E "^N=$n " "$log" | tail -1)")
  else
    summary+=("N=$n: FAILED (see above)")
    status=1
  fi
  rm -f "$log"
done

echo
echo "==> summary"
printf '%s\n' "${summary[@]}"
exit $status
