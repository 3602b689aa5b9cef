/** A coloured pill: connection state, device status, hub status. */
export function StatusBadge({ tone, children, title }: { tone: 'good' | 'bad' | 'warn' | 'neutral'; children: string; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}
