#!/usr/bin/env node
import '../dist/cli/gc_flags.js'; // first: V8 flags the heap should start with
import { main } from '../dist/cli/main.js';

main(process.argv);
