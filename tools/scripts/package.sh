#!/usr/bin/env bash
# Builds the function app's deployment package: `dotnet publish` of functions/, zipped with the
# publish folder's contents at the zip root (host.json, functions.metadata, worker.config.json,
# extensions.json, .azurefunctions/, the app). This is the zip that
# `az functionapp deployment source config-zip --src` uploads; azd's `language: dotnet` service
# runs the same `dotnet publish <project> -c Release --output <folder>` and zips that folder.
#
#   tools/scripts/package.sh [options] [zip]        default zip: artifacts/functions.zip
#
#   -c, --configuration C   Release (default; what ships) or Debug
#   --no-build              publish what `dotnet build -c C` already built
#   --unpack DIR            then extract the zip into DIR (emptied first) and write DIR.manifest
#                           (the zip's path and SHA-256), so a test can check that DIR is exactly the
#                           zip's content. ./test.sh and ./run.sh unpack to artifacts/app, which the
#                           local Functions host runs.
#
# Zips with `zip` when the machine has it, else `python3 -m zipfile`, else MSBuild's ZipDirectory
# task through `dotnet msbuild` (always there: the .NET SDK did the publish); PACKAGE_ZIP_TOOL=zip,
# python or dotnet picks one. Unpacks likewise with `unzip`, python3 or MSBuild's Unzip task.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# msbuild_task <task xml>: runs one MSBuild task with -p: properties passed after it.
msbuild_task() {
  local task="$1"
  shift
  local proj
  proj="$(mktemp -d)"
  cat >"$proj/task.proj" <<PROJ
<Project>
  <Target Name="Run">
    $task
  </Target>
</Project>
PROJ
  dotnet msbuild "$proj/task.proj" -t:Run "$@" -nologo -v:quiet
  rm -rf "$proj"
}

# zip_folder <folder> <zip> <tool>: the folder's contents (dotfiles too) at the zip's root.
zip_folder() {
  local folder="$1" zip="$2" tool="$3"
  case "$tool" in
    zip)
      (cd "$folder" && zip -q -r -X "$zip" .)
      ;;
    python)
      (cd "$folder" && mapfile -t entries < <(ls -A) && python3 -m zipfile -c "$zip" "${entries[@]}")
      ;;
    dotnet)
      msbuild_task '<ZipDirectory SourceDirectory="$(Folder)" DestinationFile="$(Zip)" Overwrite="true" />' \
        -p:Folder="$folder" -p:Zip="$zip"
      ;;
    *)
      echo "unknown zip tool '$tool' (zip, python or dotnet)" >&2
      return 2
      ;;
  esac
}

# unzip_to <zip> <folder> <tool>
unzip_to() {
  local zip="$1" folder="$2" tool="$3"
  case "$tool" in
    zip)
      unzip -q "$zip" -d "$folder"
      ;;
    python)
      python3 -m zipfile -e "$zip" "$folder"
      ;;
    dotnet)
      msbuild_task '<Unzip SourceFiles="$(Zip)" DestinationFolder="$(Folder)" />' -p:Folder="$folder" -p:Zip="$zip"
      ;;
  esac
}

pick_tool() { # zip|unzip
  if [ -n "${PACKAGE_ZIP_TOOL:-}" ]; then
    echo "$PACKAGE_ZIP_TOOL"
  elif command -v "$1" >/dev/null 2>&1; then
    echo zip
  elif command -v python3 >/dev/null 2>&1 && python3 -c 'import zipfile' >/dev/null 2>&1; then
    echo python
  else
    echo dotnet
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
  fi
}

main() {
  local configuration=Release build=() unpack="" zip=""
  while [ $# -gt 0 ]; do
    case "$1" in
      -c|--configuration) configuration="$2"; shift 2 ;;
      --no-build) build=(--no-build); shift ;;
      --unpack) unpack="$2"; shift 2 ;;
      -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
      -*) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
      *) zip="$1"; shift ;;
    esac
  done
  zip="${zip:-$root/artifacts/functions.zip}"
  mkdir -p "$(dirname "$zip")"
  zip="$(cd "$(dirname "$zip")" && pwd)/$(basename "$zip")"
  local publish="$root/artifacts/publish/functions/$configuration"

  rm -rf "$publish"
  echo "==> dotnet publish functions/DisclosurePipeline.Functions.csproj -c $configuration${build[*]:+ ${build[*]}} -o $publish"
  dotnet publish "$root/functions/DisclosurePipeline.Functions.csproj" -c "$configuration" "${build[@]}" -o "$publish" --nologo -v quiet -clp:ErrorsOnly
  if [ ! -f "$publish/host.json" ]; then
    echo "error: $publish has no host.json at its top: that is not a Functions app package" >&2
    exit 1
  fi

  local tool
  tool="$(pick_tool zip)"
  rm -f "$zip"
  echo "==> zipping with $tool"
  zip_folder "$publish" "$zip" "$tool"
  echo "$zip $(wc -c <"$zip" | tr -d ' ') bytes"

  if [ -n "$unpack" ]; then
    mkdir -p "$(dirname "$unpack")"
    unpack="$(cd "$(dirname "$unpack")" && pwd)/$(basename "$unpack")"
    rm -rf "$unpack" "$unpack.manifest"
    mkdir -p "$unpack"
    tool="$(pick_tool unzip)"
    echo "==> unpacking to $unpack with $tool"
    unzip_to "$zip" "$unpack" "$tool"
    printf 'zip=%s\nsha256=%s\n' "$zip" "$(sha256 "$zip")" >"$unpack.manifest"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
