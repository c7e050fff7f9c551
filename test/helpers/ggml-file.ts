/**
 * Small whisper.cpp-format files built in memory, for tests of the file checks and the downloader: the real layout
 * (magic, hyperparameters, mel filters, vocabulary, tensor directory) at a few hundred kilobytes, so a test can cut,
 * corrupt or serve one without copying a real model. They are never handed to whisper.cpp.
 */
import { GGML_FILE_MAGIC } from '../../server/models/ggml-header.ts';

/** A tensor of the synthetic file: its shape and ggml type (1 = f16, 0 = f32). */
export interface SyntheticTensor {
  name: string;
  shape: number[];
  type?: number;
}

/** Builds a ggml whisper file with tiny's hyperparameters and the given tensors (data bytes are a counter). */
export function syntheticWhisperModel(options: { multilingual?: boolean; tensors?: SyntheticTensor[] } = {}): Buffer {
  const nVocab = options.multilingual === false ? 51_864 : 51_865;
  const header = Buffer.alloc(4 + 11 * 4);
  header.writeUInt32LE(GGML_FILE_MAGIC, 0);
  // n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype
  [nVocab, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1].forEach((value, index) => header.writeInt32LE(value, 4 + index * 4));
  const mel = Buffer.alloc(8 + 80 * 201 * 4);
  mel.writeInt32LE(80, 0);
  mel.writeInt32LE(201, 4);
  const vocabCount = 50_257;
  const vocab = Buffer.alloc(4 + vocabCount * 5);
  vocab.writeInt32LE(vocabCount, 0);
  for (let i = 0; i < vocabCount; i++) {
    vocab.writeUInt32LE(1, 4 + i * 5);
    vocab[8 + i * 5] = 0x61 + (i % 26);
  }
  const tensors = (options.tensors ?? [{ name: 'encoder.conv1.bias', shape: [384] }]).map((tensor) => tensorBytes(tensor));
  return Buffer.concat([header, mel, vocab, ...tensors]);
}

/** One tensor's header, name and data, as whisper.cpp lays them out. */
export function tensorBytes(tensor: SyntheticTensor, dataBytes?: number): Buffer {
  const type = tensor.type ?? 1;
  const name = Buffer.from(tensor.name);
  const head = Buffer.alloc(12 + tensor.shape.length * 4);
  head.writeInt32LE(tensor.shape.length, 0);
  head.writeInt32LE(name.length, 4);
  head.writeInt32LE(type, 8);
  tensor.shape.forEach((extent, index) => head.writeInt32LE(extent, 12 + index * 4));
  const elements = tensor.shape.reduce((product, extent) => product * extent, 1);
  const data = Buffer.alloc(dataBytes ?? elements * (type === 0 ? 4 : 2));
  for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
  return Buffer.concat([head, name, data]);
}
