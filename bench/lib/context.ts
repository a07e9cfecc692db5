/** What every stage gets: run options, where to log, and where to put figures. */
import type { Figure } from './figures.js';

export interface Ctx {
  quick: boolean;
  /** repository root */
  root: string;
  /** per-run directory for child logs, profiles and snapshots */
  logDir: string;
  /** start product servers with --cpu-prof (written to logDir) */
  profile: boolean;
  figures: Figure[];
  /** notes for the "reading" section of docs/benchmarks.md */
  notes: string[];
  log(msg: string): void;
}

/** Turns any thrown value into a one-line reason for an "n/a". */
export function reason(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  return s.split('\n')[0]!.slice(0, 160);
}

/** True for URLs on this machine (127.0.0.0/8, localhost, [::1]) and for data:/blob: URLs. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
    return u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
  } catch {
    return false;
  }
}
