import { describe, expect, it } from 'vitest';
import { controlAccess, isLoopbackAddress } from './access.js';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1'])(
    '%s is loopback',
    (a) => expect(isLoopbackAddress(a)).toBe(true),
  );
  it.each([undefined, '', '10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'fe80::1', 'localhost', '127.0.0.1.evil'])(
    '%s is not',
    (a) => expect(isLoopbackAddress(a)).toBe(false),
  );
});

describe('controlAccess', () => {
  it('without a token: loopback only (403 otherwise)', () => {
    expect(controlAccess({ peer: '127.0.0.1', authorization: undefined }, undefined)).toEqual({ allowed: true });
    expect(controlAccess({ peer: '192.168.1.5', authorization: undefined }, undefined)).toMatchObject({
      allowed: false,
      status: 403,
    });
  });

  it('with a token: the bearer token from any peer, 401 otherwise', () => {
    expect(controlAccess({ peer: '192.168.1.5', authorization: 'Bearer s3cret' }, 's3cret')).toEqual({
      allowed: true,
    });
    // the web console's session cookie stands for the token; without a token configured there is no session
    expect(controlAccess({ peer: '192.168.1.5', authorization: undefined, consoleSession: true }, 's3cret')).toEqual({
      allowed: true,
    });
    expect(
      controlAccess({ peer: '192.168.1.5', authorization: undefined, consoleSession: true }, undefined),
    ).toMatchObject({ allowed: false, status: 403 });
    for (const authorization of [undefined, 'Bearer wrong', 's3cret', 'Basic s3cret']) {
      expect(controlAccess({ peer: '127.0.0.1', authorization }, 's3cret')).toMatchObject({ status: 401 });
    }
  });
});
