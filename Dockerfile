# syntax=docker/dockerfile:1
# Build: docker build -t studybot .   Run: see README "Deploying".

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
COPY localdiscord ./localdiscord
RUN python -m venv /opt/venv && /opt/venv/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    DATABASE_URL=sqlite+aiosqlite:////data/studybot.sqlite3 \
    CONTENT_DIR=/app/content \
    BACKUP_DIR=/data/backups \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8080
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin studybot \
    && mkdir -p /data \
    && chown studybot /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY content ./content
USER 10001
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]
# Migrate, then replace the shell with the bot so it receives SIGTERM directly.
CMD ["sh", "-c", "python -m bot migrate && exec python -m bot run"]
