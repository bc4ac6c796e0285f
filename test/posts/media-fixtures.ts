/**
 * Small but well-formed media files for tests: the bytes a real encoder writes where the content check looks
 * (signatures, JPEG frame header, PNG header, MP4 `ftyp`/`moov` boxes), with the pixels left out.
 */

/** A baseline JPEG header with its frame size. */
export function jpegBytes(width: number, height: number, padding = 2048): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0, 0];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03];
  sof.push(0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01);
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof, ...new Array(padding).fill(0), 0xff, 0xd9]);
}

export function pngBytes(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

function box(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(Buffer.from(type, 'ascii'), 4);
  out.set(body, 8);
  return out;
}

/** An MP4 with `ftyp`, and a `moov` whose `mvhd` gives the duration and `tkhd` the frame size. */
export function mp4Bytes(width: number, height: number, seconds: number, padding = 4096): Uint8Array {
  const ftyp = box('ftyp', Uint8Array.from([...Buffer.from('isom'), 0, 0, 2, 0, ...Buffer.from('isomiso2mp41')]));
  const mvhd = new Uint8Array(100);
  const mv = new DataView(mvhd.buffer);
  mv.setUint32(12, 1000);
  mv.setUint32(16, Math.round(seconds * 1000));
  const tkhd = new Uint8Array(84);
  const tk = new DataView(tkhd.buffer);
  tk.setUint32(76, width << 16);
  tk.setUint32(80, height << 16);
  const moov = box('moov', Uint8Array.from([...box('mvhd', mvhd), ...box('trak', box('tkhd', tkhd))]));
  const mdat = box('mdat', new Uint8Array(padding));
  return Uint8Array.from([...ftyp, ...moov, ...mdat]);
}
