// Debian's Chromium under Playwright, with the flags this closed network needs (no background connections).
import { chromium } from 'playwright-core';

/** `extra`: more command-line flags. */
export function launchChromium(extra = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extra],
  });
}
