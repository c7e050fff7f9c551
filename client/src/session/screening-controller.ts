import { fileToBase64, type PrepApi } from '../api/prep-api.ts';
import { ApiRequestError } from '../api/replies.ts';
import { screeningReady, type ScreeningAction, type ScreeningOutcome, type ScreeningState } from '../state/screening-reducer.ts';
import { JobRunner } from './job-runner.ts';
import type { ScreenStore } from './screen-store.ts';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * Owns a batch screening: reads the chosen files, uploads them with the JD (bytes sent reported), then polls the
 * server's progress until the screening is no longer running and fetches the ranked result. One screening at a time;
 * `dispose` stops the polling (the screening itself goes on on the server).
 */
export class ScreeningController {
  private readonly jobs: JobRunner<'screening'>;

  constructor(
    private readonly store: ScreenStore<ScreeningState, ScreeningAction>,
    private readonly api: PrepApi,
    private readonly pollIntervalMs = 1000,
    now: () => number = Date.now,
  ) {
    this.jobs = new JobRunner(now);
  }

  /** Replaces the chosen files. */
  chooseFiles = (files: File[]): void => this.store.dispatch({ type: 'files/chosen', files });

  /** Drops one chosen file. */
  removeFile = (index: number): void => this.store.dispatch({ type: 'file/removed', index });

  /** Changes the JD or the blind toggle. */
  edit = (patch: Partial<Pick<ScreeningState, 'jobDescription' | 'blind'>>): void => this.store.dispatch({ type: 'input/changed', patch });

  /** Uploads, polls and fetches the result of one screening. */
  start = async (): Promise<void> => {
    const state = this.store.state;
    if (!screeningReady(state)) return;
    const { files, jobDescription, blind } = state;
    await this.jobs.run<ScreeningOutcome>('screening', (event) => this.store.dispatch({ type: 'run', event }), 'reading', async (signal, progress) => {
      const uploaded = await Promise.all(files.map(async (file) => ({ name: file.name, contentBase64: await fileToBase64(file) })));
      const id = await this.api.startScreening({ jd: jobDescription, files: uploaded, blind }, signal, progress.upload);
      progress.step('screening');
      for (;;) {
        const status = await this.api.screeningStatus(id, signal);
        if (status.status === 'failed') throw new ApiRequestError(200, status.error?.code ?? 'screening-failed', status.error?.message ?? 'the screening failed');
        if (status.status !== 'running') return { id, result: await this.api.screeningResult(id, signal) };
        this.store.dispatch({ type: 'progress', progress: status.progress });
        await sleep(this.pollIntervalMs, signal);
      }
    });
  };

  /** Stops polling (the screen went away). */
  dispose = (): void => this.jobs.dispose();
}
