/**
 * The widget's stylesheet, adopted into each shadow root as a constructable
 * stylesheet (allowed under a strict CSP, unlike <style> or style="").
 * `:host { all: initial !important }` shields it from the page's rules; the
 * few inherited values we want (font) are taken back explicitly.
 * Appearance comes in as custom properties set through CSSOM.
 */
export const CSS = `
:host{all:initial !important;display:block !important;font-family:inherit !important;font-size:inherit !important;color:inherit !important}
:host([hidden]){display:none !important}
*,*::before,*::after{box-sizing:border-box}
.root{font-family:var(--cw-font,inherit);font-size:clamp(14px,var(--cw-size,1em),22px);line-height:1.45;color:var(--cw-text-solid);text-align:start;letter-spacing:normal;word-spacing:normal;text-transform:none;font-weight:400;font-style:normal;white-space:normal;-webkit-font-smoothing:antialiased}
.root.cards{margin:var(--cw-mt,0) var(--cw-mr,0) var(--cw-mb,0) var(--cw-ml,0)}
button,input,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer}
a{color:var(--cw-link,inherit);text-decoration:underline}
:focus-visible{outline:3px solid var(--cw-focus);outline-offset:2px}
.sr{position:absolute !important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}

.side{position:fixed;bottom:calc(16px + var(--cw-mb,0px));z-index:var(--cw-z,2147483647);display:flex;flex-direction:column-reverse;align-items:flex-end;gap:8px;max-width:calc(100vw - 16px);transition:transform .4s ease-out,opacity .4s ease-out}
.side.right{right:calc(8px + var(--cw-mr,0px))}
.side.left{left:calc(8px + var(--cw-ml,0px));align-items:flex-start}
[dir=rtl] .side.right{align-items:flex-start}[dir=rtl] .side.left{align-items:flex-end}
[dir=rtl] svg.mirror{transform:scaleX(-1)}
.side.enter.right{transform:translateX(120%);opacity:0}
.side.enter.left{transform:translateX(-120%);opacity:0}
.preview .side{position:absolute}
.tab{display:inline-flex;align-items:center;gap:8px;min-height:44px;padding:10px 18px;border:0;border-radius:22px;background:var(--cw-primary);color:var(--cw-on-primary);font-weight:600;box-shadow:0 2px 10px rgba(0,0,0,.25)}
.tab svg{width:20px;height:20px;flex:none}
.badge{min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#b3261e;color:#fff;font-size:.8em;display:inline-flex;align-items:center;justify-content:center;border:2px solid #fff}
.panel[hidden]{display:none}
.panel{width:min(360px,calc(100vw - 16px));max-height:min(640px,calc(100vh - 96px));overflow:auto;background:var(--cw-bg);color:var(--cw-text-solid);border-radius:12px;box-shadow:0 6px 28px rgba(0,0,0,.28);padding:12px}
.panel h2,.conv h2{font-size:1.05em;font-weight:700;margin:0 0 8px}
.list{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}
.cards .list{flex-direction:row;flex-wrap:wrap;gap:12px}

.card{display:flex;flex-direction:column;gap:6px;padding:12px;border:1px solid var(--cw-border);border-radius:10px;background:var(--cw-card-bg,transparent);min-width:0}
.cards .card{flex:1 1 240px;max-width:360px;background:var(--cw-bg)}
.who{display:flex;gap:10px;align-items:center;min-width:0}
.pic{width:52px;height:52px;border-radius:50%;object-fit:cover;flex:none;background:var(--cw-border)}
.initials{width:52px;height:52px;border-radius:50%;flex:none;display:flex;align-items:center;justify-content:center;font-weight:700;background:var(--cw-primary);color:var(--cw-on-primary)}
.name{font-weight:700;overflow-wrap:anywhere}
.dept{font-size:.9em;overflow-wrap:anywhere}
.state{display:flex;align-items:center;gap:6px;font-size:.9em}
.dot{width:10px;height:10px;border-radius:50%;flex:none;border:1px solid rgba(0,0,0,.35)}
.dot.online{background:#1e8e3e}.dot.busy{background:#e37400}.dot.offline{background:#9e9e9e}
.card.offline .pic{filter:grayscale(1) opacity(.7)}.card.offline .initials{background:#6b6b6b;color:#fff}
.card.offline .state{color:var(--cw-text-muted,inherit)}
.panel{position:relative}
.panel h2{padding-inline-end:40px}
.close{position:absolute;top:4px;inset-inline-end:4px;display:inline-flex;align-items:center;justify-content:center;width:44px;height:44px;border:0;border-radius:50%;background:transparent;color:var(--cw-text-solid)}
.close svg{width:22px;height:22px}
.greeting{margin:0 0 10px;font-size:.95em}
.cap{font-size:.8em;font-weight:600;white-space:nowrap}
.peer{display:flex;gap:10px;align-items:center;min-width:0}
.peer .pic,.peer .initials{width:44px;height:44px}
.peer.big{flex-direction:column;text-align:center}
.peer.big .pic,.peer.big .initials{width:96px;height:96px;font-size:1.6em}
.peer-text{min-width:0}.peer h2{margin:0}
.peer.big .state{justify-content:center}
.next{display:flex;flex-direction:column;gap:6px}
.details{font-size:.9em;display:flex;flex-direction:column;gap:2px;overflow-wrap:anywhere}
.acts{display:flex;flex-wrap:wrap;gap:6px;margin-top:4px}
.act{display:inline-flex;align-items:center;justify-content:center;gap:6px;min-width:44px;height:44px;padding:0 12px;border-radius:22px;border:0;background:var(--cw-primary);color:var(--cw-on-primary);text-decoration:none}
.act svg{width:20px;height:20px;flex:none}
.act.tel{background:transparent;color:var(--cw-text-solid);border:2px solid var(--cw-primary)}
.act[aria-disabled=true]{background:#6b6b6b;color:#fff;cursor:not-allowed;opacity:.75}
.reason{font-size:.85em}
.search{margin:0 0 8px;max-width:360px}.hint{font-size:.9em;margin-top:4px}.hint:empty{margin:0}.more{margin-top:8px}.addr{font-style:normal;white-space:pre-line}
.contact{margin-top:10px;font-size:.9em;display:flex;flex-direction:column;gap:2px;font-style:normal}
p{margin:0}

.conv{display:flex;flex-direction:column;gap:8px;min-height:0}
.cards .conv{max-width:420px;background:var(--cw-bg);color:var(--cw-text-solid);border:1px solid var(--cw-border);border-radius:10px;padding:12px}
.bar{display:flex;align-items:center;gap:8px;justify-content:space-between}
.btn{min-height:44px;padding:8px 14px;border-radius:8px;border:2px solid var(--cw-primary);background:var(--cw-primary);color:var(--cw-on-primary);font-weight:600}
.btn.alt{background:transparent;color:var(--cw-text-solid)}
.btn.danger{background:#b3261e;border-color:#b3261e;color:#fff}
.btn[aria-pressed=true]{outline:2px dashed currentColor;outline-offset:-6px}
.field{display:flex;flex-direction:column;gap:4px}
.field input,.field select,.compose textarea,.search input{width:100%;min-height:44px;padding:8px 10px;border:1px solid var(--cw-border-strong);border-radius:8px;background:var(--cw-input-bg,#fff);color:#1a1a1a}
.err{color:#b3261e;font-size:.9em}
.field textarea{width:100%;min-height:88px;padding:8px 10px;border:1px solid var(--cw-border-strong);border-radius:8px;background:var(--cw-input-bg,#fff);color:#1a1a1a;font:inherit}
.field.check{flex-direction:row;flex-wrap:wrap;align-items:flex-start;gap:8px}.field.check input{width:auto;min-height:auto;margin-top:3px}.field.check .err{flex-basis:100%}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.offline{margin:8px 0}.transcript{display:flex;flex-direction:column;gap:8px;margin-top:8px}
.log{list-style:none;margin:0;padding:4px;display:flex;flex-direction:column;gap:6px;max-height:min(420px,calc(100vh - 300px));min-height:180px;overflow:auto;border:1px solid var(--cw-border);border-radius:8px}
.msg{max-width:85%;padding:6px 10px;border-radius:10px;overflow-wrap:anywhere;white-space:pre-wrap}
.msg.visitor{align-self:flex-end;background:var(--cw-primary);color:var(--cw-on-primary)}
.msg.agent{align-self:flex-start;background:#ececec;color:#1a1a1a}
.msg.system{align-self:center;font-style:italic;background:transparent}
.meta{display:block;font-size:.75em;margin-top:2px}
.compose{display:flex;gap:6px;align-items:flex-end}
.compose textarea{resize:none;min-height:44px;max-height:120px}
.status{font-size:.9em;min-height:1.3em}
.videos{position:relative;background:#111;border-radius:8px;overflow:hidden;aspect-ratio:4/3}
.videos video.remote{width:100%;height:100%;object-fit:cover;display:block}
.videos video.self{position:absolute;inset-inline-end:8px;bottom:8px;width:28%;border-radius:6px;border:2px solid #fff;background:#333}
.mirror,.videos video.self{transform:scaleX(-1)}
.level{display:block;height:6px;border-radius:3px;background:var(--cw-border);overflow:hidden}.level span{display:block;height:100%;width:0;background:#1e8e3e}
.devs{display:flex;flex-wrap:wrap;gap:8px}.devs .field{flex:1 1 140px;min-width:0;font-size:.9em}.devs .err{flex-basis:100%}
.videos.big{aspect-ratio:auto;height:min(60vh,520px)}
.videos.big video.remote,.videos:fullscreen video.remote{object-fit:contain}
.videos:fullscreen{border-radius:0;width:100%;height:100%}
.vbar{position:absolute;top:6px;inset-inline-start:6px;display:flex;gap:6px;z-index:1}
.vbar button{min-width:44px;min-height:44px;border-radius:8px;border:0;background:rgba(0,0,0,.65);color:#fff;font:inherit;font-weight:600;padding:0 10px;cursor:pointer}
.ask{border:2px solid #b3261e;border-radius:8px;padding:8px;display:flex;flex-direction:column;gap:8px}.ask p{margin:0}
.timer{font-variant-numeric:tabular-nums;font-weight:600}
.banner{font-size:.85em;padding:6px 8px;border-radius:6px;background:#fff4e5;color:#5f3700}
@media (max-width:480px){.panel.full{position:fixed;inset:0;width:100vw;max-width:100vw;height:100vh;height:100dvh;max-height:none;border-radius:0;z-index:var(--cw-z,2147483647)}
.panel .conv{min-height:100%}.panel .conv .log{flex:1 1 auto;max-height:none}}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{transition:none !important;animation:none !important}}
@media (forced-colors:active){.act,.tab,.btn{border:1px solid ButtonText}.act[aria-disabled=true]{color:GrayText;border-color:GrayText}.panel,.card,.conv,.log{border:1px solid CanvasText}.badge{border-color:CanvasText}.dot{forced-color-adjust:none}:focus-visible{outline-color:Highlight}}
`;

let shared: CSSStyleSheet | null = null;

/** Applies the stylesheet to a shadow root (one shared sheet per page). */
export function adoptStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!shared) {
      shared = new CSSStyleSheet();
      shared.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [shared];
    return;
  }
  // Older browsers: a <style> element (needs style-src 'unsafe-inline' under a CSP).
  const style = document.createElement('style');
  style.textContent = CSS;
  root.appendChild(style);
}
