import type { ReactNode } from 'react';

/** A friendly empty panel that teaches what belongs here. */
export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state" role="note">
      <h3>{title}</h3>
      <div className="empty-state-body">{children}</div>
      {action ? <div className="empty-state-action">{action}</div> : null}
    </div>
  );
}
