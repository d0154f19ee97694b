import { startMock } from '/work/main/tests/mock/server.mjs';
const m = await startMock();
console.log(m.url);
