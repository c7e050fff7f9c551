# Viva server + built client. Models live on a volume (VIVA_MODELS_DIR): the first start fetches what is missing
# (whisper base, Silero VAD), or run `docker compose run --rm viva npm run models:download -- base silero` beforehand.
FROM node:20-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg curl build-essential python3 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:client
# Run as the image's unprivileged `node` user (uid 1000), never root: the code stays root-owned and read-only to it;
# only the data and models folders (volumes are created from these, so they start owned by `node`) are writable.
RUN mkdir -p /data /models && chown node:node /data /models && chmod 0700 /data
ENV VIVA_DATA_DIR=/data VIVA_MODELS_DIR=/models
USER node
EXPOSE 3000
CMD ["npm", "start"]
