/** Framework-free client pieces shared by the widget and the agent console. */
export * from './reconnect.js';
export * from './socket.js';
export * from './ice-gathering.js';
export * from './fetch-json.js';
export * from './transcript.js';
export * from './unsent.js';
export * from './stored.js';
export * from './media-error.js';
export * from './call-media.js';
export * from './devices.js';
export * from './typing.js';
export * from './app-language.js';
export * from './timer.js';
export * from './links.js';
