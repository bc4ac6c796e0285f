/** What the bytes of a file say it is: its real type by magic bytes, and dimensions or duration where readable. */
export interface SniffedMedia {
  kind: 'image' | 'video';
  mimeType: string;
  width?: number;
  height?: number;
  durationSec?: number;
}

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

/**
 * Identifies JPEG, PNG, WebP, GIF, MP4 and QuickTime by their first bytes (never by name or declared type) and reads
 * image dimensions and, for MP4/MOV, the duration and frame size from the `moov` box when it is in `bytes`.
 * Returns `undefined` for anything else (an HTML sign-in page, a PDF, ...).
 */
export function sniffMedia(bytes: Uint8Array): SniffedMedia | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { kind: 'image', mimeType: 'image/jpeg', ...jpegSize(bytes) };
  }
  if (bytes.length >= 24 && ascii(bytes, 1, 3) === 'PNG' && bytes[0] === 0x89) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { kind: 'image', mimeType: 'image/png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') {
    return { kind: 'image', mimeType: 'image/webp', ...webpSize(bytes) };
  }
  if (bytes.length >= 10 && ascii(bytes, 0, 4) === 'GIF8') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { kind: 'image', mimeType: 'image/gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (bytes.length >= 12 && ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    return { kind: 'video', mimeType: brand === 'qt  ' ? 'video/quicktime' : 'video/mp4', ...mp4Info(bytes) };
  }
  return undefined;
}

function jpegSize(bytes: Uint8Array): { width?: number; height?: number } {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return {};
    const marker = bytes[offset + 1] ?? 0;
    const length = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      const height = ((bytes[offset + 5] ?? 0) << 8) | (bytes[offset + 6] ?? 0);
      const width = ((bytes[offset + 7] ?? 0) << 8) | (bytes[offset + 8] ?? 0);
      return { width, height };
    }
    offset += 2 + length;
  }
  return {};
}

function webpSize(bytes: Uint8Array): { width?: number; height?: number } {
  const chunk = ascii(bytes, 12, 4);
  const at = (i: number) => bytes[i] ?? 0;
  if (chunk === 'VP8X' && bytes.length >= 30) {
    return {
      width: 1 + (at(24) | (at(25) << 8) | (at(26) << 16)),
      height: 1 + (at(27) | (at(28) << 8) | (at(29) << 16)),
    };
  }
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { width: (at(26) | (at(27) << 8)) & 0x3fff, height: (at(28) | (at(29) << 8)) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = at(21) | (at(22) << 8) | (at(23) << 16) | (at(24) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return {};
}

/** Walks MP4 boxes for `moov/mvhd` (duration) and the first `trak/tkhd` with a frame size. */
function mp4Info(bytes: Uint8Array): { width?: number; height?: number; durationSec?: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info: { width?: number; height?: number; durationSec?: number } = {};
  const walk = (start: number, end: number) => {
    let offset = start;
    while (offset + 8 <= end) {
      let size = view.getUint32(offset);
      const type = ascii(bytes, offset + 4, 4);
      let header = 8;
      if (size === 1 && offset + 16 <= end) {
        size = Number(view.getBigUint64(offset + 8));
        header = 16;
      } else if (size === 0) {
        size = end - offset;
      }
      if (size < header) return;
      const body = offset + header;
      const boxEnd = Math.min(offset + size, end);
      if (type === 'moov' || type === 'trak') walk(body, boxEnd);
      else if (type === 'mvhd' && body + 32 <= boxEnd) {
        const version = bytes[body] ?? 0;
        const timescale = view.getUint32(body + (version === 1 ? 20 : 12));
        const duration = version === 1 ? Number(view.getBigUint64(body + 24)) : view.getUint32(body + 16);
        if (timescale > 0) info.durationSec = duration / timescale;
      } else if (type === 'tkhd' && info.width === undefined) {
        const version = bytes[body] ?? 0;
        const at = body + (version === 1 ? 88 : 76);
        if (at + 8 <= boxEnd) {
          const width = view.getUint32(at) >>> 16;
          const height = view.getUint32(at + 4) >>> 16;
          if (width > 0 && height > 0) Object.assign(info, { width, height });
        }
      }
      offset += size;
    }
  };
  walk(0, bytes.length);
  return info;
}
