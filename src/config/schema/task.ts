/** The tasks seqnet trains for; its own module so the schema files that need the type do not import index.ts. */
export const TASKS = ['classification', 'tagging', 'language_model', 'forecasting', 'seq2seq', 'masked_lm'] as const;
export type Task = (typeof TASKS)[number];
