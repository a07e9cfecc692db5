/**
 * The code a visitor needs only once they start a chat or call: loaded on
 * first use from `${server}/widget/conversation.js` (an ES module), so the
 * initial widget.js stays small. It must render with the main bundle's
 * Preact (one instance for hooks and vnodes), which the loader hands over
 * through `setDeps` (see preact-shim.ts).
 */
export { setDeps } from './preact-shim.js';
export { NamePrompt } from './ui/name-prompt.js';
export { ChatPanel } from './ui/chat-panel.js';
export { CallPanel } from './ui/call-panel.js';
export { OfflineForm, TranscriptOffer } from './ui/offline-form.js';
export { VisitorCall } from './call.js';
