// Node and Bun: `require('llm-files')` from an installed tarball.
const { LlmFiles, LlmFilesError } = require('llm-files');
const initEntry = require('llm-files/init');

import('./scenario.mjs').then(async ({ scenario }) => {
  const results = await scenario({ LlmFiles, LlmFilesError }, process.argv[2], typeof Bun === 'undefined' ? 'node-cjs' : 'bun-cjs');
  // `require('llm-files/init')`: the same classes, with an init() that has nothing to load.
  const ok = (await initEntry.init()) === undefined && initEntry.LlmFiles === LlmFiles && initEntry.LlmFilesError === LlmFilesError;
  results.push({ name: "require('llm-files/init')", ok, error: ok ? undefined : 'another module or a failing init()' });
  console.log(JSON.stringify(results));
});
