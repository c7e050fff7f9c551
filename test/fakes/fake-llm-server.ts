/**
 * A fake vLLM: a real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions wire protocol the way vLLM does
 * (SSE chunk shapes, `data: [DONE]`, `{"object":"error",…}` bodies), scripted per test, recording every request.
 * The real `openai` SDK talks to it over real HTTP, so retries, timeouts and stream parsing are exercised for real.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** The model vLLM serves in the reference deployment. */
export const FAKE_DEFAULT_MODEL = 'Qwen/Qwen2.5-7B-Instruct';

/** Timing of a streamed answer: the fake's own time-to-first-token and inter-chunk delay. */
export interface FakeStreamTiming {
  /** Delay between receiving the request and the first chunk (the "prefill"); default 0. */
  timeToFirstTokenMs?: number;
  /** Delay between two content chunks; default 0. */
  chunkDelayMs?: number;
  /** Characters (code points) per chunk when `chunks` is not given; default 4. */
  chunkSize?: number;
}

/** A normal answer: `content` streamed in chunks (or returned whole when the request is not streaming). */
export interface FakeContentScript extends FakeStreamTiming {
  kind: 'content';
  content: string;
  /** Explicit chunking; must join to `content`. */
  chunks?: string[];
  finishReason?: 'stop' | 'length';
  /** Model name written in the chunks; default the requested model. */
  model?: string;
}

/** An HTTP error with a vLLM-style body (`{"object":"error",…}`) or the newer OpenAI-style `{"error":{…}}`. */
export interface FakeErrorScript {
  kind: 'error';
  status: number;
  message: string;
  /** vLLM error type, e.g. 'BadRequestError', 'InternalServerError'. */
  type?: string;
  style?: 'vllm' | 'openai';
  headers?: Record<string, string>;
  /** Delay before answering. */
  delayMs?: number;
}

/** Never answer: hold the request open until the client gives up (aborts or times out). */
export interface FakeHangScript {
  kind: 'hang';
  /** 'before-headers' (default): nothing at all; 'after-headers': 200 + SSE headers, then silence. */
  stage?: 'before-headers' | 'after-headers';
}

/** Stream `afterChunks` chunks of `content`, then destroy the socket (a crashed or restarted server). */
export interface FakeDropScript extends FakeStreamTiming {
  kind: 'drop';
  content: string;
  afterChunks: number;
}

/** A chunk whose SSE `data:` is not JSON (a broken proxy or server). */
export interface FakeMalformedSseScript {
  kind: 'malformed-sse';
}

/** What the fake does with one chat-completions request. */
export type FakeLlmScript = FakeContentScript | FakeErrorScript | FakeHangScript | FakeDropScript | FakeMalformedSseScript;

/** One request as the fake received it. */
export interface RecordedLlmRequest {
  /** 0-based order of arrival over all paths. */
  index: number;
  method: string;
  /** Path including the /v1 prefix, e.g. '/v1/chat/completions'. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (null when there was none or it was not JSON). */
  body: Record<string, unknown> | null;
  rawBody: string;
  /** `response_format.json_schema.name` when the request asked for a JSON schema. */
  schemaName?: string;
  /** `response_format.type` when present. */
  responseFormatType?: string;
  /** performance.now() when the request body had arrived. */
  receivedAtMs: number;
  /** performance.now() when the first chunk with non-empty content was written. */
  firstContentAtMs?: number;
  /** performance.now() when the response ended, was dropped, or the client went away. */
  endedAtMs?: number;
  /** How it ended. */
  outcome?: 'completed' | 'error' | 'client-aborted' | 'dropped';
}

/** Decides the script for a chat-completions request when the queue is empty. */
export type FakeLlmResponder = (request: RecordedLlmRequest) => FakeLlmScript | Promise<FakeLlmScript>;

/** Options of {@link startFakeLlmServer}. */
export interface FakeLlmServerOptions {
  /** Served model ids (GET /v1/models); a request for another model gets vLLM's 404. Default [FAKE_DEFAULT_MODEL]. */
  models?: string[];
  /** Scripts consumed in order, one per chat-completions request. */
  scripts?: FakeLlmScript[];
  /** Used when the queue is empty. Without it an unscripted request gets a 500 that names the problem. */
  respond?: FakeLlmResponder;
  /** response_format types this server rejects with a 400 (as older servers do), before consulting the scripts. */
  rejectResponseFormats?: Array<'json_schema' | 'json_object'>;
  /** Bearer token required on every request (401 otherwise). */
  apiKey?: string;
}

/** A running fake server. */
export interface FakeLlmServer {
  /** e.g. 'http://127.0.0.1:41234/v1' — what VIVA_LLM_BASE_URL would be. */
  baseUrl: string;
  /** Every request received, in order (models listing included). */
  requests: RecordedLlmRequest[];
  /** Only the chat-completions requests. */
  chatRequests(): RecordedLlmRequest[];
  /** Appends scripts to the queue. */
  enqueue(...scripts: FakeLlmScript[]): void;
  /** Replaces the responder used when the queue is empty. */
  setResponder(respond: FakeLlmResponder | undefined): void;
  /** Scripts still queued. */
  pendingScripts(): number;
  /** Requests currently being answered (hanging ones included). */
  inFlight(): number;
  /** Resolves once `inFlight()` is 0 (e.g. after the client aborted a hanging request). */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/** Builds scripts from values: the helpers tests use most. */
export const fakeScripts = {
  /** Streams JSON.stringify(value) in chunks. */
  json(value: unknown, timing: FakeStreamTiming & { finishReason?: 'stop' | 'length' } = {}): FakeContentScript {
    return { kind: 'content', content: JSON.stringify(value), ...timing };
  },
  /** Streams arbitrary text. */
  text(content: string, timing: FakeStreamTiming & { finishReason?: 'stop' | 'length' } = {}): FakeContentScript {
    return { kind: 'content', content, ...timing };
  },
  /** Streams JSON that does not parse: the value's JSON cut short, with a stray trailing fragment. */
  brokenJson(value: unknown, timing: FakeStreamTiming = {}): FakeContentScript {
    const json = JSON.stringify(value);
    return { kind: 'content', content: `${json.slice(0, Math.max(1, Math.floor(json.length * 0.6)))}, "oops": ]`, ...timing };
  },
  /** An HTTP error, vLLM-style body by default. */
  error(status: number, message: string, extra: Omit<FakeErrorScript, 'kind' | 'status' | 'message'> = {}): FakeErrorScript {
    return { kind: 'error', status, message, ...extra };
  },
  /** Never answers. */
  hang(stage: FakeHangScript['stage'] = 'before-headers'): FakeHangScript {
    return { kind: 'hang', stage };
  },
  /** Streams a few chunks, then kills the connection. */
  drop(content: string, afterChunks: number, timing: FakeStreamTiming = {}): FakeDropScript {
    return { kind: 'drop', content, afterChunks, ...timing };
  },
  /** One SSE event whose data is not JSON. */
  malformedSse(): FakeMalformedSseScript {
    return { kind: 'malformed-sse' };
  },
};

const VLLM_ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'Unauthorized',
  404: 'NotFoundError',
  422: 'UnprocessableEntityError',
  429: 'TooManyRequestsError',
  500: 'InternalServerError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
};

/** Starts a fake vLLM on 127.0.0.1 with an ephemeral port. */
export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
  const models = options.models ?? [FAKE_DEFAULT_MODEL];
  const queue: FakeLlmScript[] = [...(options.scripts ?? [])];
  let responder = options.respond;
  const requests: RecordedLlmRequest[] = [];
  const sockets = new Set<Socket>();
  const active = new Set<ServerResponse>();
  const idleWaiters = new Set<() => void>();
  const createdSec = Math.floor(Date.now() / 1000);

  const markDone = (response: ServerResponse): void => {
    active.delete(response);
    if (active.size === 0) for (const wake of [...idleWaiters]) wake();
  };

  const server: Server = createServer((req, res) => {
    active.add(res);
    res.on('close', () => markDone(res));
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        sendError(res, 500, `fake-llm-server crashed: ${error instanceof Error ? error.message : String(error)}`);
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    let body: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = rawBody ? JSON.parse(rawBody) : null;
      body = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record: RecordedLlmRequest = {
      index: requests.length,
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      rawBody,
      receivedAtMs: performance.now(),
      ...describeResponseFormat(body),
    };
    requests.push(record);
    // The client going away before we finished is what a hang or a timeout looks like from the server side.
    res.on('close', () => {
      if (!res.writableFinished && record.outcome === undefined) record.outcome = 'client-aborted';
      record.endedAtMs ??= performance.now();
    });

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      finish(record, 'error');
      sendError(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      finish(record, 'completed');
      sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({
          id,
          object: 'model',
          created: createdSec,
          owned_by: 'vllm',
          root: id,
          parent: null,
          max_model_len: 32768,
          permission: [
            {
              id: `modelperm-${randomUUID().replaceAll('-', '')}`,
              object: 'model_permission',
              created: createdSec,
              allow_create_engine: false,
              allow_sampling: true,
              allow_logprobs: true,
              allow_search_indices: false,
              allow_view: true,
              allow_fine_tuning: false,
              organization: '*',
              group: null,
              is_blocking: false,
            },
          ],
        })),
      });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      finish(record, 'error');
      // vLLM is a FastAPI app: unknown routes get FastAPI's body, not the OpenAI error shape.
      sendJson(res, 404, { detail: 'Not Found' });
      return;
    }
    if (body === null || !Array.isArray(body.messages)) {
      finish(record, 'error');
      sendError(res, 400, 'Invalid request: body must be JSON with a messages array');
      return;
    }
    const model = typeof body.model === 'string' ? body.model : '';
    if (!models.includes(model)) {
      finish(record, 'error');
      sendError(res, 404, `The model \`${model}\` does not exist.`, 'NotFoundError');
      return;
    }
    const formatType = record.responseFormatType;
    if (formatType !== undefined && (options.rejectResponseFormats as string[] | undefined)?.includes(formatType)) {
      finish(record, 'error');
      sendError(res, 400, `response_format type '${formatType}' is not supported by this server`);
      return;
    }

    const script = queue.shift() ?? (responder ? await responder(record) : undefined);
    if (script === undefined) {
      finish(record, 'error');
      sendError(res, 500, `fake-llm-server: no script queued for request #${record.index} and no responder set`);
      return;
    }
    const streaming = body.stream === true;
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    await play(script, { req, res, record, model, streaming, includeUsage: streamOptions?.include_usage === true });
  }

  async function play(
    script: FakeLlmScript,
    ctx: { req: IncomingMessage; res: ServerResponse; record: RecordedLlmRequest; model: string; streaming: boolean; includeUsage: boolean },
  ): Promise<void> {
    const { res, record } = ctx;
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    switch (script.kind) {
      case 'error': {
        if (script.delayMs) await sleep(script.delayMs, gone.signal);
        if (gone.signal.aborted) return;
        finish(record, 'error');
        sendError(res, script.status, script.message, script.type, script.style, script.headers);
        return;
      }
      case 'hang': {
        if (script.stage === 'after-headers' && ctx.streaming) writeSseHeaders(res);
        // Hold until the client goes away; close() destroys the socket, which also ends this.
        await new Promise<void>((resolve) => gone.signal.addEventListener('abort', () => resolve(), { once: true }));
        return;
      }
      case 'malformed-sse': {
        writeSseHeaders(res);
        res.write('data: {"id":"chatcmpl-broken","object":"chat.completion.chunk",\n\n');
        res.end('data: [DONE]\n\n');
        finish(record, 'completed');
        return;
      }
      case 'content':
      case 'drop': {
        const chunks = script.kind === 'content' && script.chunks ? script.chunks : splitChunks(script.content, script.chunkSize ?? 4);
        if (script.kind === 'content' && script.chunks && script.chunks.join('') !== script.content) {
          throw new Error('fake-llm-server: script.chunks must join to script.content');
        }
        const modelName = (script.kind === 'content' ? script.model : undefined) ?? ctx.model;
        const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
        const created = Math.floor(Date.now() / 1000);
        const promptTokens = estimateTokens(record.rawBody);
        const completionTokens = estimateTokens(script.content);
        const finishReason = script.kind === 'content' ? (script.finishReason ?? 'stop') : 'stop';

        if (script.timeToFirstTokenMs) await sleep(script.timeToFirstTokenMs, gone.signal);
        if (gone.signal.aborted) return;

        if (!ctx.streaming) {
          const delay = (script.chunkDelayMs ?? 0) * chunks.length;
          if (delay) await sleep(delay, gone.signal);
          if (gone.signal.aborted) return;
          if (script.kind === 'drop') {
            record.outcome = 'dropped';
            res.socket?.destroy();
            return;
          }
          record.firstContentAtMs = performance.now();
          finish(record, 'completed');
          sendJson(res, 200, {
            id,
            object: 'chat.completion',
            created,
            model: modelName,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', reasoning_content: null, content: script.content, tool_calls: [] },
                logprobs: null,
                finish_reason: finishReason,
                stop_reason: null,
              },
            ],
            usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens, prompt_tokens_details: null },
            prompt_logprobs: null,
            kv_transfer_params: null,
          });
          return;
        }

        writeSseHeaders(res);
        const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
          `data: ${JSON.stringify({
            id,
            object: 'chat.completion.chunk',
            created,
            model: modelName,
            choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...(finish ? { stop_reason: null } : {}) }],
          })}\n\n`;
        // vLLM's first chunk carries the role and empty content.
        res.write(chunk({ role: 'assistant', content: '' }, null));
        for (let i = 0; i < chunks.length; i += 1) {
          if (script.kind === 'drop' && i >= script.afterChunks) {
            await dropConnection(res, record);
            return;
          }
          if (i > 0 && script.chunkDelayMs) await sleep(script.chunkDelayMs, gone.signal);
          if (gone.signal.aborted) return;
          const text = chunks[i] ?? '';
          res.write(chunk({ content: text }, null));
          if (text && record.firstContentAtMs === undefined) record.firstContentAtMs = performance.now();
        }
        if (script.kind === 'drop') {
          await dropConnection(res, record);
          return;
        }
        res.write(chunk({ content: '' }, finishReason));
        if (ctx.includeUsage) {
          res.write(
            `data: ${JSON.stringify({
              id,
              object: 'chat.completion.chunk',
              created,
              model: modelName,
              choices: [],
              usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens },
            })}\n\n`,
          );
        }
        finish(record, 'completed');
        res.end('data: [DONE]\n\n');
        return;
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    enqueue: (...scripts) => {
      queue.push(...scripts);
    },
    setResponder: (respond) => {
      responder = respond;
    },
    pendingScripts: () => queue.length,
    inFlight: () => active.size,
    waitForIdle: (timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (active.size === 0) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          idleWaiters.delete(wake);
          reject(new Error(`fake-llm-server: ${active.size} request(s) still open after ${timeoutMs} ms`));
        }, timeoutMs);
        const wake = (): void => {
          clearTimeout(timer);
          idleWaiters.delete(wake);
          resolve();
        };
        idleWaiters.add(wake);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Lets what was written reach the client, then kills the socket without ending the chunked body (a crash). */
async function dropConnection(res: ServerResponse, record: RecordedLlmRequest): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 20));
  record.outcome = 'dropped';
  record.endedAtMs = performance.now();
  res.socket?.destroy();
}

function finish(record: RecordedLlmRequest, outcome: NonNullable<RecordedLlmRequest['outcome']>): void {
  record.outcome = outcome;
  record.endedAtMs = performance.now();
}

function describeResponseFormat(body: Record<string, unknown> | null): Pick<RecordedLlmRequest, 'schemaName' | 'responseFormatType'> {
  const format = body?.response_format;
  if (format === null || typeof format !== 'object') return {};
  const { type, json_schema: jsonSchema } = format as { type?: unknown; json_schema?: { name?: unknown } };
  return {
    ...(typeof type === 'string' ? { responseFormatType: type } : {}),
    ...(typeof jsonSchema?.name === 'string' ? { schemaName: jsonSchema.name } : {}),
  };
}

function writeSseHeaders(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': `chatcmpl-${randomUUID().replaceAll('-', '')}`,
  });
  res.flushHeaders();
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type?: string,
  style: 'vllm' | 'openai' = 'vllm',
  headers: Record<string, string> = {},
): void {
  const errorType = type ?? VLLM_ERROR_TYPES[status] ?? 'Error';
  const body =
    style === 'vllm'
      ? { object: 'error', message, type: errorType, param: null, code: status }
      : { error: { message, type: errorType, param: null, code: status } };
  sendJson(res, status, body, headers);
}

function splitChunks(content: string, chunkSize: number): string[] {
  const points = Array.from(content);
  const chunks: string[] = [];
  for (let i = 0; i < points.length; i += Math.max(1, chunkSize)) chunks.push(points.slice(i, i + chunkSize).join(''));
  return chunks;
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
