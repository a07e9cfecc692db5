/**
 * The live preview beside a widget's settings: renders the real widget UI
 * (through `@cw/widget/preview`) from the unsaved draft, without a socket.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { mountPreview } from '@cw/widget/preview';

type PreviewHandle = ReturnType<typeof mountPreview>;

/** Test hook: the preview host element carries its (closed) shadow root under this symbol. */
export const PREVIEW_ROOT = Symbol.for('cw-admin.preview-root');
import { type Flag, type InfoMsg, type Presence, type SessionMsg, type VisiblePresence } from '@cw/protocol';
import { api } from '../api.js';
import { widgetStrings } from '@cw/i18n/widget';
import { toBody, type Draft } from '../widget/draft.js';
import type { Directory } from '../widget/directory.js';
import { t } from '../i18n.js';

/** How often the preview asks for presence. */
const PRESENCE_REFRESH_MS = 3000;

/** Builds what a visitor would receive for this draft. */
/** What visitors see of a user's stored presence. */
function visibleOf(p: Presence | undefined): VisiblePresence {
  return p === 'online' ? 'online' : p === 'away' || p === 'busy' ? 'busy' : 'offline';
}

/** Live presence for the preview: each user's, by SIP-ID; `null` while not known (then presence agents show available). */
export type PresenceMap = Map<string, Presence> | null;

export function previewData(d: Draft, uuid: string, dir: Directory, flags: Flag[], live: PresenceMap = null, everyoneOffline = false) {
  const body = toBody(d);
  const session: SessionMsg = {
    mt: 'Session',
    name: body.name,
    lang: body.lang,
    strings: widgetStrings(body.lang),
    type: body.type,
    appearance: body.appearance,
    contact: body.contact,
    session: 'preview',
    uuid,
    texts: { title: body.texts?.title ?? '', greeting: body.texts?.greeting ?? '' },
  };
  const pictures: Record<string, string> = {};
  const infos: InfoMsg[] = body.agents.map((a, order) => {
    const u = dir.bySipId(a.sipId);
    const flag = flags.find((f) => f.id === a.flag);
    let presence: VisiblePresence;
    if (a.availability === 'always') presence = 'online';
    else if (everyoneOffline || a.availability === 'inactive') presence = 'offline';
    else if (a.availability === 'boolean') presence = flag?.value ? 'online' : 'offline';
    else if (!u) presence = 'offline'; // nobody has this SIP-ID: nobody can answer
    else if (!live) presence = 'online';
    else if (u.kind === 'user') presence = visibleOf(live.get(a.sipId));
    else {
      const seen = dir.membersOf(a.sipId).map((s) => visibleOf(live.get(s)));
      presence = seen.includes('online') ? 'online' : seen.includes('busy') ? 'busy' : 'offline';
    }
    pictures[a.sipId] = a.picture || u?.picture || '';
    return {
      mt: 'Info',
      id: a.sipId,
      dn: a.displayName || u?.name || a.sipId,
      department: a.department || u?.department || '',
      phonenumber: a.phone || u?.phone || '',
      email: a.email || u?.email || '',
      company: body.contact,
      presence,
      media: a.media,
      order,
      ...(a.link ? { link: a.link } : {}),
      ...(a.address ? { address: a.address } : {}),
    };
  });
  return { session, infos, pictures };
}

export function PreviewPanel(p: { draft: Draft; uuid: string; dir: Directory; flags: Flag[]; name: string }) {
  const host = useRef<HTMLDivElement>(null);
  const handle = useRef<PreviewHandle | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [live, setLive] = useState<PresenceMap>(null);
  const [allOffline, setAllOffline] = useState(false);
  const hasPresence = p.draft.agents.some((a) => a.availability === 'presence');
  // Live presence of presence-mode agents, refreshed every few seconds while the preview is shown.
  useEffect(() => {
    if (!hasPresence) return;
    let stop = false;
    const load = () =>
      api.presence().then(
        (list) => !stop && setLive(new Map(list.map((x) => [x.sipId, x.presence]))),
        () => {},
      );
    void load();
    const timer = setInterval(load, PRESENCE_REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [hasPresence]);
  const data = useMemo(() => previewData(p.draft, p.uuid, p.dir, p.flags, live, allOffline), [p.draft, p.uuid, p.dir, p.flags, live, allOffline]);

  useEffect(() => {
    try {
      // A closed shadow root keeps the preview's own controls (named like the real
      // widget's: "Chat with …", "E-mail …") out of reach of page-wide queries by
      // label or text, which must find the admin app's fields only. Tests reach the
      // preview through the documented hook PREVIEW_ROOT.
      const root = host.current!.attachShadow({ mode: 'closed' });
      Object.defineProperty(host.current!, PREVIEW_ROOT, { value: root });
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = '/admin/app.css'; // for the stand-in preview; the real widget brings its own styles
      const inner = document.createElement('div');
      inner.className = 'preview-inner';
      root.append(css, inner);
      handle.current = mountPreview(inner, data);
    } catch (e) {
      setFailed(e instanceof Error ? e.message : String(e));
    }
    return () => {
      handle.current?.unmount();
      handle.current = null;
    };
  }, []);

  useEffect(() => {
    // Coalesce quick typing into one update per frame.
    const id = requestAnimationFrame(() => {
      try {
        handle.current?.update(data);
      } catch (e) {
        setFailed(e instanceof Error ? e.message : String(e));
      }
    });
    return () => cancelAnimationFrame(id);
  }, [data]);

  return (
    <aside class="preview" aria-label={p.name ? t('Live preview of {name}', { name: p.name }) : t('Live preview of the widget')}>
      <h3 class="preview-title">{t("Live preview")}</h3>
      <p class="hint">{t("Shows your unsaved changes. Websites see them after you save.")}</p>
      {failed && (
        <p class="field-error" role="status">
          {t('The preview could not be shown: {reason}', { reason: failed })}
        </p>
      )}
      <p class="sr-only">{t("The preview is visual only. Visitors get the same names, texts and buttons as set in the fields of this form.")}</p>
      {/* inert + aria-hidden: the preview's own buttons and regions (e.g. one named after
          the widget) must not be mistaken for the admin app's controls. */}
      <div class={`preview-stage preview-${p.draft.type}`} inert aria-hidden="true">
        <div class="preview-host" ref={host} data-testid="widget-preview" />
      </div>
      <div class="check preview-offline">
        <input type="checkbox" id={`${p.uuid}-all-offline`} checked={allOffline} onChange={(e) => setAllOffline((e.currentTarget as HTMLInputElement).checked)} />
        <label for={`${p.uuid}-all-offline`}>{t("Preview with everyone offline")}</label>
      </div>
      {hasPresence && <p class="hint">{t("Agents whose availability follows their presence show it live (refreshed every few seconds).")}</p>}
    </aside>
  );
}
