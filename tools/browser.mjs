// Headless Debian Chromium through puppeteer-core, with the flags WebGPU needs on a machine
// with no GPU (SwiftShader) and no network.
import puppeteer from 'puppeteer-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function launchBrowser() {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    protocolTimeout: 20 * 60_000,
    userDataDir: mkdtempSync(join(tmpdir(), 'flowgpu-chromium-')),
    args: [
      '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
    ],
  });
}
