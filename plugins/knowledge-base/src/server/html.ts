/** Text made safe to place in HTML, in content and in quoted attributes alike. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
