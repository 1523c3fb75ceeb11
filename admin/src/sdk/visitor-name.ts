/**
 * One friendly, stable name for an anonymous visitor ("Turquoise Otter", "Nutria turquesa"),
 * the same in the inbox list, the conversation header and the team board: derived from
 * the visitor id, so it never changes between screens or reloads. Named visitors keep
 * their name or e-mail.
 */
const COLORS = {
  en: ['Blue', 'Green', 'Grey', 'Violet', 'Turquoise', 'Orange', 'Pink', 'Sky', 'Indigo', 'Ochre', 'Brown', 'Beige'],
  // Invariable in gender, so they agree with every animal.
  es: ['azul', 'verde', 'gris', 'violeta', 'turquesa', 'naranja', 'rosa', 'celeste', 'añil', 'ocre', 'marrón', 'beis'],
} as const;
const ANIMALS = {
  en: ['Fox', 'Otter', 'Owl', 'Panda', 'Koala', 'Lynx', 'Heron', 'Dolphin', 'Falcon', 'Badger', 'Penguin', 'Squirrel', 'Turtle', 'Whale', 'Hedgehog', 'Seal'],
  es: ['Zorro', 'Nutria', 'Búho', 'Panda', 'Koala', 'Lince', 'Garza', 'Delfín', 'Halcón', 'Tejón', 'Pingüino', 'Ardilla', 'Tortuga', 'Ballena', 'Erizo', 'Foca'],
} as const;

/** FNV-1a: a small, stable hash of the id. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function anonymousVisitorName(id: string, locale: string): string {
  const h = hash(id);
  const color = h % COLORS.en.length;
  const animal = Math.floor(h / COLORS.en.length) % ANIMALS.en.length;
  return locale.startsWith('es') ? `${ANIMALS.es[animal]} ${COLORS.es[color]}` : `${COLORS.en[color]} ${ANIMALS.en[animal]}`;
}

/** The visitor's name, else e-mail, else the friendly name of its id; `fallback` without an id. */
export function visitorDisplayName(v: { id?: string | null; name?: string | null; email?: string | null } | null | undefined, locale: string, fallback = '—'): string {
  return v?.name || v?.email || (v?.id ? anonymousVisitorName(v.id, locale) : fallback);
}
