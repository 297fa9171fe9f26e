/** TensorBoard event files from training hooks, with no native TensorFlow. */
export { EventFileWriter, tensorboardHooks } from './writer.js';
export { combineHooks } from '../train/events.js';
export { encodeEvent, frameRecord, maskedCrc32c, type TbEvent } from './records.js';
