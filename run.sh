#!/usr/bin/env bash
# Sets up what is missing (the detector model, checked by SHA-256) and runs FaceBlur on one port (default 8080).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
port="${PORT:-8080}"

for tool in dotnet curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is required but not installed" >&2; exit 1; }
done

scripts/fetch-models.sh
dotnet build FaceBlur.Web/FaceBlur.Web.csproj -c Release --nologo -v quiet
echo "FaceBlur: serving http://localhost:$port (Ctrl+C to stop)"
exec dotnet FaceBlur.Web/bin/Release/net10.0/FaceBlur.Web.dll --contentRoot "$root" --urls "http://0.0.0.0:$port"
