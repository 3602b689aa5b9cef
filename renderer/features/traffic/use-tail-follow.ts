import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** A row with an increasing key (newer rows have larger keys). */
interface Keyed {
  readonly key: number;
}

/** What the traffic list needs to follow its tail. */
export interface TailFollow {
  /** True while the list sticks to its newest row. */
  readonly following: boolean;
  /** Rows that arrived since the user scrolled away from the bottom. */
  readonly unseen: number;
  /** The viewport's scroll handler. */
  onScroll(): void;
  /** Scrolls to the newest row and follows again. */
  jumpToEnd(): void;
}

function lastKey(rows: readonly Keyed[]): number {
  return rows.at(-1)?.key ?? 0;
}

/**
 * Follows the newest row while the viewport is at the bottom (as a terminal does), and counts the rows that
 * arrive while the user reads older ones. `rows` are oldest first; heights are fixed (`rowHeight`).
 */
export function useTailFollow(viewport: RefObject<HTMLElement | null>, rows: readonly Keyed[], rowHeight: number, onScrollTop: (top: number) => void): TailFollow {
  const [following, setFollowing] = useState(true);
  const [seenKey, setSeenKey] = useState(0);
  const followingRef = useRef(true);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  const scrollToEnd = useCallback(() => {
    const element = viewport.current;
    if (!element) return;
    const height = element.clientHeight || 600;
    const top = Math.max(0, rowsRef.current.length * rowHeight - height);
    element.scrollTop = top;
    onScrollTop(top);
    setSeenKey(lastKey(rowsRef.current));
  }, [viewport, rowHeight, onScrollTop]);

  useLayoutEffect(() => {
    if (followingRef.current) scrollToEnd();
  }, [rows, scrollToEnd]);

  const onScroll = useCallback(() => {
    const element = viewport.current;
    if (!element) return;
    const height = element.clientHeight || 600;
    const content = rowsRef.current.length * rowHeight;
    const atBottom = element.scrollTop + height >= content - rowHeight / 2;
    onScrollTop(element.scrollTop);
    followingRef.current = atBottom;
    setFollowing(atBottom);
    if (atBottom) setSeenKey(lastKey(rowsRef.current));
  }, [viewport, rowHeight, onScrollTop]);

  const jumpToEnd = useCallback(() => {
    followingRef.current = true;
    setFollowing(true);
    scrollToEnd();
  }, [scrollToEnd]);

  let unseen = 0;
  if (!following) for (let i = rows.length - 1; i >= 0 && (rows[i] as Keyed).key > seenKey; i -= 1) unseen += 1;
  return { following, unseen, onScroll, jumpToEnd };
}
