import { LlmFiles, LlmFilesError } from 'llm-files';
import { scenario } from '../scenario.mjs';

const mock = new URLSearchParams(location.search).get('mock');
window.__results = await scenario({ LlmFiles, LlmFilesError }, mock, 'rollup');
