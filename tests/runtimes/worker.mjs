// A Cloudflare Worker that imports llm-files and runs the scenario against the mock named in env.MOCK.
import { LlmFiles, LlmFilesError } from 'llm-files';
import { scenario } from './scenario.mjs';

export default {
  async fetch(request, env) {
    const results = await scenario({ LlmFiles, LlmFilesError }, env.MOCK, 'workerd');
    return Response.json(results);
  },
};
