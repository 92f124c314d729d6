// The password-strength estimator, on a thread of its own: a crafted password of a few dozen
// characters costs zxcvbn up to a second of CPU, which must not hold the event loop. Plain
// JavaScript, so this one file serves a server run from src/ (tsx) and from the dist/ bundle.
import { parentPort } from 'node:worker_threads';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonWords } from '@zxcvbn-ts/language-common';
import { dictionary as englishWords, translations } from '@zxcvbn-ts/language-en';

// Loading the dictionaries takes about 0.3 s: once per process, when the thread starts.
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...commonWords, ...englishWords },
  graphs: adjacencyGraphs,
  translations,
});

parentPort.on('message', ({ id, password, userInputs }) => {
  try {
    const { score, feedback } = zxcvbn.check(password, userInputs);
    parentPort.postMessage({
      id,
      score,
      warning: feedback.warning,
      suggestions: feedback.suggestions,
    });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
