/** What machine the figures were taken on (docs/benchmarks.md prints it). */
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  nproc: number;
  memoryGiB: number;
  node: string;
  cpu: string;
  kernel: string;
  fdLimit: string;
  /** 1-minute load average when the run started and ended: other work on a shared machine shows here */
  load: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Soft and hard RLIMIT_NOFILE of this process, from /proc/self/limits. */
export function fdLimits(): { soft: number; hard: number } {
  try {
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (m) {
      const n = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
      return { soft: n(m[1]!), hard: n(m[2]!) };
    }
  } catch {
    /* not Linux */
  }
  return { soft: 1024, hard: 1024 };
}

export function machineInfo(): MachineInfo {
  const fd = fdLimits();
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    cpu: cpuModel(),
    kernel: `${os.type()} ${os.release()}`,
    fdLimit: `${fd.soft} (hard ${fd.hard})`,
    load: os.loadavg()[0]!.toFixed(2),
  };
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
