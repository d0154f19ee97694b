// A Next.js route handler in the Node runtime: the scenario against the mock named by `?mock=`.
import { LlmFiles, LlmFilesError } from 'llm-files';
import { scenario } from '../../../scenario.mjs';

export const dynamic = 'force-dynamic';

export async function GET(req) {
  return Response.json(await scenario({ LlmFiles, LlmFilesError }, new URL(req.url).searchParams.get('mock'), 'next-node'));
}
