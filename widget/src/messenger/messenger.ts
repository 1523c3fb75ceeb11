/**
 * The lazy chunk: defines the Stencil `<charla-messenger>` element (once) and creates it
 * inside the launcher's panel. Loaded on the first open (or when the visitor points at
 * the bubble), never before.
 */
import { defineCustomElement } from '../../build/stencil/charla-messenger.js';
import type { MessengerElement } from './messenger-element.js';

export type { MessengerElement };

export function createMessenger(parent: HTMLElement): MessengerElement {
  if (!customElements.get('charla-messenger')) defineCustomElement();
  const el = document.createElement('charla-messenger') as MessengerElement;
  parent.append(el);
  return el;
}
