# LabelFleet image: one executable, `labelfleet <part>` (api, relay, projector, migrate, replay, serve).
# Used by compose.yaml. Build: docker build -t labelfleet .

# ---- build: the same Debian 12 packages as the development machines and CI
FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# The package list first, so source changes do not reinstall the toolchain.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN bash scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build build -j"$(nproc)" --target labelfleet \
 && strip --strip-debug -o /labelfleet build/labelfleet

# ---- runtime: only the shared libraries the binary links, plus curl for the health check
FROM debian:12-slim AS runtime
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpistache0 libpqxx-6.4 libpq5 librdkafka1 librdkafka++1 libprometheus-cpp-core1.0 \
      libsodium23 libcurl4 ca-certificates curl tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/labelfleet --create-home labelfleet
COPY --from=build /labelfleet /usr/local/bin/labelfleet
# Fail the image build, not the first start, when a shared library is missing.
RUN if ldd /usr/local/bin/labelfleet | grep 'not found'; then exit 1; fi
USER labelfleet
WORKDIR /var/lib/labelfleet
ENV LABELFLEET_RUN_DIR=/var/lib/labelfleet \
    LABELFLEET_HTTP_HOST=0.0.0.0 \
    LABELFLEET_HTTP_PORT=8080
EXPOSE 8080
# tini as PID 1 forwards SIGTERM to labelfleet and reaps children.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/labelfleet"]
CMD ["--help"]
