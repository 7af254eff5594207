#!/usr/bin/env bash
# Brings the whole pipeline up locally: Azurite, the public data simulator, and the function app under
# the local Functions host on port 7071; loads demo data, runs the pipeline once, prints what to look at,
# and keeps serving until Ctrl-C.
#
#   ./run.sh             with demo data (a registry matching the simulator)
#   ./run.sh --no-demo   no demo data
#   ./run.sh --no-build  use the existing build (CONFIGURATION, default Debug) and artifacts/app
#
# Every setting can be overridden by environment variables (Functions style, e.g. Pipeline__TimeZone);
# when PublicData__BaseUrl is set, the simulator is not started. local.settings.json (copy
# local.settings.sample.json) fills in only what the environment does not set. Keys are passed to the
# processes in their environment, never on a command line: unless Auth__StaffKeys__0 / Auth__AnalystKeys__0
# are set, demo keys are generated once into .run/keys.env (mode 0600). If the Functions host stops (for
# example after its worker crashed too often), everything is stopped and the script exits non-zero.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

demo=1
build=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo=0 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

FUNCTIONS_PORT="${FUNCTIONS_PORT:-7071}"
SIMULATOR_PORT="${SIMULATOR_PORT:-7080}"
SIMULATOR_ENTITIES="${SIMULATOR_ENTITIES:-300}"
AZURITE_BLOB_PORT="${AZURITE_BLOB_PORT:-10000}"
AZURITE_QUEUE_PORT="${AZURITE_QUEUE_PORT:-10001}"
AZURITE_TABLE_PORT="${AZURITE_TABLE_PORT:-10002}"
CONFIGURATION="${CONFIGURATION:-Debug}"

state="${RUN_DIR:-$root/.run}"
mkdir -p "$state"

# Keys go to the processes through their environment only (a command line is visible to every user in ps).
if [ -n "${Auth__StaffKeys__0:-}" ] && [ -n "${Auth__AnalystKeys__0:-}" ]; then
  keys_hint="the Auth__StaffKeys__0 / Auth__AnalystKeys__0 you set (\$STAFF_KEY in the examples below)"
else
  keys_file="$state/keys.env"
  if [ ! -s "$keys_file" ]; then
    new_key() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }
    (umask 077; printf '# Demo keys of ./run.sh on this machine, kept between runs (delete this file for new ones).\n# ". %s" sets STAFF_KEY and ANALYST_KEY for the curl examples.\nSTAFF_KEY=%s\nANALYST_KEY=%s\n' \
      "$keys_file" "$(new_key)" "$(new_key)" >"$keys_file")
  fi
  chmod 600 "$keys_file"
  # shellcheck disable=SC1090
  . "$keys_file"
  export Auth__StaffKeys__0="${Auth__StaffKeys__0:-$STAFF_KEY}"
  export Auth__AnalystKeys__0="${Auth__AnalystKeys__0:-$ANALYST_KEY}"
  unset STAFF_KEY ANALYST_KEY
  keys_hint="$keys_file (. $keys_file sets \$STAFF_KEY and \$ANALYST_KEY)"
fi
export RUN_KEYS_HINT="$keys_hint"

pids=()
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "==> stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port name seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do port_busy "$1" && return 0; sleep 0.1; done
  echo "error: $2 did not start listening on port $1 (log: $state/$2.log)" >&2; exit 1
}

bash tools/scripts/prereqs.sh

if [ "$build" = 1 ]; then
  echo "==> building"
  dotnet build DisclosurePipeline.sln -c "$CONFIGURATION" --nologo -v quiet -clp:ErrorsOnly
  # What Azure runs is what the local host runs: the deployment zip, unpacked.
  bash tools/scripts/package.sh --configuration "$CONFIGURATION" --no-build --unpack "$root/artifacts/app" "$root/artifacts/functions-$CONFIGURATION.zip"
elif [ ! -f "$root/artifacts/app/worker.config.json" ]; then
  echo "error: --no-build, but artifacts/app holds no published function app (run ./run.sh without --no-build once)." >&2; exit 1
fi

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
  export PublicData__ApiKey="${PublicData__ApiKey:-sim-key}"
  Simulator__ApiKey="$PublicData__ApiKey" dotnet "tools/PublicDataSimulator/bin/$CONFIGURATION/net10.0/PublicDataSimulator.dll" \
    --port "$SIMULATOR_PORT" --entities "$SIMULATOR_ENTITIES" \
    >"$state/simulator.log" 2>&1 &
  pids+=($!)
  export PublicData__BaseUrl="http://127.0.0.1:$SIMULATOR_PORT/"
  simulator=1
  wait_port "$SIMULATOR_PORT" simulator 30
fi

if port_busy "$FUNCTIONS_PORT"; then echo "error: port $FUNCTIONS_PORT is in use; set FUNCTIONS_PORT." >&2; exit 1; fi
settings=()
[ -f "$root/local.settings.json" ] && settings=(--settings "$root/local.settings.json")
echo "==> starting the function app under the local Functions host on port $FUNCTIONS_PORT"
dotnet "tools/FunctionsHost/bin/$CONFIGURATION/net10.0/FunctionsHost.dll" --app "$root/artifacts/app" --port "$FUNCTIONS_PORT" ${settings[@]+"${settings[@]}"} \
  > >(tee "$state/functions.log") 2>&1 &
host_pid=$!
pids+=("$host_pid")
wait_port "$FUNCTIONS_PORT" functions 60

# The demo reads the keys from Auth__StaffKeys__0 / Auth__AnalystKeys__0 in its environment.
node tools/scripts/demo.mjs \
  --base "http://localhost:$FUNCTIONS_PORT" \
  --demo "$demo" --simulator "$([ "$simulator" = 1 ] && echo "$PublicData__BaseUrl" || echo "")" || true

echo
echo "Serving until Ctrl-C. Logs: $state/*.log"
host_status=0
wait "$host_pid" || host_status=$?
echo
echo "error: the local Functions host stopped (exit code $host_status); the API on port $FUNCTIONS_PORT is down." >&2
echo "       Its last lines are in $state/functions.log (a worker that failed more than 3 times in 30 minutes stops the host)." >&2
echo "       Stopping Azurite and the simulator." >&2
exit $(( host_status == 0 ? 1 : host_status ))
