// The Chromium the VS Code tests drive, brought by npm so that `npm install && npm test` is the
// whole set-up: the `@sparticuz/chromium` devDependency ships a headless Chromium shell
// (brotli-compressed) with the few shared libraries it needs (NSS, NSPR, expat) and a font, so
// it runs on a bare Linux machine. It is unpacked once into node_modules/.cache; a stamp file
// names the version so an upgrade unpacks again. STEPWISE_CHROMIUM=/path/to/chrome uses
// another browser instead (e.g. Debian's /usr/bin/chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const repoRoot = resolve(__dirname, '../..');
const packageDir = join(repoRoot, 'node_modules/@sparticuz/chromium');
const cacheDir = join(repoRoot, 'node_modules/.cache/stepwise-chromium');

export interface ChromiumInstall {
  executablePath: string;
  /** Extra environment for the browser process (its libraries and fonts). */
  env: Record<string, string>;
}

function unpackTar(brFile: string, into: string): void {
  const tarFile = `${into}.tar`;
  writeFileSync(tarFile, brotliDecompressSync(readFileSync(brFile)));
  mkdirSync(into, { recursive: true });
  const tar = spawnSync('tar', ['-xf', tarFile, '-C', into], { encoding: 'utf8' });
  rmSync(tarFile, { force: true });
  if (tar.status !== 0) throw new Error(`unpacking ${brFile} failed: ${tar.stderr || tar.error?.message}`);
}

/** Unpacks the npm-shipped Chromium (first call only) and says how to start it. */
export function bundledChromium(): ChromiumInstall {
  const packageJson = join(packageDir, 'package.json');
  if (!existsSync(packageJson)) throw new Error('node_modules/@sparticuz/chromium is missing: run npm install first');
  const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  const executablePath = join(cacheDir, 'chromium');
  const libDir = join(cacheDir, 'al2023/lib');
  const fontsConf = join(cacheDir, 'fonts.conf');
  const stamp = join(cacheDir, 'version');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== version) {
    rmSync(cacheDir, { recursive: true, force: true });
    mkdirSync(cacheDir, { recursive: true });
    const bin = join(packageDir, 'bin');
    // Written under another name and renamed, so a run cut short never leaves half a binary.
    writeFileSync(`${executablePath}.part`, brotliDecompressSync(readFileSync(join(bin, 'chromium.br'))));
    chmodSync(`${executablePath}.part`, 0o755);
    renameSync(`${executablePath}.part`, executablePath);
    unpackTar(join(bin, 'al2023.tar.br'), join(cacheDir, 'al2023'));
    unpackTar(join(bin, 'fonts.tar.br'), join(cacheDir, 'fonts'));
    // The package's own fonts.conf points at /tmp/fonts; ours at the unpacked font and at the
    // system's fonts where there are any. Without a font Chromium draws no text at all.
    const dirs = [join(cacheDir, 'fonts/fonts'), '/usr/share/fonts'].map((d) => `  <dir>${d}</dir>`).join('\n');
    writeFileSync(
      fontsConf,
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n${dirs}\n  <cachedir>${join(cacheDir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    writeFileSync(stamp, version);
  }
  const ldPath = [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return { executablePath, env: { LD_LIBRARY_PATH: ldPath, FONTCONFIG_FILE: fontsConf } };
}

/** The browser the tests start: STEPWISE_CHROMIUM when set, else the npm-shipped one. */
export function testChromium(): ChromiumInstall {
  const chosen = process.env.STEPWISE_CHROMIUM;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`STEPWISE_CHROMIUM=${chosen} does not exist`);
    return { executablePath: chosen, env: {} };
  }
  return bundledChromium();
}
