/**
 * A baresip phone driven through its ctrl_tcp module (netstring JSON): it
 * registers at the test PBX, sends a 440 Hz tone, records what it hears
 * (sndfile: `*-dec.wav` in `recDir`) and reports events (REGISTER_OK,
 * CALL_INCOMING, CALL_ESTABLISHED, CALL_CLOSED, …). `webrtc` phones do ICE +
 * DTLS-SRTP (a browser's offer works as is); `plain` phones speak RTP/AVP and
 * need the PBX's media relay.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Proc, waitForTcp } from './process.js';

export interface PhoneOptions {
  user: string;
  /** UDP and TCP; baresip also takes the next port for TLS, so leave a gap. */
  sipPort: number;
  ctrlPort: number;
  media?: 'webrtc' | 'plain';
  answer?: 'auto' | 'manual';
  maxCalls?: number;
  /** Publish presence (PIDF) every 60 s and at start. */
  publish?: boolean;
  video?: boolean;
  /** Contacts for the `message` command: the first is current. */
  contacts?: string[];
}

export interface PhoneEvent {
  type: string;
  class?: string;
  param?: string;
  peeruri?: string;
  peerdisplayname?: string;
  direction?: string;
  id?: string;
}

export class Phone {
  readonly dir: string;
  readonly recDir: string;
  proc!: Proc;
  #sock?: net.Socket;
  #events: PhoneEvent[] = [];
  #waiters: { pred(e: PhoneEvent): boolean; from: number; resolve(e: PhoneEvent): void }[] = [];
  #pending = new Map<string, (r: { ok: boolean; data: string }) => void>();
  #token = 0;

  constructor(readonly opts: PhoneOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `cw-phone-${opts.user}-`));
    this.recDir = path.join(this.dir, 'rec');
    fs.mkdirSync(this.recDir);
    const media = opts.media ?? 'webrtc';
    const params = [
      'auth_pass=none',
      `answermode=${opts.answer ?? 'auto'}`,
      ...(media === 'webrtc' ? ['medianat=ice', 'mediaenc=dtls_srtp'] : []),
      'audio_codecs=opus/48000/2,PCMU',
      'regint=300',
      ...(opts.publish ? ['pubint=60'] : []),
    ];
    fs.writeFileSync(path.join(this.dir, 'accounts'), `<sip:${opts.user}@127.0.0.1:5060;transport=udp>;${params.join(';')}\n`);
    fs.writeFileSync(path.join(this.dir, 'contacts'), (opts.contacts ?? []).map((c) => `"${c}" <${c}>\n`).join(''));
    fs.writeFileSync(path.join(this.dir, 'config'), config(opts, this.recDir));
  }

  /** Starts baresip and connects to its control port; `registered` waits for REGISTER_OK. */
  async start(waitRegistered = true): Promise<void> {
    this.proc = new Proc(`baresip:${this.opts.user}`, 'baresip', ['-f', this.dir]);
    // The first REGISTER may be answered before the control connection exists: its log line is the sign.
    const registered = this.proc.waitFor(/\} 200 OK .*\[\d+ binding/, 0, 20_000);
    registered.catch(() => undefined);
    await Promise.race([waitForTcp(this.opts.ctrlPort), this.proc.exited.then((c) => Promise.reject(new Error(`baresip exited (${c}):\n${this.proc.output}`)))]);
    await this.#connect();
    if (waitRegistered) await registered;
  }

  #connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port: this.opts.ctrlPort }, () => resolve());
      sock.once('error', reject);
      this.#sock = sock;
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          const colon = buf.indexOf(':');
          if (colon < 0) break;
          const len = Number(buf.subarray(0, colon).toString());
          if (buf.length < colon + 1 + len + 1) break;
          const json = buf.subarray(colon + 1, colon + 1 + len).toString('utf8');
          buf = buf.subarray(colon + 1 + len + 1);
          let msg: Record<string, unknown>;
          try {
            msg = JSON.parse(json);
          } catch {
            continue;
          }
          if (msg.response) {
            const fn = this.#pending.get(String(msg.token));
            this.#pending.delete(String(msg.token));
            fn?.({ ok: !!msg.ok, data: String(msg.data ?? '') });
          } else if (msg.event) {
            const e = msg as unknown as PhoneEvent;
            this.#events.push(e);
            for (const w of [...this.#waiters])
              if (w.pred(e)) {
                this.#waiters.splice(this.#waiters.indexOf(w), 1);
                w.resolve(e);
              }
          }
        }
      });
    });
  }

  /** Sends a ctrl_tcp command (`dial sip:…`, `accept`, `hangup`, `presence_offline`, `message hi`). */
  command(command: string, params = ''): Promise<{ ok: boolean; data: string }> {
    const token = String(++this.#token);
    const json = JSON.stringify({ command, params, token });
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`baresip ${this.opts.user}: no answer to ${command}`)), 10_000);
      this.#pending.set(token, (r) => (clearTimeout(t), resolve(r)));
      this.#sock!.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  /** A position in the event list; `waitEvent(pred, mark)` looks only after it. */
  mark(): number {
    return this.#events.length;
  }

  get events(): PhoneEvent[] {
    return this.#events;
  }

  waitEvent(pred: (e: PhoneEvent) => boolean, from = 0, timeoutMs = 20_000): Promise<PhoneEvent> {
    const found = this.#events.slice(from).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, from, resolve: (e: PhoneEvent) => (clearTimeout(t), resolve(e)) };
      const t = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`baresip ${this.opts.user}: no such event within ${timeoutMs} ms; events: ${JSON.stringify(this.#events.slice(-10))}\n${this.proc.output.slice(-2000)}`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  /** Recordings of what the phone heard (newest last). */
  recordings(): string[] {
    return fs
      .readdirSync(this.recDir)
      .filter((f) => f.endsWith('-dec.wav'))
      .map((f) => path.join(this.recDir, f))
      .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  }

  /** Unregisters and exits (a second SIGTERM forces it, see the testbed notes). */
  async stop(): Promise<void> {
    this.#sock?.destroy();
    if (!this.proc?.running) return;
    this.proc.child.kill('SIGTERM');
    const t = setTimeout(() => this.proc.child.kill('SIGTERM'), 1500);
    const k = setTimeout(() => this.proc.child.kill('SIGKILL'), 4000);
    await this.proc.exited;
    clearTimeout(t);
    clearTimeout(k);
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function config(o: PhoneOptions, recDir: string): string {
  const media = o.media ?? 'webrtc';
  return `# baresip test phone ${o.user} (${media})
poll_method		epoll
sip_listen		127.0.0.1:${o.sipPort}
call_local_timeout	120
call_max_calls		${o.maxCalls ?? 4}
audio_player		aubridge,nil
audio_source		ausine,440
audio_alert		aubridge,nil
ausrc_srate		48000
auplay_srate		48000
ausrc_channels		2
auplay_channels		2
audio_level		no
audio_buffer		20-160
rtp_tos			0
rtcp_mux		yes
jitter_buffer_delay	5-10
rtp_stats		no
net_interface		127.0.0.1
module_path		/usr/lib/baresip/modules
module			opus.so
module			g711.so
module			sndfile.so
module			aubridge.so
module			ausine.so
${media === 'webrtc' ? 'module			stun.so\nmodule			ice.so\nmodule			dtls_srtp.so\nmodule			srtp.so' : ''}
module_tmp		uuid.so
module_tmp		account.so
module_app		contact.so
module_app		ctrl_tcp.so
module_app		menu.so
module			stdio.so
${o.publish ? 'module_app		presence.so' : ''}
ctrl_tcp_listen		127.0.0.1:${o.ctrlPort}
opus_bitrate		28000
snd_path		${recDir}
${o.video ? 'module			vp8.so\nmodule			fakevideo.so\nvideo_source		fakevideo,nil\nvideo_display		fakevideo,nil\nvideo_size		320x240\nvideo_fps		15.00\nvideo_bitrate		300000' : ''}
`;
}
