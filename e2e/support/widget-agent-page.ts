/**
 * A minimal agent for the widget's call tests, in its own browser context:
 * it opens /ws/agent?token=…, goes online, and answers IncomingCall with
 * getUserMedia + RTCPeerConnection + a complete SDP answer (AcceptCall).
 * Deliberately independent of the real agent console. Test code, so it
 * keeps its state on `window.agent` for page.evaluate.
 */
export function agentPageHtml(serverWs: string, token: string): string {
  const cfg = JSON.stringify({ url: `${serverWs}/ws/agent?token=${encodeURIComponent(token)}` });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test agent</title></head><body>
<p id="state">starting</p>
<video id="remote" autoplay playsinline></video>
<script>
const CFG = ${cfg};
const agent = (window.agent = { log: [], state: 'connecting', call: null, pc: null, ice: [], autoAnswer: true });
const show = (s) => { agent.state = s; document.getElementById('state').textContent = s; };
const ws = new WebSocket(CFG.url);
const send = (m) => ws.send(JSON.stringify(m));
ws.onopen = () => { send({ mt: 'SetPresence', presence: 'online' }); };
ws.onclose = () => show('closed');
ws.onmessage = async (e) => {
  const m = JSON.parse(e.data);
  agent.log.push(m);
  if (m.mt === 'Welcome') show('online');
  if (m.mt === 'IceConfig' && Array.isArray(m.iceServers)) agent.ice = m.iceServers;
  if (m.mt === 'IncomingCall') { agent.call = m.call; agent.video = m.video; show('ringing'); if (agent.autoAnswer) await answer(m); }
  if (m.mt === 'CallInfo' && m.call === agent.call) {
    if (m.state === 'connected') show('connected');
    if (m.state === 'terminated') { agent.cause = m.cause; agent.pc && agent.pc.close(); agent.stream && agent.stream.getTracks().forEach((t) => t.stop()); show('terminated'); }
  }
};
async function answer(m) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: !!m.video });
  agent.stream = stream;
  const pc = new RTCPeerConnection({ iceServers: agent.ice });
  agent.pc = pc;
  stream.getTracks().forEach((t) => pc.addTrack(t, stream));
  pc.ontrack = (ev) => { document.getElementById('remote').srcObject = ev.streams[0] || new MediaStream([ev.track]); };
  await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== 'complete')
    await new Promise((r) => { pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 3000); });
  send({ mt: 'AcceptCall', call: m.call, sdp: pc.localDescription.sdp });
  show('answered');
}
agent.hangUp = () => send({ mt: 'ClearCall', call: agent.call });
agent.setPresence = (p) => send({ mt: 'SetPresence', presence: p });
</script></body></html>`;
}
