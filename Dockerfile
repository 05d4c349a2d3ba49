# syntax=docker/dockerfile:1
# FaceBlur in one image: the web page (ClientApp/, built with npm), the .NET app (dotnet publish) and a runtime with
# ffmpeg and the native libraries OpenCV needs. The detector weights are fetched and SHA-256 checked at build time.
# Build: docker build -t faceblur . (or docker compose up --build). Needs ClientApp/ in the build context.

# 1. The SPA. Its build output (dist/, or wherever its Vite config writes) becomes the app's wwwroot.
FROM node:22-bookworm-slim AS spa
WORKDIR /src/ClientApp
COPY ClientApp/package.json ClientApp/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ClientApp/ ./
RUN npm run build \
 && mkdir -p /spa \
 && if [ -d dist ]; then cp -r dist/. /spa/; elif [ -d ../FaceBlur.Web/wwwroot ]; then cp -r ../FaceBlur.Web/wwwroot/. /spa/; \
    else echo "ClientApp build wrote neither dist/ nor FaceBlur.Web/wwwroot/" >&2; exit 1; fi

# 2. The app, restored from the project files first so the package layer is cached.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig appsettings.json ./
COPY FaceBlur.Web/FaceBlur.Web.csproj FaceBlur.Web/
COPY FaceBlur.Modules.Processing/FaceBlur.Modules.Processing.csproj FaceBlur.Modules.Processing/
COPY FaceBlur.Modules.Stats/FaceBlur.Modules.Stats.csproj FaceBlur.Modules.Stats/
RUN dotnet restore FaceBlur.Web/FaceBlur.Web.csproj
COPY FaceBlur.Web/ FaceBlur.Web/
COPY FaceBlur.Modules.Processing/ FaceBlur.Modules.Processing/
COPY FaceBlur.Modules.Stats/ FaceBlur.Modules.Stats/
RUN dotnet publish FaceBlur.Web/FaceBlur.Web.csproj -c Release -o /app --no-restore
COPY --from=spa /spa/ /app/wwwroot/

# 3. The detector weights listed in scripts/models.txt, checked against their SHA-256.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS models
WORKDIR /src
COPY scripts/ scripts/
RUN scripts/fetch-models.sh

# 4. The runtime: ASP.NET Core, ffmpeg (video), GTK 3 (needed by OpenCV's native library).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libgtk-3-0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
COPY --from=models /src/models ./models
RUN mkdir -p /app/storage && chown "$APP_UID" /app/storage
# ORT_DISABLE_TELEMETRY: ONNX Runtime never phones home (the app also sets it natively before the runtime starts).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    STORAGE_DIR=/app/storage \
    ORT_DISABLE_TELEMETRY=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
VOLUME /app/storage
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "FaceBlur.Web.dll"]
