import { Worker } from 'node:worker_threads';
import type { SeenResult } from './demo-recorder.js';
import type { RunningWorker } from './run-worker.js';

export interface DemoWorkerData {
  /** The demo's environment, with its defaults: the thread decodes the same config from it. */
  readonly env: Readonly<Record<string, string>>;
  /** Where log lines go; stderr when undefined. */
  readonly logFile: string | undefined;
}

export type FromDemoWorker =
  | { readonly type: 'started'; readonly metricsPort: number }
  | { readonly type: 'seen'; readonly results: readonly SeenResult[] }
  | { readonly type: 'done'; readonly error?: string }
  | { readonly type: 'failed'; readonly error: string };

export type ToDemoWorker = { readonly type: 'stop' };

// Run from the sources (tsx) or from dist: the thread's file is the sibling of this one either way.
const threadFile = new URL(
  import.meta.url.endsWith('.ts') ? './demo-worker-thread.ts' : './demo-worker-thread.js',
  import.meta.url,
);

/**
 * Starts the demo's worker on its own thread and resolves once it runs (rejects if it could not start).
 * `onSeen` gets every result it processed, in order, a few milliseconds after the write.
 */
export const startDemoWorker = (data: DemoWorkerData, onSeen: (seen: SeenResult) => void): Promise<RunningWorker> =>
  new Promise((resolveStarted, rejectStarted) => {
    const thread = new Worker(threadFile, { workerData: data });
    let started = false;
    let endDone: (error?: Error) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      endDone = (error) => {
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    const fail = (error: Error): void => {
      if (started) endDone(error);
      else rejectStarted(error);
    };
    thread.on('message', (message: FromDemoWorker) => {
      switch (message.type) {
        case 'seen':
          for (const s of message.results) onSeen(s);
          return;
        case 'started':
          started = true;
          resolveStarted({
            metricsPort: message.metricsPort,
            done,
            stop: async () => {
              thread.postMessage({ type: 'stop' } satisfies ToDemoWorker);
              await done.catch(() => undefined);
            },
          });
          return;
        case 'done':
          endDone(message.error === undefined ? undefined : new Error(message.error));
          void thread.terminate();
          return;
        case 'failed':
          fail(new Error(message.error));
          void thread.terminate();
          return;
      }
    });
    thread.on('error', fail);
    thread.on('exit', (code) => {
      fail(new Error(`the demo's worker thread exited (code ${code})`));
    });
  });
