import sonicBoom from 'sonic-boom';
import { ciamMetrics } from './metrics.js';

// A CommonJS module: its export is the class, which also carries itself as `SonicBoom` (what the typings describe).
const { SonicBoom } = sonicBoom;
type SonicBoom = InstanceType<typeof SonicBoom>;

/** At most one "log lines dropped" line per this interval (the first one right when writing resumes). */
const DROP_REPORT_INTERVAL_MS = 10_000;
/** A final flush gives up when the consumer has taken nothing for this long: it is stuck, not slow. */
const FLUSH_STALL_MS = 2_000;

export interface LogDestinationOptions {
  /** 1 (stdout) or 2 (stderr). */
  fd: 1 | 2;
  /** Bytes of log lines held while the consumer is behind; a line that would not fit is dropped. */
  maxBufferBytes: number;
}

/**
 * Where pino writes: a sonic-boom stream in asynchronous mode whose buffer is bounded. A log
 * consumer that stalls (a full pipe, a stuck collector) therefore never blocks the event loop
 * and never makes the process grow: once the buffer is full each further line is dropped,
 * counted in `ciam_log_lines_dropped_total`, and reported in one line when writing resumes.
 *
 * Deliberately not `pino.destination()`: for an asynchronous stream it registers an exit hook
 * that calls `flushSync()`, which retries a write to a full pipe forever (sleeping in
 * `Atomics.wait`) — a process that could no longer exit, nor run a signal handler or a timer.
 * Nothing here is synchronous; the last lines are written by `close()`, bounded in time.
 */
export class LogDestination {
  readonly #stream: SonicBoom;
  #dropped = 0;
  #unreported = 0;
  #lastReportAt = Number.NEGATIVE_INFINITY;
  #report?: (dropped: number) => void;
  #reporting = false;
  /** The consumer is gone (EPIPE, a closed descriptor …) or `close()` has finished. */
  #gone = false;

  constructor({ fd, maxBufferBytes }: LogDestinationOptions) {
    // Asking Node for the stdio stream puts a pipe or socket descriptor into non-blocking mode
    // (libuv does so when it wraps it). On a blocking descriptor an asynchronous write to a full
    // pipe would hold a thread-pool thread forever, and `process.exit` joins those threads.
    void (fd === 1 ? process.stdout : process.stderr);
    this.#stream = new SonicBoom({
      fd,
      sync: false,
      maxLength: maxBufferBytes,
      // A full non-blocking pipe answers EAGAIN: try again a little later (a timer, never a sleep).
      retryEAGAIN: () => true,
    });
    this.#stream.on('drop', () => this.#countDrop());
    // Bytes reached the consumer, so writing has resumed: time to tell what was lost meanwhile.
    this.#stream.on('write', () => this.#maybeReport());
    this.#stream.on('error', () => {
      // Nobody will read another line; say so by counting, not by throwing in a log call.
      this.#gone = true;
    });
  }

  /** Called by pino with one serialised line; never blocks, never throws. */
  write(line: string): boolean {
    if (this.#gone) {
      this.#countDrop();
      return true;
    }
    return this.#stream.write(line);
  }

  /** Lines dropped since the start. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Who writes the "log lines dropped" line (the application's logger, so it has the usual shape). */
  reportDropsWith(report: (dropped: number) => void): void {
    this.#report = report;
  }

  /**
   * Writes what is still buffered, waiting at most `withinMs` and giving up earlier when the
   * consumer takes nothing for two seconds. Resolves true when every line was written. Lines
   * logged afterwards are dropped (and counted).
   */
  close(withinMs: number): Promise<boolean> {
    if (this.#gone) return Promise.resolve(false);
    return new Promise((resolve) => {
      const stream = this.#stream;
      let stall: NodeJS.Timeout | undefined;
      const finish = (written: boolean) => {
        clearTimeout(deadline);
        clearTimeout(stall);
        stream.off('write', progressed);
        stream.off('finish', done);
        stream.off('close', done);
        stream.off('error', failed);
        this.#gone = true;
        resolve(written);
      };
      const done = () => finish(true);
      const failed = () => finish(false);
      const progressed = () => {
        clearTimeout(stall);
        stall = setTimeout(() => finish(false), FLUSH_STALL_MS);
      };
      const deadline = setTimeout(() => finish(false), Math.max(0, withinMs));
      progressed();
      stream.once('finish', done);
      stream.once('close', done);
      stream.on('write', progressed);
      stream.once('error', failed);
      // Writes the rest asynchronously, then emits 'finish' (and 'close'; fd 1 and 2 stay open).
      stream.end();
    });
  }

  #countDrop(): void {
    this.#dropped += 1;
    this.#unreported += 1;
    ciamMetrics.logLinesDropped.inc();
  }

  #maybeReport(): void {
    if (this.#unreported === 0 || !this.#report || this.#reporting) return;
    const now = Date.now();
    if (now - this.#lastReportAt < DROP_REPORT_INTERVAL_MS) return;
    this.#lastReportAt = now;
    const count = this.#unreported;
    this.#unreported = 0;
    // Not from inside sonic-boom's write callback: the report is itself a write to this stream.
    this.#reporting = true;
    setImmediate(() => {
      this.#reporting = false;
      this.#report?.(count);
    });
  }
}
