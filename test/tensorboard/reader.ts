/**
 * An event-file reader written independently of src/tensorboard (no protobufjs, no crc-32): a
 * table CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), TensorFlow's mask, and a minimal
 * protobuf wire-format decoder for Event { wall_time=1, step=2, file_version=3, summary=5 } and
 * Summary.Value { tag=1, simple_value=2 }.
 */
import fs from 'node:fs';

const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});

function crc32c(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const mask = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

export interface ReadEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: Record<string, number>;
}

function fields(b: Buffer): { no: number; wire: number; varint?: bigint; bytes?: Buffer; fixed?: Buffer }[] {
  const out: { no: number; wire: number; varint?: bigint; bytes?: Buffer; fixed?: Buffer }[] = [];
  let i = 0;
  const varint = () => {
    let v = 0n;
    for (let s = 0n; ; s += 7n) {
      const x = b[i++];
      v |= BigInt(x & 0x7f) << s;
      if (!(x & 0x80)) return v;
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const no = key >> 3, wire = key & 7;
    if (wire === 0) out.push({ no, wire, varint: varint() });
    else if (wire === 1) (out.push({ no, wire, fixed: b.subarray(i, i + 8) }), (i += 8));
    else if (wire === 5) (out.push({ no, wire, fixed: b.subarray(i, i + 4) }), (i += 4));
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ no, wire, bytes: b.subarray(i, i + n) });
      i += n;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

/** Every record of the file, each CRC checked; throws on a bad CRC or a truncated record. */
export function readEvents(file: string): ReadEvent[] {
  const buf = fs.readFileSync(file);
  const events: ReadEvent[] = [];
  for (let off = 0; off < buf.length; ) {
    const len = Number(buf.readBigUInt64LE(off));
    if (buf.readUInt32LE(off + 8) !== mask(crc32c(buf.subarray(off, off + 8)))) throw new Error(`bad length CRC at byte ${off}`);
    const data = buf.subarray(off + 12, off + 12 + len);
    if (data.length !== len) throw new Error(`truncated record at byte ${off}`);
    if (buf.readUInt32LE(off + 12 + len) !== mask(crc32c(data))) throw new Error(`bad data CRC at byte ${off}`);
    off += 16 + len;
    const e: ReadEvent = { wallTime: 0, step: 0, values: {} };
    for (const f of fields(data)) {
      if (f.no === 1) e.wallTime = f.fixed!.readDoubleLE(0);
      else if (f.no === 2) e.step = Number(f.varint!);
      else if (f.no === 3) e.fileVersion = f.bytes!.toString('utf8');
      else if (f.no === 5) {
        for (const v of fields(f.bytes!).filter((x) => x.no === 1)) {
          const vf = fields(v.bytes!);
          const tag = vf.find((x) => x.no === 1)!.bytes!.toString('utf8');
          e.values[tag] = vf.find((x) => x.no === 2)!.fixed!.readFloatLE(0);
        }
      }
    }
    events.push(e);
  }
  return events;
}
