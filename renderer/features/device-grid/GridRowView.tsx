import { memo } from 'react';

import { relativeTime } from '../../components/time.js';
import { cellText, type ColumnId, type GridRow } from './grid-model.js';

/** Props of one grid row; all of them keep their identity while the user scrolls. */
export interface GridRowViewProps {
  readonly row: GridRow;
  readonly index: number;
  readonly start: number;
  readonly height: number;
  readonly template: string;
  readonly columns: readonly { id: ColumnId }[];
  readonly selected: boolean;
  readonly now: number;
  readonly onToggle: (index: number, shift: boolean) => void;
  readonly onOpen: (deviceId: string) => void;
}

/**
 * One row of the device grid. Memoised: a scroll step re-renders the grid, and without this every row in view (and
 * the overscan) was rebuilt on every frame although only the rows entering the window are new.
 */
export const GridRowView = memo(function GridRowView({ row, index, start, height, template, columns, selected, now, onToggle, onOpen }: GridRowViewProps) {
  const id = row.device.deviceId;
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-device-id={id}
      className={`grid-row ${selected ? 'selected' : ''}`}
      style={{ gridTemplateColumns: template, transform: `translateY(${start}px)`, height }}
    >
      <span role="cell">
        <input type="checkbox" aria-label={`Select ${id}`} checked={selected} onChange={() => undefined} onClick={(event) => onToggle(index, event.shiftKey)} />
      </span>
      {columns.map((column) => (
        <span key={column.id} role="cell" className="ellipsis" title={cellText(row, column.id)}>
          {column.id === 'deviceId' ? (
            <button type="button" className="link" onClick={() => onOpen(id)} title={`Open ${id}`}>{id}</button>
          ) : column.id === 'lastActivity' ? (
            relativeTime(row.device.lastActivityTime, now)
          ) : (
            cellText(row, column.id)
          )}
        </span>
      ))}
    </div>
  );
});
