/** @cw/sip-connector — the product's link to a SIP phone system (ADR 0005). */
export * from './types.js';
export { SipConnector, type SipConnectorOptions, type IncomingSipMessage, type SendResult, type ConnectorStatus } from './connector.js';
export { SipCall, type SipCallOptions, type SipCallState } from './call.js';
export { parsePeerAddress, targetUri, domainUri, isSipDomain, type PeerAddress } from './address.js';
export { causeForStatus } from './outcome.js';
export { combinePresence, readPidf, readDialogInfo, readRegInfo } from './presence-bodies.js';
export type { TransportOptions } from './transports/index.js';
