// The release build's post-build rewrite (.ci/short-names.mjs) changes the wasm and its JS
// glue after Trunk hashed them: every `integrity` in index.html must still match its file, or
// the browser refuses the preloaded file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const dist = new URL('../../dist/', import.meta.url).pathname;

test('every integrity hash in index.html matches the file it names', () => {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const tags = html.match(/<(?:link|script)\b[^>]*\bintegrity=[^>]*>/g) ?? [];
  assert.ok(tags.some((t) => t.includes('.wasm')), `no wasm preload with an integrity hash in ${html}`);
  for (const tag of tags) {
    const file = tag.match(/\b(?:href|src)="?\.\/([^"\s>]+)/)[1];
    const want = tag.match(/integrity="?(sha384-[A-Za-z0-9+/=]+)/)[1];
    const have = `sha384-${createHash('sha384').update(readFileSync(join(dist, file))).digest('base64')}`;
    assert.equal(have, want, `${file}: index.html says ${want}`);
  }
});

test('the glue and the wasm carry no long hashed import names', () => {
  const js = readFileSync(join(dist, 'index.html'), 'utf8').match(/data-js="?\.\/([^"\s>]+)/)[1];
  assert.doesNotMatch(readFileSync(join(dist, js), 'utf8'), /__wbg_\w+_[0-9a-f]{16}/);
});
