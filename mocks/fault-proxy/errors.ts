import { GauntletError, type FieldProblem } from '../../harness/errors.js';

/** Why a fault-proxy request failed; maps one-to-one onto Toxiproxy's HTTP statuses. */
export type FaultProxyFailure = 'bad-request' | 'not-found' | 'conflict' | 'listen-failed';

const STATUS: Record<FaultProxyFailure, number> = {
  'bad-request': 400,
  'not-found': 404,
  conflict: 409,
  'listen-failed': 500,
};

/**
 * A rejected fault-proxy operation. It is a GauntletError so the harness can show it
 * like any other setup fault; `status` is what the Toxiproxy-compatible API answers.
 * The catalogue has no fault-proxy code yet, so this uses the sandbox start code: a
 * proxy that cannot be configured means the sandbox cannot start.
 */
export class FaultProxyError extends GauntletError {
  readonly failure: FaultProxyFailure;
  readonly status: number;

  constructor(failure: FaultProxyFailure, message: string, options: { problems?: FieldProblem[]; cause?: unknown } = {}) {
    super('GAUNTLET_ERR_SANDBOX_START', `fault proxy: ${message}`, options);
    this.failure = failure;
    this.status = STATUS[failure];
  }

  /** Toxiproxy's error body shape: `{ error, status }`. */
  toJSON(): { error: string; status: number } {
    const detail = this.problems.map((p) => `${p.path}: ${p.reason}`).join('; ');
    return { error: detail ? `${this.rawMessage()}: ${detail}` : this.rawMessage(), status: this.status };
  }

  private rawMessage(): string {
    return this.message.replace(/^fault proxy: /, '');
  }
}

export function badRequest(message: string, problems: FieldProblem[] = []): FaultProxyError {
  return new FaultProxyError('bad-request', message, { problems });
}
