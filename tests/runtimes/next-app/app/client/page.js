'use client';
// A client component (the browser entry, bundled by Next for the browser): the same scenario, in the page.
import { useEffect } from 'react';
import { LlmFiles, LlmFilesError } from 'llm-files';
import { scenario } from '../../scenario.mjs';

// React's Strict Mode runs effects twice in development: the scenario, which shares the mock's state, runs once.
let started = false;

export default function Page() {
  useEffect(() => {
    if (started) return;
    started = true;
    const mock = new URLSearchParams(location.search).get('mock');
    scenario({ LlmFiles, LlmFilesError }, mock, 'next-client').then((r) => { window.__results = r; }, (e) => { window.__results = [{ name: 'scenario', ok: false, error: String(e) }]; });
  }, []);
  return <p>llm-files in a Next.js client component</p>;
}
