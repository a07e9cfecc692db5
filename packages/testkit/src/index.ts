/** Test helpers shared by unit, protocol and end-to-end tests. */
export * from './services.js';
export * from './ws-client.js';
export * from './browser.js';
export * from './server.js';
export * from './sip/index.js';
export * from './infra.js';
export * from './cluster.js';
export * from './smtp.js';
export * from './tied.js';
