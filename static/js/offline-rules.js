// The safety stop, decided on the device when a session is logged without a connection: a
// port of telept/exercises/rules.py's safety_check (the source of truth, which decides again
// when the session reaches the server). The thresholds come from the page (data attributes
// rendered from rules.SEVERE_PAIN and rules.PAIN_RISE); the defaults below are the same and
// telept/exercises/tests/test_offline.py replays random cases through both under node.

export const SEVERE_PAIN = 8;
export const PAIN_RISE = 3;

const checkPain = (value, what) => {
  if (!Number.isInteger(value)) throw new RangeError(`${what} must be a whole number from 0 to 10`);
  if (value < 0 || value > 10) throw new RangeError(`${what} must be from 0 to 10, not ${value}`);
  return value;
};

// {stop, reasons, baseline, worstPain}; baseline null: the first of `pains` becomes it.
export function safetyCheck({ baseline = null, pains = [], fall = false,
  severePain = SEVERE_PAIN, painRise = PAIN_RISE } = {}) {
  const values = pains.map((p) => checkPain(p, "pain"));
  let base = baseline;
  if (base !== null && base !== undefined) base = checkPain(base, "baseline pain");
  else base = values.length ? values[0] : null;
  const worst = values.length ? Math.max(...values) : null;
  const reasons = [];
  if (worst !== null && worst >= severePain) reasons.push("severe_pain");
  if (worst !== null && base !== null && worst - base >= painRise) reasons.push("pain_rise");
  if (fall) reasons.push("fall");
  return { stop: reasons.length > 0, reasons, baseline: base, worstPain: worst };
}
