import Link from "next/link";
import type { ConsoleUser } from "@/lib/auth/console-user";
import type { PendingCount } from "@/lib/sessions/queries-approvals";
import { SearchBox } from "@/components/search/search-box";
import { ZoneToggle } from "@/components/time/zone-toggle";
import type { Theme } from "@/lib/console/theme";
import { ApprovalsBadge } from "./approvals-badge";
import { NavLink } from "./nav-link";
import { KeyboardShortcuts } from "./shortcuts";
import { SignOutButton } from "./sign-out-button";
import { ThemeSelect } from "./theme-select";

/** The header's search box; `/` focuses it (shortcuts.tsx). */
const SEARCH_ID = "header-search-q";

export const AREAS = [
  { href: "/", label: "Dashboard" },
  { href: "/tools", label: "Tools" },
  { href: "/agents", label: "Agents" },
  { href: "/nhi", label: "NHI" },
  { href: "/policies", label: "Policies" },
  { href: "/triage", label: "Needs me" },
  { href: "/sessions", label: "Sessions" },
  { href: "/approvals", label: "Approvals" },
  { href: "/audit", label: "Audit" },
  { href: "/posture", label: "Posture" },
  { href: "/sinks", label: "Sinks" },
  { href: "/users", label: "Users" },
] as const;

/** Areas for admins and analysts (their pages and APIs refuse viewers). */
const NOT_VIEWERS = new Set<string>(["/posture", "/sinks"]);

/**
 * `pending`: the approvals waiting when the page was rendered (the badge keeps it current); `theme`: the
 * browser's theme cookie, as the root layout rendered it.
 */
export function Nav({ user, pending, theme }: { user: ConsoleUser; pending: PendingCount; theme: Theme }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-2">
        <Link href="/" className="font-semibold tracking-tight text-indigo-800">
          Mandate
        </Link>
        <nav aria-label="Main" className="flex flex-1 flex-wrap gap-1 text-sm">
          {AREAS.filter((a) => (a.href !== "/users" || user.role === "admin") && (!NOT_VIEWERS.has(a.href) || user.role !== "viewer")).map((a) => (
            <NavLink key={a.href} href={a.href} label={a.label}>
              {a.href === "/approvals" ? <ApprovalsBadge initial={pending} /> : null}
            </NavLink>
          ))}
        </nav>
        <SearchBox id={SEARCH_ID} />
        <div className="flex items-center gap-3 text-sm">
          <ZoneToggle />
          <ThemeSelect initial={theme} />
          <KeyboardShortcuts searchId={SEARCH_ID} viewer={user.role === "viewer"} />
          <Link href="/account" className="text-slate-700 hover:underline">
            {user.email}
          </Link>
          <span className="rounded bg-slate-100 px-2 py-0.5 text-xs font-medium uppercase text-slate-700">{user.role}</span>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
