/**
 * The agent dialog ("Add agent" / edit): starts from the SIP-ID with a
 * directory search; optional display details, picture, link; how the agent
 * can be reached; and how their availability is decided.
 */
import { useId, useState } from 'preact/hooks';
import { MEDIA, type Availability, type DirectoryEntry, type Flag, type Media, type User } from '@cw/protocol';
import { api, ApiError } from '../api.js';
import { Modal, ModalButtons } from '../components/modal.js';
import { SelectField, TextField } from '../components/fields.js';
import { SipIdField } from './sip-id-field.js';
import { PictureField } from './picture-field.js';
import { validateAgent, type AgentDraft } from './draft.js';
import { unknownSipId, type Directory } from './directory.js';
import { t } from '../i18n.js';
import { msg } from '@cw/client-core';

const MEDIA_LABEL: Record<Media, string> = { voice: msg("Voice"), video: msg("Video"), chat: msg("Chat"), email: msg("E-mail") };

export const AVAILABILITY_INFO: Record<Availability, { label: string; explain: string }> = {
  presence: { label: msg("Presence"), explain: msg("Follows the agent’s live presence: available when online in the agent console or set by the presence API.") },
  always: { label: msg("Always online"), explain: msg("Always shown as available — for a group, a queue or a line with many channels.") },
  boolean: { label: msg("Flag"), explain: msg("Available while the chosen flag is on, not available while it is off.") },
  inactive: { label: msg("Inactive"), explain: msg("Shown, but never reachable — for example during holidays.") },
};

export interface AgentDialogProps {
  initial: AgentDraft;
  isNew: boolean;
  widgetType: 'sidebar' | 'cards';
  flags: Flag[];
  dir: Directory;
  /** The widget's own contact address (shown on the card unless the agent has one). */
  widgetAddress?: string;
  /** SIP-IDs already on the widget (other than this agent). */
  taken: string[];
  /** Errors from the server for this agent (keys relative to it). */
  serverErrors?: Record<string, string>;
  onOk: (a: AgentDraft) => void;
  onCancel: () => void;
  /** a user was created here (the directory gains them) */
  onUserCreated?: (u: User) => void;
}

export function AgentDialog(p: AgentDialogProps) {
  const [a, setA] = useState<AgentDraft>(p.initial);
  const [entry, setEntry] = useState<DirectoryEntry | undefined>(p.dir.bySipId(p.initial.sipId));
  const [errors, setErrors] = useState<Record<string, string>>(p.serverErrors ?? {});
  const mediaId = useId();
  const set = <K extends keyof AgentDraft>(k: K, v: AgentDraft[K]) => setA((x) => ({ ...x, [k]: v }));

  const pick = (e: DirectoryEntry) => {
    setEntry(e);
    setA((x) => ({
      ...x,
      sipId: e.sipId,
      // Fill the name when empty or still the previous pick's; other details show as defaults.
      displayName: !x.displayName || x.displayName === entry?.name ? e.name : x.displayName,
    }));
    setErrors(({ sipId: _drop, ...rest }) => rest);
  };

  const ok = () => {
    const e = validateAgent(a);
    if (!e['sipId'] && p.taken.includes(a.sipId.trim())) e['sipId'] = t("This agent is already on the widget.");
    setErrors(e);
    const first = Object.keys(e)[0];
    if (first) {
      document.querySelector<HTMLElement>(`dialog[open] [data-field="${first}"]`)?.focus();
      return;
    }
    p.onOk({ ...a, sipId: a.sipId.trim() });
  };

  const fromDir = (v: string | undefined) => (v ? t('From the directory: {value}', { value: v }) : undefined);
  const info = AVAILABILITY_INFO[a.availability];
  return (
    <Modal
      title={p.isNew ? t("Add agent") : t('Edit agent {name}', { name: p.initial.displayName || p.dir.bySipId(p.initial.sipId)?.name || p.initial.sipId })}
      size="large"
      onClose={p.onCancel}
      onSubmit={ok}
      footer={<ModalButtons onCancel={p.onCancel} submitLabel={t("OK")} />}
    >
      <div class="agent-form">
        <div class="col">
          <SipIdField
            value={a.sipId}
            autofocus
            taken={p.taken}
            error={errors['sipId']}
            onValue={(v) => {
              set('sipId', v);
              // A typed SIP-ID of a known user shows their directory details as defaults too.
              setEntry((cur) => p.dir.bySipId(v.trim()) ?? (cur?.sipId === v.trim() ? cur : undefined));
            }}
            onPick={pick}
          />
          {a.sipId.trim() && !entry && !errors['sipId'] && a.availability !== 'inactive' && (
            <NewUser sipId={a.sipId.trim()} displayName={a.displayName} onCreated={(u) => {
              p.onUserCreated?.(u);
              setEntry({ kind: 'user', id: u.id, sipId: u.sipId, name: u.displayName, department: u.department, email: u.email, phone: u.phone });
            }} />
          )}
          <TextField label={t("Display name")} value={a.displayName} onValue={(v) => set('displayName', v)} field="displayName" error={errors['displayName']} placeholder={entry?.name} hint={entry ? t("Leave empty to use the directory’s name.") : t("Shown to visitors. Empty: the directory’s name.")} />
          <TextField label={t("Department")} value={a.department} onValue={(v) => set('department', v)} field="department" error={errors['department']} placeholder={entry?.department} hint={fromDir(entry?.department)} />
          <TextField label={t("Phone number")} type="tel" value={a.phone} onValue={(v) => set('phone', v)} field="phone" error={errors['phone']} placeholder={entry?.phone} hint={fromDir(entry?.phone)} />
          <TextField label={t("Email address")} type="email" value={a.email} onValue={(v) => set('email', v)} field="email" error={errors['email']} placeholder={entry?.email} hint={fromDir(entry?.email)} />
          <TextField label={t("Link (opening hours or calendar)")} type="url" value={a.link} onValue={(v) => set('link', v)} field="link" error={errors['link']} placeholder="https://" />
          <TextField
            label={t("Address shown on the card")}
            multiline
            rows={2}
            maxLength={500}
            value={a.address}
            onValue={(v) => set('address', v)}
            field="address"
            error={errors['address']}
            placeholder={p.widgetAddress || undefined}
            hint={t("Empty: the widget’s address is shown.")}
          />
        </div>
        <div class="col">
          <PictureField value={a.picture} onValue={(v) => set('picture', v)} error={errors['picture']} type={p.widgetType} />
          <fieldset class="field media" aria-describedby={errors['media'] ? `${mediaId}-err` : undefined}>
            <legend>{t("Reachable by")}</legend>
            <div class="checks-row">
              {MEDIA.map((m) => (
                <label key={m} class="check-inline">
                  <input
                    type="checkbox"
                    data-field={`media.${m}`}
                    checked={a.media.includes(m)}
                    onChange={(e) => {
                      const on = (e.currentTarget as HTMLInputElement).checked;
                      set('media', on ? MEDIA.filter((x) => x === m || a.media.includes(x)) : a.media.filter((x) => x !== m));
                    }}
                  />
                  {t(MEDIA_LABEL[m])}
                </label>
              ))}
            </div>
            {errors['media'] && (
              <div id={`${mediaId}-err`} class="field-error">
                {errors['media']}
              </div>
            )}
          </fieldset>
          <SelectField<Availability>
            label={t("Availability")}
            value={a.availability}
            field="availability"
            onValue={(v) => set('availability', v)}
            options={(Object.keys(AVAILABILITY_INFO) as Availability[]).map((k) => ({ value: k, label: t(AVAILABILITY_INFO[k].label) }))}
            hint={t(info.explain)}
            error={errors['availability']}
          />
          {a.availability === 'boolean' &&
            (p.flags.length ? (
              <SelectField<string>
                label={t("Flag")}
                value={a.flag ?? ''}
                field="flag"
                onValue={(v) => set('flag', v || null)}
                options={[{ value: '', label: t("Choose a flag…") }, ...p.flags.map((f) => ({ value: f.id, label: f.name }))]}
                hint={(() => {
                  const f = p.flags.find((x) => x.id === a.flag);
                  return f ? `“${f.name}” is ${f.value ? 'on: the agent shows as available' : 'off: the agent shows as not available'}.` : undefined;
                })()}
                error={errors['flag']}
              />
            ) : (
              <p class="field-error" data-field="flag" tabIndex={-1}>
                {t("There are no flags yet. Create one on the Flags page first.")}
              </p>
            ))}
        </div>
      </div>
    </Modal>
  );
}

/**
 * Issue 15: an agent is a user with the agent role and a SIP-ID. When the
 * SIP-ID names nobody, the dialog says so and can create that user here.
 */
function NewUser(p: { sipId: string; displayName: string; onCreated: (u: User) => void }) {
  const [open, setOpen] = useState(false);
  const [username, setUsername] = useState(p.sipId);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string; text: string } | null>(null);
  const create = async () => {
    if (!username.trim()) return setError({ field: 'username', text: t('Enter a username.') });
    if (password.length < 8) return setError({ field: 'password', text: t('Enter a password of at least 8 characters.') });
    setBusy(true);
    setError(null);
    try {
      const u = await api.createUser({ username: username.trim(), password, displayName: p.displayName.trim() || username.trim(), sipId: p.sipId, roles: ['agent'] });
      p.onCreated(u);
    } catch (e) {
      setError({ field: e instanceof ApiError && e.field === 'username' ? 'username' : 'password', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="field-warning new-user">
      <p>{unknownSipId(p.sipId)}</p>
      {!open ? (
        <button type="button" class="btn btn-small" onClick={() => setOpen(true)}>
          {t('Create user {name}', { name: p.sipId })}
        </button>
      ) : (
        <div class="new-user-form">
          <TextField label={t('Username')} value={username} onValue={setUsername} autoComplete="off" maxLength={100} error={error?.field === 'username' ? error.text : undefined} hint={t('The agent signs in to the console with it.')} />
          <TextField label={t('Password')} type="password" value={password} onValue={setPassword} autoComplete="new-password" maxLength={200} error={error?.field === 'password' ? error.text : undefined} hint={t('At least 8 characters; tell it to the agent.')} />
          <button type="button" class="btn btn-primary btn-small" disabled={busy} onClick={() => void create()}>
            {t('Create agent user')}
          </button>
        </div>
      )}
    </div>
  );
}
