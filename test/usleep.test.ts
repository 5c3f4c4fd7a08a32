// SPDX-License-Identifier: GPL-2.0-only
/**
 * kdamond_usleep() (src/damon/usleep.ts): the threshold between hrtimer and timer-wheel sleeps,
 * usecs_to_jiffies() rounding, and the timer wheel's bucket rounding per level, with every
 * expected value worked out by hand from kernel/time/timer.c's geometry (64 buckets a level,
 * each level 8× coarser; LVL_START(n) = 63 << 3(n − 1)).
 */
import { describe, expect, it } from 'vitest';
import { jiffies, type SimClock } from '../src/damon/ctx.js';
import { accessWindowNs, isTickSleep, kdamondUsleepEnd, timerWheelExpiry, usecsToJiffies, usleepRangeUpperBound } from '../src/damon/usleep.js';

const clock = (hz: number, nowNs = 0): SimClock => ({ now: nowNs, hz });

describe('kdamond_usleep', () => {
  it('puts the hrtimer/timer-wheel threshold at four ticks', () => {
    expect([1000, 250, 100].map(usleepRangeUpperBound)).toEqual([4000, 16000, 40000]);
    expect(isTickSleep(3999, 1000, true)).toBe(false);
    expect(isTickSleep(4000, 1000, true)).toBe(true);
    expect(isTickSleep(4000, 1000, false)).toBe(false);
    expect(isTickSleep(5000, 250, true)).toBe(false);
  });

  it('rounds usecs_to_jiffies up and truncates its argument to 32 bits', () => {
    expect(usecsToJiffies(5000, 1000)).toBe(5);
    expect(usecsToJiffies(5001, 1000)).toBe(6);
    expect(usecsToJiffies(5000, 250)).toBe(2); // 1.25 ticks of 4 ms
    expect(usecsToJiffies(2 ** 32 + 3000, 1000)).toBe(3);
    // Above jiffies_to_usecs(MAX_JIFFY_OFFSET), an unsigned int: (2^62 − 2)·1000 mod 2^32 =
    // 2^32 − 2000 at HZ 1000, the timeout is MAX_JIFFY_OFFSET ("forever", capped by the wheel).
    expect(usecsToJiffies(2 ** 32 - 2000, 1000)).toBe(4294966);
    expect(usecsToJiffies(2 ** 32 - 1999, 1000)).toBe(2 ** 62);
  });

  it('rounds a timeout up past its wheel level granularity', () => {
    const j = 2 ** 32 - 300 * 1000; // INITIAL_JIFFIES at HZ 1000: a multiple of 32, ≡ 32 (mod 512)
    // Level 0 (delta < 63): one jiffy past expires.
    expect(timerWheelExpiry(j + 5, j, 1000) - j).toBe(6);
    expect(timerWheelExpiry(j + 62, j, 1000) - j).toBe(63);
    // Level 1 (63 <= delta < 504), granularity 8: j + 63 → (floor(63 / 8) + 1)·8 = 64.
    expect(timerWheelExpiry(j + 63, j, 1000) - j).toBe(64);
    expect(timerWheelExpiry(j + 64, j, 1000) - j).toBe(72);
    // Level 3 (4032 <= delta < 32256), granularity 512, on absolute jiffies: j + 5000 ≡ 424
    // (mod 512) rounds up by 88.
    expect(timerWheelExpiry(j + 5000, j, 1000) - j).toBe(5088);
    // Beyond the last level: capped at j + WHEEL_TIMEOUT_MAX, WHEEL_TIMEOUT_MAX = LVL_START(9) −
    // LVL_GRAN(8) = 63·2^24 − 2^24 = 62·2^24, then rounded up past a multiple of 2^24.
    expect(timerWheelExpiry(j + 2 ** 40, j, 1000) - j).toBe(63 * 2 ** 24 - (j % 2 ** 24));
    // HZ 100 has 8 levels: the cap is LVL_START(8) − LVL_GRAN(7) = 62·2^21, plus 2^21.
    const j100 = 2 ** 32 - 300 * 100;
    expect(timerWheelExpiry(j100 + 2 ** 40, j100, 100) - j100).toBe(63 * 2 ** 21 - (j100 % 2 ** 21));
  });

  it('ends a timer-wheel sleep on a tick boundary, an hrtimer sleep exactly', () => {
    // 5 ms at HZ 1000 from 2.4 ms: jiffy 2 (+INITIAL), fires at jiffy 2 + 6: 8 ms.
    expect(kdamondUsleepEnd(clock(1000, 2_400_000), 5000, true)).toBe(8_000_000);
    expect(kdamondUsleepEnd(clock(1000, 2_400_000), 5000, false)).toBe(7_400_000);
    expect(kdamondUsleepEnd(clock(250, 2_400_000), 5000, true)).toBe(7_400_000);
    // A 5 s watermark wait at HZ 1000 from t = 0: level 3; INITIAL_JIFFIES ≡ 32 (mod 512), so
    // j + 5000 ≡ 424 rounds up by 88 to the next multiple of 512: 5088 ms.
    expect(jiffies(clock(1000)) % 512).toBe(32);
    expect(kdamondUsleepEnd(clock(1000), 5_000_000, true)).toBe(5_088_000_000);
  });

  it('takes the access window of a timer-wheel sleep in whole ticks', () => {
    expect(accessWindowNs(5_700_000, 5000, 1000, true)).toBe(6_000_000);
    expect(accessWindowNs(5_300_000, 5000, 1000, true)).toBe(5_000_000);
    expect(accessWindowNs(5_300_000, 5000, 1000, false)).toBe(5_300_000);
    expect(accessWindowNs(5_000_000, 5000, 250, true)).toBe(5_000_000);
  });
});
