/**
 * Labels on everything a containers run creates. The pid label lets the next harness
 * find leftovers of a run whose harness was killed (no Ryuk: it cannot be pulled here).
 */
export const LABEL_RUN_ID = 'gauntlet.run-id';
export const LABEL_PID = 'gauntlet.pid';
/** Host name of the harness: a pid only means something on the machine that wrote it. */
export const LABEL_HOST = 'gauntlet.host';
export const LABEL_ROLE = 'gauntlet.role';

export type ContainerRole = 'sandbox' | 'connector' | 'service' | 'network' | 'connector-image';

export function runLabels(runId: string, role: ContainerRole, hostName: string, pid = process.pid): Record<string, string> {
  return { [LABEL_RUN_ID]: runId, [LABEL_PID]: String(pid), [LABEL_HOST]: hostName, [LABEL_ROLE]: role };
}
