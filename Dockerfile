# syntax=docker/dockerfile:1
# The doc-QA service image: `docker build -t docqa .` then `docker run -p 8080:8080 docqa`.
# Settings come from the environment (PORT, DOCQA_CORPUS, DOCQA_MODE, DOCQA_FAULTS, GEMINI_API_KEY, ...);
# see docs/service.md. No HEALTHCHECK: Kubernetes probes /healthz and /readyz.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- build: all dependencies, compile TypeScript to dist/ ---------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; no dependency needs its install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- production dependencies only ----------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime: node, production node_modules, the compiled code, the handbook and the eval suite ---------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    DOCQA_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /src/dist ./dist
COPY handbook ./handbook
# The CLI and the eval suite ride along so the canary's eval-replay Job can run
# `node /app/bin/gitops-lab.js eval --target …` from the very image under test.
COPY bin ./bin
COPY evals ./evals
# Files stay owned by root and read-only for the service user; it writes nothing to disk.
USER 10001:10001
# 8080: the service (PORT). 8081: /healthz and /readyz on a thread of their own, opened only when DOCQA_PROBE_PORT
# is set (the shipped Rollout sets 8081 and probes it there; docs/service.md).
EXPOSE 8080 8081
# node as PID 1 is fine here: the service handles SIGTERM and SIGINT itself (graceful drain, then exit).
CMD ["node", "dist/service/main.js"]
