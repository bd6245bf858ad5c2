import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg p-10">
      <h1 className="text-xl font-semibold">Not allowed</h1>
      <p className="mt-2 text-slate-700">Your role does not allow this page. Ask an admin if you need access.</p>
      <Link className="mt-4 inline-block text-indigo-700 underline" href="/">
        Back to the overview
      </Link>
    </main>
  );
}
