#!/usr/bin/env bash
# Builds the function app's deployment package: `dotnet publish` of functions/ in Release, zipped
# with the publish folder's contents at the zip root (host.json, functions.metadata,
# worker.config.json, extensions.json, .azurefunctions/, the app). This is the zip that azd deploys
# and that `az functionapp deployment source config-zip --src` uploads.
#
#   tools/scripts/package.sh [zip]        default: artifacts/functions.zip
#
# Zips with `zip` when the machine has it, else `python3 -m zipfile`, else MSBuild's ZipDirectory
# task through `dotnet msbuild` (always there: the .NET SDK did the publish). PACKAGE_ZIP_TOOL=zip,
# python or dotnet picks one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

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
      local proj
      proj="$(mktemp -d)"
      cat >"$proj/zip.proj" <<'PROJ'
<Project>
  <Target Name="Zip">
    <ZipDirectory SourceDirectory="$(Folder)" DestinationFile="$(Zip)" Overwrite="true" />
  </Target>
</Project>
PROJ
      dotnet msbuild "$proj/zip.proj" -t:Zip -p:Folder="$folder" -p:Zip="$zip" -nologo -v:quiet
      rm -rf "$proj"
      ;;
    *)
      echo "unknown zip tool '$tool' (zip, python or dotnet)" >&2
      return 2
      ;;
  esac
}

pick_tool() {
  if [ -n "${PACKAGE_ZIP_TOOL:-}" ]; then
    echo "$PACKAGE_ZIP_TOOL"
  elif command -v zip >/dev/null 2>&1; then
    echo zip
  elif command -v python3 >/dev/null 2>&1 && python3 -c 'import zipfile' >/dev/null 2>&1; then
    echo python
  else
    echo dotnet
  fi
}

main() {
  local zip="${1:-$root/artifacts/functions.zip}"
  mkdir -p "$(dirname "$zip")"
  zip="$(cd "$(dirname "$zip")" && pwd)/$(basename "$zip")"
  local publish="$root/artifacts/publish/functions"

  rm -rf "$publish"
  echo "==> dotnet publish functions/DisclosurePipeline.Functions.csproj -c Release -o $publish"
  dotnet publish "$root/functions/DisclosurePipeline.Functions.csproj" -c Release -o "$publish" --nologo -v quiet
  if [ ! -f "$publish/host.json" ]; then
    echo "error: $publish has no host.json at its top: that is not a Functions app package" >&2
    exit 1
  fi

  local tool
  tool="$(pick_tool)"
  rm -f "$zip"
  echo "==> zipping with $tool"
  zip_folder "$publish" "$zip" "$tool"
  echo "$zip $(wc -c <"$zip" | tr -d ' ') bytes"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
