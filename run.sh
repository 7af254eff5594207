#!/usr/bin/env bash
# Brings the whole pipeline up locally: Azurite, the public data simulator, and the function app under
# the local Functions host on port 7071; loads demo data, runs the pipeline once, prints what to look at,
# and keeps serving until Ctrl-C.
#
#   ./run.sh             with demo data (a registry matching the simulator)
#   ./run.sh --no-demo   no demo data
#
# Every setting can be overridden by environment variables (Functions style, e.g. Pipeline__TimeZone);
# when PublicData__BaseUrl is set, the simulator is not started. local.settings.json (copy
# local.settings.sample.json) fills in only what the environment does not set.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

demo=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

FUNCTIONS_PORT="${FUNCTIONS_PORT:-7071}"
SIMULATOR_PORT="${SIMULATOR_PORT:-7080}"
SIMULATOR_ENTITIES="${SIMULATOR_ENTITIES:-300}"
AZURITE_BLOB_PORT="${AZURITE_BLOB_PORT:-10000}"
AZURITE_QUEUE_PORT="${AZURITE_QUEUE_PORT:-10001}"
AZURITE_TABLE_PORT="${AZURITE_TABLE_PORT:-10002}"
# Demo keys for this machine only; set Auth__StaffKeys__0 / Auth__AnalystKeys__0 to use your own.
export Auth__StaffKeys__0="${Auth__StaffKeys__0:-dev-staff-key}"
export Auth__AnalystKeys__0="${Auth__AnalystKeys__0:-dev-analyst-key}"

state="$root/.run"
mkdir -p "$state"
pids=()
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "==> stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port name seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do port_busy "$1" && return 0; sleep 0.1; done
  echo "error: $2 did not start listening on port $1 (log: $state/$2.log)" >&2; exit 1
}

bash tools/scripts/prereqs.sh

echo "==> building"
dotnet build DisclosurePipeline.sln -c Debug --nologo -v quiet -clp:ErrorsOnly
# What Azure runs is what the local host runs: the deployment zip (Debug here), unpacked.
bash tools/scripts/package.sh --configuration Debug --no-build --unpack "$root/artifacts/app" "$root/artifacts/functions-debug.zip"

if [ -z "${AzureWebJobsStorage:-}" ]; then
  for p in "$AZURITE_BLOB_PORT" "$AZURITE_QUEUE_PORT" "$AZURITE_TABLE_PORT"; do
    if port_busy "$p"; then echo "error: port $p is in use (another Azurite?). Stop it, or set AZURITE_*_PORT / AzureWebJobsStorage." >&2; exit 1; fi
  done
  # A fresh folder per run: in-memory mode can freeze under queue load. Set AZURITE_LOCATION to keep data.
  azurite_dir="${AZURITE_LOCATION:-$(mktemp -d "${TMPDIR:-/tmp}/disclosure-azurite.XXXXXX")}"
  echo "==> starting Azurite (data in $azurite_dir)"
  tools/azurite/node_modules/.bin/azurite --silent --skipApiVersionCheck --loose --disableProductStyleUrl \
    --location "$azurite_dir" --blobPort "$AZURITE_BLOB_PORT" --queuePort "$AZURITE_QUEUE_PORT" --tablePort "$AZURITE_TABLE_PORT" \
    >"$state/azurite.log" 2>&1 &
  pids+=($!)
  key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$AZURITE_BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$AZURITE_QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$AZURITE_TABLE_PORT/devstoreaccount1;"
  for p in "$AZURITE_BLOB_PORT" "$AZURITE_QUEUE_PORT" "$AZURITE_TABLE_PORT"; do wait_port "$p" azurite 30; done
fi

simulator=0
if [ -z "${PublicData__BaseUrl:-}" ]; then
  if port_busy "$SIMULATOR_PORT"; then echo "error: port $SIMULATOR_PORT is in use; set SIMULATOR_PORT or PublicData__BaseUrl." >&2; exit 1; fi
  echo "==> starting the public data simulator on port $SIMULATOR_PORT ($SIMULATOR_ENTITIES entities)"
  dotnet tools/PublicDataSimulator/bin/Debug/net10.0/PublicDataSimulator.dll \
    --port "$SIMULATOR_PORT" --entities "$SIMULATOR_ENTITIES" --api-key "${PublicData__ApiKey:-sim-key}" \
    >"$state/simulator.log" 2>&1 &
  pids+=($!)
  export PublicData__BaseUrl="http://127.0.0.1:$SIMULATOR_PORT/"
  export PublicData__ApiKey="${PublicData__ApiKey:-sim-key}"
  simulator=1
  wait_port "$SIMULATOR_PORT" simulator 30
fi

if port_busy "$FUNCTIONS_PORT"; then echo "error: port $FUNCTIONS_PORT is in use; set FUNCTIONS_PORT." >&2; exit 1; fi
settings=()
[ -f "$root/local.settings.json" ] && settings=(--settings "$root/local.settings.json")
echo "==> starting the function app under the local Functions host on port $FUNCTIONS_PORT"
dotnet tools/FunctionsHost/bin/Debug/net10.0/FunctionsHost.dll --app "$root/artifacts/app" --port "$FUNCTIONS_PORT" "${settings[@]}" \
  > >(tee "$state/functions.log") 2>&1 &
pids+=($!)
wait_port "$FUNCTIONS_PORT" functions 60

node tools/scripts/demo.mjs \
  --base "http://localhost:$FUNCTIONS_PORT" --staff-key "$Auth__StaffKeys__0" --analyst-key "$Auth__AnalystKeys__0" \
  --demo "$demo" --simulator "$([ "$simulator" = 1 ] && echo "$PublicData__BaseUrl" || echo "")"

echo
echo "Serving until Ctrl-C. Logs: $state/*.log"
wait
