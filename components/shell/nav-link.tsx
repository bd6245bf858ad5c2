"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** Pages that belong to another area than their path says: the AuthZEN directory is under Policies. */
const ALSO: Record<string, string[]> = { "/policies": ["/directory"] };

/** A main-navigation link that marks the current area (aria-current) for sighted and screen-reader users. */
export function NavLink({ href, label, children }: { href: string; label: string; children?: React.ReactNode }) {
  const path = usePathname();
  const under = (h: string) => path === h || path.startsWith(`${h}/`);
  const current = href === "/" ? path === "/" : under(href) || (ALSO[href] ?? []).some(under);
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className={`rounded px-2 py-1 hover:bg-slate-100 hover:text-slate-900 ${current ? "bg-indigo-50 font-medium text-indigo-900" : "text-slate-700"}`}
    >
      {label}
      {children}
    </Link>
  );
}
