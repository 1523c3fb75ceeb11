import type { Message } from '@charla/admin/sdk';

/** A message being sent: shown at once, replaced by the stored one when it arrives. */
export interface PendingMessage extends Message {
  pending?: boolean;
  failed?: boolean;
}

/**
 * Adds messages to a thread: no duplicates (same id, or same clientId as an optimistic
 * message), ordered by `seq` (pending ones last, in send order).
 */
export function mergeMessages(list: readonly PendingMessage[], incoming: readonly PendingMessage[]): PendingMessage[] {
  const out = list.slice();
  for (const m of incoming) {
    const i = out.findIndex((x) => x.id === m.id || (!!m.clientId && x.clientId === m.clientId));
    if (i >= 0) out[i] = { ...out[i], ...m, pending: m.pending ?? false, failed: m.failed ?? false };
    else out.push(m);
  }
  return out.sort((a, b) => {
    if (!!a.pending !== !!b.pending) return a.pending ? 1 : -1;
    return (a.seq ?? 0) - (b.seq ?? 0);
  });
}

/** The visitor read up to `messageId`: every earlier non-visitor message is read too. */
export function markReadUpTo(list: readonly PendingMessage[], messageId: string, at: string): PendingMessage[] {
  const target = list.find((m) => m.id === messageId);
  if (!target) return list.slice();
  return list.map((m) => (m.senderType !== 'visitor' && !m.readAt && m.seq <= target.seq ? { ...m, readAt: at } : m));
}

/** The id of the last stored (non-pending) message, for `after=` catch-up. */
export function lastStoredId(list: readonly PendingMessage[]): string | null {
  for (let i = list.length - 1; i >= 0; i--) if (!list[i].pending) return list[i].id;
  return null;
}

/** The last message the visitor sent (what the agent marks as read). */
export function lastVisitorMessage(list: readonly PendingMessage[]): PendingMessage | null {
  for (let i = list.length - 1; i >= 0; i--) if (list[i].senderType === 'visitor' && !list[i].pending) return list[i];
  return null;
}
