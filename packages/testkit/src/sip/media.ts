/** Real sound for SIP media tests: a spoken WAV (espeak-ng + sox) as a fake microphone, and how loud a recording is. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Writes a 48 kHz mono 16-bit WAV of spoken words (Chromium's --use-file-for-fake-audio-capture takes it). */
export function speechWav(dir: string, words = 'Hello, this is a visitor on your website. I would like to know more about your products, please call me back.'): string {
  const raw = path.join(dir, 'speech-raw.wav');
  const out = path.join(dir, 'speech.wav');
  execFileSync('espeak-ng', ['-w', raw, words]);
  execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', out]);
  fs.rmSync(raw, { force: true });
  return out;
}

/** RMS amplitude of a WAV (0 silence … 1 full scale), by sox. */
export function wavRms(file: string): number {
  // `sox … -n stat` reports on stderr.
  const r = spawnSync('sox', [file, '-n', 'stat'], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  const m = /RMS\s+amplitude:\s+([0-9.eE+-]+)/.exec(text);
  return m ? Number(m[1]) : 0;
}
