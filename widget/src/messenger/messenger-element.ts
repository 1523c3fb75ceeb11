import type { Strings } from '../shared/i18n.js';
import type { AgentView, BlockRenderer, PanelView, SuggestionView, ViewMessage } from '../shared/view-types.js';

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
  /** The plugins' lines under the header (`api.status`). */
  statuses: string[];
  typingName?: string | null;
  connection: 'connecting' | 'open' | 'reconnecting' | 'closed';
  askEmail: boolean;
  emailSaved?: string | null;
  loading: boolean;
  panels: PanelView[];
  suggestions: SuggestionView[];
  poweredBy: boolean;
  /** Plugins' renderers of their block types (`api.renderBlock`). */
  renderers: Record<string, BlockRenderer>;
  focusComposer(): Promise<void>;
  setDraft(text: string): Promise<void>;
  /** Selects a tab: `'chat'` (the conversation) or a panel's key; a panel is drawn again. */
  showTab(key: string): Promise<void>;
  /** Draws the selected panel again (the window reopened). */
  redraw(): Promise<void>;
}
