/**
 * A tiny history router for the app under /admin, and the guard that asks
 * before unsaved changes are lost (beforeunload and in-app navigation).
 */
import { useEffect, useState } from 'preact/hooks';
import { ask } from './components/confirm.js';
import { t } from './i18n.js';
import { msg } from '@cw/client-core';

export const BASE = '/admin';
export type Route = 'widgets' | 'users' | 'groups' | 'flags' | 'schedules' | 'phone-system' | 'statistics' | 'webhooks' | 'audit';
export const ROUTES: { route: Route; path: string; label: string }[] = [
  { route: 'widgets', path: `${BASE}/`, label: msg("Widgets") },
  { route: 'users', path: `${BASE}/users`, label: msg("Users") },
  { route: 'groups', path: `${BASE}/groups`, label: msg("Groups") },
  { route: 'flags', path: `${BASE}/flags`, label: msg("Flags") },
  { route: 'schedules', path: `${BASE}/schedules`, label: msg("Schedules") },
  { route: 'phone-system', path: `${BASE}/phone-system`, label: msg("Phone system") },
  { route: 'statistics', path: `${BASE}/statistics`, label: msg("Statistics") },
  { route: 'webhooks', path: `${BASE}/webhooks`, label: msg("Webhooks") },
  { route: 'audit', path: `${BASE}/audit`, label: msg("Audit") },
];

/** Maps a location path to a route (unknown paths show the widgets). */
export function routeOf(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const seg = rest.replace(/^\/+/, '').split('/')[0];
  return ROUTES.find((r) => r.route === seg && seg !== 'widgets')?.route ?? 'widgets';
}

// ------------------------------------------------------------ unsaved changes

const dirty = new Set<string>();
const dirtyListeners = new Set<() => void>();

/** Marks (or clears) unsaved changes held by `key` (e.g. a widget uuid). */
export function setDirty(key: string, isDirty: boolean): void {
  const had = dirty.has(key);
  if (isDirty) dirty.add(key);
  else dirty.delete(key);
  if (had !== isDirty) dirtyListeners.forEach((l) => l());
}

/** Whether `key` holds unsaved changes. */
export function isDirty(key: string): boolean {
  return dirty.has(key);
}

export function hasUnsaved(): boolean {
  return dirty.size > 0;
}

/** Forgets all unsaved marks (after the user chose to discard them). */
export function clearDirty(): void {
  dirty.clear();
  dirtyListeners.forEach((l) => l());
}

addEventListener('beforeunload', (e) => {
  if (!hasUnsaved()) return;
  e.preventDefault();
  // Older browsers need returnValue set to show the prompt.
  e.returnValue = '';
});

/** Asks whether to drop unsaved changes; true when there are none or the user agrees. */
export async function confirmDiscard(): Promise<boolean> {
  if (!hasUnsaved()) return true;
  const ok = await ask({
    title: t("Discard unsaved changes?"),
    message: t("You have changes that are not saved yet. If you leave now they are lost."),
    confirmLabel: t("Leave without saving"),
    cancelLabel: t("Stay"),
    danger: true,
  });
  if (ok) clearDirty();
  return ok;
}

// ------------------------------------------------------------ routing

const routeListeners = new Set<() => void>();
let current = location.pathname;

addEventListener('popstate', () => {
  const target = location.pathname;
  if (routeOf(target) === routeOf(current)) {
    current = target;
    return;
  }
  if (!hasUnsaved()) {
    current = target;
    routeListeners.forEach((l) => l());
    return;
  }
  // Put the old address back while we ask; move on only if the user agrees.
  history.pushState(null, '', current);
  void confirmDiscard().then((ok) => {
    if (ok) navigate(target, { skipGuard: true });
  });
});

/** Goes to an app path, asking first when changes would be lost. */
export async function navigate(path: string, o: { skipGuard?: boolean } = {}): Promise<boolean> {
  if (path === current) return true;
  if (!o.skipGuard && routeOf(path) !== routeOf(current) && !(await confirmDiscard())) return false;
  history.pushState(null, '', path);
  current = path;
  routeListeners.forEach((l) => l());
  return true;
}

/** The current route, re-rendering on change. */
export function useRoute(): Route {
  const [r, setR] = useState(routeOf(location.pathname));
  useEffect(() => {
    const l = () => setR(routeOf(location.pathname));
    routeListeners.add(l);
    return () => void routeListeners.delete(l);
  }, []);
  return r;
}

/** Re-renders when the unsaved state changes. */
export function useUnsaved(): boolean {
  const [v, setV] = useState(hasUnsaved());
  useEffect(() => {
    const l = () => setV(hasUnsaved());
    dirtyListeners.add(l);
    return () => void dirtyListeners.delete(l);
  }, []);
  return v;
}
