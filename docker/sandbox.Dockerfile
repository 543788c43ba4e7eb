# Gauntlet sandbox services (hub, acquirer, egress proxy, relay) for --sandbox containers.
# Built by the harness from a staging folder: package.json, dist/ (only the files the
# services import) and the production node_modules they need, copied from the host's
# install, so the base image needs node but no npm (gauntlet-base/node:20 has none).
ARG BASE=gauntlet-base/node:20
FROM ${BASE}
WORKDIR /opt/gauntlet
ENV NODE_ENV=production
COPY package.json ./
COPY node_modules ./node_modules
COPY dist ./dist
USER node
EXPOSE 7070 7071 8081 8082 3128
CMD ["node", "dist/harness/sandbox/serve-sandbox.js"]
