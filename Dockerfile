# One image for every ChargeWatch process: `chargewatch collector`, `chargewatch simulate`, …
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY collector/package.json collector/package.json
COPY dashboards/package.json dashboards/package.json
RUN npm ci --workspace collector --include-workspace-root=false --no-audit --no-fund
COPY collector collector
RUN npm run build -w collector && npm prune --omit=dev --workspace collector

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/collector/package.json collector/package.json
COPY --from=build /app/collector/dist collector/dist
COPY --from=build /app/collector/bin collector/bin
USER node
EXPOSE 9000 9100
ENTRYPOINT ["node", "collector/bin/chargewatch.js"]
CMD ["collector"]
