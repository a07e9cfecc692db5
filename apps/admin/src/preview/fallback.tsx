/**
 * A stand-in for the real widget preview (`@cw/widget/preview`), used only
 * while the widget package does not provide one. It shows the widget's shape,
 * colours and agents, without any of its behaviour.
 */
import { render } from 'preact';
import type { InfoMsg, SessionMsg } from '@cw/protocol';

interface PreviewData {
  session: SessionMsg;
  infos: InfoMsg[];
  pictures: Record<string, string>;
}

function Card(p: { info: InfoMsg; picture: string; round: boolean; s: SessionMsg }) {
  const strings = p.s.strings;
  const label = p.info.presence === 'online' ? strings.online : p.info.presence === 'busy' ? strings.busy : strings.offline;
  return (
    <li class={`fb-agent fb-${p.info.presence}`}>
      {p.picture ? <img class={p.round ? 'fb-pic fb-round' : 'fb-pic'} src={p.picture} alt="" /> : <span class={p.round ? 'fb-pic fb-round fb-none' : 'fb-pic fb-none'}>{p.info.dn.slice(0, 1).toUpperCase()}</span>}
      <span class="fb-text">
        <strong>{p.info.dn}</strong>
        {p.info.department && <span>{p.info.department}</span>}
        <span class="fb-presence">{label}</span>
        <span class="fb-media">{p.info.media.join(' · ')}</span>
      </span>
    </li>
  );
}

function Preview({ d }: { d: PreviewData }) {
  const s = d.session;
  const a = s.appearance ?? {};
  const style: Record<string, string> = {};
  if (a.fontFamily) style.fontFamily = a.fontFamily;
  if (a.fontSize) style.fontSize = a.fontSize;
  if (a.colors?.background) style.background = a.colors.background;
  if (a.colors?.text) style.color = a.colors.text;
  const primary = a.colors?.primary || '#0a7d5c';
  const infos = [...d.infos].sort((x, y) => x.order - y.order);
  if (s.type === 'cards')
    return (
      <ul class="fb-cards" style={style}>
        {infos.map((i) => (
          <Card key={i.id} info={i} picture={d.pictures[i.id] ?? ''} round={false} s={s} />
        ))}
      </ul>
    );
  return (
    <div class={`fb-sidebar fb-${a.position ?? 'right'}`} style={style}>
      <span class="fb-tab" style={{ background: primary }}>
        {s.strings.contactUs}
      </span>
      <ul class="fb-list">
        {infos.map((i) => (
          <Card key={i.id} info={i} picture={d.pictures[i.id] ?? ''} round s={s} />
        ))}
      </ul>
    </div>
  );
}

/** Renders the stand-in preview into host. */
export function mountPreview(host: HTMLElement, data: PreviewData) {
  render(<Preview d={data} />, host);
  return {
    update: (d: PreviewData) => render(<Preview d={d} />, host),
    unmount: () => render(null, host),
  };
}
