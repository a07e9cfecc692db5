// Issue 15: the agent search and the available-first order of a long list.
import { describe, expect, it } from 'vitest';
import type { InfoMsg } from '@cw/protocol';
import { availableFirst, findAgents } from '../src/model.js';

const agent = (id: string, dn: string, department: string, presence: InfoMsg['presence']): InfoMsg => ({
  mt: 'Info', id, dn, department, phonenumber: '', email: '', company: {}, presence, media: ['chat'], order: 0,
});
const list = [
  agent('a', 'Zoë Lindqvist', 'Returns', 'offline'),
  agent('b', 'Bob Builder', 'Sales', 'busy'),
  agent('c', 'Carla Agent', 'Sales', 'online'),
  agent('d', 'Dan Lind', 'Support', 'offline'),
  agent('e', 'Eve Online', 'Support', 'online'),
];

describe('agent list', () => {
  it('puts the available first, then busy, then the rest, keeping the order within each', () => {
    expect(availableFirst(list).map((a) => a.id)).toEqual(['c', 'e', 'b', 'a', 'd']);
  });

  it('finds by name and department, ignoring case and accents; every word must match', () => {
    expect(findAgents(list, 'zoe').map((a) => a.id)).toEqual(['a']);
    expect(findAgents(list, 'LIND').map((a) => a.id)).toEqual(['a', 'd']);
    expect(findAgents(list, 'sales').map((a) => a.id)).toEqual(['c', 'b']);
    expect(findAgents(list, 'lind support').map((a) => a.id)).toEqual(['d']);
    expect(findAgents(list, '  ').map((a) => a.id)).toEqual(['c', 'e', 'b', 'a', 'd']);
    expect(findAgents(list, 'xyzzy')).toEqual([]);
  });
});
