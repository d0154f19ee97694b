// Node and Bun: `require('llm-files')` from an installed tarball.
const { LlmFiles, LlmFilesError } = require('llm-files');

import('./scenario.mjs').then(async ({ scenario }) => {
  console.log(JSON.stringify(await scenario({ LlmFiles, LlmFilesError }, process.argv[2], typeof Bun === 'undefined' ? 'node-cjs' : 'bun-cjs')));
});
