import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GGML_FILE_MAGIC,
  ModelFileError,
  OFFICIAL_MODEL_FILES,
  hashFile,
  inspectWhisperModelFile,
  resolveSileroVadModel,
  resolveWhisperModel,
  whisperModelPath,
  whisperTestModelPath,
} from './model-files.ts';

const sharedModels = process.env.VIVA_MODELS_DIR ?? path.resolve('../shared/models');
const tinyTest = whisperTestModelPath(sharedModels, 'tiny');
const baseEnTest = whisperTestModelPath(sharedModels, 'base.en');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'viva-models-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function place(relative: string, bytes: Uint8Array): Promise<string> {
  const filePath = path.join(dir, relative);
  await mkdir(path.dirname(filePath), { recursive: true });
  await writeFile(filePath, bytes);
  return filePath;
}

/** A test model followed by one f16 tensor header whose data is cut short, like an interrupted download. */
async function withTruncatedTensor(): Promise<Uint8Array> {
  const model = await readFile(tinyTest);
  const name = Buffer.from('encoder.conv1.weight');
  const header = Buffer.alloc(12 + 3 * 4);
  header.writeInt32LE(3, 0); // n_dims
  header.writeInt32LE(name.length, 4);
  header.writeInt32LE(1, 8); // f16
  [3, 80, 384].forEach((extent, i) => header.writeInt32LE(extent, 12 + i * 4));
  const data = Buffer.alloc(1000); // 3*80*384*2 bytes would be needed
  return Buffer.concat([model, header, name, data]);
}

describe('resolveWhisperModel', () => {
  it('names the files it looked for and the exact command that fetches a missing model', async () => {
    const error = await resolveWhisperModel(dir, 'small').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFileError);
    expect(error).toMatchObject({ code: 'model-not-found' });
    const message = (error as Error).message;
    expect(message).toContain(whisperModelPath(dir, 'small'));
    expect(message).toContain(whisperTestModelPath(dir, 'small'));
    expect(message).toContain(`VIVA_MODELS_DIR=${dir} npm run models:download -- small`);
  });

  it('explains an unknown model name instead of offering a download', async () => {
    await expect(resolveWhisperModel(dir, 'huge-v9')).rejects.toThrow(/not an official model name.*base\.en/);
  });

  it('falls back to the zero-weight test model and flags it loudly', async () => {
    const tiny = await resolveWhisperModel(sharedModels, 'tiny');
    expect(tiny).toMatchObject({ isTestModel: true, multilingual: true, filePath: tinyTest });
    expect(tiny.warnings.join('\n')).toMatch(/ZERO-WEIGHT TEST MODEL.*meaningless/);
    const baseEn = await resolveWhisperModel(sharedModels, 'base.en');
    expect(baseEn).toMatchObject({ isTestModel: true, multilingual: false, filePath: baseEnTest });
    expect(baseEn.header).toMatchObject({ nAudioLayer: 6, nAudioCtx: 1500, nVocab: 51_864, tensorCount: 0 });
  });

  it('prefers the real file and flags a weightless file as a test model even under a real name', async () => {
    await place('whisper/ggml-tiny.bin', await readFile(tinyTest));
    await place('whisper-test/for-tests-ggml-tiny.bin', Buffer.from('not used'));
    const resolved = await resolveWhisperModel(dir, 'tiny');
    expect(resolved.filePath).toBe(whisperModelPath(dir, 'tiny'));
    expect(resolved.isTestModel).toBe(true);
  });

  it('uses a file path as is', async () => {
    const resolved = await resolveWhisperModel('/nonexistent', tinyTest);
    expect(resolved).toMatchObject({ filePath: tinyTest, isTestModel: true, name: 'for-tests-ggml-tiny.bin' });
    await expect(resolveWhisperModel(dir, path.join(dir, 'nope.bin'))).rejects.toMatchObject({ code: 'model-not-found' });
  });

  it('refuses a damaged real file instead of silently using the test model', async () => {
    await place('whisper/ggml-tiny.bin', Buffer.from('<html>404 Not Found</html>'));
    await place('whisper-test/for-tests-ggml-tiny.bin', await readFile(tinyTest));
    const error = await resolveWhisperModel(dir, 'tiny').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'model-invalid', filePath: whisperModelPath(dir, 'tiny') });
    expect((error as Error).message).toMatch(/ggml magic "lmgg"/);
    expect((error as Error).message).toContain(`npm run models:download -- tiny`);
  });

  it('refuses a truncated official file, saying how big the official one is', async () => {
    const full = await readFile(baseEnTest);
    await place('whisper/ggml-base.en.bin', full.subarray(0, 300_000));
    const error = await resolveWhisperModel(dir, 'base.en').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'model-invalid' });
    expect((error as Error).message).toMatch(/truncated/);
    expect((error as Error).message).toContain('147964211 bytes (an interrupted download?)');
    expect((error as Error).message).toContain('npm run models:download -- base.en');
  });
});

describe('inspectWhisperModelFile', () => {
  it('walks the tensor directory and refuses a tensor cut short', async () => {
    const filePath = await place('cut.bin', await withTruncatedTensor());
    await expect(inspectWhisperModelFile(filePath)).rejects.toThrow(/data of tensor "encoder\.conv1\.weight".*truncated/);
  });

  it('accepts a file whose last tensor ends exactly at the end of the file', async () => {
    const cut = await withTruncatedTensor();
    const complete = Buffer.concat([cut.subarray(0, cut.length - 1000), Buffer.alloc(3 * 80 * 384 * 2)]);
    const filePath = await place('complete.bin', complete);
    expect(await inspectWhisperModelFile(filePath)).toMatchObject({ tensorCount: 1, multilingual: true });
  });

  it('refuses hyperparameters whisper.cpp would assert on', async () => {
    const bytes = Buffer.from(await readFile(tinyTest));
    expect(bytes.readUInt32LE(0)).toBe(GGML_FILE_MAGIC);
    bytes.writeInt32LE(bytes.readInt32LE(12) + 1, 12); // n_audio_state != n_text_state
    const filePath = await place('assert.bin', bytes);
    await expect(inspectWhisperModelFile(filePath)).rejects.toThrow(/n_audio_state/);
  });

  it('refuses garbage given as a path (smart-whisper itself dies with SIGSEGV on it)', async () => {
    const garbage = await place('garbage.bin', Buffer.from('definitely not a whisper model, just some bytes'));
    await expect(resolveWhisperModel(dir, garbage)).rejects.toMatchObject({ code: 'model-invalid' });
  });
});

describe('resolveSileroVadModel', () => {
  it('finds the Silero onnx file and matches the pinned checksum', async () => {
    const silero = await resolveSileroVadModel(sharedModels);
    expect(silero.warnings).toEqual([]);
    const official = OFFICIAL_MODEL_FILES.find((file) => file.name === 'silero')!;
    expect((await hashFile(silero.filePath)).sha256).toBe(official.sha256);
  });

  it('names the command when the file is missing and refuses a file that is not ONNX', async () => {
    await expect(resolveSileroVadModel(dir)).rejects.toThrow(`VIVA_MODELS_DIR=${dir} npm run models:download -- silero`);
    await place('silero-vad/silero_vad.onnx', await readFile(tinyTest));
    await expect(resolveSileroVadModel(dir)).rejects.toMatchObject({ code: 'model-invalid' });
  });

  it('accepts another Silero version with a warning', async () => {
    const real = await readFile(path.join(sharedModels, 'silero-vad/silero_vad.onnx'));
    await place('silero-vad/silero_vad.onnx', real.subarray(0, real.length - 10));
    const silero = await resolveSileroVadModel(dir);
    expect(silero.warnings.join()).toMatch(/another Silero version/);
  });
});

describe('OFFICIAL_MODEL_FILES', () => {
  it('has a size and a checksum for every file, and the sizes given in the brief', () => {
    for (const file of OFFICIAL_MODEL_FILES) {
      expect(file.sizeBytes).toBeGreaterThan(1_000_000);
      expect(file.sha256 ?? file.sha1).toMatch(/^[0-9a-f]{40,64}$/);
    }
    expect(OFFICIAL_MODEL_FILES.find((file) => file.name === 'base.en')).toMatchObject({ sizeBytes: 147_964_211, multilingual: false });
    expect(OFFICIAL_MODEL_FILES.find((file) => file.name === 'tiny.en')?.sha256).toBe('921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f');
  });

  it('hashes files as the shared SHA256SUMS does', async () => {
    expect((await hashFile(tinyTest)).sha256).toBe('c486fb9f14a28b1c1dc252741a431646cc573450c900b9d9c406e10294aa01e6');
  });
});
