// node --test static/js/quality.test.mjs
//
// Replays the JSON fixtures the Python tests replay (telept/visits/tests/fixtures/) and
// asserts the same transitions, so the browser port and the Python controller cannot drift.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import {
  MODES,
  QualityController,
  REASONS,
  makeConfig,
  snapshotFromReport,
} from "./quality.js";

const FIXTURES = new URL("../../telept/visits/tests/fixtures/", import.meta.url);
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")));

function replay(fixture, events = fixture.events) {
  const qc = new QualityController();
  const seen = [];
  events.forEach((event, index) => {
    const actions =
      "stats" in event ? qc.step(event.stats) : qc.setManualAudioOnly(event.manualAudioOnly, event.atMs);
    for (const a of actions) {
      seen.push({ event: index, fromMode: a.fromMode, toMode: a.toMode, reason: a.reason, causes: a.causes });
    }
  });
  return { qc, seen };
}

test("there are fixtures to replay", () => {
  assert.ok(fixtures.length >= 8, `found ${fixtures.length}`);
});

for (const fixture of fixtures) {
  test(`scenario ${fixture.name}: ${fixture.description}`, () => {
    const { seen } = replay(fixture);
    assert.deepEqual(seen, fixture.expected);
  });
}

test("a manual override is never lifted by the controller", () => {
  const fixture = fixtures.find((f) => f.name === "manual_override");
  const lift = fixture.events.findIndex((e) => e.manualAudioOnly === false);
  const { qc, seen } = replay(fixture, fixture.events.slice(0, lift));
  assert.equal(qc.mode, MODES.AUDIO_ONLY);
  assert.equal(qc.state.manualAudioOnly, true);
  assert.deepEqual(seen.map((t) => t.reason), [REASONS.MANUAL_AUDIO_ONLY]);
});

test("it reads an RTCStatsReport-like map, [id, stats] pairs and a plain object alike", () => {
  const stats = fixtures.find((f) => f.name === "good").events[1].stats;
  const asList = snapshotFromReport(stats);
  const asMap = snapshotFromReport(new Map(stats.map((e) => [e.id, e])));
  const asPairs = snapshotFromReport(stats.map((e) => [e.id, e]));
  const asObject = snapshotFromReport(Object.fromEntries(stats.map((e) => [e.id, e])));
  assert.deepEqual(asMap, asList);
  assert.deepEqual(asPairs, asList);
  assert.deepEqual(asObject, asList);
  assert.equal(asList.rttS, 0.04); // the selected pair, not the 2.5 s backup
});

test("actions carry the sender settings and a sentence for each side", () => {
  const fixture = fixtures.find((f) => f.name === "lossy");
  const qc = new QualityController();
  const actions = fixture.events.flatMap((e) => qc.step(e.stats));
  const paused = actions.at(-1);
  assert.equal(paused.messageSelf, "Your connection is weak, so video is paused; audio continues.");
  assert.match(paused.messagePeer, /^The other person's connection is weak/);
  assert.equal(paused.video.enabled, false);
  assert.equal(actions[0].video.maxBitrateBps, 250000);
});

test("config that would break hysteresis is refused", () => {
  assert.throws(() => makeConfig({ recoverMinSamples: 3 }), RangeError);
  assert.throws(() => makeConfig({ recoverMs: 3000 }), RangeError);
  assert.throws(() => makeConfig({ nonsense: 1 }), TypeError);
});
