// Who may sign requests (docs/protocol.md#identities): the default key pair, more permanent pairs (`--credential`),
// STS temporary credentials (`--sts`, or minted at run time through the control API), and what each may do
// (`--permission`). An STS request carries its token in `x-oss-security-token` (header, or query of a V4 presigned
// URL) or `security-token` (V1 presigned URL); OSS reads the token before it can check the signature, so a missing,
// wrong or expired token is refused whatever the signature says (docs/protocol.md#sts).
import { randomBytes } from 'node:crypto';
import { CAUSE_EC, OssError } from '../../protocol/errors.js';
import type { Credentials } from '../../protocol/signing.js';
import { OPERATIONS, type OperationName } from '../exchange/exchange.js';
import {
  ACCESS_LEVELS,
  type AccessLevel,
  type CredentialPair,
  type Permissions,
  type StsCredential,
} from '../exchange/identity.js';

export interface Identity extends CredentialPair {
  kind: 'permanent' | 'sts';
  securityToken?: string;
  expiration?: Date;
  permissions: Permissions;
  /** minted through the control API (dropped by reset) rather than configured */
  minted: boolean;
}

/** An identity as the control API lists it: never the secret or the token. */
export interface IdentityInfo {
  accessKeyId: string;
  kind: 'permanent' | 'sts';
  /** ISO time; null: never expires */
  expiration: string | null;
  expired: boolean;
  permissions: Permissions;
}

/** What POST /_mock/sts answers, named as STS AssumeRole names its Credentials. */
export interface MintedSts {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** ISO time */
  expiration: string;
}

export interface MintStsOptions {
  /** lifetime from now in seconds (default 3600, as STS AssumeRole) */
  durationSeconds?: number;
  /** an absolute expiry instead of durationSeconds (may lie in the past: an already expired credential) */
  expiration?: Date;
  permissions?: Permissions;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}

export interface IdentityConfig extends CredentialPair {
  credentials?: readonly CredentialPair[];
  sts?: readonly StsCredential[];
  /** by access key id; identities not named here have full access */
  permissions?: Readonly<Record<string, Permissions>>;
}

/** Bad identity configuration (a duplicate access key id, permissions for an unknown one, a malformed value). */
export class IdentityConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityConfigError';
  }
}

export const DEFAULT_STS_DURATION_S = 3600;
/** STS AssumeRole allows up to 12 hours; the mock allows a week, for long-running local setups */
export const MAX_STS_DURATION_S = 7 * 24 * 3600;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

/** Shapes like STS's own: `STS.` + 25 characters, a 44-character secret, a long base64 token starting `CAIS`. */
function newStsTriple(): { accessKeyId: string; accessKeySecret: string; securityToken: string } {
  return {
    accessKeyId: `STS.${randomAlnum(25)}`,
    accessKeySecret: randomAlnum(44),
    securityToken: `CAIS${randomBytes(192).toString('base64')}`,
  };
}

/** Throws IdentityConfigError unless `p` is a well-formed Permissions value (JSON from the control API too). */
export function validatePermissions(p: unknown, where: string): Permissions {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new IdentityConfigError(`${where}: permissions must be an object { access?, buckets? }`);
  }
  const { access, buckets, ...rest } = p as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new IdentityConfigError(`${where}: unknown permissions field "${unknown}"`);
  const out: Permissions = {};
  if (access !== undefined) {
    if (typeof access === 'string') {
      if (!ACCESS_LEVELS.includes(access as AccessLevel)) {
        throw new IdentityConfigError(`${where}: access "${access}" is not one of ${ACCESS_LEVELS.join(', ')}`);
      }
      out.access = access as AccessLevel;
    } else if (Array.isArray(access)) {
      const bad = access.find((a) => typeof a !== 'string' || !(OPERATIONS as readonly string[]).includes(a));
      if (bad !== undefined) throw new IdentityConfigError(`${where}: "${String(bad)}" is not an OSS operation name`);
      out.access = Object.freeze([...(access as OperationName[])]);
    } else {
      throw new IdentityConfigError(`${where}: access must be a level or a list of operation names`);
    }
  }
  if (buckets !== undefined) {
    if (!Array.isArray(buckets) || buckets.some((b) => typeof b !== 'string' || b === '')) {
      throw new IdentityConfigError(`${where}: buckets must be a list of bucket names or patterns`);
    }
    out.buckets = Object.freeze([...(buckets as string[])]);
  }
  return Object.freeze(out);
}

function checkPair(p: CredentialPair, where: string): void {
  if (typeof p.accessKeyId !== 'string' || p.accessKeyId === '' || /[\s:/]/.test(p.accessKeyId)) {
    throw new IdentityConfigError(`${where}: the access key id must be non-empty, without spaces, ':' or '/'`);
  }
  if (typeof p.accessKeySecret !== 'string' || p.accessKeySecret === '') {
    throw new IdentityConfigError(`${where}: the access key secret must be non-empty`);
  }
}

export class IdentityRegistry {
  private readonly byId = new Map<string, Identity>();
  /** STS token -> its access key id, to tell a token of another credential from a made-up one */
  private readonly byToken = new Map<string, string>();

  constructor(
    config: IdentityConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    const permissions = config.permissions ?? {};
    const permanent = (c: CredentialPair): Identity => ({
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      kind: 'permanent',
      minted: false,
      permissions: {},
    });
    this.add(permanent(config), 'the default credential');
    for (const c of config.credentials ?? []) this.add(permanent(c), 'credential');
    for (const s of config.sts ?? []) {
      const identity: Identity = { ...permanent(s), kind: 'sts', securityToken: s.securityToken };
      if (s.expiration !== undefined) identity.expiration = s.expiration;
      this.add(identity, 'sts credential');
    }
    for (const [id, p] of Object.entries(permissions)) {
      const identity = this.byId.get(id);
      if (identity === undefined) throw new IdentityConfigError(`permissions for "${id}": no such access key id`);
      identity.permissions = validatePermissions(p, `permissions for "${id}"`);
    }
  }

  /**
   * The identity that signed with `accessKeyId`, checked against the request's STS token (absent: no token sent).
   * Throws what OSS answers: InvalidAccessKeyId for an unknown key, for an STS key without its token (EC
   * 0002-00000003) and for a token sent with a key STS did not issue (EC 0002-00000002); AccessKeyIdAndSecurityTokenNotMatch for another STS
   * credential's token; InvalidSecurityToken for any other token; SecurityTokenExpired once the credential expired.
   */
  resolve(accessKeyId: string, token: string | undefined, now: Date = this.now()): Identity {
    const identity = this.byId.get(accessKeyId);
    if (token === undefined) {
      if (identity === undefined || identity.kind === 'sts') {
        throw new OssError('InvalidAccessKeyId', {
          ...(identity === undefined ? {} : { ec: CAUSE_EC.stsTokenMissing }),
          extra: { OSSAccessKeyId: accessKeyId },
        });
      }
      return identity;
    }
    if (identity?.kind !== 'sts') {
      throw new OssError('InvalidAccessKeyId', {
        ec: CAUSE_EC.stsAccessKeyUnknown,
        extra: { OSSAccessKeyId: accessKeyId },
      });
    }
    if (token !== identity.securityToken) {
      throw new OssError(this.byToken.has(token) ? 'AccessKeyIdAndSecurityTokenNotMatch' : 'InvalidSecurityToken', {
        extra: { OSSAccessKeyId: accessKeyId },
      });
    }
    if (identity.expiration !== undefined && now.getTime() >= identity.expiration.getTime()) {
      throw new OssError('SecurityTokenExpired', {
        extra: { OSSAccessKeyId: accessKeyId, Expiration: identity.expiration.toISOString() },
      });
    }
    return identity;
  }

  /** The signing credentials for `accessKeyId` after resolve() accepted it. */
  static credentials(identity: Identity): Credentials {
    return { accessKeyId: identity.accessKeyId, accessKeySecret: identity.accessKeySecret };
  }

  /** A new STS credential, as STS AssumeRole would hand one out (random triple unless given). */
  mintSts(o: MintStsOptions = {}): MintedSts {
    const duration = o.durationSeconds ?? DEFAULT_STS_DURATION_S;
    if (
      o.expiration === undefined &&
      !(Number.isInteger(duration) && duration >= 1 && duration <= MAX_STS_DURATION_S)
    ) {
      throw new IdentityConfigError(`durationSeconds must be an integer from 1 to ${MAX_STS_DURATION_S}`);
    }
    const expiration = o.expiration ?? new Date(this.now().getTime() + duration * 1000);
    const triple = newStsTriple();
    const identity: Identity = {
      accessKeyId: o.accessKeyId ?? triple.accessKeyId,
      accessKeySecret: o.accessKeySecret ?? triple.accessKeySecret,
      securityToken: o.securityToken ?? triple.securityToken,
      expiration,
      kind: 'sts',
      minted: true,
      permissions: o.permissions === undefined ? {} : validatePermissions(o.permissions, 'permissions'),
    };
    this.add(identity, 'sts credential');
    return {
      accessKeyId: identity.accessKeyId,
      accessKeySecret: identity.accessKeySecret,
      securityToken: identity.securityToken!,
      expiration: expiration.toISOString(),
    };
  }

  /** Makes an STS credential expire now (or at `at`). Returns undefined for an unknown or permanent key. */
  expire(accessKeyId: string, at: Date = this.now()): IdentityInfo | undefined {
    const identity = this.byId.get(accessKeyId);
    if (identity?.kind !== 'sts') return undefined;
    identity.expiration = at;
    return this.info(identity);
  }

  list(): IdentityInfo[] {
    return [...this.byId.values()].map((i) => this.info(i));
  }

  /** Forgets the STS credentials minted at run time; configured identities stay. */
  dropMinted(): void {
    for (const identity of [...this.byId.values()]) {
      if (!identity.minted) continue;
      this.byId.delete(identity.accessKeyId);
      if (identity.securityToken !== undefined) this.byToken.delete(identity.securityToken);
    }
  }

  private info(i: Identity): IdentityInfo {
    return {
      accessKeyId: i.accessKeyId,
      kind: i.kind,
      expiration: i.expiration?.toISOString() ?? null,
      expired: i.expiration !== undefined && this.now().getTime() >= i.expiration.getTime(),
      permissions: i.permissions,
    };
  }

  private add(identity: Identity, what: string): void {
    checkPair(identity, what);
    const id = identity.accessKeyId;
    if (this.byId.has(id)) throw new IdentityConfigError(`${what} "${id}": that access key id is already in use`);
    if (identity.kind === 'sts') {
      const token = identity.securityToken;
      if (typeof token !== 'string' || token === '' || /\s/.test(token)) {
        throw new IdentityConfigError(`${what} "${id}": the security token must be non-empty, without spaces`);
      }
      if (this.byToken.has(token)) throw new IdentityConfigError(`${what} "${id}": that security token is in use`);
      if (identity.expiration !== undefined && Number.isNaN(identity.expiration.getTime())) {
        throw new IdentityConfigError(`${what} "${id}": invalid expiration`);
      }
      this.byToken.set(token, id);
    }
    this.byId.set(id, identity);
  }
}
