// SPDX-License-Identifier: GPL-2.0-only
/**
 * `kdamond_usleep()`: how long the kdamond's sleeps last (the sampling interval's sleep, watermark
 * waits, pauses).
 *
 * damon-monitoring.md §2.2 step 4 says "sleep sint microseconds"; the kernel does so only for
 * short sleeps. Since the timers sleep/delay cleanup series (Oct 2024, merged for v6.13), a sleep
 * of at least USLEEP_RANGE_UPPER_BOUND (four ticks: 4 ms at HZ 1000, 16 ms at 250, 40 ms at 100)
 * is `schedule_timeout_idle(usecs_to_jiffies(us))`, a timer-wheel timeout; a shorter one is
 * `usleep_range_idle(us, us + 1)`, an hrtimer (exact here). A timer-wheel timeout armed at jiffy j
 * for n jiffies fires when jiffies reaches its bucket: j + n rounded up past the wheel level's
 * granularity (one jiffy at level 0, so that it never fires before n whole ticks have passed). So
 * at HZ 1000 the default 5 ms sampling sleep ends at the sixth tick boundary after it began: it
 * lasts 5 to 6 ms, not 5.
 */
import { MAX_JIFFY_OFFSET, jiffies, type SimClock } from './ctx.js';

/** The timer wheel's geometry (kernel/time/timer.c): 64 buckets per level, 8× coarser each level. */
const LVL_CLK_SHIFT = 3;
const LVL_SIZE = 64;

/** LVL_START(n): the first delta (in jiffies) that goes to level n. */
function lvlStart(n: number): number {
  return (LVL_SIZE - 1) * 2 ** ((n - 1) * LVL_CLK_SHIFT);
}

/**
 * The jiffy at which a timer armed with `expires` while the wheel's clock is `clk` fires
 * (calc_wheel_index()'s bucket_expiry): expires rounded up past its level's granularity, a timeout
 * beyond the wheel's reach capped at WHEEL_TIMEOUT_MAX.
 */
export function timerWheelExpiry(expires: number, clk: number, hz: number): number {
  const depth = hz > 100 ? 9 : 8;
  const delta = expires - clk;
  let lvl = 0;
  while (lvl < depth - 1 && delta >= lvlStart(lvl + 1)) lvl++;
  let e = expires;
  if (lvl === depth - 1) {
    const cutoff = lvlStart(depth);
    if (delta >= cutoff) e = clk + cutoff - 2 ** ((depth - 1) * LVL_CLK_SHIFT); // WHEEL_TIMEOUT_MAX
  }
  const gran = 2 ** (lvl * LVL_CLK_SHIFT);
  return (Math.floor(e / gran) + 1) * gran;
}

/** TICK_NSEC: (NSEC_PER_SEC + HZ / 2) / HZ. */
function tickNsec(hz: number): number {
  return Math.floor((1e9 + Math.floor(hz / 2)) / hz);
}

/** USLEEP_RANGE_UPPER_BOUND in µs: (TICK_NSEC << 2) / NSEC_PER_USEC. */
export function usleepRangeUpperBound(hz: number): number {
  return Math.floor((tickNsec(hz) * 4) / 1000);
}

/** usecs_to_jiffies(const unsigned int u): rounds up; the argument is truncated to 32 bits. */
export function usecsToJiffies(us: number, hz: number): number {
  const u = us >= 2 ** 53 ? 0xffff_ffff : us % 0x1_0000_0000;
  const per = 1e6 / hz; // HZ divides USEC_PER_SEC for every HZ the simulator offers
  // jiffies_to_usecs(MAX_JIFFY_OFFSET), an unsigned int: above it the timeout is "forever".
  // MAX_JIFFY_OFFSET = 2^62 − 2 ≡ −2 (mod 2^32), so the product truncated to 32 bits is
  // 2^32 − 2·per (per < 2^31): no bigint on this per-sample path.
  const maxUs = 0x1_0000_0000 - 2 * per;
  if (u > maxUs) return MAX_JIFFY_OFFSET;
  return Math.floor((u + per - 1) / per);
}

/** Whether kdamond_usleep(us) is a timer-wheel timeout (else an hrtimer sleep of exactly us). */
export function isTickSleep(us: number, hz: number, tickSleeps: boolean): boolean {
  return tickSleeps && us >= usleepRangeUpperBound(hz);
}

/**
 * The access window the young map is built for after a sampling sleep of `sleptNs` that asked for
 * `us`: the sleep itself, rounded to whole ticks when it was a timer-wheel timeout. Its exact
 * length depends on where in a tick the sleep began (the work before it), which differs between
 * the first sample after an aggregation and the others; each new length would mean a new young
 * map and new sample blocks for every region (ops/sampler.ts), so the window is taken at tick
 * resolution (docs/model.md).
 */
export function accessWindowNs(sleptNs: number, us: number, hz: number, tickSleeps: boolean): number {
  if (!isTickSleep(us, hz, tickSleeps)) return sleptNs;
  const tick = 1e9 / hz;
  return Math.max(1, Math.round(sleptNs / tick)) * tick;
}

/**
 * When a kdamond that calls kdamond_usleep(us) at c.now wakes (ns since boot). With `tickSleeps`
 * off, every sleep lasts exactly `us` (the spec's idealisation, and kernels before v6.13 for
 * sleeps up to 20 ms).
 */
export function kdamondUsleepEnd(c: SimClock, us: number, tickSleeps: boolean): number {
  if (!isTickSleep(us, c.hz, tickSleeps)) return c.now + us * 1000;
  const j = jiffies(c);
  const n = usecsToJiffies(us, c.hz);
  // The wheel's clock is taken at jiffies: forward_timer_base() brings an idle base up to it, and
  // after running the kdamond's own expired timer it is one ahead, which changes the level only
  // for a timeout of exactly a level's first delta (63, 504, 4032, ... jiffies).
  const fire = timerWheelExpiry(j + Math.min(n, 2 ** 52), j, c.hz);
  // Jiffy fire begins (fire − j) ticks after the tick that began jiffy j.
  const tick = 1e9 / c.hz;
  return (Math.floor(c.now / tick) + (fire - j)) * tick;
}
