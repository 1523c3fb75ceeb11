/** A message block as a UI shows it by default: text lines and pressable buttons. */
export interface BlockView {
  type: string;
  text: string[];
  buttons: Array<{ id: string; label: string }>;
}

const TEXT_FIELDS = ['title', 'text', 'description'] as const;

/**
 * The safe fallback view (widget and admin) of a message's `metadata.blocks` (docs/plugins.md "Message
 * blocks"): of each block only its text fields (`title`, `text`, `description`) and its
 * `buttons: [{id, label}]`, all shown as text, never markup. Undefined when there are none.
 */
export function blockViews(metadata: Record<string, unknown> | null | undefined): BlockView[] | undefined {
  const blocks = metadata?.blocks;
  if (!Array.isArray(blocks)) return undefined;
  const out: BlockView[] = [];
  for (const b of blocks.slice(0, 10) as Array<Record<string, unknown> | null>) {
    if (!b || typeof b.type !== 'string') continue;
    const text = TEXT_FIELDS.map((f) => b[f]).filter((v): v is string => typeof v === 'string' && v.length > 0).map((v) => v.slice(0, 500));
    const buttons = (Array.isArray(b.buttons) ? b.buttons : [])
      .filter((x): x is { id: string; label: string } => typeof x?.id === 'string' && typeof x?.label === 'string')
      .slice(0, 10).map((x) => ({ id: x.id, label: x.label.slice(0, 80) }));
    if (text.length || buttons.length) out.push({ type: b.type, text, buttons });
  }
  return out.length ? out : undefined;
}
