import { useCallback, useEffect, useRef, useState } from 'react';

/** What the transcript needs to play turns: the turn playing, and play/pause by turn. */
export interface TurnPlayback {
  /** The turn whose audio is playing (or paused at), null when none. */
  current: string | null;
  playing: boolean;
  /** Plays a turn from its start, or resumes/pauses it when it is the current one. */
  toggle(turnId: string): void;
  /** Attach to the one `<audio>` element of the view. */
  audioRef: React.RefObject<HTMLAudioElement | null>;
}

/**
 * Plays the stored WAV of one turn after another: a turn plays from its start, and when it ends the next turn that kept
 * audio follows, so the transcript line moves with the sound (`current`). One `<audio>` element for the whole view.
 */
export function useTurnPlayback(turnIdsWithAudio: string[], urlOf: (turnId: string) => string): TurnPlayback {
  const audioRef = useRef<HTMLAudioElement | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [playing, setPlaying] = useState(false);
  const order = useRef(turnIdsWithAudio);
  order.current = turnIdsWithAudio;

  const start = useCallback(
    (turnId: string) => {
      const audio = audioRef.current;
      if (!audio) return;
      setCurrent(turnId);
      audio.src = urlOf(turnId);
      // play() rejects when the browser refuses (no user gesture, unreadable file): show it as paused.
      Promise.resolve(audio.play()).then(
        () => setPlaying(true),
        () => setPlaying(false),
      );
    },
    [urlOf],
  );

  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    const onEnded = () => {
      setPlaying(false);
      setCurrent((turnId) => {
        const next = turnId === null ? undefined : order.current[order.current.indexOf(turnId) + 1];
        if (next) queueMicrotask(() => start(next));
        return next ?? null;
      });
    };
    const onPause = () => setPlaying(false);
    const onPlay = () => setPlaying(true);
    audio.addEventListener('ended', onEnded);
    audio.addEventListener('pause', onPause);
    audio.addEventListener('play', onPlay);
    return () => {
      audio.removeEventListener('ended', onEnded);
      audio.removeEventListener('pause', onPause);
      audio.removeEventListener('play', onPlay);
    };
  }, [start]);

  const toggle = useCallback(
    (turnId: string) => {
      const audio = audioRef.current;
      if (!audio) return;
      if (turnId !== current) return start(turnId);
      if (playing) audio.pause();
      else void Promise.resolve(audio.play()).catch(() => setPlaying(false));
    },
    [current, playing, start],
  );

  return { current, playing, toggle, audioRef };
}
