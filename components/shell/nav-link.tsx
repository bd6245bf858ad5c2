"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** A main-navigation link that marks the current area (aria-current) for sighted and screen-reader users. */
export function NavLink({ href, label, also = [] }: { href: string; label: string; also?: readonly string[] }) {
  const path = usePathname();
  const under = (h: string) => path === h || path.startsWith(`${h}/`);
  const current = href === "/" ? path === "/" : under(href) || also.some(under);
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className={`rounded px-2 py-1 hover:bg-slate-100 hover:text-slate-900 ${current ? "bg-indigo-50 font-medium text-indigo-900" : "text-slate-700"}`}
    >
      {label}
    </Link>
  );
}
