# Debian 12, whose PostgreSQL client (for 'scr backup' and 'scr restore') is version 15, as the compose
# file's database is: pg_dump must be of the server's major version or newer.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e .
USER nobody
EXPOSE 8000
# 'scr serve' migrates, then runs uvicorn believing forwarded headers only from SCR_TRUSTED_PROXIES, and
# refuses to start without SCR_SECRET_KEY. (Running uvicorn yourself? Pass --forwarded-allow-ips with
# the same addresses, or --no-proxy-headers: uvicorn's own default believes 127.0.0.1.)
CMD ["scr", "serve", "--host", "0.0.0.0", "--port", "8000"]
