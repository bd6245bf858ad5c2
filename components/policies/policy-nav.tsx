import Link from "next/link";

const LINKS = [
  { href: "/policies", label: "Editor" },
  { href: "/policies/versions", label: "Versions" },
  { href: "/policies/shadow", label: "Shadow" },
  { href: "/directory", label: "Directory (AuthZEN)" },
];

export function PolicyNav({ current }: { current: string }) {
  return (
    <nav aria-label="Policy" className="flex gap-3 text-sm">
      {LINKS.map((l) => (
        <Link
          key={l.href}
          href={l.href}
          aria-current={l.href === current ? "page" : undefined}
          className={l.href === current ? "font-semibold text-slate-900 underline" : "text-indigo-700 hover:underline"}
        >
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
