import { NgComponentOutlet } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Type,
  computed,
  effect,
  inject,
  input,
  resource,
} from '@angular/core';
import type { ElementContribution, SlotContribution, SlotInputs, SlotName } from '../plugin-api';
import { isElementContribution } from '../plugin-api';
import { TranslatePipe } from './i18n.service';
import { PluginHost } from './plugin-host';

const loadedScripts = new Map<string, Promise<void>>();

function loadScript(src: string): Promise<void> {
  let p = loadedScripts.get(src);
  if (!p) {
    p = new Promise<void>((resolve, reject) => {
      const el = document.createElement('script');
      el.type = 'module';
      el.src = src;
      el.onload = () => resolve();
      el.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(el);
    });
    loadedScripts.set(src, p);
  }
  return p;
}

/** Hosts a plugin's prebuilt custom element (runtime fallback); slot inputs become properties. */
@Component({
  selector: 'ch-element-host',
  template: '',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ElementHost {
  readonly contribution = input.required<ElementContribution>();
  readonly inputs = input<Record<string, unknown>>({});
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private element: HTMLElement | null = null;

  constructor() {
    effect(() => {
      const c = this.contribution();
      const inputs = this.inputs();
      if (!this.element || this.element.tagName.toLowerCase() !== c.element.tagName) {
        this.element?.remove();
        this.element = document.createElement(c.element.tagName);
        this.host.nativeElement.appendChild(this.element);
        loadScript(c.element.src).catch((err: unknown) => console.error(`[charla] slot ${c.id}:`, err));
      }
      for (const [key, value] of Object.entries(inputs)) {
        (this.element as unknown as Record<string, unknown>)[key] = value;
      }
    });
  }
}

/**
 * Renders every contribution to a named slot, in order. Angular contributions are
 * lazy-loaded standalone components receiving the slot's inputs; element contributions
 * are custom elements receiving them as properties.
 */
@Component({
  selector: 'ch-slot',
  imports: [NgComponentOutlet, ElementHost, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-slot]': 'name()', class: 'ch-slot' },
  template: `
    @for (c of contributions(); track c.id) {
      <section class="slot-item" [attr.data-contribution]="c.id" [attr.aria-label]="c.title ? (c.title | t) : null">
        @if (c.title && titles()) {
          <h3 class="slot-title">{{ c.title | t }}</h3>
        }
        @if (asElement(c); as el) {
          <ch-element-host [contribution]="el" [inputs]="inputs()" />
        } @else {
          @if (components.value()?.[c.id]; as cmp) {
            <ng-container *ngComponentOutlet="cmp; inputs: inputs()" />
          }
        }
      </section>
    }
  `,
})
export class SlotOutlet<S extends SlotName = SlotName> {
  private readonly host = inject(PluginHost);
  readonly name = input.required<S>();
  readonly inputs = input<SlotInputs[S] | Record<string, unknown>>({});
  /** Show each contribution's title as a heading. */
  readonly titles = input(false);

  protected readonly contributions = computed(() => this.host.contributions(this.name()));

  protected readonly components = resource({
    params: () => this.contributions(),
    loader: async ({ params }) => {
      const out: Record<string, Type<unknown>> = {};
      await Promise.all(
        params.map(async (c) => {
          const p = this.host.load(c);
          if (!p) return;
          try {
            out[c.id] = await p;
          } catch (err) {
            console.error(`[charla] slot contribution ${c.id} failed to load`, err);
          }
        }),
      );
      return out;
    },
  });

  protected asElement(c: SlotContribution): ElementContribution | null {
    return isElementContribution(c) ? c : null;
  }
}
