/**
 * In-process text classifier: tokenization, TF-IDF and multinomial logistic regression in pure
 * TypeScript, with evaluation metrics, a JSON artifact format and the Made With ML projects reader.
 */
export { trainTextClassifier, loadTextClassifier, evaluate, TextClassifier } from './model.ts';
export type { TextExample } from './model.ts';
export { DEFAULT_TRAIN_OPTIONS, resolveTrainOptions, validateTrainOptions } from './options.ts';
export type { TrainOptions } from './options.ts';
export { ARTIFACT_FORMAT, ARTIFACT_VERSION, InvalidArtifactError, parseArtifact } from './artifact.ts';
export type { TextClassifierArtifact } from './artifact.ts';
export { accuracy, classificationReport, confusionMatrix, observedLabels, weightedF1 } from './metrics.ts';
export type { ClassMetrics, ClassificationReport } from './metrics.ts';
export { tokenize, words, wordNgrams, charNgrams, ENGLISH_STOPWORDS, DEFAULT_TOKENIZE_OPTIONS } from './tokenize.ts';
export type { TokenizeOptions } from './tokenize.ts';
export { TfidfVectorizer, smoothIdf, DEFAULT_TFIDF_OPTIONS } from './tfidf.ts';
export type { SparseVector, TfidfOptions } from './tfidf.ts';
export { trainLogisticRegression, predictProbabilities } from './logistic-regression.ts';
export type { LogisticRegressionModel, LogisticRegressionOptions, Solver } from './logistic-regression.ts';
export { readProjectsCsv, projectText, projectExamples } from './madewithml.ts';
export type { ProjectRow } from './madewithml.ts';
