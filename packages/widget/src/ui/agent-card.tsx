/** One agent: picture, name, department, availability (text + colour), details, media buttons. */
import type { InfoMsg } from '@cw/protocol';
import type { JSX } from 'preact';
import type { Action, Actions } from '../model.js';
import { mailUrl, safeHttpUrl, telUrl, type T } from '../text.js';
import { Icon } from './icons.js';

interface Props {
  agent: InfoMsg;
  picture: string | undefined;
  t: T;
  actions: Actions;
  idBase: string;
  inert: boolean;
  /** the postal address the card shows (issue 15: the agent entry's own, else on business cards the widget's) */
  address?: string | undefined;
}

function initials(dn: string): string {
  return dn
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}

/** The agent's card; calls and chat are disabled, with the reason, unless the agent is online. */
export function AgentCard({ agent, picture, t, actions, idBase, inert, address }: Props): JSX.Element {
  const name = agent.dn;
  const online = agent.presence === 'online';
  const stateId = `${idBase}-state`;
  const reasonId = `${idBase}-reason`;
  const reason = agent.presence === 'busy' ? t('reasonBusy', name) : t('reasonOffline', name);
  const stateText = agent.presence === 'online' ? t('online') : agent.presence === 'busy' ? t('busy') : t('offline');
  const link = safeHttpUrl(agent.link);
  const tel = telUrl(agent.phonenumber);
  const mail = agent.media.includes('email') ? mailUrl(agent.email) : null;

  const act = (a: Action, label: string, icon: string, caption: string) => (
    <button
      type="button"
      class="act"
      data-action={a}
      aria-label={label}
      title={online ? label : `${label} — ${reason}`}
      aria-disabled={online ? undefined : 'true'}
      aria-describedby={online ? undefined : reasonId}
      onClick={() => {
        if (online && !inert) actions.choose(agent.id, a);
      }}
    >
      <Icon name={icon} />
      <span class="cap" aria-hidden="true">
        {caption}
      </span>
    </button>
  );

  return (
    <li class={`card ${agent.presence}`} aria-labelledby={`${idBase}-name`} data-agent={agent.id}>
      <div class="who">
        {picture ? <img class="pic" src={picture} alt="" /> : <span class="initials" aria-hidden="true">{initials(name)}</span>}
        <div>
          <div class="name" id={`${idBase}-name`}>
            <bdi>{name}</bdi>
          </div>
          {agent.department ? (
            <div class="dept">
              <bdi>{agent.department}</bdi>
            </div>
          ) : null}
          <div class="state" id={stateId}>
            <span class={`dot ${agent.presence}`} aria-hidden="true" />
            <span>{stateText}</span>
          </div>
        </div>
      </div>
      {agent.phonenumber || agent.email || address ? (
        <div class="details">
          {address ? <address class="addr">{address}</address> : null}
          {agent.phonenumber ? (
            <span>
              {t('phone')}: <bdi dir="ltr">{agent.phonenumber}</bdi>
            </span>
          ) : null}
          {agent.email ? (
            <span>
              {t('email')}: <bdi dir="ltr">{agent.email}</bdi>
            </span>
          ) : null}
        </div>
      ) : null}
      {link ? (
        <a href={inert ? undefined : link} target="_blank" rel="noopener noreferrer" aria-label={t('linkOf', name)}>
          {t('linkOf', name)}
        </a>
      ) : null}
      <div class="acts">
        {agent.media.includes('chat') ? act('chat', t('chatWith', name), 'chat', t('capChat')) : null}
        {/* Spec 14: "video" includes voice. */}
        {agent.media.includes('voice') || agent.media.includes('video') ? act('voice', t('voiceCall', name), 'voice', t('capCall')) : null}
        {agent.media.includes('video') ? act('video', t('videoCall', name), 'video', t('capVideo')) : null}
        {mail ? (
          <a class="act" href={inert ? undefined : mail} aria-label={t('emailTo', name)} title={`${t('emailTo', name)}: ${agent.email}`} role={inert ? 'link' : undefined}>
            <Icon name="email" />
            <span class="cap" aria-hidden="true">
              {t('email')}
            </span>
          </a>
        ) : null}
        {tel ? (
          <a class="act tel" href={inert ? undefined : tel} aria-label={t('phoneTo', name)} title={`${t('phoneTo', name)}: ${agent.phonenumber}`} role={inert ? 'link' : undefined}>
            <Icon name="phone" />
            <span class="cap" aria-hidden="true">
              {t('phone')}
            </span>
          </a>
        ) : null}
      </div>
      {!online && (agent.media.includes('chat') || agent.media.includes('voice') || agent.media.includes('video')) ? (
        <div class="sr" id={reasonId}>
          {reason}
        </div>
      ) : null}
    </li>
  );
}
