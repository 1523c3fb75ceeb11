import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { CharlaPlugin } from './types.js';

/** At most this many blocks in one message (they are rendered in the widget and the admin). */
export const MAX_MESSAGE_BLOCKS = 10;

/**
 * One block of a message's `metadata.blocks`: `type` names a block type a plugin declared
 * in `blocks`; the rest is checked against that plugin's schema. A block with
 * `buttons: [{ id, label }]` can be pressed (the widget's postback route).
 */
export interface MessageBlock {
  type: string;
  buttons?: Array<{ id: string; label: string }>;
  [key: string]: unknown;
}

/** The block types of the enabled plugins, with their owner and schema (names are unique: checked at boot). */
export class MessageBlockCatalogue {
  private readonly types = new Map<string, { owner: string; schema: TSchema }>();

  constructor(plugins: CharlaPlugin[]) {
    for (const p of plugins) for (const [type, schema] of Object.entries(p.blocks ?? {})) this.types.set(type, { owner: p.name, schema });
  }

  /** The plugin that owns a block type (undefined: nobody declared it). */
  owner(type: string): string | undefined {
    return this.types.get(type)?.owner;
  }

  list(): Array<{ type: string; owner: string; schema: TSchema }> {
    return [...this.types].map(([type, t]) => ({ type, ...t }));
  }

  /**
   * Checks `metadata.blocks` of a message being stored: a list of at most
   * MAX_MESSAGE_BLOCKS blocks, each of a declared type and valid against its owner's
   * schema, button ids unique within the message. Returns the problems (empty: valid).
   */
  problems(blocks: unknown): string[] {
    if (!Array.isArray(blocks)) return ['metadata.blocks must be a list'];
    if (blocks.length > MAX_MESSAGE_BLOCKS) return [`metadata.blocks has ${blocks.length} blocks; the limit is ${MAX_MESSAGE_BLOCKS}`];
    const out: string[] = [];
    const buttonIds = new Set<string>();
    blocks.forEach((b: unknown, i) => {
      const type = (b as MessageBlock | null)?.type;
      const t = typeof type === 'string' ? this.types.get(type) : undefined;
      if (!t) {
        out.push(`metadata.blocks[${i}]: unknown block type ${JSON.stringify(type ?? null)}`);
        return;
      }
      for (const e of [...Value.Errors(t.schema, b)].slice(0, 3)) out.push(`metadata.blocks[${i}] (${type})${e.path}: ${e.message}`);
      for (const button of (b as MessageBlock).buttons ?? []) {
        if (buttonIds.has(button?.id)) out.push(`metadata.blocks[${i}]: button id ${JSON.stringify(button.id)} is used twice`);
        buttonIds.add(button?.id);
      }
    });
    return out;
  }

  /** The pressed button of a stored message's blocks, with its block's type and owner. */
  findButton(blocks: unknown, buttonId: string): { label: string; type: string; owner: string } | null {
    if (!Array.isArray(blocks)) return null;
    for (const b of blocks as MessageBlock[]) {
      const button = Array.isArray(b?.buttons) ? b.buttons.find((x) => x?.id === buttonId) : undefined;
      const owner = button && this.owner(b.type);
      if (button && owner) return { label: String(button.label), type: b.type, owner };
    }
    return null;
  }
}
