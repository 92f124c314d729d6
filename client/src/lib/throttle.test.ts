import { describe, expect, it } from 'vitest';
import { createThrottle } from './throttle';

describe('createThrottle', () => {
  it('opens at most once per interval', () => {
    const gate = createThrottle(1000);
    expect(gate(0)).toBe(true);
    expect(gate(500)).toBe(false);
    expect(gate(999)).toBe(false);
    expect(gate(1000)).toBe(true);
    expect(gate(1500)).toBe(false);
  });
});
