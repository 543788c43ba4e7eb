/**
 * One catalogue of coded errors. Exceptions are harness faults or bad input;
 * a connector misbehaving is never an exception, it is a failed control.
 * `docs/errors.md` documents every code; test/harness/errors.test.ts keeps both in step.
 */
export interface ErrorSpec {
  /** Process exit code the CLI uses when this error ends a command. */
  exitCode: number;
  /** One sentence: what to do about it. */
  remedy: string;
}

export const ERROR_CATALOG = {
  GAUNTLET_ERR_MANIFEST_NOT_FOUND: { exitCode: 2, remedy: 'Check the path to connector.yaml (or .json).' },
  GAUNTLET_ERR_MANIFEST_PARSE: { exitCode: 2, remedy: 'Fix the YAML/JSON syntax at the reported line.' },
  GAUNTLET_ERR_MANIFEST_INVALID: { exitCode: 2, remedy: 'Fix each listed field; see docs/connector-contract.md section 2.' },
  GAUNTLET_ERR_FLAG_INVALID: { exitCode: 2, remedy: 'Fix the flag value; run the command with --help for valid values.' },
  GAUNTLET_ERR_SCENARIO_UNKNOWN: { exitCode: 2, remedy: 'Run `gauntlet scenarios list` for valid scenario ids.' },
  GAUNTLET_ERR_CATALOG_INVALID: { exitCode: 2, remedy: 'A scenario or control definition is inconsistent; fix the catalogue entry named.' },
  GAUNTLET_ERR_SANDBOX_START: { exitCode: 2, remedy: 'The sandbox could not start; check free ports and the message cause.' },
  GAUNTLET_ERR_DOCKER_UNAVAILABLE: { exitCode: 2, remedy: 'Start a Docker engine (or use --sandbox embedded).' },
  GAUNTLET_ERR_CONNECTOR_SPAWN: { exitCode: 2, remedy: 'Check run.command and run.cwd in the manifest: the program could not be executed.' },
  GAUNTLET_ERR_REPORT_READ: { exitCode: 2, remedy: 'Pass a report.json written by `gauntlet run`.' },
  GAUNTLET_ERR_MASK_INPUT: { exitCode: 2, remedy: 'Fix or remove the named input file; nothing was written for it.' },
  GAUNTLET_ERR_REPORT_MISMATCH: { exitCode: 2, remedy: 'Merge only the shard reports of one run: same connector and version, same --seed, each --shard i/n once.' },
  GAUNTLET_ERR_REPORT_WRITE: { exitCode: 2, remedy: 'Check that --report-dir is writable.' },
  GAUNTLET_ERR_REPLAY_CASE_NOT_FOUND: { exitCode: 2, remedy: 'Use a case id listed in the report (controls[].counterexample.caseId).' },
  GAUNTLET_ERR_INTERRUPTED: { exitCode: 130, remedy: 'The run was interrupted; a partial report was written.' },
  GAUNTLET_ERR_INTERNAL: { exitCode: 2, remedy: 'This is a Gauntlet bug; please report it with the run log.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** A field-level problem, e.g. in a manifest: `{ path: 'run.startTimeoutMs', reason: 'must be > 0' }`. */
export interface FieldProblem {
  path: string;
  reason: string;
}

export class GauntletError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly remedy: string;
  readonly problems: FieldProblem[];

  constructor(code: ErrorCode, message: string, options: { problems?: FieldProblem[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GauntletError';
    this.code = code;
    this.exitCode = ERROR_CATALOG[code].exitCode;
    this.remedy = ERROR_CATALOG[code].remedy;
    this.problems = options.problems ?? [];
  }

  /** The user-facing text: one prefix, what failed, why, what to do. */
  format(): string {
    const lines = [`[gauntlet] ${this.code}: ${this.message}`];
    for (const p of this.problems) lines.push(`  - ${p.path || '(root)'}: ${p.reason}`);
    lines.push(`  fix: ${this.remedy}`);
    return lines.join('\n');
  }
}

export function isGauntletError(e: unknown): e is GauntletError {
  return e instanceof GauntletError;
}
