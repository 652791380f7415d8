# ChargeWatch images. The default (last) stage is the production image: `chargewatch collector` (and
# `chargewatch worker`) with the model, platform, collector, worker and cli packages and their production dependencies only — no dev tools, so
# `chargewatch simulate` there says it needs @chargewatch/tools and exits 2. The `dev` target adds
# @chargewatch/tools (simulator, demo) for docker compose's demo profile.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY model/package.json model/package.json
COPY platform/package.json platform/package.json
COPY collector/package.json collector/package.json
COPY worker/package.json worker/package.json
COPY tools/package.json tools/package.json
COPY cli/package.json cli/package.json
COPY dashboards/package.json dashboards/package.json
RUN npm ci --workspace model --workspace platform --workspace collector --workspace worker --workspace tools --workspace cli --include-workspace-root --no-audit --no-fund
COPY model model
COPY platform platform
COPY collector collector
COPY worker worker
COPY tools tools
COPY cli cli
RUN npm run build

# Production dependencies of the five production packages; tools is not installed (not even linked).
FROM node:20-bookworm-slim AS production-deps
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/model/package.json model/package.json
COPY --from=build /app/platform/package.json platform/package.json
COPY --from=build /app/collector/package.json collector/package.json
COPY --from=build /app/worker/package.json worker/package.json
COPY --from=build /app/tools/package.json tools/package.json
COPY --from=build /app/cli/package.json cli/package.json
COPY --from=build /app/dashboards/package.json dashboards/package.json
RUN npm ci --omit=dev --workspace model --workspace platform --workspace collector --workspace worker --workspace cli --no-audit --no-fund \
  && rm -rf node_modules/@chargewatch/tools node_modules/@chargewatch/dashboards

# Development image (`docker compose --profile demo`): the production packages plus tools.
FROM node:20-bookworm-slim AS dev
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/package.json package.json
COPY --from=build /app/model model
COPY --from=build /app/platform platform
COPY --from=build /app/collector collector
COPY --from=build /app/worker worker
COPY --from=build /app/tools tools
COPY --from=build /app/cli cli
USER node
ENTRYPOINT ["node", "cli/bin/chargewatch.js"]
CMD ["simulate", "--help"]

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-deps /app/node_modules node_modules
COPY --from=build /app/package.json package.json
COPY --from=build /app/model/package.json model/package.json
COPY --from=build /app/model/dist model/dist
COPY --from=build /app/platform/package.json platform/package.json
COPY --from=build /app/platform/dist platform/dist
# SQL migrations the collector applies at start (platform/src/store/migrate.ts reads them from here).
COPY --from=build /app/platform/migrations platform/migrations
COPY --from=build /app/collector/package.json collector/package.json
COPY --from=build /app/collector/dist collector/dist
COPY --from=build /app/worker/package.json worker/package.json
COPY --from=build /app/worker/dist worker/dist
COPY --from=build /app/cli/package.json cli/package.json
COPY --from=build /app/cli/dist cli/dist
COPY --from=build /app/cli/bin cli/bin
USER node
# 9000 OCPP, 9100 collector API; 9102 the worker's /metrics.
EXPOSE 9000 9100 9102
ENTRYPOINT ["node", "cli/bin/chargewatch.js"]
CMD ["collector"]
