# syntax=docker/dockerfile:1
# Build stage: the release binary (stripped by the release profile).
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock clippy.toml ./
COPY api-models ./api-models
COPY crates ./crates
# The web console's built files, embedded in the binary (crates/server/src/console.rs).
COPY console/dist ./console/dist
RUN cargo build --release --locked --bin timestream-local \
 && cp target/release/timestream-local /timestream-local \
 && mkdir /data

# Runtime stage: glibc + libgcc only, non-root.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /timestream-local /usr/local/bin/timestream-local
# distroless's nonroot user is 65532; the store directory must be writable by it.
COPY --from=build --chown=65532:65532 /data /data
ENV TIMESTREAM_LOCAL_HOST=0.0.0.0 \
    TIMESTREAM_LOCAL_PORT=4577
EXPOSE 4577
USER nonroot:nonroot
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
  CMD ["/usr/local/bin/timestream-local", "--health-check"]
ENTRYPOINT ["/usr/local/bin/timestream-local"]
