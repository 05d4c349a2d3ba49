#!/usr/bin/env bash
# Sets up what is missing (the detector model, checked by SHA-256; the web page's npm packages and build) and runs
# FaceBlur on one port (default 8080), page and API, on 127.0.0.1 only: HOST=0.0.0.0 ./run.sh serves every network
# interface (the API, and /metrics unless METRICS_TOKEN is set).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
# Nothing phones home: the .NET CLI's telemetry off, and ONNX Runtime's (the app also switches that off itself).
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ORT_DISABLE_TELEMETRY=1
port="${PORT:-8080}"
host="${HOST:-127.0.0.1}"
[[ "$host" == *:* && "$host" != \[* ]] && host="[$host]"  # an IPv6 address goes in brackets in a URL

for tool in dotnet curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is required but not installed" >&2; exit 1; }
done
command -v npm >/dev/null || { echo "run.sh: 'npm' (Node.js 20+) is required to build the web page" >&2; exit 1; }

scripts/fetch-models.sh
# Building the host also installs the web page's packages (npm ci) and builds it into wwwroot when missing or changed.
dotnet build FaceBlur.Web/FaceBlur.Web.csproj -c Release --nologo -v quiet
if [[ "$host" == 127.0.0.1 ]]; then
  echo "FaceBlur: the page and the API at http://localhost:$port, on this machine only (Ctrl+C to stop)"
else
  echo "FaceBlur: the page and the API at http://$host:$port, reachable from the network (Ctrl+C to stop)"
fi
exec dotnet FaceBlur.Web/bin/Release/net10.0/FaceBlur.Web.dll --contentRoot "$root" --urls "http://$host:$port"
