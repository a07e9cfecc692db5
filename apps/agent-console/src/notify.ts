/**
 * Getting the agent's attention: screen-reader announcements (aria-live)
 * and browser notifications while the tab is hidden. Permission is asked
 * only when the agent presses a button for it — never on load.
 */

const DISMISS_KEY = 'cw.console.notifyPromptDismissed';

/** Whether to offer the "Turn on notifications" prompt. */
export function shouldOfferNotifications(): boolean {
  if (typeof Notification === 'undefined') return false;
  if (Notification.permission !== 'default') return false;
  try {
    return localStorage.getItem(DISMISS_KEY) !== '1';
  } catch {
    return true;
  }
}

export function dismissNotificationPrompt(): void {
  try {
    localStorage.setItem(DISMISS_KEY, '1');
  } catch {
    /* private mode: the prompt simply shows again next time */
  }
}

/** Asks the browser for permission (call from a click). */
export async function requestNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/**
 * Shows a notification when the tab is hidden and permission was given.
 * Returns a function that closes it (e.g. when the call stops ringing).
 */
export function notifyIfHidden(title: string, body: string, tag: string): () => void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return () => {};
  if (document.visibilityState !== 'hidden') return () => {};
  try {
    const n = new Notification(title, { body, tag, requireInteraction: tag.startsWith('call:') });
    n.onclick = () => {
      window.focus();
      n.close();
    };
    return () => n.close();
  } catch {
    // Some browsers only allow notifications from a service worker.
    return () => {};
  }
}

type Politeness = 'polite' | 'assertive';
type AnnounceListener = (text: string, politeness: Politeness) => void;
const listeners = new Set<AnnounceListener>();

/** Says something to screen readers through the app's live regions. */
export function announce(text: string, politeness: Politeness = 'polite'): void {
  for (const l of listeners) l(text, politeness);
}

export function onAnnounce(listener: AnnounceListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
