/**
 * The agent dialog ("Add agent" / edit): starts from the SIP-ID with a
 * directory search; optional display details, picture, link; how the agent
 * can be reached; and how their availability is decided.
 */
import { useId, useState } from 'preact/hooks';
import { MEDIA, type Availability, type DirectoryEntry, type Flag, type Media } from '@cw/protocol';
import { Modal, ModalButtons } from '../components/modal.js';
import { SelectField, TextField } from '../components/fields.js';
import { SipIdField } from './sip-id-field.js';
import { PictureField } from './picture-field.js';
import { validateAgent, type AgentDraft } from './draft.js';
import type { Directory } from './directory.js';
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
  /** SIP-IDs already on the widget (other than this agent). */
  taken: string[];
  /** Errors from the server for this agent (keys relative to it). */
  serverErrors?: Record<string, string>;
  onOk: (a: AgentDraft) => void;
  onCancel: () => void;
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
          <TextField label={t("Display name")} value={a.displayName} onValue={(v) => set('displayName', v)} field="displayName" error={errors['displayName']} placeholder={entry?.name} hint={entry ? t("Leave empty to use the directory’s name.") : t("Shown to visitors. Empty: the directory’s name.")} />
          <TextField label={t("Department")} value={a.department} onValue={(v) => set('department', v)} field="department" error={errors['department']} placeholder={entry?.department} hint={fromDir(entry?.department)} />
          <TextField label={t("Phone number")} type="tel" value={a.phone} onValue={(v) => set('phone', v)} field="phone" error={errors['phone']} placeholder={entry?.phone} hint={fromDir(entry?.phone)} />
          <TextField label={t("Email address")} type="email" value={a.email} onValue={(v) => set('email', v)} field="email" error={errors['email']} placeholder={entry?.email} hint={fromDir(entry?.email)} />
          <TextField label={t("Link (opening hours or calendar)")} type="url" value={a.link} onValue={(v) => set('link', v)} field="link" error={errors['link']} placeholder="https://" />
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
