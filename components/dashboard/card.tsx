/** A dashboard card: a titled region with its chart, or a plain sentence saying why there is none. */
export function Card({
  id,
  title,
  subtitle,
  error,
  children,
  className = "",
}: {
  id: string;
  title: string;
  subtitle?: React.ReactNode;
  error?: string | null;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <section aria-labelledby={`${id}-h`} className={`rounded border border-slate-200 bg-white p-4 ${className}`} data-testid={`card-${id}`}>
      <h2 id={`${id}-h`} className="font-semibold">
        {title}
      </h2>
      {subtitle && <p className="text-xs text-slate-600">{subtitle}</p>}
      <div className="mt-3">
        {error ? (
          <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
            This chart could not be loaded: {error}
          </p>
        ) : (
          children
        )}
      </div>
    </section>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="rounded border border-dashed border-slate-300 p-4 text-sm text-slate-700">{children}</p>;
}
