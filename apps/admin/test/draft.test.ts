import { describe, expect, it } from 'vitest';
import type { Widget } from '@cw/protocol';
import { validate, WidgetInput } from '@cw/protocol/api';
import { agentErrorPath, emptyAgent, errorAt, humanError, originLines, remainingErrors, sameDraft, toBody, toDraft, validateDraft, valueAt } from '../src/widget/draft.js';
import { pickerValue } from '../src/widget/color-field.js';
import { cspLines, scriptOrigin } from '../src/widget/code-dialog.js';

const stored: Widget = {
  uuid: 'u1',
  type: 'sidebar',
  name: 'Sales',
  notes: 'shop',
  lang: 'de',
  contact: { company: 'Example Ltd', address: '', phone: '', email: '' },
  appearance: { position: 'left', alwaysShow: true, fontFamily: '', fontSize: '', colors: { primary: '#0a7d5c', background: '', text: '' }, margin: { top: 0, right: 8 }, zIndex: 1000 },
  allowedOrigins: ['https://shop.example.com', 'https://*.example.org'],
  agents: [{ sipId: 'ann', displayName: '', department: '', phone: '', email: '', picture: '', media: ['voice', 'chat'], availability: 'boolean', flag: 'f1', link: '', address: '' }],
  createdAt: 1,
  updatedAt: 2,
};

describe('widget draft', () => {
  it('round-trips a stored widget into a body the API schema accepts', () => {
    const body = toBody(toDraft(stored));
    expect(validate(WidgetInput, body)).toMatchObject({ ok: true });
    expect(body.appearance).toEqual({ position: 'left', alwaysShow: true, fontFamily: '', fontSize: '', colors: { primary: '#0a7d5c', background: '', text: '' }, margin: { top: 0, right: 8 }, zIndex: 1000 });
    expect(body.allowedOrigins).toEqual(stored.allowedOrigins);
    expect(body.agents[0]).toMatchObject({ sipId: 'ann', media: ['voice', 'chat'], availability: 'boolean', flag: 'f1' });
  });

  it('leaves empty appearance values out or empty, so they inherit', () => {
    const d = toDraft({ ...stored, appearance: {} });
    const body = toBody(d);
    expect(body.appearance.margin).toEqual({});
    expect('zIndex' in body.appearance).toBe(false);
    expect(body.appearance.colors).toEqual({ primary: '', background: '', text: '' });
  });

  it('tells unsaved changes apart from list identity', () => {
    const a = toDraft(stored);
    const b = toDraft(stored);
    expect(sameDraft(a, b)).toBe(true);
    expect(sameDraft(a, { ...b, notes: 'other' })).toBe(false);
    expect(sameDraft(a, { ...b, agents: [...b.agents, emptyAgent()] })).toBe(false);
  });

  it("keeps an agent's own card address (issue 15), trimmed; empty when none", () => {
    const d = toDraft(stored);
    expect(d.agents[0]!.address).toBe('');
    d.agents[0] = { ...d.agents[0]!, address: '  2 Quay St\nHarbourtown  ' };
    const body = toBody(d);
    expect(body.agents[0]!.address).toBe('2 Quay St\nHarbourtown');
    expect(validate(WidgetInput, body)).toMatchObject({ ok: true });
    expect(toDraft({ ...stored, agents: [{ ...stored.agents[0]!, address: undefined }] }).agents[0]!.address).toBe('');
  });

  it('keeps media in canonical order and drops the flag unless availability is a flag', () => {
    const d = toDraft(stored);
    d.agents[0] = { ...d.agents[0]!, media: ['email', 'voice'], availability: 'always' };
    expect(toBody(d).agents[0]).toMatchObject({ media: ['voice', 'email'], flag: null });
  });

  it('validates origins per line, colours, margins and agents with the server field paths', () => {
    const d = toDraft(stored);
    d.originsText = 'https://ok.example.com\nnot an origin\nhttps://ok.example.com/';
    d.appearance.colors.text = 'red;}';
    d.appearance.margin.left = '-3';
    d.agents[0] = { ...d.agents[0]!, flag: null };
    const e = validateDraft(d);
    expect(Object.keys(e).sort()).toEqual(['agents[0].flag', 'allowedOrigins[1]', 'allowedOrigins[2]', 'appearance.colors.text', 'appearance.margin.left']);
    expect(e['allowedOrigins[1]']).toContain('Line 2');
    expect(errorAt(e, 'allowedOrigins')).toContain('Line 2');
    expect(originLines(' https://a.example.com/ \n\n')).toEqual(['https://a.example.com']);
  });

  it('maps server error fields to agents', () => {
    expect(agentErrorPath('agents[3].media[1]')).toEqual({ index: 3, rest: 'media[1]' });
    expect(agentErrorPath('agents[0]')).toEqual({ index: 0, rest: '' });
    expect(agentErrorPath('name')).toBeNull();
  });

  it('keeps only the errors that still stand after an edit', () => {
    const before = toDraft(stored);
    expect(valueAt(toBody(before), 'agents[0].media[1]')).toBe('chat');
    expect(valueAt(toBody(before), 'appearance.colors.primary')).toBe('#0a7d5c');
    const errs = { name: 'The name is taken', 'appearance.zIndex': 'server says no', 'allowedOrigins[0]': 'Line 1 bad' };
    const after = { ...before, name: 'Other', originsText: 'https://fixed.example.com' };
    // name changed: its server error goes; zIndex unchanged: stays; the origin now passes: goes.
    expect(remainingErrors(errs, before, after)).toEqual({ 'appearance.zIndex': 'server says no' });
    const bad = { ...before, originsText: 'nope' };
    expect(Object.keys(remainingErrors({ 'allowedOrigins[0]': 'old' }, before, bad))).toEqual(['allowedOrigins[0]']);
  });

  it('words server messages for the field they name', () => {
    expect(humanError('agents[0].flag', 'agents[0].flag names no existing flag')).toBe('The flag names no existing flag');
    expect(humanError('name', 'name must be at most 200 characters')).toBe('The name must be at most 200 characters');
    expect(humanError('allowedOrigins[2]', 'allowedOrigins[2] must be an origin')).toBe('This origin must be an origin');
    expect(humanError('agents[1].media[0]', 'agents[1].media[0] must be one of "voice"')).toBe('Reachable by must be one of "voice"');
    expect(humanError('x', 'something else')).toBe('something else');
  });
});

describe('code popup helpers', () => {
  it('derives the CSP entries from the embed code', () => {
    const html = '<script src="https://cw.example.com/widget.js" async></script><contact-widget uuid="x"></contact-widget>';
    expect(scriptOrigin(html, 'http://fallback')).toBe('https://cw.example.com');
    expect(cspLines('https://cw.example.com')).toBe('connect-src wss://cw.example.com\nscript-src https://cw.example.com\nimg-src data:\nmedia-src blob:');
    expect(cspLines('http://127.0.0.1:8080').split('\n')[0]).toBe('connect-src ws://127.0.0.1:8080');
  });

  it('gives the colour picker a #rrggbb value', () => {
    expect(pickerValue('#abc')).toBe('#aabbcc');
    expect(pickerValue('#0A7D5C')).toBe('#0a7d5c');
    expect(pickerValue('')).toBe('#808080');
  });
});
