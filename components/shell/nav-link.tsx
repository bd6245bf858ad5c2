"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** A main-navigation link that marks the current area (aria-current) for sighted and screen-reader users. */
export function NavLink({ href, label }: { href: string; label: string }) {
  const path = usePathname();
  const current = href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
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
