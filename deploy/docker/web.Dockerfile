# The web frontend: docker build -f deploy/docker/web.Dockerfile .
# Built with the pinned lock (npm ci), served by an unprivileged nginx. The page learns where
# the services are from /config.json, rendered at start from IMC_*_URL: one image, any stack.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.27-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /web
COPY web/package.json web/package-lock.json web/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

FROM ${NGINX_IMAGE}
ENV IMC_REGISTRY_URL=http://127.0.0.1:8001 \
    IMC_ROADMAPS_URL=http://127.0.0.1:8002 \
    IMC_NOTIFICATIONS_URL=http://127.0.0.1:8080/notifications \
    IMC_NOTIFICATIONS_UPSTREAM=http://notifications:8003 \
    NGINX_ENVSUBST_FILTER=^IMC_
COPY deploy/docker/web.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /web/dist /usr/share/nginx/html
USER 101
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/config.json || exit 1
