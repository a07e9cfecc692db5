/** The wire contract of Contact Widgets: messages, schemas, errors, strings. */
export * from './schema.js';
export * from './errors.js';
export * from './model.js';
export * from './messages.js';
export * from './strings.js';
export * from './phone-system.js';
