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
#   tools/scripts/benchmark.sh app           # the host over the function app (see below)
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

# tools/scripts/benchmark.sh app: the host benchmark over the function app itself (HTTP latency of
# GET /api/progress with a staff key and a supplier's GET /api/me/violations, and the registry
# import's memory). It runs ./run.sh on ports of its own for the demo data (300 entities, synced),
# issues a supplier key, points the benchmark's host at that Azurite and simulator with every timer
# and queue function disabled, and stops ./run.sh at the end.
if [ "${1:-}" = "app" ]; then
  shift
  state="$(mktemp -d "${TMPDIR:-/tmp}/bench-app.XXXXXX")"
  staff="bench-staff-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  analyst="bench-analyst-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  port=7171
  echo "==> ./run.sh on port $port for the demo data (log: $state/run.log)"
  CONFIGURATION=Release FUNCTIONS_PORT=$port SIMULATOR_PORT=7181 AZURITE_BLOB_PORT=10110 AZURITE_QUEUE_PORT=10111 AZURITE_TABLE_PORT=10112 \
    Auth__StaffKeys__0="$staff" Auth__AnalystKeys__0="$analyst" setsid ./run.sh > "$state/run.log" 2>&1 < /dev/null &
  run_pid=$!
  trap 'kill -TERM $run_pid 2>/dev/null; wait $run_pid 2>/dev/null' EXIT
  for _ in $(seq 1 600); do
    grep -q "Serving until Ctrl-C" "$state/run.log" && break
    kill -0 $run_pid 2>/dev/null || { cat "$state/run.log"; echo "error: ./run.sh stopped" >&2; exit 1; }
    sleep 1
  done
  grep -q "Serving until Ctrl-C" "$state/run.log" || { echo "error: ./run.sh did not get ready in 10 minutes" >&2; exit 1; }
  base="http://127.0.0.1:$port"
  # A typical supplier: the median number of cases among those with any (not the simulator's 1,203-record one).
  supplier=$(STAFF="$staff" BASE="$base" node -e '
    (async () => {
      const counts = new Map();
      let url = process.env.BASE + "/api/violations?limit=1000";
      while (url) {
        const page = await (await fetch(url, { headers: { Authorization: "Bearer " + process.env.STAFF } })).json();
        for (const c of page.items) counts.set(c.supplierId, (counts.get(c.supplierId) ?? 0) + 1);
        url = page.continuationToken ? process.env.BASE + "/api/violations?limit=1000&continuationToken=" + encodeURIComponent(page.continuationToken) : null;
      }
      const sorted = [...counts].sort((a, b) => a[1] - b[1]);
      const [id, n] = sorted[Math.floor(sorted.length / 2)];
      console.error(`==> ${counts.size} suppliers with cases; the median one, ${id}, has ${n}`);
      console.log(id);
    })().catch(e => { console.error(e); process.exit(1); });')
  key=$(curl -sf -X POST -H "Authorization: Bearer $staff" "$base/api/suppliers/$supplier/keys" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).key))')
  # run.sh's Azurite (the well-known development account key).
  storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10110/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10111/devstoreaccount1;TableEndpoint=http://127.0.0.1:10112/devstoreaccount1;"
  disabled=""
  for f in ScheduleSupplierSync SyncSupplierBatch RecordFailedSyncBatch SweepPlanDeadlines DeliverAlert RollupProgress; do
    disabled="$disabled\"AzureWebJobs.$f.Disabled\": \"true\", "
  done
  cat > "$state/local.settings.json" <<JSON
{"IsEncrypted": false, "Values": {$disabled
  "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
  "AzureWebJobsStorage": "$storage",
  "PublicData__BaseUrl": "http://127.0.0.1:7181/",
  "Auth__StaffKeys__0": "$staff",
  "Auth__AnalystKeys__0": "$analyst"}}
JSON
  echo "==> supplier $supplier has a key; $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet build tools/Benchmark/Benchmark.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
  dotnet tools/Benchmark/bin/Release/net10.0/Benchmark.dll host --root "$root" --app "$root/artifacts/app" --settings "$state/local.settings.json" \
    --cold-starts 1 --messages 0 \
    --path /api/progress --header "Authorization: Bearer $staff" \
    --path /api/me/violations --header "Authorization: Bearer $key" \
    --import-key "$staff" "$@"
  status=$?
  trap - EXIT
  kill -TERM $run_pid 2>/dev/null
  wait $run_pid 2>/dev/null
  exit $status
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
