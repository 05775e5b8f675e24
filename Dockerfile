# dnsmesh-node container image. Build: docker build -t dnsmesh-node .
#
# The base is a maintained Node LTS (22; Node 20 left support in April 2026).
# Pin it by digest for reproducible builds — look the digest up when you
# build, it changes with every upstream security rebuild:
#   docker buildx imagetools inspect node:22-bookworm-slim   # → sha256:…
#   docker build --build-arg NODE_IMAGE=node:22-bookworm-slim@sha256:… -t dnsmesh-node .
# Run:
#   docker run -d --name dnsmesh -p 53:5353/udp -p 53:5353/tcp -p 127.0.0.1:8053:8053 \
#     -e DMP_SERVED_ZONE=mesh.example.com -e DMP_NODE_HOSTNAME=mesh.example.com \
#     -e DMP_OPERATOR_TOKEN="$(openssl rand -hex 32)" -v dnsmesh-data:/var/lib/dmp dnsmesh-node
ARG NODE_IMAGE=node:22-bookworm-slim
FROM ${NODE_IMAGE} AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# tsc for the library, esbuild bundles for the bins (scripts/build.ts).
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
RUN useradd --system --home /var/lib/dmp dmp && mkdir -p /var/lib/dmp && chown dmp /var/lib/dmp
USER dmp
ENV DMP_DB_PATH=/var/lib/dmp/dnsmesh.db \
    DMP_DNS_HOST=0.0.0.0 \
    DMP_HTTP_HOST=0.0.0.0 \
    DMP_ALLOW_PUBLIC_BIND=1
VOLUME /var/lib/dmp
EXPOSE 5353/udp 5353/tcp 8053/tcp
# Follows DMP_HTTP_PORT when the port is moved.
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.DMP_HTTP_PORT||8053)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli/node-main.js"]
