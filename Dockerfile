# The app's image: one image runs every part of the production stack
# (`scripts/run-production web|worker|beat|migrate`; compose.yaml wires them up).

# The dashboard's front-end bundle, built from its locked npm dependencies.
FROM node:20-bookworm-slim AS dashboard
WORKDIR /src/plugin/dashboard/frontend
COPY plugin/dashboard/frontend/package.json plugin/dashboard/frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY plugin/dashboard/frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    VAR_DIR=/app/var \
    BIND=0.0.0.0:8070
WORKDIR /app
COPY pyproject.toml README.md manifest.json manage.py ./
COPY grammar/ grammar/
COPY rules/ rules/
COPY plugin/ plugin/
COPY examples/ examples/
COPY scripts/run-production scripts/run-production
COPY --from=dashboard /src/plugin/dashboard/static/dashboard/ plugin/dashboard/static/dashboard/
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --no-create-home referrals \
    && mkdir -p var && chown referrals var
USER referrals
EXPOSE 8070
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8070/healthz', timeout=4)"
CMD ["scripts/run-production", "web"]
