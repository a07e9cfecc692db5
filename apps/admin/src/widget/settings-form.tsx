/**
 * A widget's settings: the everyday fields open (general, texts, contact
 * details, the agents, opening hours), Appearance and Advanced (notes,
 * allowed origins) folded. Every change goes into the draft; nothing is saved
 * until "Save".
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { LANGS, type Lang } from '@cw/protocol';
import { autonym } from '@cw/i18n';
import { msg } from '@cw/client-core';
import { CheckField, SelectField, TextField } from '../components/fields.js';
import { ColorField } from './color-field.js';
import { TEXT_LIMITS } from '@cw/protocol';
import { useEffect, useState } from 'preact/hooks';
import type { Schedule } from '@cw/protocol';
import { api } from '../api.js';
import { contrastWarnings, errorAt, type Draft } from './draft.js';
import { t } from '../i18n.js';
import { Fold } from './fold.js';

/** Each language by its own name (Intl.DisplayNames), as language choosers show them. */
const MARGIN_LABEL = { top: msg('Margin top'), right: msg('Margin right'), bottom: msg('Margin bottom'), left: msg('Margin left') };

export const LANG_NAMES = Object.fromEntries(LANGS.map((l) => [l, autonym(l)])) as Record<Lang, string>;

type Ap = Draft['appearance'];

export interface SettingsFormProps {
  draft: Draft;
  errors: Record<string, string>;
  onChange: (d: Draft) => void;
  /** The user left the field(s) under this path: check them now. */
  onLeaveField?: (path: string) => void;
  nameRef?: { current: HTMLInputElement | HTMLTextAreaElement | null };
  /** The agents section, placed with the everyday fields (before the folded ones). */
  agents?: ComponentChildren;
}

const isAppearance = (path: string) => path.startsWith('appearance.');
const isAdvanced = (path: string) => path === 'notes' || path === 'allowedOrigins' || path.startsWith('allowedOrigins[') || path.startsWith('allowedOrigins.');

function Section(p: { title: string; children: ComponentChildren; note?: string }) {
  const id = useId();
  return (
    <fieldset class="section" aria-labelledby={id}>
      <legend id={id} class="section-title">
        {p.title}
      </legend>
      {p.note && <p class="hint section-note">{p.note}</p>}
      {p.children}
    </fieldset>
  );
}

export function SettingsForm({ draft: d, errors, onChange, onLeaveField, nameRef, agents }: SettingsFormProps) {
  const leave = (path: string) => () => onLeaveField?.(path);
  const set = (patch: Partial<Draft>) => onChange({ ...d, ...patch });
  const setContact = (k: keyof Draft['contact'], v: string) => set({ contact: { ...d.contact, [k]: v } });
  const setAp = (patch: Partial<Ap>) => set({ appearance: { ...d.appearance, ...patch } });
  const setColor = (k: keyof Ap['colors'], v: string) => setAp({ colors: { ...d.appearance.colors, [k]: v } });
  const setMargin = (k: keyof Ap['margin'], v: string) => setAp({ margin: { ...d.appearance.margin, [k]: v } });
  const err = (path: string) => errorAt(errors, path);
  const posId = useId();
  const warn = contrastWarnings(d);
  const setTexts = (k: keyof Draft['texts'], v: string) => set({ texts: { ...d.texts, [k]: v } });

  return (
    <div class="settings">
      <Section title={t("General")}>
        <div class="grid-2">
          <TextField label={t("Name")} maxLength={200} value={d.name} onValue={(v) => set({ name: v })} field="name" onBlur={leave('name')} error={err('name')} required inputRef={nameRef} hint={t("Helps you tell widgets apart (for you; visitors read the heading below).")} />
          <SelectField<Lang> label={t("Default language")} value={d.lang} field="lang" onValue={(v) => set({ lang: v })} options={LANGS.map((l) => ({ value: l, label: LANG_NAMES[l] }))} hint={t("Used when the visitor’s browser language is not available.")} />
        </div>
      </Section>

      {d.type === 'sidebar' && (
        <Section title={t("Texts")} note={t("What visitors read at the top of the open sidebar. Empty: a friendly default in the visitor’s language.")}>
          <div class="grid-2">
            <TextField label={t("Heading")} maxLength={TEXT_LIMITS.title} value={d.texts.title} onValue={(v) => setTexts('title', v)} field="texts.title" error={err('texts.title')} placeholder={t("Contact us")} />
            <TextField label={t("Greeting")} maxLength={TEXT_LIMITS.greeting} multiline rows={2} value={d.texts.greeting} onValue={(v) => setTexts('greeting', v)} field="texts.greeting" error={err('texts.greeting')} placeholder={t("Chat with us, call us in your browser or write — we’re happy to help.")} />
          </div>
        </Section>
      )}

      <Section title={t("Contact details")} note={t("Shown to visitors with the agents.")}>
        <div class="grid-2">
          <TextField label={t("Company")} maxLength={200} value={d.contact.company} onValue={(v) => setContact('company', v)} field="contact.company" error={err('contact.company')} />
          <TextField label={t("Phone")} maxLength={50} type="tel" value={d.contact.phone} onValue={(v) => setContact('phone', v)} field="contact.phone" error={err('contact.phone')} />
          <TextField label={t("Address")} maxLength={500} multiline rows={2} value={d.contact.address} onValue={(v) => setContact('address', v)} field="contact.address" error={err('contact.address')} />
          <TextField label={t("Email address")} maxLength={254} type="email" value={d.contact.email} onValue={(v) => setContact('email', v)} field="contact.email" onBlur={leave('contact.email')} error={err('contact.email')} />
        </div>
      </Section>

      {agents}

      <HoursSection draft={d} set={set} err={err} />

      <Fold
        name="appearance"
        title={t("Appearance")}
        summary={d.type === 'sidebar' ? t("Position, font, colours, margins and z-index.") : t("Font, colours, margins and z-index.")}
        notice={Object.keys(warn).length ? t("A colour is hard to read.") : undefined}
        errors={errors}
        owns={isAppearance}
      >
        <p class="hint section-note">{d.type === 'sidebar' ? t("Empty values inherit the website’s own font, colours and spacing.") : t("Empty values inherit the website’s own font, colours and spacing. Business cards appear where the code is placed in the page.")}</p>
        {d.type === 'sidebar' && (
        <div class="grid-2">
          <div class="field" role="radiogroup" aria-labelledby={posId}>
            <span id={posId} class="label">
              {t("Position")}
            </span>
            <div class="checks-row">
              {(['left', 'right'] as const).map((side) => (
                <label key={side} class="check-inline">
                  <input type="radio" name={`${posId}-pos`} value={side} checked={d.appearance.position === side} onChange={() => setAp({ position: side })} data-field={side === 'left' ? 'appearance.position' : undefined} />
                  {side === 'left' ? t('Left') : t('Right')}
                </label>
              ))}
            </div>
          </div>
          <CheckField label={t("Always show")} checked={d.appearance.alwaysShow} onChecked={(v) => setAp({ alwaysShow: v })} field="appearance.alwaysShow" hint={t("List every agent, also those not available right now. Otherwise the sidebar lists only available agents.")} />
        </div>
        )}
        <div class="grid-2">
          <TextField label={t("Font family")} value={d.appearance.fontFamily} onValue={(v) => setAp({ fontFamily: v })} field="appearance.fontFamily" onBlur={leave('appearance.fontFamily')} error={err('appearance.fontFamily')} placeholder={t("inherit")} hint={d.appearance.fontFamily ? undefined : t("Empty: the website’s font.")} />
          <TextField label={t("Font size")} value={d.appearance.fontSize} onValue={(v) => setAp({ fontSize: v })} field="appearance.fontSize" onBlur={leave('appearance.fontSize')} error={err('appearance.fontSize')} placeholder={t("inherit")} hint={d.appearance.fontSize ? t("For example 14px or 1rem.") : t("Empty: the website’s size. For example 14px or 1rem.")} />
        </div>
        <div class="grid-3">
          <ColorField label={t("Primary colour")} value={d.appearance.colors.primary} onValue={(v) => setColor('primary', v)} field="appearance.colors.primary" onBlur={leave('appearance.colors.primary')} error={err('appearance.colors.primary')} warning={warn['appearance.colors.primary']} />
          <ColorField label={t("Background colour")} value={d.appearance.colors.background} onValue={(v) => setColor('background', v)} field="appearance.colors.background" onBlur={leave('appearance.colors.background')} error={err('appearance.colors.background')} />
          <ColorField label={t("Text colour")} value={d.appearance.colors.text} onValue={(v) => setColor('text', v)} field="appearance.colors.text" onBlur={leave('appearance.colors.text')} error={err('appearance.colors.text')} warning={warn['appearance.colors.text']} />
        </div>
        <fieldset class="subsection">
          <legend>{t("Margins (pixels)")}</legend>
          <div class="grid-5">
            {(['top', 'right', 'bottom', 'left'] as const).map((side) => (
              <TextField
                key={side}
                label={t(MARGIN_LABEL[side])}
                type="number"
                min={0}
                max={2000}
                inputMode="numeric"
                value={d.appearance.margin[side]}
                onValue={(v) => setMargin(side, v)}
                field={`appearance.margin.${side}`}
                onBlur={leave(`appearance.margin.${side}`)}
                error={err(`appearance.margin.${side}`)}
                placeholder={t("inherit")}
              />
            ))}
            <TextField label={t("Z-index")} type="number" inputMode="numeric" value={d.appearance.zIndex} onValue={(v) => setAp({ zIndex: v })} field="appearance.zIndex" onBlur={leave('appearance.zIndex')} error={err('appearance.zIndex')} placeholder={t("auto")} hint={t("Raise it if the website covers the widget.")} />
          </div>
        </fieldset>
      </Fold>

      <Fold name="advanced" title={t("Advanced")} summary={t("Notes and allowed websites.")} errors={errors} owns={isAdvanced}>
        <TextField label={t("Notes")} maxLength={5000} multiline rows={2} value={d.notes} onValue={(v) => set({ notes: v })} field="notes" error={err('notes')} hint={t("For you only, e.g. the website where this widget is used.")} />
        <TextField
          label={t("Allowed origins")}
          multiline
          rows={3}
          spellcheck={false}
          value={d.originsText}
          onValue={(v) => set({ originsText: v })}
          field="allowedOrigins"
          onBlur={leave('allowedOrigins')}
          error={err('allowedOrigins')}
          placeholder={'https://www.example.com\nhttps://*.example.com'}
          hint={t("One per line. Only these websites may show the widget. Empty: any website.")}
        />
      </Fold>
    </div>
  );
}

/** Spec 11: opening hours of the widget, and the message form shown when nobody can answer. */
function HoursSection(p: { draft: Draft; set: (patch: Partial<Draft>) => void; err: (path: string) => string | undefined }) {
  const d = p.draft;
  const [schedules, setSchedules] = useState<Schedule[]>([]);
  useEffect(() => {
    api.schedules().then(setSchedules).catch(() => undefined);
  }, []);
  return (
    <Section title={t("Opening hours and messages")}>
      <SelectField
        label={t("Opening hours")}
        value={d.scheduleId}
        onValue={(v) => p.set({ scheduleId: v })}
        field="scheduleId"
        error={p.err('scheduleId')}
        options={[{ value: '', label: t('Always open (no schedule)') }, ...schedules.map((x) => ({ value: x.id, label: x.name }))]}
        hint={t("Outside these hours the widget says when you are back. Schedules are set up on the Schedules page.")}
      />
      <CheckField label={t("Offer a message form when nobody is available")} checked={d.offlineEnabled} onChecked={(v) => p.set({ offlineEnabled: v })} field="offline.enabled" />
      <TextField
        label={t("Consent text")}
        multiline
        rows={2}
        value={d.consentText}
        onValue={(v) => p.set({ consentText: v })}
        field="offline.consentText"
        error={p.err('offline.consentText')}
        hint={t("Shown beside a checkbox the visitor must tick before sending, e.g. how you use their data. Empty: no checkbox.")}
      />
      <TextField
        label={t("Notification addresses")}
        value={d.notifyText}
        onValue={(v) => p.set({ notifyText: v })}
        field="offline.notify"
        error={p.err('offline.notify')}
        placeholder="sales@example.com, support@example.com"
        hint={t("Messages are e-mailed to these addresses (comma separated) and always listed under Missed in the agent console.")}
      />
    </Section>
  );
}
