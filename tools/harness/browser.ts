import { chromium, type Browser } from 'playwright-core';
import { optionalToolPath } from './tool-paths';

/**
 * Launches Debian's chromium headless through playwright-core (playwright gives it a fresh,
 * temporary profile). The flags keep it from reaching out to the network (this machine has
 * none) and let it run as root.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: optionalToolPath('chromium') ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
