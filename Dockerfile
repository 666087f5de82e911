# syntax=docker/dockerfile:1
# parley-server in a container: SQLite and keys in the /data volume, TLS on 5001.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props Parley.slnx ./
COPY src/Parley.Protocol/Parley.Protocol.csproj src/Parley.Protocol/
COPY src/Parley.Server/Parley.Server.csproj src/Parley.Server/
RUN dotnet restore src/Parley.Server/Parley.Server.csproj
COPY src/Parley.Protocol/ src/Parley.Protocol/
COPY src/Parley.Server/ src/Parley.Server/
RUN dotnet publish src/Parley.Server/Parley.Server.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS runtime
# The runtime image ships a non-root user "app" (uid 1654); the server never needs root.
WORKDIR /app
COPY --from=build /app ./
RUN mkdir -p /data && chown app:app /data
USER app
VOLUME ["/data"]
EXPOSE 5001
ENV PARLEY_DATADIRECTORY=/data \
    PARLEY_BIND=0.0.0.0 \
    PARLEY_PORT=5001 \
    DOTNET_gcServer=0
ENTRYPOINT ["./parley-server"]
