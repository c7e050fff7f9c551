import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (installed by .ci/run), or VIVA_CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.VIVA_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for headless chromium on a machine with no network but loopback. */
const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches headless Debian chromium through playwright-core. With `microphoneWav`, the page's microphone (and shared tab
 * audio) plays that file in a loop, permission prompts answered yes.
 */
export async function launchChromium(options: { microphoneWav?: string; extraArgs?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium; .ci/run does) or set VIVA_CHROMIUM_PATH`);
  }
  const microphone = options.microphoneWav
    ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${options.microphoneWav}`]
    : [];
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...BASE_FLAGS, ...microphone, ...(options.extraArgs ?? [])] });
}
