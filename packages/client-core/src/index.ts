/** Framework-free client pieces shared by the widget and the agent console. */
export * from './reconnect.js';
export * from './socket.js';
export * from './ice-gathering.js';
export * from './fetch-json.js';
