import { describe, expect, it } from 'vitest';
import { createAppLanguage } from '../src/app-language.js';

describe('createAppLanguage().parts', () => {
  const language = createAppLanguage({
    storageKey: 'test.lang',
    en: { 'Chat with {name} about {topic}': 'Chat with {name} about {topic}', 'No placeholders': 'No placeholders' },
    load: async () => ({ 'Chat with {name} about {topic}': '{topic}: Chat mit {name}' }),
  });
  const name = { element: 'bdi', text: 'Ana' };

  it('splits a text around its placeholders and puts the parts in, in the order of the translation', async () => {
    expect(language.parts('Chat with {name} about {topic}', { name, topic: 'plants' })).toEqual(['Chat with ', name, ' about ', 'plants']);
    await language.use('de');
    expect(language.parts('Chat with {name} about {topic}', { name, topic: 'plants' })).toEqual(['plants', ': Chat mit ', name]);
  });

  it('leaves a placeholder without a part as written, and a text without placeholders whole', () => {
    expect(language.parts('Chat with {name} about {topic}', { name })).toEqual(['{topic}', ': Chat mit ', name]);
    expect(language.parts('No placeholders', {})).toEqual(['No placeholders']);
  });
});
