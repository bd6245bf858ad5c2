import type { PolicyProblem } from "@/lib/policy/policy-set";
import type { ValidationState } from "./use-validation";

/** A problem's line: a button that puts the editor's cursor on it (onJump), or plain text without an editor. */
function LineButton({ p, onJump, label }: { p: PolicyProblem; onJump?: (line: number, column: number) => void; label: string }) {
  if (!onJump) return <span className="font-mono">{label}</span>;
  return (
    <button
      type="button"
      onClick={() => onJump(p.line, p.column)}
      className="font-mono underline decoration-dotted underline-offset-2 hover:decoration-solid"
      aria-label={`Go to ${label}`}
    >
      {label}
    </button>
  );
}

export function ValidationStatus({ v, onJump }: { v: ValidationState; onJump?: (line: number, column: number) => void }) {
  if (v.status === "checking")
    return (
      <p role="status" className="text-sm text-slate-700" data-testid="validation-status">
        Checking against the schema…
      </p>
    );
  if (v.status === "error")
    return (
      <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
        {v.error}
      </p>
    );
  const { valid, problems, warnings, policyCount } = v.result;
  return (
    <div className="space-y-2" aria-live="polite">
      <p
        data-testid="validation-status"
        className={`rounded px-3 py-2 text-sm font-medium ${valid ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-900"}`}
      >
        {valid
          ? `Valid: ${policyCount} policies, checked against the schema generated from the tool inventory.`
          : `${problems.length} problem${problems.length === 1 ? "" : "s"}: this policy set cannot be published.`}
      </p>
      {problems.length > 0 && (
        <ul className="space-y-1 text-sm" aria-label="Problems">
          {problems.map((p, i) => (
            <li key={i} data-testid="problem" data-line={p.line} className="rounded border-l-4 border-red-600 bg-white px-2 py-1 text-red-900">
              <LineButton p={p} onJump={onJump} label={`line ${p.line}:${p.column}`} />{" "}
              {p.policyId && <span className="font-mono text-xs">[{p.policyId}]</span>} {p.message}
            </li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul className="space-y-1 text-sm" aria-label="Warnings">
          {warnings.map((p, i) => (
            <li key={i} data-testid="warning" data-line={p.line} className="rounded border-l-4 border-amber-500 bg-white px-2 py-1 text-amber-900">
              <LineButton p={p} onJump={onJump} label={`line ${p.line}`} /> {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
