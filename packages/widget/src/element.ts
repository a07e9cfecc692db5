/**
 * <contact-widget uuid="…" server="…">: one independent widget per element,
 * rendered into an open shadow root, with its own socket.
 */
import { h, render } from 'preact';
import { WidgetController } from './controller.js';
import { adoptStyles } from './styles.js';
import { App } from './ui/app.js';

/**
 * Test hook: `element[Symbol.for('contact-widget.peer')]` is the current
 * call's RTCPeerConnection (or null). A symbol-keyed getter on the element's
 * class: no global name, not enumerable, invisible to the host page unless
 * it asks for it by that symbol. End-to-end tests read getStats() through it.
 */
export const PEER = Symbol.for('contact-widget.peer');

/** The script's own origin: the default server when the element has no `server` attribute. */
export function scriptOrigin(): string {
  const s = document.currentScript as HTMLScriptElement | null;
  try {
    if (s?.src) return new URL(s.src).origin;
  } catch {
    /* fall through */
  }
  return location.origin;
}

/** Builds the element class; `defaultServer` is captured when the script runs. */
export function makeElement(defaultServer: string): CustomElementConstructor {
  return class ContactWidget extends HTMLElement {
    static observedAttributes = ['uuid', 'server', 'lang'];
    #ctl: WidgetController | null = null;
    #root: ShadowRoot | null = null;

    get [PEER](): RTCPeerConnection | null {
      return this.#ctl?.peer ?? null;
    }

    connectedCallback(): void {
      this.#start();
    }

    disconnectedCallback(): void {
      this.#stop();
    }

    attributeChangedCallback(_n: string, old: string | null, now: string | null): void {
      if (old !== now && this.isConnected && this.#ctl) {
        this.#stop();
        this.#start();
      }
    }

    #start(): void {
      const uuid = (this.getAttribute('uuid') ?? '').trim();
      if (!uuid || this.#ctl) return;
      if (!this.#root) {
        this.#root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
        adoptStyles(this.#root);
      }
      let server = (this.getAttribute('server') ?? '').trim() || defaultServer;
      try {
        server = new URL(server, location.href).href;
      } catch {
        console.warn(`contact-widget ${uuid}: bad server attribute ${JSON.stringify(server)}`);
        return;
      }
      const ctl = new WidgetController(uuid, server, (this.getAttribute('lang') ?? '').trim() || null);
      this.#ctl = ctl;
      render(h(App, { model: ctl }), this.#root);
      ctl.start();
    }

    #stop(): void {
      this.#ctl?.stop();
      this.#ctl = null;
      if (this.#root) render(null, this.#root);
    }
  };
}
