function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** A round initial in the colour of the person's role. */
export function Avatar({
  name,
  role,
  online,
}: {
  name: string;
  role: string | null;
  /** Shows a presence dot when defined. */
  online?: boolean;
}) {
  return (
    <span className={`avatar role-${role ?? 'unknown'}`} aria-hidden="true">
      {initials(name)}
      {online !== undefined && <span className={`presence-dot ${online ? 'online' : 'offline'}`} />}
    </span>
  );
}
