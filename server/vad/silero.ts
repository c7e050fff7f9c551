import { stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { VadModelStream } from './vad-stream.ts';

/** Sample rate Silero VAD runs at here (the protocol's rate). */
export const SILERO_SAMPLE_RATE = 16_000;
/** Samples per Silero window at 16 kHz (32 ms). */
export const SILERO_WINDOW_SAMPLES = 512;
/** Samples of the previous window that Silero v5 expects prepended to each window at 16 kHz. */
export const SILERO_CONTEXT_SAMPLES = 64;

const STATE_SIZE = 2 * 1 * 128;
const EXPECTED_INPUTS = ['input', 'state', 'sr'];

/** Thrown when the model file is missing or is not a Silero v5 ONNX model. */
export class SileroModelError extends Error {
  override name = 'SileroModelError';
}

/**
 * A loaded Silero v5 VAD model. The ONNX session is shared and stateless; the recurrent state lives in each
 * `SileroStream`, so one model serves every audio channel (`createStream()` per channel).
 */
export class SileroModel {
  /** Path the model was loaded from. */
  readonly modelPath: string;
  private readonly session: ort.InferenceSession;
  private readonly sampleRateTensor = new ort.Tensor('int64', BigInt64Array.from([BigInt(SILERO_SAMPLE_RATE)]), []);
  private released = false;

  private constructor(modelPath: string, session: ort.InferenceSession) {
    this.modelPath = modelPath;
    this.session = session;
  }

  /** Loads `silero_vad.onnx` (v5) from `modelPath` on one CPU thread; a missing or wrong file throws SileroModelError naming the path. */
  static async load(modelPath: string, options: { signal?: AbortSignal } = {}): Promise<SileroModel> {
    options.signal?.throwIfAborted();
    const info = await stat(modelPath).catch((error: NodeJS.ErrnoException) => {
      throw new SileroModelError(`Silero VAD model not found at ${modelPath} (${error.code ?? error.message})`, { cause: error });
    });
    if (!info.isFile() || info.size === 0) throw new SileroModelError(`Silero VAD model at ${modelPath} is not a non-empty file`);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, {
        // 32 ms windows are far too small to gain from threads, and the other cores belong to whisper.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
    } catch (error) {
      throw new SileroModelError(`cannot load Silero VAD model ${modelPath}: ${(error as Error).message}`, { cause: error });
    }
    const inputs = [...session.inputNames];
    if (EXPECTED_INPUTS.some((name) => !inputs.includes(name)) || !session.outputNames.includes('output') || !session.outputNames.includes('stateN')) {
      await session.release();
      throw new SileroModelError(
        `${modelPath} is not a Silero v5 VAD model: inputs [${inputs.join(', ')}], outputs [${session.outputNames.join(', ')}]; ` +
          'expected inputs [input, state, sr] and outputs [output, stateN]',
      );
    }
    if (options.signal?.aborted) {
      await session.release();
      options.signal.throwIfAborted();
    }
    return new SileroModel(modelPath, session);
  }

  /** A new per-channel stream with its own recurrent state and context. */
  createStream(): SileroStream {
    return new SileroStream(this);
  }

  /** Frees the native session; streams created from it fail afterwards. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }

  /** @internal Runs one inference; used by SileroStream only. */
  async run(input: ort.Tensor, state: ort.Tensor): Promise<{ probability: number; state: ort.Tensor }> {
    if (this.released) throw new SileroModelError(`Silero VAD model ${this.modelPath} was released`);
    const result = await this.session.run({ input, state, sr: this.sampleRateTensor });
    const output = result['output'];
    const stateN = result['stateN'];
    if (!output || !stateN) throw new SileroModelError('Silero VAD returned no output/stateN');
    const probability = (output.data as Float32Array)[0];
    if (probability === undefined) throw new SileroModelError('Silero VAD returned an empty output');
    return { probability, state: stateN };
  }
}

/** One channel's Silero state: feed it consecutive 512-sample windows of that channel only. */
export class SileroStream implements VadModelStream {
  private readonly model: SileroModel;
  // One buffer reused for every window: [64 samples of context | 512 samples of the window].
  private readonly inputData = new Float32Array(SILERO_CONTEXT_SAMPLES + SILERO_WINDOW_SAMPLES);
  private readonly inputTensor = new ort.Tensor('float32', this.inputData, [1, this.inputData.length]);
  private state = zeroState();
  private busy = false;
  /** Bumped by reset() so a window still running when reset() is called cannot restore the old state. */
  private generation = 0;

  /** Use `SileroModel.createStream()`. */
  constructor(model: SileroModel) {
    this.model = model;
  }

  /** Speech probability of the next 512-sample window (16 kHz); windows must be fed in order, one at a time. */
  async process(window: Float32Array): Promise<number> {
    if (window.length !== SILERO_WINDOW_SAMPLES) {
      throw new RangeError(`Silero VAD needs windows of ${SILERO_WINDOW_SAMPLES} samples, got ${window.length}`);
    }
    // The recurrent state makes overlapping calls meaningless: refuse them rather than mix two windows' states.
    if (this.busy) throw new Error('SileroStream.process called while the previous window is still running');
    this.busy = true;
    const generation = this.generation;
    try {
      this.inputData.set(window, SILERO_CONTEXT_SAMPLES);
      const { probability, state } = await this.model.run(this.inputTensor, this.state);
      if (generation === this.generation) {
        this.state = state;
        // Silero v5's context: the last 64 samples of this window lead the next one.
        this.inputData.copyWithin(0, SILERO_WINDOW_SAMPLES);
      }
      return probability;
    } finally {
      this.busy = false;
    }
  }

  /** Forgets the state and context, as at the start of a new stream. */
  reset(): void {
    this.generation++;
    this.state = zeroState();
    this.inputData.fill(0);
  }
}

function zeroState(): ort.Tensor {
  return new ort.Tensor('float32', new Float32Array(STATE_SIZE), [2, 1, 128]);
}
