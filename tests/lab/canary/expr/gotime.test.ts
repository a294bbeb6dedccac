/**
 * Go's time package as expr's duration() and date() call it (src/lab/canary/expr/gotime.ts). The cases are
 * Go's own test facts: go/src/time/time_test.go parseDurationTests / parseDurationErrorTests and
 * durationTests (Duration.String), the layout constants on format_test.go's instant, and
 * go/src/time/example_test.go's outputs, written here as tables.
 */
import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatTime,
  GoTime,
  parseDuration,
  parseTime,
  UTC,
} from '../../../../src/lab/canary/expr/gotime.js';

const ns = 1n;
const us = 1000n * ns;
const ms = 1000n * us;
const s = 1000n * ms;
const m = 60n * s;
const h = 60n * m;
const max = (1n << 63n) - 1n;
const min = -(1n << 63n);

// go/src/time/time_test.go parseDurationTests.
const valid: [string, bigint][] = [
  ['0', 0n],
  ['5s', 5n * s],
  ['30s', 30n * s],
  ['1478s', 1478n * s],
  ['-5s', -5n * s],
  ['+5s', 5n * s],
  ['-0', 0n],
  ['+0', 0n],
  ['5.0s', 5n * s],
  ['5.6s', 5n * s + 600n * ms],
  ['5.s', 5n * s],
  ['.5s', 500n * ms],
  ['1.0s', 1n * s],
  ['1.00s', 1n * s],
  ['1.004s', 1n * s + 4n * ms],
  ['1.0040s', 1n * s + 4n * ms],
  ['100.00100s', 100n * s + 1n * ms],
  ['10ns', 10n * ns],
  ['11us', 11n * us],
  ['12µs', 12n * us],
  ['12μs', 12n * us],
  ['13ms', 13n * ms],
  ['14s', 14n * s],
  ['15m', 15n * m],
  ['16h', 16n * h],
  ['3h30m', 3n * h + 30n * m],
  ['10.5s4m', 4n * m + 10n * s + 500n * ms],
  ['-2m3.4s', -(2n * m + 3n * s + 400n * ms)],
  ['1h2m3s4ms5us6ns', 1n * h + 2n * m + 3n * s + 4n * ms + 5n * us + 6n * ns],
  ['39h9m14.425s', 39n * h + 9n * m + 14n * s + 425n * ms],
  ['52763797000ns', 52763797000n * ns],
  ['0.3333333333333333333h', 20n * m],
  ['9007199254740993ns', (1n << 53n) + 1n],
  ['9223372036854775807ns', max],
  ['9223372036854775.807us', max],
  ['9223372036s854ms775us807ns', max],
  ['-9223372036854775808ns', min],
  ['-9223372036854775.808us', min],
  ['-9223372036s854ms775us808ns', min],
  ['-2562047h47m16.854775808s', min],
  ['0.100000000000000000000h', 6n * m],
  ['0.830103483285477580700h', 49n * m + 48n * s + 372539827n * ns],
];

// go/src/time/time_test.go parseDurationErrorTests (the ones that are valid UTF-8), with Go's messages.
const invalid: [string, string][] = [
  ['', 'time: invalid duration ""'],
  ['3', 'time: missing unit in duration "3"'],
  ['-', 'time: invalid duration "-"'],
  ['s', 'time: invalid duration "s"'],
  ['.', 'time: invalid duration "."'],
  ['-.', 'time: invalid duration "-."'],
  ['.s', 'time: invalid duration ".s"'],
  ['+.s', 'time: invalid duration "+.s"'],
  ['1d', 'time: unknown unit "d" in duration "1d"'],
  ['9223372036854775810ns', 'time: invalid duration "9223372036854775810ns"'],
  ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
  ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
  ['9223372036854776us', 'time: invalid duration "9223372036854776us"'],
  ['3000000h', 'time: invalid duration "3000000h"'],
  ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
  ['9223372036854ms775us808ns', 'time: invalid duration "9223372036854ms775us808ns"'],
];

describe('Go time.ParseDuration (time_test.go parseDurationTests)', () => {
  it.each(valid)('%s', (text, want) => {
    expect(parseDuration(text).ns).toBe(want);
  });
  it.each(invalid)('%j is rejected', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });
});

// go/src/time/time_test.go durationTests (Duration.String).
const strings: [string, bigint][] = [
  ['0s', 0n],
  ['1ns', 1n * ns],
  ['1.1µs', 1100n * ns],
  ['2.2ms', 2200n * us],
  ['3.3s', 3300n * ms],
  ['4m5s', 4n * m + 5n * s],
  ['4m5.001s', 4n * m + 5001n * ms],
  ['5h6m7.001s', 5n * h + 6n * m + 7001n * ms],
  ['8m0.000000001s', 8n * m + 1n * ns],
  ['2562047h47m16.854775807s', max],
  ['-2562047h47m16.854775808s', min],
];

describe('Go Duration.String (time_test.go durationTests)', () => {
  it.each(strings)('%s', (want, d) => {
    expect(formatDuration(d)).toBe(want);
  });
});

describe('Go time layouts (the time package layout constants on format_test.go TestFormat instant)', () => {
  // format_test.go TestFormat uses 2009-02-04 21:00:57.0123456 PST; in UTC here, so zone texts differ. The
  // last row (year day 002 and __2) follows the layout rules of time/format.go rather than a Go test.

  const t = parseTime('2006-01-02 15:04:05.0000000', '2009-02-04 21:00:57.0123456');
  const cases: [string, string, string][] = [
    ['ANSIC', 'Mon Jan _2 15:04:05 2006', 'Wed Feb  4 21:00:57 2009'],
    ['RFC822', '02 Jan 06 15:04 MST', '04 Feb 09 21:00 UTC'],
    ['RFC850', 'Monday, 02-Jan-06 15:04:05 MST', 'Wednesday, 04-Feb-09 21:00:57 UTC'],
    ['RFC1123Z', 'Mon, 02 Jan 2006 15:04:05 -0700', 'Wed, 04 Feb 2009 21:00:57 +0000'],
    ['RFC3339', '2006-01-02T15:04:05Z07:00', '2009-02-04T21:00:57Z'],
    ['RFC3339Nano', '2006-01-02T15:04:05.999999999Z07:00', '2009-02-04T21:00:57.0123456Z'],
    ['Kitchen', '3:04PM', '9:00PM'],
    ['StampMicro', 'Jan _2 15:04:05.000000', 'Feb  4 21:00:57.012345'],
    ['YearDay', 'Jan  2 002 __2 2', 'Feb  4 035  35 4'],
  ];
  it.each(cases)('%s', (_name, layout, want) => {
    expect(formatTime(t, layout)).toBe(want);
    if (!layout.includes('002') && !layout.includes('.0')) {
      // Every layout but the year-day and truncated-fraction ones parses back to its own text.
      expect(formatTime(parseTime(layout, want), layout)).toBe(want);
    }
  });

  it('time.Time String() and a fixed zone from an offset', () => {
    expect(new GoTime(0n, UTC).toString()).toBe('1970-01-01 00:00:00 +0000 UTC');
    const fixed = parseTime('2006-01-02T15:04:05Z07:00', '2023-08-14T00:00:00+02:00');
    expect(fixed.toString()).toBe('2023-08-14 00:00:00 +0200 +0200');
    expect(fixed.ns).toBe(BigInt(Date.parse('2023-08-13T22:00:00Z')) * 1_000_000n);
  });
});

// go/src/time/example_test.go ExampleTime_Format, ExampleTime_Format_pad and ExampleParse: the outputs
// that do not depend on the machine's Local zone (Argo's controller runs in UTC, and so does Local here).
describe('Go time examples (example_test.go)', () => {
  const unixDate = 'Mon Jan _2 15:04:05 MST 2006';
  it('ExampleTime_Format: layouts on "Wed Feb 25 11:06:39 PST 2015"', () => {
    const t = parseTime(unixDate, 'Wed Feb 25 11:06:39 PST 2015');
    expect(formatTime(t, 'Mon Jan 2 15:04:05 MST 2006')).toBe('Wed Feb 25 11:06:39 PST 2015');
    expect(formatTime(t, '2006/01/02')).toBe('2015/02/25');
    expect(formatTime(t, '3PM==3pm==15h')).toBe('11AM==11am==11h');
    // A fraction after the seconds parses even when the layout has none, and prints only when asked.
    const f = parseTime(unixDate, 'Wed Feb 25 11:06:39.1234 PST 2015');
    expect(formatTime(f, unixDate)).toBe('Wed Feb 25 11:06:39 PST 2015');
    expect(formatTime(f, '15:04:05.00000')).toBe('11:06:39.12340');
    expect(formatTime(f, '15:04:05.99999999')).toBe('11:06:39.1234');
  });

  it('ExampleTime_Format_pad: "Sat Mar 7 11:06:39 PST 2015"', () => {
    const t = parseTime(unixDate, 'Sat Mar 7 11:06:39 PST 2015');
    expect(formatTime(t, unixDate)).toBe('Sat Mar  7 11:06:39 PST 2015');
    expect(formatTime(t, '<2>')).toBe('<7>');
    expect(formatTime(t, '<_2>')).toBe('< 7>');
    expect(formatTime(t, '<02>')).toBe('<07>');
    expect(formatTime(t, '04:05')).toBe('06:39');
  });

  it('ExampleParse: RFC 3339 with Z and with +07:00; the layout itself is not a time', () => {
    const rfc3339 = '2006-01-02T15:04:05Z07:00';
    expect(parseTime(rfc3339, '2006-01-02T15:04:05Z').toString()).toBe('2006-01-02 15:04:05 +0000 UTC');
    expect(parseTime(rfc3339, '2006-01-02T15:04:05+07:00').toString()).toBe(
      '2006-01-02 15:04:05 +0700 +0700',
    );
    expect(parseTime('2006-Jan-02', '2013-Feb-03').toString()).toBe('2013-02-03 00:00:00 +0000 UTC');
    expect(() => parseTime(rfc3339, rfc3339)).toThrow(
      'parsing time "2006-01-02T15:04:05Z07:00": extra text: "07:00"',
    );
  });
});
