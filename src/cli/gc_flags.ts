/**
 * V8 flags for seqnet's own processes (the CLI, bin/seqnet.js, and the bench), set before any other
 * module loads: both import this first, so that the heap starts with them.
 *
 * --no-incremental-marking: V8 starts incremental marking whenever the old generation's free room is
 * smaller than the young generation's capacity. Training grows the young generation (every step
 * allocates tens of MB of short-lived arrays) and it stays grown, so marking then ran all the
 * time: a full mark-compact every ~75 ms with the old generation at half its limit, on the main
 * thread and on the helper threads that share the cores with seqnet's workers. Without
 * incremental marking, a full collection runs when the old generation reaches its limit (a few
 * ms on seqnet's 20-60 MB heaps). Measured on W3 (2 cores): 115-120 mark-compacts in 10 s of
 * training then inference, 10 with the flag; training 8-15% faster a step; inference after
 * training back at a fresh process's speed (12.3 against 15.6 ms a batch).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-incremental-marking');
