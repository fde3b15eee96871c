/**
 * Writes an upload into R2 as it streams, holding at most one part in memory. R2 wants the length of
 * a streamed `put` up front, which a multipart form does not give; so a file that fits in one part is
 * put whole at the end, and a larger one goes up as a multipart upload of equal 5 MiB parts (R2's
 * minimum, and it requires all but the last to be the same size). Nothing is visible under the key
 * until `close()` succeeds; `abort()` leaves nothing behind.
 */
export const PART_BYTES = 5 * 1024 * 1024;

export type ObjectWriter = {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
};

export function createObjectWriter(
  bucket: R2Bucket,
  key: string,
  options: R2PutOptions & R2MultipartOptions,
): ObjectWriter {
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];

  const take = (bytes: number): Uint8Array => {
    const out = new Uint8Array(bytes);
    let filled = 0;
    while (filled < bytes) {
      const head = pending[0] as Uint8Array;
      const wanted = Math.min(head.length, bytes - filled);
      out.set(head.subarray(0, wanted), filled);
      filled += wanted;
      if (wanted === head.length) pending.shift();
      else pending[0] = head.subarray(wanted);
    }
    pendingBytes -= bytes;
    return out;
  };

  const uploadPart = async (bytes: Uint8Array) => {
    upload ??= await bucket.createMultipartUpload(key, options);
    parts.push(await upload.uploadPart(parts.length + 1, bytes));
  };

  return {
    async write(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes > PART_BYTES) await uploadPart(take(PART_BYTES));
    },
    async close() {
      const rest = take(pendingBytes);
      if (!upload) {
        await bucket.put(key, rest, options);
        return;
      }
      if (rest.length > 0) await uploadPart(rest);
      await upload.complete(parts);
    },
    async abort() {
      pending.length = 0;
      pendingBytes = 0;
      await upload?.abort().catch(() => undefined);
    },
  };
}
