import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { STRATEGY_NAMES } from '../../src/core/search/registry';
import { DEFAULT_PARAMS, KNOBS } from '../../src/core/search/params';
import { DOMAINS } from '../../src/core/domains';
import { DomainNameSchema } from '../../src/core/protocol/results';

const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8'));

test("the strategy setting's enum is the registry's strategies, auto first", () => {
  const setting = pkg.contributes.configuration.properties['stepwise.strategy'];
  assert.equal(setting.enum[0], 'auto');
  assert.deepEqual([...setting.enum].sort(), [...STRATEGY_NAMES].sort());
});

test('every domain is in the protocol, ships its models in the VSIX, and the protocol names no other', () => {
  assert.deepEqual(DOMAINS.map((d) => d.name).sort(), [...DomainNameSchema.options].sort());
  const shipped = readFileSync(resolve(__dirname, '../../.vscodeignore'), 'utf8');
  for (const d of DOMAINS) for (const folder of [d.models.policy, d.models.prm]) assert.match(shipped, new RegExp(`^!models/${folder}/\\*\\*$`, 'm'), folder);
});

test("every search knob with a setting is declared in package.json with the knob's default and range", () => {
  const props = pkg.contributes.configuration.properties;
  const withSetting = Object.values(KNOBS).filter((k) => 'setting' in k);
  assert.ok(withSetting.length >= 3);
  for (const knob of withSetting) {
    const setting = props[`stepwise.${(knob as { setting: string }).setting}`];
    assert.ok(setting, (knob as { setting: string }).setting);
    assert.equal(setting.default, knob.default);
    if ('min' in knob) {
      assert.equal(setting.minimum, knob.min);
      assert.equal(setting.maximum, knob.max);
      assert.equal(setting.type, knob.kind === 'int' ? 'integer' : 'number');
    }
  }
  assert.deepEqual(DEFAULT_PARAMS, Object.fromEntries(Object.entries(KNOBS).map(([k, v]) => [k, v.default])));
});
