// What a call that must fail rejected with: the test fails if it resolved. The default shape is an ali-oss error
// (code, HTTP status, message), which its OSS errors carry.

export interface AliOssError {
  code?: string;
  status: number;
  message: string;
  name?: string;
}

export async function rejection<E = AliOssError>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected a rejection');
}
