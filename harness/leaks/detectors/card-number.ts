/**
 * Card numbers (PANs), written plain or grouped with spaces or dashes.
 *
 * The rule, chosen so that logs full of numbers do not drown the report:
 *  1. Candidates are digit runs of 13–19 digits, either unbroken or grouped the way people
 *     write cards: fours with a shorter last group (4-4-4-4, 4-4-4-4-3, 4-4-4-1), or 4-6-5 /
 *     4-6-4 (Amex, Diners); one separator kind per number. Runs longer than 19 digits are not
 *     searched inside (they are ids or hashes, not cards); other separators (dots) are ignored.
 *  2. A candidate is a PAN when it passes Luhn AND either is a published test card, is a
 *     value planted in this run, or sits in a major network's IIN range with that network's
 *     length (card-brands.ts). 13-digit Visa numbers only count as test cards, and so do
 *     numbers glued to a letter or `_` (`…cf4287-0000-1000-8000-000a…` in a UUID, digit runs in
 *     hex hashes): they belong to an identifier.
 * So a 13-digit millisecond timestamp (leading 1: no network), a 19-digit nanosecond one,
 * UUIDs (8-4-4-4-12 groups), amounts, phone numbers and `evt_…` ids are not reported.
 */
import { brandOf } from '../../data/card-brands.js';
import { isTestCard, luhnValid } from '../../data/test-cards.js';
import { defineDetector } from '../define-detector.js';
import type { LeakHit, PreparedLeakContext } from '../types.js';

/** Maximal digit sequences (single space/dash between digits) of 13+ digits. */
const SEQUENCE = /(?<!\d)\d(?:[ -]?\d){12,}/g;

export const cardNumber = defineDetector({
  id: 'card-number',
  control: 'no-sensitive-data-leak',
  description: 'Luhn-valid 13–19 digit card numbers (plain or grouped by spaces/dashes) in a known IIN range, a test card or a planted value',
  scan: (text, ctx) => findCardNumbers(text, ctx),
});

export function findCardNumbers(text: string, ctx: Pick<PreparedLeakContext, 'plantedDigits' | 'maxHits'>): LeakHit[] {
  const hits: LeakHit[] = [];
  for (const m of text.matchAll(SEQUENCE)) {
    const seq = m[0];
    const groups: Array<{ digits: string; start: number; sep: string }> = [];
    const re = /\d+/g;
    for (let g = re.exec(seq); g; g = re.exec(seq)) groups.push({ digits: g[0], start: m.index + g.index, sep: g.index > 0 ? seq[g.index - 1]! : '' });
    const touchesBefore = isWordChar(text[m.index - 1]);
    const touchesAfter = isWordChar(text[m.index + seq.length]);
    for (let i = 0; i < groups.length; ) {
      const found = longestCardAt(groups, i, ctx.plantedDigits, i === 0 && touchesBefore, touchesAfter);
      if (!found) {
        i++;
        continue;
      }
      const first = groups[i]!;
      const last = groups[found.endGroup]!;
      hits.push({ start: first.start, end: last.start + last.digits.length, mask: maskCard(found.digits) });
      if (hits.length >= ctx.maxHits) return hits;
      i = found.endGroup + 1;
    }
  }
  return hits;
}

function longestCardAt(
  groups: Array<{ digits: string; sep: string }>,
  i: number,
  planted: ReadonlySet<string>,
  startTouchesWord: boolean,
  seqEndTouchesWord: boolean,
): { digits: string; endGroup: number } | undefined {
  const windows: Array<{ end: number; digits: string }> = [];
  let digits = '';
  for (let j = i; j < groups.length; j++) {
    if (j > i + 1 && groups[j]!.sep !== groups[i + 1]!.sep) break; // one separator kind per number
    digits += groups[j]!.digits;
    if (digits.length > 19) break;
    if (digits.length >= 13 && shapeOk(groups.slice(i, j + 1).map((g) => g.digits.length))) windows.push({ end: j, digits });
  }
  for (let w = windows.length - 1; w >= 0; w--) {
    const { digits: d, end } = windows[w]!;
    const insideIdentifier = startTouchesWord || (end === groups.length - 1 && seqEndTouchesWord);
    if (isPan(d, planted, insideIdentifier)) return { digits: d, endGroup: end };
  }
  return undefined;
}

function shapeOk(sizes: number[]): boolean {
  if (sizes.length === 1) return true;
  const key = sizes.join('-');
  if (key === '4-6-5' || key === '4-6-4') return true;
  return sizes.slice(0, -1).every((s) => s === 4) && sizes[sizes.length - 1]! <= 4;
}

function isPan(d: string, planted: ReadonlySet<string>, insideIdentifier: boolean): boolean {
  if (!luhnValid(d)) return false;
  if (isTestCard(d) || planted.has(d)) return true;
  return !insideIdentifier && d.length >= 14 && brandOf(d) !== undefined;
}

/** Digits glued to letters belong to an identifier: a UUID segment, a hex hash, base64. */
function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_]/.test(c);
}

/** First 4 and last 4, the rest hidden: enough to recognise the card in a report. */
export function maskCard(d: string): string {
  return `${d.slice(0, 4)} **** **** ${d.slice(-4)}`;
}
