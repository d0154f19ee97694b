// A Worker that imports only `llm-files/init`: it must resolve to the workerd entry (the browser one cannot load here).
import { init, LlmFiles } from 'llm-files/init';

export default {
  async fetch(request, env) {
    const name = 'llm-files/init alone: init(), capabilities and a list';
    try {
      await init();
      const list = await new LlmFiles({ provider: 'moonshot', apiKey: 'sk-runtime-test', baseURL: `${env.MOCK}/moonshot/v1` }).files.list();
      return Response.json([{ name, ok: LlmFiles.capabilities('zhipu').retrieve === 'emulated' && list.object === 'list' }]);
    } catch (e) {
      return Response.json([{ name, ok: false, error: String(e?.stack ?? e) }]);
    }
  },
};
