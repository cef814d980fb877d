// What the test provider (provider.mjs) and its users (login.mjs, the tests) share.
export const ACR = 'http://id.elegnamnden.se/loa/1.0/loa3';
export const AMR = ['pwd', 'otp'];
export const PASSWORD = 'test-password';
