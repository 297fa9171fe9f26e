/** What a model builder needs to know about the prepared data. */
export interface DataInfo {
  /** padded / window length of the input sequences */
  seqLen: number;
  /** input vocabulary size (token inputs) */
  vocabSize?: number;
  /** output classes (classification, tagging) */
  numClasses?: number;
  /** input features per time step (forecasting) */
  numFeatures?: number;
  /** steps predicted (forecasting) */
  horizon?: number;
  /** target columns predicted (forecasting) */
  numTargets?: number;
  /** target vocabulary size (seq2seq) */
  targetVocabSize?: number;
  /** target sequence length (seq2seq) */
  targetSeqLen?: number;
}

/** A data file as the manifest records it. */
export interface FileRecord {
  path: string;
  bytes: number;
  sha256: string;
}
