/** TensorBoard event files from training hooks, with no native TensorFlow. */
export { EventFileWriter, tensorboardHooks, combineHooks } from './writer.js';
export { encodeEvent, frameRecord, maskedCrc32c, type TbEvent } from './records.js';
