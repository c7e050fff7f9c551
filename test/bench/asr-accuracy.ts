import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createWhisperTranscriber } from '../../server/asr/whisper.ts';
import { readWavFile } from '../../server/audio/wav.ts';
import { resolveWhisperModel } from '../../server/models/model-files.ts';
import { corpusErrorRate } from '../helpers/transcript-accuracy.ts';
import type { BenchRow, BenchSection } from './types.ts';

/**
 * Accuracy of the real models on the shared recordings, against their reference transcripts: word error rate on the
 * English clips (jfk, librivox, cards, LibriSpeech) for tiny.en-q8_0 and base, character error rate on the Mandarin
 * AISHELL clips for base, each with the proportional encoder context (the default) and the full 30 s window, so the
 * accuracy cost of the speed-up is measured. Greedy decoding with temperature fallback (the final-decode setting),
 * 2 threads. Reported, never asserted; a handful of clips, so one word moves a figure by a few points.
 */

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const modelsDir = process.env.VIVA_MODELS_DIR ?? path.resolve(root, '../shared/models');
const audioDir = path.resolve(modelsDir, '../audio');

interface ReferenceClip {
  file: string;
  reference: string;
}

/** Reads Sphinx-style transcriptions: `<s> text </s> (id)` per line. */
async function sphinxClips(folder: string, transcription: string, fileOf: (id: string) => string): Promise<ReferenceClip[]> {
  const lines = (await readFile(path.join(audioDir, folder, transcription), 'utf8')).split('\n');
  return lines.flatMap((line) => {
    const match = /^<s>\s*(.*?)\s*<\/s>\s*\(([^)]+)\)/.exec(line.trim());
    return match ? [{ file: path.join(folder, fileOf(match[2]!)), reference: match[1]! }] : [];
  });
}

async function englishClips(): Promise<ReferenceClip[]> {
  const withText = async (file: string, text: string) => ({ file, reference: (await readFile(path.join(audioDir, text), 'utf8')).trim() });
  return [
    await withText('whisper.cpp-samples/jfk.wav', 'whisper.cpp-samples/jfk.txt'),
    await withText('wenet/librispeech-1995-1837-0001.wav', 'wenet/librispeech-1995-1837-0001.txt'),
    ...(await sphinxClips('librivox-sense-and-sensibility', 'transcription', (id) => `${id}.wav`)),
    ...(await sphinxClips('cards', 'cards.transcription', (id) => `${id}.wav`)),
  ];
}

async function mandarinClips(): Promise<ReferenceClip[]> {
  return Promise.all(
    ['wenet/aishell-BAC009S0724W0121', 'aishell-misc/BAC009S0764W0121'].map(async (name) => ({
      file: `${name}.wav`,
      reference: (await readFile(path.join(audioDir, `${name}.txt`), 'utf8')).trim(),
    })),
  );
}

/** Decodes every clip with one model and context mode; returns the corpus error rate. */
async function errorRate(modelName: string, mode: 'proportional' | 'full', clips: ReferenceClip[], language: 'en' | 'zh'): Promise<number> {
  const model = await resolveWhisperModel(modelsDir, modelName);
  const transcriber = await createWhisperTranscriber({ model, nThreads: 2, audioContext: mode });
  try {
    const pairs: Array<{ reference: string; hypothesis: string }> = [];
    for (const clip of clips) {
      const { samples } = await readWavFile(path.join(audioDir, clip.file));
      const result = await transcriber.transcribe(samples, { language, purpose: 'final' });
      pairs.push({ reference: clip.reference, hypothesis: result.text });
    }
    return corpusErrorRate(pairs, language === 'zh' ? 'character' : 'word');
  } finally {
    await transcriber.close();
  }
}

/** WER and CER rows, proportional against full window. */
export async function bench(): Promise<BenchSection> {
  const english = await englishClips();
  const mandarin = await mandarinClips();
  const rows: BenchRow[] = [];
  const percent = (rate: number) => Math.round(rate * 1000) / 10;
  // Each row is printed as soon as it is measured: on a saturated machine the whole section can take half an hour.
  const add = (row: BenchRow) => {
    rows.push(row);
    console.error(`asr-accuracy: ${row.name}: ${row.value} ${row.unit} (baseline ${row.baseline} ${row.unit})`);
  };
  const englishRow = async (model: string) => {
    const proportional = await errorRate(model, 'proportional', english, 'en');
    const full = await errorRate(model, 'full', english, 'en');
    add({
      name: `${model} word error rate, ${english.length} English clips (jfk, LibriSpeech, librivox, cards), proportional audio_ctx`,
      value: percent(proportional),
      unit: '%',
      baseline: percent(full),
      note: 'baseline: the full 30 s window (the accuracy cost of the speed-up)',
    });
  };
  await englishRow('base');
  const proportional = await errorRate('base', 'proportional', mandarin, 'zh');
  const full = await errorRate('base', 'full', mandarin, 'zh');
  add({
    name: `base character error rate, ${mandarin.length} Mandarin AISHELL clips (simplified), proportional audio_ctx`,
    value: percent(proportional),
    unit: '%',
    baseline: percent(full),
    note: 'baseline: the full 30 s window; zh prompt, transcript converted to simplified characters',
  });
  await englishRow('tiny.en-q8_0');
  return { title: 'Speech recognition accuracy (real weights, shared recordings)', rows };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.log(JSON.stringify(await bench(), null, 2));
}
