/**
 * TikTok's `FILE_UPLOAD` chunk rules (Media Transfer Guide), in bytes with MB = 1024 × 1024:
 * - a video under 5 MB goes whole, `chunk_size` = `video_size`;
 * - otherwise every chunk is 5–64 MB, and a video over 64 MB must be split;
 * - `total_chunk_count` = floor(`video_size` / `chunk_size`), so the final chunk also carries the remainder
 *   (it may be larger than `chunk_size`, up to 128 MB);
 * - 1 to 1000 chunks, uploaded in order.
 */
export const MB = 1024 * 1024;
export const MIN_CHUNK_BYTES = 5 * MB;
export const MAX_CHUNK_BYTES = 64 * MB;
export const MAX_FINAL_CHUNK_BYTES = 128 * MB;
export const MAX_CHUNK_COUNT = 1000;
/** A chunk size that keeps memory modest and a failed chunk cheap to resend. */
export const DEFAULT_CHUNK_BYTES = 10 * MB;

export interface ChunkPlan {
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
}

/** The `source_info` numbers for a video of `videoSize` bytes, using `preferredChunkSize` where the rules allow. */
export function planChunks(videoSize: number, preferredChunkSize: number = DEFAULT_CHUNK_BYTES): ChunkPlan {
  if (!Number.isSafeInteger(videoSize) || videoSize <= 0) throw new RangeError('video size must be a positive integer');
  if (videoSize < MIN_CHUNK_BYTES) return { videoSize, chunkSize: videoSize, totalChunkCount: 1 };
  let chunkSize = Math.min(Math.max(Math.floor(preferredChunkSize), MIN_CHUNK_BYTES), MAX_CHUNK_BYTES);
  if (videoSize <= chunkSize) return { videoSize, chunkSize: videoSize, totalChunkCount: 1 };
  if (Math.floor(videoSize / chunkSize) > MAX_CHUNK_COUNT) chunkSize = Math.ceil(videoSize / MAX_CHUNK_COUNT);
  if (chunkSize > MAX_CHUNK_BYTES) throw new RangeError('video is too large to upload in 1000 chunks of at most 64 MB');
  return { videoSize, chunkSize, totalChunkCount: Math.floor(videoSize / chunkSize) };
}

/** Byte range `[start, end)` of chunk `index`; the final chunk runs to the end of the video. */
export function chunkRange(plan: ChunkPlan, index: number): { start: number; end: number } {
  const start = index * plan.chunkSize;
  const end = index === plan.totalChunkCount - 1 ? plan.videoSize : start + plan.chunkSize;
  return { start, end };
}
