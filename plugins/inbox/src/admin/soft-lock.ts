/**
 * The soft lock of a conversation, from `agent:typing` events of the other agents: an
 * agent "has the lock" while typing, for a short grace after they stop (their draft is
 * probably still there), and until their message arrives. Pure functions over an
 * immutable list, so the header component and the tests share them.
 */
export interface LockHolder {
  readonly userId: string;
  readonly name: string;
  /** Epoch ms after which the lock lapses without news. */
  readonly until: number;
}

export type LockState = readonly LockHolder[];

/** A typing agent keeps the lock this long without a "stopped" event (lost tab). */
export const LOCK_TYPING_MS = 60_000;
/** After "stopped typing", the lock is kept this long (the draft is still unsent). */
export const LOCK_GRACE_MS = 10_000;

export function onTyping(
  state: LockState,
  ev: { userId?: unknown; name?: unknown; typing?: unknown },
  me: string | null,
  now: number,
): LockState {
  const userId = typeof ev.userId === 'string' ? ev.userId : '';
  if (!userId || userId === me) return state;
  const previous = state.find((h) => h.userId === userId);
  const name = typeof ev.name === 'string' && ev.name ? ev.name : (previous?.name ?? '');
  const until = now + (ev.typing ? LOCK_TYPING_MS : LOCK_GRACE_MS);
  return [...state.filter((h) => h.userId !== userId), { userId, name, until }];
}

/** The holder's reply arrived: their lock is released. */
export function onAgentMessage(state: LockState, senderId: string | null | undefined): LockState {
  return senderId && state.some((h) => h.userId === senderId) ? state.filter((h) => h.userId !== senderId) : state;
}

export function activeHolders(state: LockState, now: number): LockState {
  return state.filter((h) => h.until > now);
}
