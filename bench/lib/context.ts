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
