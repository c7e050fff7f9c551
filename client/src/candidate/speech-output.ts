import { estimateSpeakingMs, type AutomatedLanguage } from '../../../protocol/automated.ts';

/** How speaking a question ended. */
export type SpeakOutcome = 'finished' | 'cancelled' | 'no-voice' | 'error';

/** Viva's voice: speaks a question, or, without a voice, shows it for the time it would take to say. */
export interface SpeechOutput {
  /** Resolves when done; `onStart` fires when audio really starts (not in the no-voice fallback). */
  speak(text: string, language: AutomatedLanguage, onStart: () => void): Promise<SpeakOutcome>;
  /** Stops at once (barge-in); the pending `speak` resolves 'cancelled'. */
  cancel(): void;
}

const LANGUAGE_TAGS: Record<AutomatedLanguage, string> = { en: 'en-US', zh: 'zh-CN' };

/** Picks the voice for a language: exact tag, then same language, local voices first. */
export function pickVoice(voices: readonly Pick<SpeechSynthesisVoice, 'lang' | 'localService'>[], language: AutomatedLanguage) {
  const tag = LANGUAGE_TAGS[language].toLowerCase();
  const normal = (lang: string) => lang.toLowerCase().replace('_', '-');
  const ranked = [...voices].sort((a, b) => Number(b.localService) - Number(a.localService));
  return ranked.find((voice) => normal(voice.lang) === tag) ?? ranked.find((voice) => normal(voice.lang).startsWith(`${language}-`) || normal(voice.lang) === language);
}

/** Voices may arrive a moment after page load (Chrome fires `voiceschanged`); wait briefly for them. */
function loadVoices(synth: SpeechSynthesis, waitMs: number): Promise<SpeechSynthesisVoice[]> {
  const now = synth.getVoices();
  if (now.length > 0) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      synth.removeEventListener('voiceschanged', done);
      resolve(synth.getVoices());
    };
    const timer = setTimeout(done, waitMs);
    synth.addEventListener('voiceschanged', done);
  });
}

/**
 * The browser's speech synthesis. Headless or voiceless browsers (and errors) fall back to showing the text for an
 * estimated speaking time, so the interview still runs. A watchdog ends an utterance whose `end` event never comes.
 */
export function createBrowserSpeechOutput(synth: SpeechSynthesis | undefined = globalThis.speechSynthesis): SpeechOutput {
  let cancelCurrent: (() => void) | null = null;

  const waitFor = (ms: number, outcome: SpeakOutcome) =>
    new Promise<SpeakOutcome>((resolve) => {
      const timer = setTimeout(() => {
        cancelCurrent = null;
        resolve(outcome);
      }, ms);
      cancelCurrent = () => {
        clearTimeout(timer);
        cancelCurrent = null;
        resolve('cancelled');
      };
    });

  return {
    async speak(text, language, onStart) {
      const estimateMs = estimateSpeakingMs(text);
      if (!synth || typeof SpeechSynthesisUtterance === 'undefined') return waitFor(estimateMs, 'no-voice');
      const voice = pickVoice(await loadVoices(synth, 800), language);
      if (!voice) return waitFor(estimateMs, 'no-voice');
      return new Promise<SpeakOutcome>((resolve) => {
        const utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = LANGUAGE_TAGS[language];
        utterance.voice = voice as SpeechSynthesisVoice;
        utterance.rate = 1;
        let settled = false;
        let started = false;
        const watchdog = setTimeout(() => finish('finished'), estimateMs * 2 + 3_000);
        const finish = (outcome: SpeakOutcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(watchdog);
          cancelCurrent = null;
          resolve(outcome);
        };
        utterance.onstart = () => {
          started = true;
          onStart();
        };
        utterance.onend = () => finish('finished');
        utterance.onerror = (event) => {
          if (event.error === 'interrupted' || event.error === 'canceled') return finish('cancelled');
          // No audio came out: give the candidate the reading time the voice would have taken.
          if (!started) {
            clearTimeout(watchdog);
            void waitFor(estimateMs, 'error').then(finish);
            return;
          }
          finish('error');
        };
        cancelCurrent = () => {
          synth.cancel();
          finish('cancelled');
        };
        synth.cancel(); // a stale utterance (e.g. from before a reconnect) must not queue ahead
        synth.speak(utterance);
      });
    },
    cancel() {
      cancelCurrent?.();
      synth?.cancel();
    },
  };
}
