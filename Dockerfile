FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e .
USER nobody
EXPOSE 8000
CMD ["sh", "-c", "scr db upgrade && uvicorn service.app:create_app --factory --host 0.0.0.0 --port 8000"]
