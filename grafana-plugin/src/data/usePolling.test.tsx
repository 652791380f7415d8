import { act, renderHook, waitFor } from '@testing-library/react';
import { usePolling } from './usePolling';

describe('usePolling', () => {
  afterEach(() => jest.useRealTimers());

  it('loads once and exposes the data', async () => {
    const load = jest.fn().mockResolvedValue(42);
    const { result } = renderHook(() => usePolling(load, 'k'));
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.data).toBe(42));
    expect(result.current.loading).toBe(false);
    expect(result.current.lastUpdated).toBeInstanceOf(Date);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('polls at the interval and stops while paused', async () => {
    jest.useFakeTimers();
    let n = 0;
    const load = jest.fn(() => Promise.resolve(++n));
    const { result, rerender } = renderHook(({ paused }) => usePolling(load, 'k', { intervalMs: 1000, paused }), {
      initialProps: { paused: false },
    });
    await act(async () => {
      await Promise.resolve();
    });
    expect(result.current.data).toBe(1);
    await act(async () => {
      jest.advanceTimersByTime(1000);
      await Promise.resolve();
    });
    expect(result.current.data).toBe(2);
    rerender({ paused: true });
    await act(async () => {
      jest.advanceTimersByTime(5000);
      await Promise.resolve();
    });
    expect(load).toHaveBeenCalledTimes(2);
    rerender({ paused: false });
    await act(async () => {
      jest.advanceTimersByTime(1000);
      await Promise.resolve();
    });
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('reloads when the key changes and ignores answers of superseded requests', async () => {
    const resolvers: Record<string, (v: string) => void> = {};
    const { result, rerender } = renderHook(
      ({ k }) => usePolling(() => new Promise<string>((resolve) => (resolvers[k] = resolve)), k),
      { initialProps: { k: 'a' } }
    );
    rerender({ k: 'b' });
    await act(async () => {
      resolvers.b('answer-b');
    });
    await act(async () => {
      resolvers.a('answer-a'); // late answer of the old key
    });
    expect(result.current.data).toBe('answer-b');
  });

  it('keeps the last data when a refresh fails and reports the error', async () => {
    const load = jest.fn().mockResolvedValueOnce('ok').mockRejectedValueOnce(new Error('boom'));
    const { result } = renderHook(() => usePolling(load, 'k'));
    await waitFor(() => expect(result.current.data).toBe('ok'));
    await act(async () => {
      result.current.refresh();
    });
    await waitFor(() => expect(result.current.error?.message).toBe('boom'));
    expect(result.current.data).toBe('ok');
  });

  it('drops old data on key change when asked to', async () => {
    const load = jest.fn((k: string) => (k === 'a' ? Promise.resolve('A') : new Promise<string>(() => {})));
    const { result, rerender } = renderHook(({ k }) => usePolling(() => load(k), k, { resetOnKeyChange: true }), {
      initialProps: { k: 'a' },
    });
    await waitFor(() => expect(result.current.data).toBe('A'));
    rerender({ k: 'b' });
    expect(result.current.data).toBeUndefined();
    expect(result.current.loading).toBe(true);
  });
});
