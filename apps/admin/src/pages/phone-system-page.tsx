/**
 * Phone system (spec 9): the account the server registers with at the
 * company's PBX, and its live status in words. Saving re-registers at once.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PhoneSystem, PhoneSystemStatus } from '@cw/protocol';
import { api, ApiError } from '../api.js';
import { CheckField, ErrorBanner, SelectField, TextField } from '../components/fields.js';
import { failHandler, PageHead } from '../components/page.js';
import { setDirty } from '../nav.js';
import { splitError } from './users-page.js';
import { language, t } from '../i18n.js';
import { msg } from '@cw/client-core';

type Transport = PhoneSystem['transport'];
const TRANSPORTS: { value: Transport; label: string }[] = [
  { value: 'udp', label: 'UDP' },
  { value: 'tcp', label: 'TCP' },
  { value: 'tls', label: 'TLS' },
  { value: 'ws', label: msg("WebSocket (WS)") },
  { value: 'wss', label: msg("Secure WebSocket (WSS)") },
];

interface Form {
  enabled: boolean;
  registrar: string;
  domain: string;
  username: string;
  password: string;
  authUser: string;
  displayName: string;
  outboundProxy: string;
  registerIntervalS: string;
}

const toForm = (p: PhoneSystem): Form => ({
  enabled: p.enabled,
  registrar: p.registrar,
  domain: p.domain,
  username: p.username,
  password: '',
  authUser: p.authUser,
  displayName: p.displayName,
  outboundProxy: p.outboundProxy,
  registerIntervalS: String(p.registerIntervalS),
});

/** The transport a registrar address names (its transport parameter or URL scheme). */
export function transportOf(registrar: string): Transport {
  const r = registrar.trim().toLowerCase();
  if (r.startsWith('wss://')) return 'wss';
  if (r.startsWith('ws://')) return 'ws';
  const m = /;transport=(udp|tcp|tls|wss|ws)\b/.exec(r);
  if (m) return m[1] as Transport;
  return r.startsWith('sips:') ? 'tls' : 'udp';
}

/** The registrar address with another transport (a sip: URI gets its transport parameter). */
export function withTransport(registrar: string, t: Transport): string {
  let r = registrar.trim();
  const url = /^wss?:\/\/([^/?#]+)/i.exec(r);
  if (url) r = `sip:${url[1]}`;
  if (!r) r = 'sip:';
  r = r.replace(/;transport=[a-z]+/i, '');
  return t === 'udp' ? r : `${r};transport=${t}`;
}

function when(ts: number): string {
  if (!ts) return '';
  const d = new Date(ts);
  const today = new Date().toDateString() === d.toDateString();
  return today ? language.date(d, { timeStyle: 'medium' }) : language.date(d, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** The status in words (spec 9: registered, or failing with the PBX's answer, and since when). */
export function statusText(s: PhoneSystemStatus): string {
  switch (s.state) {
    case 'off':
      return t("Off: no phone system is connected.");
    case 'registering':
      return `Registering… (since ${when(s.since)})`;
    case 'registered':
      return t("Registered since {time}.", { time: when(s.since) });
    case 'failed':
      return t('Not registered: {reason} (since {time}). Retrying.', { reason: s.reason || t('unknown error'), time: when(s.since) });
  }
}

export function PhoneSystemPage(p: { onUnauthorized: () => void }) {
  const [loaded, setLoaded] = useState<PhoneSystem | null>(null);
  const [f, setF] = useState<Form | null>(null);
  const [status, setStatus] = useState<PhoneSystemStatus | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const fail = failHandler(p.onUnauthorized, (m) => setBanner({ kind: 'error', text: m }));

  useEffect(() => {
    api
      .phoneSystem()
      .then((ps) => {
        setLoaded(ps);
        setF(toForm(ps));
        setStatus(ps.status);
      })
      .catch(fail);
    // Live status: the registration changes on its own (PBX restarts, refreshes).
    const t = setInterval(() => {
      api
        .phoneSystem()
        .then((ps) => setStatus(ps.status))
        .catch((e) => {
          if (e instanceof ApiError && e.status === 401) p.onUnauthorized();
        });
    }, 2000);
    return () => {
      clearInterval(t);
      setDirty('phone-system', false);
    };
  }, []);

  const dirty = useMemo(() => !!f && !!loaded && JSON.stringify(f) !== JSON.stringify(toForm(loaded)), [f, loaded]);
  useEffect(() => setDirty('phone-system', dirty), [dirty]);

  if (!f || !loaded)
    return (
      <div class="page">
        <PageHead title={t("Phone system")} />
        {banner ? <ErrorBanner message={banner.text} /> : <p class="loading">{t("Loading…")}</p>}
      </div>
    );

  const set = (k: keyof Form) => (v: string) => setF((x) => (x ? { ...x, [k]: v } : x));

  const save = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const interval = Number(f.registerIntervalS);
    if (!Number.isInteger(interval) || interval < 30 || interval > 86400) local.registerIntervalS = t("Between 30 and 86400 seconds.");
    if (f.enabled) {
      if (!f.registrar.trim()) local.registrar = t("Enter the address of the registrar, e.g. sip:pbx.example.com;transport=tcp.");
      if (!f.domain.trim()) local.domain = t("Enter the SIP domain, e.g. pbx.example.com.");
      if (!f.username.trim()) local.username = t("Enter the user name of the account.");
    }
    setErrors(local);
    if (Object.keys(local).length) {
      setBanner({ kind: 'error', text: t("Not saved: please check the marked fields.") });
      return;
    }
    setBusy(true);
    setBanner(null);
    try {
      const res = await api.putPhoneSystem({
        enabled: f.enabled,
        registrar: f.registrar.trim(),
        domain: f.domain.trim(),
        username: f.username.trim(),
        authUser: f.authUser.trim(),
        displayName: f.displayName,
        outboundProxy: f.outboundProxy.trim(),
        registerIntervalS: interval,
        ...(f.password ? { password: f.password } : {}),
      });
      setLoaded(res);
      setF(toForm(res));
      setStatus(res.status);
      setBanner({ kind: 'ok', text: res.enabled ? t("Saved. Registering with the new settings now.") : t("Saved. The phone system is off.") });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return p.onUnauthorized();
      const s = splitError(err);
      if (s.field && s.field in f) setErrors({ [s.field]: s.message });
      setBanner({ kind: 'error', text: t("Not saved: {reason}", { reason: s.message }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page">
      <PageHead title={t("Phone system")} />
      <p class="hint">
        {t("Connect the company's phone system (PBX): the server registers with one account, and agents whose “Reached at” is Phone or Both are rung on their phones, their presence comes from the PBX and chats reach them as SIP messages. Off, the product works without a phone system.")}
      </p>
      <section class="phone-status" aria-labelledby="phone-status-title">
        <h2 id="phone-status-title">{t("Status")}</h2>
        <p role="status" aria-live="polite" class={`status-line status-${status?.state ?? 'off'}`}>
          {status ? statusText(status) : ''}
        </p>
        {status?.presence === 'unsupported' && (
          <p class="hint">{t("This phone system does not offer presence subscriptions: give agents reached by phone the availability “Always” or a flag.")}</p>
        )}
      </section>
      {banner && (
        <div class={`banner banner-${banner.kind}`} role={banner.kind === 'error' ? 'alert' : 'status'}>
          {banner.text}
        </div>
      )}
      <form class="phone-form" onSubmit={save} noValidate aria-label={t("Phone system settings")}>
        <CheckField label={t("Connect to a phone system")} checked={f.enabled} field="enabled" onChecked={(v) => setF({ ...f, enabled: v })} />
        <div class="grid-2">
          <TextField
            label={t("Registrar")}
            value={f.registrar}
            field="registrar"
            onValue={set('registrar')}
            error={errors.registrar}
            spellcheck={false}
            placeholder="sip:pbx.example.com;transport=tcp"
            hint={t("SIP URI of the registrar or proxy, or a ws:// / wss:// address.")}
          />
          <SelectField<Transport>
            label={t("Transport")}
            value={transportOf(f.registrar)}
            field="transport"
            onValue={(t) => setF({ ...f, registrar: withTransport(f.registrar, t) })}
            options={TRANSPORTS}
            hint={t("Changes the transport in the registrar address.")}
          />
          <TextField label={t("Domain")} value={f.domain} field="domain" onValue={set('domain')} error={errors.domain} spellcheck={false} placeholder="pbx.example.com" hint={t("Agents are called at sip:SIP-ID@domain.")} />
          <TextField label={t("Username")} value={f.username} field="username" onValue={set('username')} error={errors.username} spellcheck={false} autoComplete="off" />
          <TextField
            label={t("Password")}
            type="password"
            value={f.password}
            field="password"
            onValue={set('password')}
            error={errors.password}
            autoComplete="new-password"
            hint={loaded.hasPassword ? t("A password is stored. Leave empty to keep it.") : t("The account’s password at the phone system.")}
          />
          <TextField label={t("Auth user")} value={f.authUser} field="authUser" onValue={set('authUser')} error={errors.authUser} spellcheck={false} hint={t("Only if the PBX wants another name for authentication.")} />
          <TextField label={t("Display name")} value={f.displayName} field="displayName" onValue={set('displayName')} error={errors.displayName} />
          <TextField label={t("Outbound proxy")} value={f.outboundProxy} field="outboundProxy" onValue={set('outboundProxy')} error={errors.outboundProxy} spellcheck={false} hint={t("Optional; same form as the registrar.")} />
          <TextField label={t("Registration interval (seconds)")} type="number" min={30} max={86400} value={f.registerIntervalS} field="registerIntervalS" onValue={set('registerIntervalS')} error={errors.registerIntervalS} />
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t("Save")}
          </button>
        </div>
      </form>
    </div>
  );
}
