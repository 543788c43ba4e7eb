import type { Command } from 'commander';
import { GauntletError } from '../../errors.js';
import { MASK_FORMATS, type MaskFormat } from '../../mask/formats.js';
import { checkKey, maskFiles, readKeyFile } from '../../mask/mask-files.js';
import { sanitizeForTerminal } from '../../../reports/escape.js';

interface MaskFlags {
  out?: string;
  key?: string;
  keyFile?: string;
  format?: MaskFormat;
  locale?: string;
}

function parseFormat(value: string): MaskFormat {
  if ((MASK_FORMATS as readonly string[]).includes(value)) return value as MaskFormat;
  throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', `--format must be one of ${MASK_FORMATS.join(', ')} (got ${JSON.stringify(value.slice(0, 40))})`, { problems: [{ path: '--format', reason: `one of ${MASK_FORMATS.join(', ')}` }] });
}

export function registerMask(program: Command, setExit: (code: number) => void): void {
  program
    .command('mask')
    .description('Scrub captured payloads (JSON, JSONL, HAR) into safe fixtures with format-preserving masking.')
    .argument('<file...>', 'captured payload files')
    .option('--out <dir>', 'write outputs into this directory (default: <name>.masked.<ext> next to each input)')
    .option('--key <key>', 'HMAC key (16+ chars): the same key masks the same value the same way across invocations')
    .option('--key-file <file>', 'read the HMAC key from a file (preferred over --key: keys on a command line end up in shell history)')
    .option('--format <format>', `input format: ${MASK_FORMATS.join(', ')} (default: from the extension, else the content)`, parseFormat)
    .option('--locale <locale>', 'faker locale for replacement names, addresses and phones (default en)')
    .addHelpText('after', `
Cards keep length, brand prefix and a valid Luhn digit; emails keep their shape at example.test;
ids keep their prefix (pay_…); names, addresses and phones become faker values; secrets are replaced.
Equal inputs get equal masks within one invocation (random key) or across invocations (same --key).

Examples:
  $ gauntlet mask captured/events.jsonl --out test/fixtures/events
  $ gauntlet mask session.har --key-file ~/.config/gauntlet/mask.key --out fixtures

Exit codes: 0 masked, 2 bad input (the file and position are named; nothing is written).`)
    .action(async (files: string[], flags: MaskFlags) => {
      if (flags.key !== undefined && flags.keyFile !== undefined) {
        throw new GauntletError('GAUNTLET_ERR_FLAG_INVALID', 'pass either --key or --key-file, not both', { problems: [{ path: '--key', reason: 'conflicts with --key-file' }] });
      }
      const key = flags.keyFile !== undefined ? await readKeyFile(flags.keyFile) : flags.key !== undefined ? checkKey(Buffer.from(flags.key, 'utf8'), '--key') : undefined;
      const done = await maskFiles({
        files,
        ...(flags.out !== undefined ? { outDir: flags.out } : {}),
        ...(key ? { key } : {}),
        ...(flags.format ? { format: flags.format } : {}),
        ...(flags.locale !== undefined ? { locale: flags.locale } : {}),
      });
      for (const f of done) {
        const counts = Object.entries(f.counts).map(([rule, n]) => `${n} ${rule}`).join(', ') || 'nothing sensitive found';
        process.stdout.write(sanitizeForTerminal(`[gauntlet] masked ${f.input} (${f.format}) → ${f.output}: ${counts}\n`));
      }
      if (!key) process.stdout.write('[gauntlet] random key: masks are consistent within this invocation only (use --key-file to keep them stable)\n');
      setExit(0);
    });
}
