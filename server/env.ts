import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './http/rate-limit.ts';
import { DEFAULT_LLM_FILE_NAME, DEFAULT_WHISPER_MODEL } from './models/catalog.ts';

const booleanText = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

/** Every environment variable Viva reads, with defaults. The README lists the same table. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  VIVA_MODELS_DIR: z.string().default('models'),
  VIVA_WHISPER_MODEL: z.string().default(DEFAULT_WHISPER_MODEL),
  /** Fetch missing catalog model files on start (false: stop and say what is missing). */
  VIVA_MODELS_FETCH: booleanText.default(true),
  /** A mirror serving the model files by name, instead of their official URLs. */
  VIVA_MODEL_BASE_URL: z.string().url().optional(),
  VIVA_WHISPER_THREADS: z.coerce.number().int().min(1).max(64).default(Math.max(1, os.availableParallelism())),
  VIVA_WHISPER_AUDIO_CONTEXT: z.enum(['full', 'proportional']).default('proportional'),
  VIVA_DATA_DIR: z.string().default('data'),
  /** Set: use this OpenAI-compatible endpoint. Unset: run the LLM in process (embedded, VIVA_LLM_MODEL_FILE). */
  VIVA_LLM_BASE_URL: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://localhost:8000/v1' }).optional(),
  ),
  VIVA_LLM_MODEL: z.string().min(1).default('Qwen/Qwen2.5-7B-Instruct'),
  /** GGUF file of the embedded LLM: a bare file name is looked up in $VIVA_MODELS_DIR/llm/, anything else is a path. */
  VIVA_LLM_MODEL_FILE: z.string().min(1).default(DEFAULT_LLM_FILE_NAME),
  VIVA_LLM_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  VIVA_LLM_CONTEXT_SIZE: z.coerce.number().int().min(1024).max(131_072).optional(),
  VIVA_LLM_GPU: z.enum(['auto', 'off']).default('auto'),
  VIVA_LLM_API_KEY: z.string().optional(),
  VIVA_LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  VIVA_LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  VIVA_LLM_STRUCTURED_OUTPUT: z.enum(['auto', 'json_schema', 'json_object', 'none']).default('auto'),
  /** Skip the LLM reachability check at start-up (transcription still works; analysis reports errors per answer). */
  VIVA_LLM_OPTIONAL: booleanText.default(false),
  /** Answer-analysis LLM calls in flight at most over the process (default: 1 embedded, 4 with an endpoint). */
  VIVA_LLM_MAX_CONCURRENT_CALLS: z.coerce.number().int().min(1).max(64).optional(),
  VIVA_VAD_REDEMPTION_MS: z.coerce.number().int().min(100).max(5000).default(400),
  VIVA_VAD_POSITIVE_THRESHOLD: z.coerce.number().min(0.01).max(0.99).default(0.5),
  VIVA_VAD_NEGATIVE_THRESHOLD: z.coerce.number().min(0.01).max(0.99).default(0.35),
  VIVA_VAD_MIN_SPEECH_MS: z.coerce.number().int().min(0).max(5000).default(250),
  VIVA_VAD_MAX_SPEECH_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  VIVA_FFMPEG_PATH: z.string().default('ffmpeg'),
  VIVA_FFPROBE_PATH: z.string().default('ffprobe'),
  VIVA_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(1024 ** 3),
  VIVA_AUDIO_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  VIVA_TRANSCRIPT_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  /** Server folders batch screening may read, separated by ':'. */
  VIVA_SCREENING_ROOTS: z.string().default(''),
  VIVA_SCREENING_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Signs candidate links of automated interviews; generated into the data folder when unset. */
  VIVA_LINK_SECRET: z.string().min(32).optional(),
  /** The address candidates open (links are built on it), e.g. https://viva.example.com. */
  VIVA_PUBLIC_URL: z.string().url().optional(),
  /** More host names this server answers to (besides loopback, the public URL's host and HOST), separated by ','. */
  VIVA_ALLOWED_HOSTS: z.string().default(''),
  /** `session:start` per client IP per minute. */
  VIVA_RATE_SESSIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_RATE_LIMITS.sessionsPerMinute),
  /** LLM-backed REST calls (match, plans, feedback, résumé parsing, screening starts) per client IP per minute. */
  VIVA_RATE_LLM_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_RATE_LIMITS.llmCallsPerMinute),
  /** `session:start` per signed-in user per minute. */
  VIVA_RATE_USER_SESSIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_RATE_LIMITS.sessionsPerUserPerMinute),
  /** LLM-backed REST calls per signed-in user per minute. */
  VIVA_RATE_USER_LLM_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_RATE_LIMITS.llmCallsPerUserPerMinute),
  VIVA_PARTIAL_INTERVAL_MS: z.coerce.number().int().min(200).max(10_000).default(1000),
  VIVA_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

/** Viva's configuration, parsed from the environment once at boot. */
export interface Config {
  port: number;
  host: string;
  modelsDir: string;
  whisperModel: string;
  modelsFetch: boolean;
  modelBaseUrl: string | undefined;
  whisperThreads: number;
  whisperAudioContext: 'full' | 'proportional';
  dataDir: string;
  llm: {
    /** 'openai-compatible' when VIVA_LLM_BASE_URL is set, else 'embedded'. */
    provider: 'openai-compatible' | 'embedded';
    baseUrl: string | undefined;
    /** Model name served by the endpoint (openai-compatible only). */
    model: string;
    /** Absolute path of the embedded model's GGUF file. */
    modelFile: string;
    /** Embedded: CPU threads (default half the cores), context tokens (default from memory), GPU use. */
    threads: number | undefined;
    contextSize: number | undefined;
    gpu: 'auto' | 'off';
    apiKey: string | undefined;
    timeoutMs: number;
    maxRetries: number;
    structuredOutput: 'auto' | 'json_schema' | 'json_object' | 'none';
    optional: boolean;
    /** Answer-analysis calls in flight at most (undefined: 1 for the embedded model, 4 for an endpoint). */
    maxConcurrentCalls: number | undefined;
  };
  vadRedemptionMs: number;
  vad: { positiveSpeechThreshold: number; negativeSpeechThreshold: number; redemptionMs: number; minSpeechMs: number; maxSpeechMs: number };
  partialIntervalMs: number;
  ffmpegPath: string;
  ffprobePath: string;
  maxUploadBytes: number;
  audioRetentionDays: number | undefined;
  transcriptRetentionDays: number | undefined;
  screeningRoots: string[];
  screeningConcurrency: number;
  linkSecret: string | undefined;
  publicUrl: string | undefined;
  allowedHosts: string[];
  rateLimits: RateLimits;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Parses the environment; throws one readable message listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    modelsDir: path.resolve(cwd, e.VIVA_MODELS_DIR),
    whisperModel: e.VIVA_WHISPER_MODEL,
    modelsFetch: e.VIVA_MODELS_FETCH,
    modelBaseUrl: e.VIVA_MODEL_BASE_URL,
    whisperThreads: e.VIVA_WHISPER_THREADS,
    whisperAudioContext: e.VIVA_WHISPER_AUDIO_CONTEXT,
    dataDir: path.resolve(cwd, e.VIVA_DATA_DIR),
    llm: {
      provider: e.VIVA_LLM_BASE_URL === undefined ? 'embedded' : 'openai-compatible',
      baseUrl: e.VIVA_LLM_BASE_URL,
      model: e.VIVA_LLM_MODEL,
      modelFile: resolveModelFile(e.VIVA_LLM_MODEL_FILE, path.resolve(cwd, e.VIVA_MODELS_DIR), cwd),
      threads: e.VIVA_LLM_THREADS,
      contextSize: e.VIVA_LLM_CONTEXT_SIZE,
      gpu: e.VIVA_LLM_GPU,
      apiKey: e.VIVA_LLM_API_KEY,
      timeoutMs: e.VIVA_LLM_TIMEOUT_MS,
      maxRetries: e.VIVA_LLM_MAX_RETRIES,
      structuredOutput: e.VIVA_LLM_STRUCTURED_OUTPUT,
      optional: e.VIVA_LLM_OPTIONAL,
      maxConcurrentCalls: e.VIVA_LLM_MAX_CONCURRENT_CALLS,
    },
    vadRedemptionMs: e.VIVA_VAD_REDEMPTION_MS,
    vad: {
      positiveSpeechThreshold: e.VIVA_VAD_POSITIVE_THRESHOLD,
      negativeSpeechThreshold: e.VIVA_VAD_NEGATIVE_THRESHOLD,
      redemptionMs: e.VIVA_VAD_REDEMPTION_MS,
      minSpeechMs: e.VIVA_VAD_MIN_SPEECH_MS,
      maxSpeechMs: e.VIVA_VAD_MAX_SPEECH_MS,
    },
    partialIntervalMs: e.VIVA_PARTIAL_INTERVAL_MS,
    ffmpegPath: e.VIVA_FFMPEG_PATH,
    ffprobePath: e.VIVA_FFPROBE_PATH,
    maxUploadBytes: e.VIVA_MAX_UPLOAD_BYTES,
    audioRetentionDays: e.VIVA_AUDIO_RETENTION_DAYS,
    transcriptRetentionDays: e.VIVA_TRANSCRIPT_RETENTION_DAYS,
    screeningRoots: e.VIVA_SCREENING_ROOTS.split(':').filter((root) => root.trim() !== '').map((root) => path.resolve(cwd, root)),
    screeningConcurrency: e.VIVA_SCREENING_CONCURRENCY,
    linkSecret: e.VIVA_LINK_SECRET,
    publicUrl: e.VIVA_PUBLIC_URL,
    allowedHosts: e.VIVA_ALLOWED_HOSTS.split(',').map((host) => host.trim()).filter((host) => host !== ''),
    rateLimits: {
      sessionsPerMinute: e.VIVA_RATE_SESSIONS_PER_MINUTE,
      llmCallsPerMinute: e.VIVA_RATE_LLM_PER_MINUTE,
      sessionsPerUserPerMinute: e.VIVA_RATE_USER_SESSIONS_PER_MINUTE,
      llmCallsPerUserPerMinute: e.VIVA_RATE_USER_LLM_PER_MINUTE,
    },
    logLevel: e.VIVA_LOG_LEVEL,
  };
}

/** A bare file name lives in the models folder's llm/; a path is taken as given (relative to the working directory). */
function resolveModelFile(value: string, modelsDir: string, cwd: string): string {
  return value.includes('/') || value.includes(path.sep) ? path.resolve(cwd, value) : path.join(modelsDir, 'llm', value);
}
