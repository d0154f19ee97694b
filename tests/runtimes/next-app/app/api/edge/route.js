// A Next.js route handler in the Edge runtime (the package's `edge-light` entry): the same scenario.
import { LlmFiles, LlmFilesError } from 'llm-files';
import { scenario } from '../../../scenario.mjs';

export const runtime = 'edge';
export const dynamic = 'force-dynamic';

export async function GET(req) {
  return Response.json(await scenario({ LlmFiles, LlmFilesError }, new URL(req.url).searchParams.get('mock'), 'next-edge'));
}
