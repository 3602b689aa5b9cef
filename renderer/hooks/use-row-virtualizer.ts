import { observeElementRect, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import type { RefObject } from 'react';

/** Used while the scroll element has no size yet (first paint, jsdom): enough rows for a window. */
const FALLBACK = { width: 1024, height: 640 };

/**
 * A fixed-height row virtualizer (`@tanstack/react-virtual`) over `count` rows inside `scrollRef`. Only the rows in
 * view (plus `overscan`) are rendered, so a list of 10,000 devices costs what a list of 40 costs.
 */
export function useRowVirtualizer(scrollRef: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan = 12): Virtualizer<HTMLElement, Element> {
  return useVirtualizer<HTMLElement, Element>({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan,
    initialRect: FALLBACK,
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : { width: rect.width || FALLBACK.width, height: FALLBACK.height })),
  });
}
