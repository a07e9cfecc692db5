import { describe, expect, it } from 'vitest';
import { combinePresence, readDialogInfo, readPidf, readRegInfo } from '../src/presence-bodies.js';

describe('presence bodies', () => {
  it('reads PIDF basic status and RPID activities or notes, whatever the prefixes', () => {
    expect(readPidf('<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="a"><status><basic>open</basic></status></tuple></presence>')).toEqual({ basic: 'open' });
    expect(
      readPidf(
        '<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"><p:tuple id="a"><p:status><p:basic>open</p:basic></p:status></p:tuple><dm:person id="x"><r:activities><r:away/></r:activities></dm:person></p:presence>',
      ),
    ).toEqual({ basic: 'open', activity: 'away' });
    expect(readPidf('<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="a"><status><basic>open</basic></status><note>On the phone</note></tuple></presence>')?.activity).toBe('busy');
    expect(readPidf('<presence xmlns="urn:ietf:params:xml:ns:pidf"><note>DND</note><tuple id="a"><status><basic>closed</basic></status></tuple></presence>')).toEqual({ basic: 'closed', activity: 'away' });
    expect(readPidf('<not-pidf/>')).toBeUndefined();
    expect(readPidf('<<<garbage')).toBeUndefined();
  });

  it('reads dialog-info: confirmed or dialling out is busy, ringing in is not, terminated ends', () => {
    const d = (state: string, dir = 'initiator') => `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:a@b"><dialog id="d1" direction="${dir}"><state>${state}</state></dialog></dialog-info>`;
    expect(readDialogInfo(d('confirmed'))?.dialogs.get('d1')).toBe(true);
    expect(readDialogInfo(d('early'))?.dialogs.get('d1')).toBe(true);
    expect(readDialogInfo(d('early', 'recipient'))?.dialogs.get('d1')).toBe(false);
    expect(readDialogInfo(d('terminated'))?.dialogs.get('d1')).toBe(false);
    expect(readDialogInfo('<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="partial" entity="sip:a@b"/>')).toEqual({ full: false, dialogs: new Map() });
  });

  it('reads reginfo', () => {
    const r = (reg: string, contact: string) => `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full"><registration aor="sip:a@b" id="1" state="${reg}"><contact id="c" state="${contact}"><uri>sip:a@1.2.3.4</uri></contact></registration></reginfo>`;
    expect(readRegInfo(r('active', 'active'))).toBe(true);
    expect(readRegInfo(r('active', 'terminated'))).toBe(false);
    expect(readRegInfo(r('terminated', 'terminated'))).toBe(false);
    expect(readRegInfo('<presence/>')).toBeUndefined();
  });

  it('combines them as spec 9 says', () => {
    expect(combinePresence({})).toBe('offline');
    expect(combinePresence({ registered: true })).toBe('online');
    expect(combinePresence({ registered: false, pidf: { basic: 'open' } })).toBe('offline');
    expect(combinePresence({ registered: true, busy: true, pidf: { basic: 'open', activity: 'away' } })).toBe('busy');
    expect(combinePresence({ registered: true, pidf: { basic: 'open', activity: 'away' } })).toBe('away');
    expect(combinePresence({ registered: true, pidf: { basic: 'closed' } })).toBe('offline');
    expect(combinePresence({ busy: false })).toBe('online');
  });
});
