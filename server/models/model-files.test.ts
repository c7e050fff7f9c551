import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syntheticWhisperModel, tensorBytes } from '../../test/helpers/ggml-file.ts';
import { ModelFileError, OFFICIAL_MODEL_FILES } from './catalog.ts';
import { GGML_FILE_MAGIC, inspectWhisperModelFile } from './ggml-header.ts';
import { hashFile, resolveSileroVadModel, resolveWhisperModel, whisperModelPath } from './model-files.ts';

const sharedModels = process.env.VIVA_MODELS_DIR ?? path.resolve('../shared/models');
/** The real multilingual base model and the English-only tiny one (../shared/models/README.md). */
const sharedBase = whisperModelPath(sharedModels, 'base');
const sharedTinyEn = whisperModelPath(sharedModels, 'tiny.en-q8_0');

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

const CONV = { name: 'encoder.conv1.weight', shape: [3, 80, 384] };

/** A file whose last f16 tensor's data is cut short (1000 of 3*80*384*2 bytes), like an interrupted download. */
function withTruncatedTensor(): Buffer {
  const complete = syntheticWhisperModel({ tensors: [CONV] });
  return Buffer.concat([complete.subarray(0, complete.length - tensorBytes(CONV).length), tensorBytes(CONV, 1000)]);
}

describe('resolveWhisperModel', () => {
  it('names the files it looked for and the exact command that fetches a missing model', async () => {
    const error = await resolveWhisperModel(dir, 'small').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFileError);
    expect(error).toMatchObject({ code: 'model-not-found' });
    const message = (error as Error).message;
    expect(message).toContain(whisperModelPath(dir, 'small'));
    expect(message).toContain(`VIVA_MODELS_DIR=${dir} npm run models:download -- small`);
  });

  it('explains an unknown model name instead of offering a download', async () => {
    await expect(resolveWhisperModel(dir, 'huge-v9')).rejects.toThrow(/not an official model name.*base\.en/);
  });

  it('resolves the real shared models by name: multilingual base and English-only tiny.en-q8_0, no warning', async () => {
    const base = await resolveWhisperModel(sharedModels, 'base');
    expect(base).toMatchObject({ filePath: sharedBase, isTestModel: false, multilingual: true, warnings: [] });
    expect(base.header).toMatchObject({ nAudioLayer: 6, nAudioCtx: 1500, nVocab: 51_865, sizeBytes: 147_951_465 });
    expect(base.header.tensorCount).toBeGreaterThan(100);
    const tinyEn = await resolveWhisperModel(sharedModels, 'tiny.en-q8_0');
    expect(tinyEn).toMatchObject({ filePath: sharedTinyEn, isTestModel: false, multilingual: false, warnings: [] });
  });

  it('accepts a present file by size and structure, never by sha256 (the shared base differs from the official hash)', async () => {
    const official = OFFICIAL_MODEL_FILES.find((file) => file.name === 'base')!;
    const present = await hashFile(sharedBase);
    expect(present.sizeBytes).toBe(official.sizeBytes);
    expect(present.sha256).not.toBe(official.sha256);
    expect((await resolveWhisperModel(sharedModels, 'base')).warnings).toEqual([]);
  }, 30_000);

  it('flags a weightless file loudly and warns about a size other than the official one', async () => {
    const weightless = await resolveWhisperModel(dir, await place('whisper/ggml-tiny.bin', syntheticWhisperModel({ tensors: [] })));
    expect(weightless.isTestModel).toBe(true);
    expect(weightless.warnings.join('\n')).toMatch(/ZERO-WEIGHT TEST MODEL.*meaningless/);
    const other = await resolveWhisperModel(dir, await place('whisper/ggml-base.bin', syntheticWhisperModel()));
    expect(other.isTestModel).toBe(false);
    expect(other.warnings.join('\n')).toMatch(/the official ggml-base\.bin has 147951465/);
  });

  it('uses a file path as is', async () => {
    const resolved = await resolveWhisperModel('/nonexistent', sharedTinyEn);
    expect(resolved).toMatchObject({ filePath: sharedTinyEn, isTestModel: false, name: 'ggml-tiny.en-q8_0.bin' });
    await expect(resolveWhisperModel(dir, path.join(dir, 'nope.bin'))).rejects.toMatchObject({ code: 'model-not-found' });
  });

  it('refuses a damaged file with the command that fetches it again', async () => {
    await place('whisper/ggml-tiny.bin', Buffer.from('<html>404 Not Found</html>'));
    const error = await resolveWhisperModel(dir, 'tiny').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'model-invalid', filePath: whisperModelPath(dir, 'tiny') });
    expect((error as Error).message).toMatch(/ggml magic "lmgg"/);
    expect((error as Error).message).toContain(`npm run models:download -- tiny`);
  });

  it('refuses a truncated official file, saying how big the official one is', async () => {
    await place('whisper/ggml-base.bin', withTruncatedTensor());
    const error = await resolveWhisperModel(dir, 'base').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'model-invalid' });
    expect((error as Error).message).toMatch(/truncated/);
    expect((error as Error).message).toContain('147951465 bytes (an interrupted download?)');
    expect((error as Error).message).toContain('npm run models:download -- base');
  });
});

describe('inspectWhisperModelFile', () => {
  it('walks the tensor directory and refuses a tensor cut short', async () => {
    const filePath = await place('cut.bin', withTruncatedTensor());
    await expect(inspectWhisperModelFile(filePath)).rejects.toThrow(/data of tensor "encoder\.conv1\.weight".*truncated/);
  });

  it('accepts a file whose last tensor ends exactly at the end of the file', async () => {
    const filePath = await place('complete.bin', syntheticWhisperModel({ tensors: [CONV] }));
    expect(await inspectWhisperModelFile(filePath)).toMatchObject({ tensorCount: 1, multilingual: true });
  });

  it('refuses hyperparameters whisper.cpp would assert on', async () => {
    const bytes = syntheticWhisperModel();
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
    await place('silero-vad/silero_vad.onnx', syntheticWhisperModel());
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
    expect(OFFICIAL_MODEL_FILES.find((file) => file.name === 'base')).toMatchObject({ sizeBytes: 147_951_465, multilingual: true });
    expect(OFFICIAL_MODEL_FILES.find((file) => file.name === 'tiny.en-q8_0')).toMatchObject({ sizeBytes: 43_550_795, multilingual: false });
    expect(OFFICIAL_MODEL_FILES.find((file) => file.name === 'tiny.en')?.sha256).toBe('921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f');
  });

  it('hashes files as the shared SHA256SUMS does', async () => {
    expect((await hashFile(sharedTinyEn)).sha256).toBe('b5da93e175939f36a6f16773f881e207bacc2f1ab3310b3370201a3301cde171');
  });
});
