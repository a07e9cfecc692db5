/**
 * Spec 14 (issue 15): users' own pictures, the visitor context of a chat
 * (page, language, browser — shown to the agent who is offered it, also after
 * a reconnect), and stored widget colours brought under the new rule: a
 * colour that is not `#rgb`/`#rrggbb` (a word such as "greenish" made the
 * live widget's buttons invisible) becomes "" (inherit the website's), so a
 * widget saved before the rule still renders and can be saved again.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { COLOR_PATTERN } from '@cw/protocol';

const COLOR = new RegExp(COLOR_PATTERN);

export function ux(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('picture', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('chats').addColumn('visitor_context', 'text', (c) => c.notNull().defaultTo('')).execute();
      const rows = (await sql<{ uuid: string; body: string }>`SELECT uuid, body FROM widgets`.execute(db)).rows;
      for (const row of rows) {
        let body: { appearance?: { colors?: Record<string, unknown> } };
        try {
          body = JSON.parse(row.body) as typeof body;
        } catch {
          continue;
        }
        const colors = body.appearance?.colors;
        if (!colors) continue;
        let changed = false;
        for (const [k, v] of Object.entries(colors)) {
          if (typeof v === 'string' && COLOR.test(v)) continue;
          colors[k] = '';
          changed = true;
        }
        if (changed) await sql`UPDATE widgets SET body = ${JSON.stringify(body)} WHERE uuid = ${row.uuid}`.execute(db);
      }
    },
  };
}
