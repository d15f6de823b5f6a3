/**
 * Value decoders: the fast path of floatToNumber gives exactly what the
 * general one (6 significant digits of the single-precision value) gives.
 */
import fc from 'fast-check';
import t from 'tap';
import { floatToNumber } from '../../runtime/store/decoders.js';
import { propertySeed } from '../helpers/property-seed.js';

const general = (value: number) => Number(Math.fround(value).toPrecision(6));

t.test('floatToNumber equals the 6-digit rounding of the single-precision value', async (t) => {
  for (const value of [
    0, -0, 1, -1, 0.1, 999_999, 1_000_000, -999_999, 123_456.7, 16_777_217, 3.4e38, 1e-7, 0.10000000149011612,
  ]) {
    t.ok(Object.is(floatToNumber(value), general(value)), `${value} → ${String(floatToNumber(value))}`);
  }
  t.equal(floatToNumber('0.5'), 0.5, 'a string is read as a number first');
  t.equal(floatToNumber(null), null, 'null stays null');
  fc.assert(
    fc.property(
      fc.oneof(
        fc.integer({ min: -2_000_000, max: 2_000_000 }),
        fc.float({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ noNaN: true }),
      ),
      (value) => Object.is(floatToNumber(value), general(value)),
    ),
    { numRuns: 20_000, seed: propertySeed(t) },
  );
});
