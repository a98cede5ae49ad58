// protocol/: pure OSS wire rules shared by the mock server and the client (no I/O).
export * from './addressing.js';
export * from './crc64.js';
export * from './dates.js';
export * from './errors.js';
export * from './etag.js';
export * from './request-id.js';
export * from './signing.js';
export * from './xml.js';
