// After `vite build`: finishes web/dist for `switchboard serve`.
//  1. the app icons as PNG (192 and 512 px), drawn here from the same shapes as icon.svg;
//  2. the service worker's shell list and version (src/sw.ts reads them);
//  3. licenses.json: the open-source licences of what the app and the server are made
//     of, from the real dependency lists: the npm packages bundled into the app
//     (package-lock.json, production dependencies) and the Debian libraries the server
//     is built with (scripts/setup), each with its licence text;
//  4. precompressed .br and .gz siblings of every text file;
//  5. a size report (build-report.json) of the JavaScript the first load needs.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, crc32, deflateSync, gzipSync } from 'node:zlib';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(web, 'dist');
const repo = join(web, '..');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

// ---- 1. icons ----
function png(size) {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  const inside = (x, y) => {
    // Rounded square (radius 96/512), a ring (r 150 ± 18) and a dot (r 56), as icon.svg.
    const u = (x / size) * 512, v = (y / size) * 512;
    const r = 96;
    const cx = Math.min(Math.max(u, r), 512 - r), cy = Math.min(Math.max(v, r), 512 - r);
    if ((u - cx) ** 2 + (v - cy) ** 2 > r * r) return 'out';
    const d = Math.hypot(u - 256, v - 256);
    return d <= 56 || Math.abs(d - 150) <= 18 ? 'fg' : 'bg';
  };
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    rows[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      let fg = 0, bg = 0;
      for (const [dx, dy] of [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]) {
        const k = inside(x + dx, y + dy);
        if (k === 'fg') fg++;
        else if (k === 'bg') bg++;
      }
      const a = (fg + bg) / 4, f = fg + bg ? fg / (fg + bg) : 0;
      const o = row + 1 + x * 4;
      rows[o] = Math.round(0x1f + (255 - 0x1f) * f);
      rows[o + 1] = Math.round(0x4e + (255 - 0x4e) * f);
      rows[o + 2] = Math.round(0x79 + (255 - 0x79) * f);
      rows[o + 3] = Math.round(255 * a);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
for (const size of [192, 512]) writeFileSync(join(dist, `icon-${size}.png`), png(size));

// ---- 3. licences ----
function licenceText(dir) {
  const name = existsSync(dir) ? readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f)) : undefined;
  return name ? readFileSync(join(dir, name), 'utf8') : '';
}
const lock = JSON.parse(readFileSync(join(web, 'package-lock.json'), 'utf8'));
const npmPackages = Object.entries(lock.packages)
  .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && !p.optional)
  .map(([path, p]) => {
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const meta = JSON.parse(readFileSync(join(web, path, 'package.json'), 'utf8'));
    return { name, version: p.version, license: p.license ?? meta.license ?? 'see text', source: 'npm', text: licenceText(join(web, path)) };
  });

const setup = readFileSync(join(repo, 'scripts', 'setup'), 'utf8');
const libLines = setup.split('# libraries')[1]?.split(/\n\s*#/)[0] ?? '';
const debPackages = libLines
  .split(/\s+/)
  .filter((w) => /^[a-z0-9][a-z0-9.+-]+$/.test(w))
  .map((pkg) => {
    const file = `/usr/share/doc/${pkg}/copyright`;
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const licences = [...new Set([...text.matchAll(/^License:\s*(\S[^\n]*)$/gm)].map((m) => m[1].trim()))];
    return { name: pkg, version: '', license: licences.join(', ') || 'see text', source: 'debian', text };
  });
if (npmPackages.length === 0) throw new Error('postbuild: no npm production dependency found in package-lock.json');
writeFileSync(join(dist, 'licenses.json'), JSON.stringify({ app: npmPackages, server: debPackages }));

// ---- 2. the service worker's shell ----
const shellFiles = walk(dist)
  .map((p) => '/' + relative(dist, p).split('\\').join('/'))
  .filter((p) => p !== '/sw.js' && p !== '/licenses.json' && !p.endsWith('.map') && !p.endsWith('.br') && !p.endsWith('.gz') && p !== '/build-report.json')
  .map((p) => (p === '/index.html' ? '/' : p))
  .sort();
const version = createHash('sha256')
  .update(shellFiles.map((f) => f + ':' + readFileSync(join(dist, f === '/' ? 'index.html' : f.slice(1))).length).join('\n'))
  .digest('hex')
  .slice(0, 12);
const swPath = join(dist, 'sw.js');
const sw = readFileSync(swPath, 'utf8');
const placeholder = /\{version:"dev",files:\["\/"\]\}/;
if (!placeholder.test(sw)) throw new Error('postbuild: the shell placeholder is missing from sw.js');
writeFileSync(swPath, sw.replace(placeholder, JSON.stringify({ version, files: shellFiles })));

// ---- 4. precompressed siblings ----
const text = /\.(html|js|mjs|css|json|webmanifest|svg|txt)$/;
for (const file of walk(dist).filter((p) => text.test(p))) {
  const body = readFileSync(file);
  const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  const gz = gzipSync(body, { level: 9 });
  if (br.length < body.length) writeFileSync(`${file}.br`, br);
  if (gz.length < body.length) writeFileSync(`${file}.gz`, gz);
}

// ---- 5. size report ----
const index = readFileSync(join(dist, 'index.html'), 'utf8');
const firstLoad = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const sizes = firstLoad.map((f) => {
  const body = readFileSync(join(dist, f.slice(1)));
  return { file: f, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length, brotli: brotliCompressSync(body).length };
});
const js = sizes.filter((s) => s.file.endsWith('.js'));
const report = {
  first_load: sizes,
  js_gzip_bytes: js.reduce((a, s) => a + s.gzip, 0),
  js_brotli_bytes: js.reduce((a, s) => a + s.brotli, 0),
  shell_version: version,
};
writeFileSync(join(dist, 'build-report.json'), JSON.stringify(report, null, 2));
console.log(`postbuild: first-load JavaScript ${report.js_gzip_bytes} B gzip, ${report.js_brotli_bytes} B brotli; shell ${version} (${shellFiles.length} files); licences: ${npmPackages.length} npm, ${debPackages.length} Debian`);
