// Compiled as CommonJS (tsc --module node16): a `require` consumer gets the same types (pkg/index.d.cts).
import { LlmFiles, LlmFilesError } from 'llm-files';
import type { FileObject, Provider } from 'llm-files';
import { init } from 'llm-files/init';

const client = new LlmFiles({ provider: 'minimax', apiKey: 'k', groupId: '1790000000000000001' });

export async function names(): Promise<string[]> {
  const nothingToLoad: void = await init();
  void nothingToLoad;
  const out: string[] = [];
  for await (const f of client.files.listAll({ purpose: 'voice_clone' })) out.push(f.filename);
  const one: FileObject = await client.files.retrieve('311103389282466');
  try {
    await client.files.delete(one.id);
  } catch (e) {
    if (e instanceof LlmFilesError) {
      const who: Provider | null = e.provider;
      void who;
    }
  }
  return out;
}

// @ts-expect-error: unknown provider
new LlmFiles({ provider: 'acme', apiKey: 'k' });
