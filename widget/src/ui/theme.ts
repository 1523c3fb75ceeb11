/** Site colours → CSS custom properties, with a readable text colour on the primary. */
export interface WidgetLook {
  primaryColor?: string | null;
  backgroundColor?: string | null;
  textColor?: string | null;
  logoUrl?: string | null;
  greeting?: string | null;
  position?: 'right' | 'left' | null;
}

const COLOR_RE = /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\([\d\s.,%/]+\))$/i;

/** Accepts hex/rgb()/hsl() colours only (the value goes into a style sheet). */
export function safeColor(value: unknown, fallback: string): string {
  return typeof value === 'string' && COLOR_RE.test(value.trim()) ? value.trim() : fallback;
}

/** Accepts absolute https URLs only (the server refuses others for the logo; older sites may still hold http:). */
export function safeUrl(value: unknown): string | null {
  if (typeof value !== 'string' || !value) return null;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function hexToRgb(hex: string): [number, number, number] | null {
  let h = hex.replace('#', '');
  if (h.length === 3 || h.length === 4) h = h.slice(0, 3).split('').map((c) => c + c).join('');
  if (h.length !== 6 && h.length !== 8) return null;
  const n = parseInt(h.slice(0, 6), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance([r, g, b]: [number, number, number]): number {
  const f = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** WCAG contrast ratio between two hex colours (1–21). */
export function contrast(a: string, b: string): number {
  const ra = hexToRgb(a);
  const rb = hexToRgb(b);
  if (!ra || !rb) return 21;
  const [l1, l2] = [luminance(ra), luminance(rb)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

/** White or near-black, whichever reads better on `bg`. */
export function readableOn(bg: string): string {
  if (!bg.startsWith('#')) return '#ffffff';
  return contrast(bg, '#ffffff') >= contrast(bg, '#111827') ? '#ffffff' : '#111827';
}

export interface Theme {
  primary: string;
  onPrimary: string;
  background: string;
  text: string;
}

export function themeFrom(look: WidgetLook | null | undefined): Theme {
  const primary = safeColor(look?.primaryColor, '#2563eb');
  const background = safeColor(look?.backgroundColor, '#ffffff');
  let text = safeColor(look?.textColor, '#1f2937');
  // Keep the configured text readable: fall back to black/white when contrast is too low.
  if (text.startsWith('#') && background.startsWith('#') && contrast(text, background) < 4.5) text = readableOn(background);
  return { primary, onPrimary: readableOn(primary), background, text };
}

export function themeCss(t: Theme): string {
  return `--charla-primary:${t.primary};--charla-on-primary:${t.onPrimary};--charla-bg:${t.background};--charla-text:${t.text};`;
}
