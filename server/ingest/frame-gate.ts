import { MAX_FRAME_BYTES, MIN_FRAME_BYTES, BYTES_PER_SAMPLE } from '../../protocol/audio.ts';

/** What the gate decided about one arriving frame. */
export type FrameVerdict =
  | { kind: 'accept'; bytes: Uint8Array; missingFrames: number; expectedSeq: number }
  | { kind: 'duplicate' }
  | { kind: 'reject'; message: string };

/** Checks a frame's payload; returns the bytes as a Uint8Array view or a reason for refusal. */
export function checkPcmPayload(pcm: Uint8Array | ArrayBuffer): { ok: true; bytes: Uint8Array } | { ok: false; message: string } {
  const bytes = pcm instanceof Uint8Array ? pcm : new Uint8Array(pcm);
  if (bytes.byteLength % BYTES_PER_SAMPLE !== 0) {
    return { ok: false, message: `pcm has ${bytes.byteLength} bytes: PCM16 needs an even number of bytes` };
  }
  if (bytes.byteLength < MIN_FRAME_BYTES || bytes.byteLength > MAX_FRAME_BYTES) {
    return {
      ok: false,
      message: `pcm has ${bytes.byteLength} bytes: a frame must hold 10 ms to 1 s of PCM16 mono 16 kHz (${MIN_FRAME_BYTES}-${MAX_FRAME_BYTES} bytes)`,
    };
  }
  return { ok: true, bytes };
}

/**
 * Per-channel sequence bookkeeping: frames resent after a reconnect are recognised as duplicates, and holes are counted and
 * reported instead of being glued over.
 */
export class FrameGate {
  /** Next sequence number expected. */
  nextSeq: number;
  gaps = 0;
  missingFrames = 0;
  duplicates = 0;
  rejected = 0;

  constructor(nextSeq = 0) {
    this.nextSeq = nextSeq;
  }

  /** Decides on one frame; on accept, advances the expected sequence number. */
  admit(seq: number, pcm: Uint8Array | ArrayBuffer): FrameVerdict {
    if (seq < this.nextSeq) {
      this.duplicates++;
      return { kind: 'duplicate' };
    }
    const payload = checkPcmPayload(pcm);
    if (!payload.ok) {
      this.rejected++;
      // A refused frame still occupies its sequence number, so the next good frame is not reported as a gap as well.
      if (seq === this.nextSeq) this.nextSeq = seq + 1;
      return { kind: 'reject', message: payload.message };
    }
    const expectedSeq = this.nextSeq;
    const missingFrames = seq - expectedSeq;
    if (missingFrames > 0) {
      this.gaps++;
      this.missingFrames += missingFrames;
    }
    this.nextSeq = seq + 1;
    return { kind: 'accept', bytes: payload.bytes, missingFrames, expectedSeq };
  }
}
