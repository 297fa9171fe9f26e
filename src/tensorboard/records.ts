/**
 * TensorBoard's event file format, written without TensorFlow: each record is
 *   uint64 LE length · uint32 LE masked CRC-32C(length) · Event protobuf · uint32 LE masked CRC-32C(data)
 * (tensorflow/core/lib/io/record_writer.cc). Only the fields seqnet writes are declared, with
 * the field numbers of tensorboard/compat/proto/event.proto and summary.proto.
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

// crc-32 is CommonJS; its crc32c entry has the same API as the package's main (typed) entry
const crc32c = createRequire(import.meta.url)('crc-32/crc32c') as typeof import('crc-32');

const Value = new protobuf.Type('Value').add(new protobuf.Field('tag', 1, 'string')).add(new protobuf.Field('simple_value', 2, 'float'));
const Summary = new protobuf.Type('Summary').add(Value).add(new protobuf.Field('value', 1, 'Value', 'repeated'));
const Event = new protobuf.Type('Event')
  .add(new protobuf.Field('wall_time', 1, 'double'))
  .add(new protobuf.Field('step', 2, 'int64'))
  .add(new protobuf.Field('file_version', 3, 'string'))
  .add(new protobuf.Field('summary', 5, 'Summary'));
new protobuf.Root().define('tensorflow').add(Summary).add(Event);

export interface TbEvent {
  /** seconds since the epoch */
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Record<string, number>;
}

/** The mask TensorFlow applies to stored CRCs, so a CRC of data holding CRCs stays well spread. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c.buf(data) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

export function encodeEvent(e: TbEvent): Uint8Array {
  const msg: Record<string, unknown> = { wall_time: e.wallTime, step: e.step };
  if (e.fileVersion !== undefined) msg.file_version = e.fileVersion;
  if (e.scalars) msg.summary = { value: Object.entries(e.scalars).map(([tag, v]) => ({ tag, simple_value: v })) };
  return Event.encode(Event.fromObject(msg)).finish();
}

/** One framed record: length, its masked CRC, the data, the data's masked CRC. */
export function frameRecord(data: Uint8Array): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigUInt64LE(BigInt(data.length), 0);
  head.writeUInt32LE(maskedCrc32c(head.subarray(0, 8)), 8);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([head, data, tail]);
}
