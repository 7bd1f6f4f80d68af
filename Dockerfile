# syntax=docker/dockerfile:1
FROM node:22.23-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22.23-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# The `node` devDependency is only for machines that ship an older Node; the image already has Node 22.
# Scripts are off, so the one patch (kafkajs' read_committed filter, see patches/) is applied by hand.
RUN npm ci --omit=dev --ignore-scripts && npx patch-package && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 9464
ENTRYPOINT ["node", "--import", "./dist/telemetry/tracing.js", "dist/cli/main.js"]
CMD ["worker"]
