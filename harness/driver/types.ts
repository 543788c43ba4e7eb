/** A connector under test, however it runs (process, container, external URL). */
export interface LogTail {
  /** Last lines of stdout/stderr, each line capped. */
  stdoutTail(lines?: number): string[];
  stderrTail(lines?: number): string[];
  /** Whole captured text (capped by the driver's byte cap). */
  text(stream: 'stdout' | 'stderr'): string;
  /** Bytes discarded after the cap. */
  truncatedBytes(): number;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface RunningConnector {
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  readonly port: number;
  readonly pid?: number;
  readonly logs: LogTail;
  /** Set once the connector process exited (undefined for url/alive). */
  exitInfo(): ExitInfo | undefined;
  /** GET healthPath (or TCP connect) with a bounded wait; never throws. */
  checkHealth(timeoutMs?: number): Promise<boolean>;
  /** Stop the connector and its whole process tree; idempotent; bounded in time. */
  stop(): Promise<void>;
}

export type StartFailureReason = 'exited-during-start' | 'not-healthy-in-time' | 'spawn-failed';

/** `C` lets a driver return its richer connector type (e.g. `ProcessConnector`); defaults keep the seam unchanged. */
export type StartResult<C extends RunningConnector = RunningConnector> =
  | { ok: true; connector: C; startMs: number }
  | { ok: false; reason: StartFailureReason; message: string; logs: LogTail; exit?: ExitInfo; elapsedMs: number };
