// A multipart/form-data request body (PostObject, the browser form upload) read through the one body reader: the
// reader paces the socket, fires faults, counts the bytes in flight and watches the client exactly as for any other
// body, and hands each batch to a streaming multipart parser (@fastify/busboy) as it passes. The form fields before
// the file are kept; the file's bytes go straight on into a staged body, hashed on the way (MD5, CRC-64), so nothing
// is buffered whole and nothing is read twice. The staged body is sealed only when the whole request ended cleanly;
// on any failure it is discarded.
import { Busboy, type BusboyFileStream, type BusboyInstance } from '@fastify/busboy';
import { createHash } from 'node:crypto';
import { createCrc64, type Crc64Hasher } from '../../protocol/crc64.js';
import { OssError } from '../../protocol/errors.js';
import type { Exchange } from '../exchange/exchange.js';
import type { BodyDigest, StagedBody } from '../storage/store.js';
import { pumpBody, type BodyConsumer } from './body-reader.js';
import type { IngestHooks } from './hooks.js';

/**
 * ECs of a malformed form, as OSS documents them at https://help.aliyun.com/en/oss/user-guide/<EC>: 0006-00000103
 * (a field after the file field), 0006-00000104 (a form OSS cannot parse, or cut short), 0006-00000107 (no file
 * field), 0006-00000112 (more than 8 MB of fields before the file).
 */
export const FORM_EC = {
  fieldAfterFile: '0006-00000103',
  malformed: '0006-00000104',
  fileMissing: '0006-00000107',
  fieldsTooLarge: '0006-00000112',
} as const;

/** The most bytes of form fields before the file field (https://www.alibabacloud.com/help/en/oss/user-guide/0006-00000112). */
export const MAX_FORM_FIELD_BYTES = 8 * 1024 * 1024;

/** The file part as its part headers describe it. */
export interface FormFileInfo {
  /** the part's filename parameter ('' when it has none: a text field named `file`) */
  filename: string;
  /** the part's Content-Type */
  contentType: string;
}

/** Where the file's bytes go, decided by the caller once the fields before the file are known. */
export interface FormFileTarget {
  sink: StagedBody;
  /** the file may not be larger: `tooLarge` is thrown as soon as it is, before the rest is read */
  maxSize: number;
  tooLarge: () => OssError;
}

export interface FormReadOptions {
  /**
   * Called once, when the file part begins, with every field before it (lowercase names; values as the bytes that
   * arrived, one character per byte). Validates the form (throw the OssError to answer) and says where the file goes.
   */
  onFile(fields: ReadonlyMap<string, string>, file: FormFileInfo): Promise<FormFileTarget>;
  /** the whole request body may not be larger (400 EntityTooLarge) */
  maxBodySize: number;
}

export interface FormResult {
  fields: ReadonlyMap<string, string>;
  file: FormFileInfo;
  /** of the file's bytes; the target's sink is sealed with it */
  digest: BodyDigest;
  sink: StagedBody;
}

function malformed(
  ec: string,
  message = 'The body of your POST request is not well-formed multipart/form-data.',
): OssError {
  return new OssError('MalformedPOSTRequest', { message, ec });
}

/** Streams one form through busboy; implements the body reader's consumer side. */
class FormConsumer implements BodyConsumer<FormResult> {
  private readonly parser: BusboyInstance;
  private readonly fields = new Map<string, string>();
  private fieldBytes = 0;
  private file: FormFileInfo | undefined;
  private fileStream: BusboyFileStream | undefined;
  /** settles once the file's bytes are all in the target (or failed) */
  private fileDone: Promise<{ digest: BodyDigest; sink: StagedBody }> | undefined;
  private target: FormFileTarget | undefined;
  private failure: unknown;
  private rejectFailed!: (err: unknown) => void;
  /** rejects with the first failure, so a wait on the parser never outlives it */
  private readonly failed = new Promise<never>((_, reject) => {
    this.rejectFailed = reject;
  });
  private readonly finished: Promise<void>;

  constructor(
    contentType: string,
    private readonly o: FormReadOptions,
  ) {
    this.failed.catch(() => undefined);
    this.parser = Busboy({
      headers: { 'content-type': contentType },
      // one character per byte, as header values arrive: user metadata keeps its bytes, the key is decoded as UTF-8
      defCharset: 'latin1',
      // the field named `file` is the file, whatever its part headers say (a text `file` field is allowed)
      isPartAFile: (name) => name?.toLowerCase() === 'file',
      fileHwm: 1024 * 1024,
      limits: { fieldSize: MAX_FORM_FIELD_BYTES + 1, fieldNameSize: 1024 },
    });
    this.finished = new Promise<void>((resolve) => this.parser.once('finish', () => resolve()));
    this.parser.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (this.file !== undefined) return this.fail(malformed(FORM_EC.fieldAfterFile));
      this.fieldBytes += Buffer.byteLength(name) + value.length;
      if (valueTruncated || this.fieldBytes > MAX_FORM_FIELD_BYTES) {
        return this.fail(
          malformed(FORM_EC.fieldsTooLarge, 'Your POST request fields preceding the upload file were too large.'),
        );
      }
      const key = name.toLowerCase();
      if (!this.fields.has(key)) this.fields.set(key, value);
    });
    this.parser.on(
      'file',
      (_name: string, stream: BusboyFileStream, filename: string | undefined, _enc, mime: string) => {
        if (this.file !== undefined) {
          stream.resume();
          return this.fail(malformed(FORM_EC.fieldAfterFile));
        }
        this.file = { filename: filename ?? '', contentType: mime };
        this.fileStream = stream;
        this.fileDone = this.receiveFile(stream, this.file);
        this.fileDone.catch((err: unknown) => this.fail(err));
      },
    );
    this.parser.on('error', () => this.fail(malformed(FORM_EC.malformed)));
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.rejectFailed(err);
  }

  private async receiveFile(stream: BusboyFileStream, info: FormFileInfo) {
    const target = await this.o.onFile(this.fields, info);
    this.target = target;
    // the request may have failed while the target was being prepared: discard() ran before there was a sink
    if (this.failure !== undefined) {
      await target.sink.discard();
      throw this.failure;
    }
    const md5 = createHash('md5');
    const crc: Crc64Hasher = await createCrc64();
    let size = 0;
    for await (const data of stream) {
      const chunk = data as Buffer;
      size += chunk.length;
      if (size > target.maxSize) throw target.tooLarge();
      md5.update(chunk);
      crc.update(chunk);
      await target.sink.write(chunk);
    }
    return { digest: { size, md5: md5.digest(), crc64: crc.digest() }, sink: target.sink };
  }

  private writeChunk(chunk: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.parser.write(chunk, (err) => (err ? reject(err) : resolve())));
  }

  async write(chunks: readonly Buffer[]): Promise<void> {
    for (const chunk of chunks) {
      if (this.failure !== undefined) throw this.failure;
      await Promise.race([this.writeChunk(chunk), this.failed]);
    }
    if (this.failure !== undefined) throw this.failure;
  }

  async end(): Promise<FormResult> {
    if (this.failure !== undefined) throw this.failure;
    this.parser.end();
    await Promise.race([this.finished, this.failed]);
    if (this.file === undefined || this.fileDone === undefined) {
      throw malformed(FORM_EC.fileMissing, 'The file field is missing: a PostObject form must end with a file field.');
    }
    const { digest, sink } = await Promise.race([this.fileDone, this.failed]);
    if (this.failure !== undefined) throw this.failure;
    await sink.seal(digest);
    return { fields: this.fields, file: this.file, digest, sink };
  }

  async discard(): Promise<void> {
    this.fail(new Error('form discarded'));
    this.fileStream?.destroy();
    this.parser.removeAllListeners('file');
    await this.target?.sink.discard();
  }
}

/** multipart/form-data with a boundary; anything else is not a form OSS reads. */
export function isFormContentType(contentType: string | undefined): contentType is string {
  return contentType !== undefined && /^multipart\/form-data\s*;(.*;)?\s*boundary=/i.test(contentType.trim());
}

/**
 * Reads a PostObject form through the one body reader. Throws OssError (MalformedPOSTRequest with the EC of the
 * cause, EntityTooLarge, whatever onFile or the target throws), BodyAbortedError or FaultFiredError like
 * receiveBody. On success the file's staged body is sealed and returned; on failure it is discarded.
 */
export function receiveForm(
  ex: Exchange,
  hooks: IngestHooks,
  contentType: string,
  o: FormReadOptions,
): Promise<FormResult> {
  return pumpBody(ex, hooks, new FormConsumer(contentType, o), {
    maxSize: o.maxBodySize,
    tooLarge: () => new OssError('EntityTooLarge'),
  });
}
