import { Command, CommanderError } from 'commander';
import { isGauntletError, GauntletError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { registerRun } from './commands/run.js';
import { registerValidate } from './commands/validate.js';
import { registerScenarios } from './commands/scenarios.js';
import { registerReplay } from './commands/replay.js';
import { registerLoad } from './commands/load.js';
import { registerMerge } from './commands/merge.js';
import { registerHistory } from './commands/history.js';
import { registerMask } from './commands/mask.js';
import { sanitizeForTerminal } from '../../reports/escape.js';

/** Exit codes (documented in README and docs/errors.md). */
export const EXIT = { certified: 0, notCertified: 1, badInput: 2, interrupted: 130 } as const;

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('gauntlet')
    .description('Chaos and conformance harness for third-party payment connectors.')
    .version(TOOL_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(sanitizeForTerminal(str)) })
    .addHelpText('after', `
Exit codes: 0 certified, 1 not certified (conditional or rejected), 2 bad input or harness error, 130 interrupted.

Examples:
  $ gauntlet run examples/connectors/careful/connector.yaml
  $ gauntlet validate connector.yaml
  $ gauntlet scenarios list`);
  registerRun(program, setExit);
  registerValidate(program, setExit);
  registerScenarios(program, setExit);
  registerReplay(program, setExit);
  registerLoad(program, setExit);
  registerMerge(program, setExit);
  registerHistory(program, setExit);
  registerMask(program, setExit);
  return program;
}

/** Runs the CLI; resolves to the exit code (never calls process.exit itself). */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.certified;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors are bad input.
      return err.exitCode === 0 ? 0 : EXIT.badInput;
    }
    if (isGauntletError(err)) {
      // Messages echo user input (flag values, scenario ids, manifest text): neutralise control characters.
      process.stderr.write(`${sanitizeForTerminal(err.format())}\n`);
      return err.exitCode;
    }
    const wrapped = new GauntletError('GAUNTLET_ERR_INTERNAL', err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.stderr.write(`${sanitizeForTerminal(wrapped.format())}\n`);
    return wrapped.exitCode;
  }
}
