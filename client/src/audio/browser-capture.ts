import { SAMPLE_RATE, type Channel } from '../../../protocol/index.ts';
import { CaptureError, type AudioCapture, type CaptureHandlers, type OpenCapture } from './audio-capture.ts';
import { CAPTURE_PROCESSOR_NAME, type MainToWorkletMessage, type WorkletToMainMessage } from './capture-messages.ts';
// `?worker&url` makes Vite compile the TypeScript worklet and its imports into one file and give back its URL.
import workletUrl from './capture-worklet.ts?worker&url';

const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 };

/** Opens the microphone (and the call tab's audio) through an AudioContext and the capture worklet. */
export const openBrowserCapture: OpenCapture = async (mode, signal) => {
  const media = globalThis.navigator?.mediaDevices;
  if (!media?.getUserMedia || typeof AudioContext === 'undefined' || typeof AudioWorkletNode === 'undefined') {
    throw new CaptureError('unsupported', 'This browser cannot capture audio (needs getUserMedia and AudioWorklet; use a recent Chrome, Edge or Firefox over https or localhost).');
  }
  const streams = new Map<Channel, MediaStream>();
  const stopAll = () => {
    for (const stream of streams.values()) for (const track of stream.getTracks()) track.stop();
  };
  try {
    streams.set(mode === 'mic-and-tab' ? 'interviewer' : 'candidate', await media.getUserMedia({ audio: MIC_CONSTRAINTS, video: false }).catch(mediaError));
    signal.throwIfAborted();
    if (mode === 'mic-and-tab') {
      if (!media.getDisplayMedia) throw new CaptureError('unsupported', 'This browser cannot share a tab’s audio; use single-microphone mode.');
      // Chrome only offers tab audio when video is requested too; the video track is kept (stopping it can end
      // the share) but asked for at a trickle since it is never used.
      const display = await media
        .getDisplayMedia({
          audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
          video: { frameRate: { ideal: 1, max: 5 } },
          systemAudio: 'include',
          selfBrowserSurface: 'exclude',
        } as DisplayMediaStreamOptions)
        .catch(mediaError);
      streams.set('candidate', display);
      if (display.getAudioTracks().length === 0) {
        throw new CaptureError('no-tab-audio', 'The shared tab has no audio: share the call’s tab and tick “Share tab audio”.');
      }
      signal.throwIfAborted();
    }
    return await buildCapture(streams, signal);
  } catch (error) {
    stopAll();
    throw error;
  }
};

function mediaError(error: unknown): never {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    throw new CaptureError('permission-denied', 'Permission to capture audio was refused. Allow the microphone (and tab sharing) and try again.');
  }
  throw new CaptureError('device-failed', `Could not open the audio source: ${error instanceof Error ? error.message : String(error)}`);
}

async function createContext(streams: Map<Channel, MediaStream>) {
  // Ask for 16 kHz so the browser resamples natively; some browsers refuse to connect a mic at another
  // rate, so fall back to the device rate and let the worklet's resampler do the work.
  for (const options of [{ sampleRate: SAMPLE_RATE }, {}] as AudioContextOptions[]) {
    const context = new AudioContext({ ...options, latencyHint: 'interactive' });
    try {
      const sources = new Map<Channel, MediaStreamAudioSourceNode>();
      for (const [channel, stream] of streams) sources.set(channel, context.createMediaStreamSource(stream));
      return { context, sources };
    } catch (error) {
      await context.close().catch(() => {});
      if (options.sampleRate === undefined) throw new CaptureError('device-failed', `Audio context failed: ${String(error)}`);
    }
  }
  throw new CaptureError('device-failed', 'Audio context failed');
}

async function buildCapture(streams: Map<Channel, MediaStream>, signal: AbortSignal): Promise<AudioCapture> {
  const { context, sources } = await createContext(streams);
  try {
    await context.audioWorklet.addModule(workletUrl);
    signal.throwIfAborted();
    if (context.state === 'suspended') await context.resume();
  } catch (error) {
    await context.close().catch(() => {});
    throw error instanceof CaptureError ? error : new CaptureError('device-failed', `Audio worklet failed to load: ${String(error)}`);
  }
  // A muted sink keeps every node in the rendered graph without playing the call back into the room.
  const sink = context.createGain();
  sink.gain.value = 0;
  sink.connect(context.destination);
  let handlers: CaptureHandlers | null = null;
  const nodes = new Map<Channel, AudioWorkletNode>();
  for (const [channel, source] of sources) {
    const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
    node.port.onmessage = (event: MessageEvent<WorkletToMainMessage>) => {
      const message = event.data;
      if (message.type === 'frame') handlers?.onFrame(channel, { pcm: message.pcm, rms: message.rms, peak: message.peak });
    };
    source.connect(node);
    node.connect(sink);
    nodes.set(channel, node);
    for (const track of streams.get(channel)?.getAudioTracks() ?? []) {
      track.addEventListener('ended', () => handlers?.onEnded(channel), { once: true });
    }
  }
  let closed = false;
  return {
    channels: [...streams.keys()],
    start(next) {
      handlers = next;
    },
    async flush(flushSignal) {
      const done = [...nodes.values()].map(
        (node) =>
          new Promise<void>((resolve) => {
            const onMessage = (event: MessageEvent<WorkletToMainMessage>) => {
              if (event.data.type === 'flushed') resolve();
            };
            node.port.addEventListener('message', onMessage);
            flushSignal.addEventListener('abort', () => resolve(), { once: true });
            node.port.postMessage({ type: 'flush' } satisfies MainToWorkletMessage);
          }),
      );
      await Promise.all(done);
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers = null;
      for (const stream of streams.values()) for (const track of stream.getTracks()) track.stop();
      for (const node of nodes.values()) node.disconnect();
      await context.close().catch(() => {});
    },
  };
}

