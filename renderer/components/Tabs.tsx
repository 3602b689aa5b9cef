import { useRef, type KeyboardEvent } from 'react';

/** One tab. */
export interface TabItem<T extends string> {
  readonly id: T;
  readonly label: string;
}

/** An ARIA tab list: arrow keys move between tabs, Home/End jump. */
export function Tabs<T extends string>({ items, value, onChange, label }: { items: readonly TabItem<T>[]; value: T; onChange: (id: T) => void; label: string }) {
  const list = useRef<HTMLDivElement>(null);
  const onKey = (event: KeyboardEvent) => {
    const index = items.findIndex((item) => item.id === value);
    const next =
      event.key === 'ArrowRight' ? (index + 1) % items.length
      : event.key === 'ArrowLeft' ? (index - 1 + items.length) % items.length
      : event.key === 'Home' ? 0
      : event.key === 'End' ? items.length - 1
      : -1;
    const item = items[next];
    if (!item) return;
    event.preventDefault();
    onChange(item.id);
    list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[next]?.focus();
  };
  return (
    <div ref={list} role="tablist" aria-label={label} className="tabs" onKeyDown={onKey}>
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="tab"
          aria-selected={item.id === value}
          tabIndex={item.id === value ? 0 : -1}
          className={`tab ${item.id === value ? 'active' : ''}`}
          onClick={() => onChange(item.id)}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
