import type { ComponentChildren } from 'preact';

/**
 * A translated sentence with elements in its placeholders (`{name}` → a <bdi>
 * with the visitor's name), for sentences that hold markup; placeholders
 * without a part stay as written.
 */
export function withParts(text: string, parts: Record<string, ComponentChildren>): ComponentChildren[] {
  return text
    .split(/(\{\w+\})/)
    .filter((s) => s !== '')
    .map((s) => {
      const name = /^\{(\w+)\}$/.exec(s)?.[1];
      return name !== undefined && name in parts ? parts[name] : s;
    });
}
