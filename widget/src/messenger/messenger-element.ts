import type { Strings } from '../shared/i18n.js';
import type { AgentView, ViewMessage } from '../shared/view-types.js';

/** The `<charla-messenger>` element as the controller sees it (see the component's JSDoc). */
export interface MessengerElement extends HTMLElement {
  strings: Strings;
  locale: string;
  siteName: string;
  logoUrl?: string | null;
  greeting?: string | null;
  online: boolean;
  messages: ViewMessage[];
  agents: AgentView[];
  queuePosition: number | null;
  typingName?: string | null;
  connection: 'connecting' | 'open' | 'reconnecting' | 'closed';
  askEmail: boolean;
  emailSaved?: string | null;
  loading: boolean;
  poweredBy: boolean;
  focusComposer(): Promise<void>;
}
