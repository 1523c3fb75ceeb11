/** Every text the widget shows, in English and Spanish. Accessible names are fixed by issue 4. */
export interface Strings {
  openChat: string;
  closeChat: string;
  minimize: string;
  message: string;
  placeholder: string;
  send: string;
  email: string;
  save: string;
  online: string;
  offline: string;
  offlineLeaveMessage: string;
  emailSaved: (email: string) => string;
  agentConnected: (name: string) => string;
  typing: (name: string) => string;
  poweredBy: string;
  someone: string;
  sending: string;
  sent: string;
  seen: string;
  failed: string;
  retry: string;
  reconnecting: string;
  you: string;
  messages: string;
  unread: (n: number) => string;
  dialog: (site: string) => string;
  invalidEmail: string;
  /** Close button of a plugin's notice card. */
  dismiss: string;
  /** The conversation's tab when plugins add panels. */
  conversation: string;
  /** The list of plugins' suggestions above the composer. */
  suggestions: string;
  /** The mark beside the site's name on messages the bot wrote. */
  bot: string;
}

const en: Strings = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  minimize: 'Minimize chat',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  email: 'Email',
  save: 'Save',
  online: 'Online · we typically reply in a few minutes',
  offline: 'We are offline, leave us a message',
  offlineLeaveMessage: 'We are offline, leave us a message and your e-mail: we will answer you there.',
  emailSaved: (e) => `We will reply to ${e}`,
  agentConnected: (n) => `${n} is connected`,
  typing: (n) => `${n} is typing…`,
  poweredBy: 'Powered by Charla',
  someone: 'Someone',
  sending: 'Sending…',
  sent: 'Sent',
  seen: 'Seen',
  failed: 'Not sent',
  retry: 'Retry',
  reconnecting: 'Reconnecting…',
  you: 'You',
  messages: 'Messages',
  unread: (n) => (n === 1 ? '1 unread message' : `${n} unread messages`),
  dialog: (s) => (s ? `Chat with ${s}` : 'Chat'),
  invalidEmail: 'Please enter a valid e-mail address',
  dismiss: 'Dismiss',
  conversation: 'Conversation',
  suggestions: 'Suggestions',
  bot: 'Bot',
};

const es: Strings = {
  openChat: 'Abrir chat',
  closeChat: 'Cerrar chat',
  minimize: 'Minimizar chat',
  message: 'Mensaje',
  placeholder: 'Escribe un mensaje…',
  send: 'Enviar',
  email: 'Correo electrónico',
  save: 'Guardar',
  online: 'En línea · solemos responder en unos minutos',
  offline: 'Estamos desconectados, déjanos un mensaje',
  offlineLeaveMessage: 'Estamos desconectados: déjanos un mensaje y tu correo, te responderemos allí.',
  emailSaved: (e) => `Te responderemos en ${e}`,
  agentConnected: (n) => `${n} está conectado`,
  typing: (n) => `${n} está escribiendo…`,
  poweredBy: 'Con la tecnología de Charla',
  someone: 'Alguien',
  sending: 'Enviando…',
  sent: 'Enviado',
  seen: 'Visto',
  failed: 'No enviado',
  retry: 'Reintentar',
  reconnecting: 'Reconectando…',
  you: 'Tú',
  messages: 'Mensajes',
  unread: (n) => (n === 1 ? '1 mensaje sin leer' : `${n} mensajes sin leer`),
  dialog: (s) => (s ? `Chat con ${s}` : 'Chat'),
  invalidEmail: 'Escribe un correo electrónico válido',
  dismiss: 'Descartar',
  conversation: 'Conversación',
  suggestions: 'Sugerencias',
  bot: 'Bot',
};

export type Locale = 'en' | 'es';

/** Picks the widget language: an explicit `locale` wins, then the browser language; English otherwise. */
export function resolveLocale(explicit?: string | null, browser?: readonly string[] | string | null): Locale {
  const candidates = [explicit, ...(Array.isArray(browser) ? browser : [browser])].filter((x): x is string => typeof x === 'string' && x.length > 0);
  for (const c of candidates) {
    const lang = c.toLowerCase().split(/[-_]/)[0];
    if (lang === 'es') return 'es';
    if (lang === 'en') return 'en';
    if (c === explicit) continue;
  }
  return 'en';
}

export function stringsFor(locale: Locale): Strings {
  return locale === 'es' ? es : en;
}
