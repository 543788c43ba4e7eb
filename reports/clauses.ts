/**
 * Short titles of the Connector Contract section 6 clauses, for grouping results
 * (JUnit test suites, console tables). Clause numbers are the stable key.
 */
export const CLAUSE_TITLES: Readonly<Record<number, string>> = Object.freeze({
  1: 'Signatures are verified',
  2: 'Raw bytes are verified',
  3: 'Valid events are acknowledged in time',
  4: 'Duplicates cause one effect',
  5: 'Event order is respected',
  6: 'Malformed bodies are rejected safely',
  7: 'Schema drift fails closed',
  8: 'Revoked credentials stop effects',
  9: 'Outbound faults are handled',
  10: 'No sensitive data leaks',
  11: 'Egress stays within the allow-list',
  12: 'Kill switch stops effects',
});

export function clauseTitle(clause: number): string {
  return CLAUSE_TITLES[clause] ?? `Clause ${clause}`;
}
