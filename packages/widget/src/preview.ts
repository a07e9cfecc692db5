/**
 * The admin app's live preview: the same UI as on a website, fed from static
 * data, with no socket and inert buttons.
 */
import { h, render } from 'preact';
import type { InfoMsg, SessionMsg } from '@cw/protocol';
import { initialState, upsertAgent, type Actions, type Model, type WidgetState } from './model.js';
import { adoptStyles } from './styles.js';
import { App } from './ui/app.js';

export interface PreviewData {
  session: SessionMsg;
  infos: InfoMsg[];
  pictures: Record<string, string>;
}

class PreviewModel implements Model {
  state: WidgetState;
  #listeners = new Set<() => void>();
  readonly actions: Actions;
  constructor(d: PreviewData) {
    this.state = { ...initialState(), preview: true, expanded: true, conn: 'open' };
    this.set(d);
    const noop = () => {};
    this.actions = {
      setExpanded: (open) => this.#patch({ expanded: open }),
      prefetch: noop,
      showing: noop,
      choose: noop,
      submitName: noop,
      back: noop,
      sendChat: noop,
      setDraft: noop,
      endChat: noop,
      hangUp: noop,
      toggleMute: noop,
      toggleCamera: noop,
      setDevice: noop,
      openOffline: noop,
      sendOffline: noop,
      sendTranscript: noop,
    };
  }
  set(d: PreviewData): void {
    let agents: InfoMsg[] = [];
    for (const i of d.infos) agents = upsertAgent(agents, i);
    this.#patch({ session: d.session, agents, pictures: { ...d.pictures } });
  }
  #patch(p: Partial<WidgetState>): void {
    this.state = { ...this.state, ...p };
    for (const listener of this.#listeners) listener();
  }
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Renders a preview into `host` (in a shadow root of a child element); update() re-renders, unmount() removes it. */
export function mountPreview(host: HTMLElement, data: PreviewData): { update(data: PreviewData): void; unmount(): void } {
  const box = document.createElement('div');
  box.style.position = 'relative';
  box.style.minHeight = data.session.type === 'sidebar' ? '420px' : '0';
  host.appendChild(box);
  const root = box.attachShadow({ mode: 'open' });
  adoptStyles(root);
  const model = new PreviewModel(data);
  render(h(App, { model }), root);
  return {
    update(d) {
      box.style.minHeight = d.session.type === 'sidebar' ? '420px' : '0';
      model.set(d);
    },
    unmount() {
      render(null, root);
      box.remove();
    },
  };
}
