/** Real SIP parts for tests (the testbed recipes): Kamailio, rtpengine, sipp and baresip phones. */
export * from './process.js';
export * from './kamailio.js';
export * from './baresip.js';
export * from './media.js';
