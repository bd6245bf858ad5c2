import { cookies } from "next/headers";
import { requireUser } from "@/app/auth";
import { Nav } from "@/components/shell/nav";
import { ZoneProvider } from "@/components/time/zone";
import { parseTheme, THEME_COOKIE } from "@/lib/console/theme";
import { UTC } from "@/lib/console/time";
import { pendingApprovalCount } from "@/lib/sessions/queries-approvals";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  const pending = await pendingApprovalCount();
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <ZoneProvider zone={user.timeZone ?? UTC}>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <Nav user={user} pending={pending} theme={theme} />
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        {children}
      </main>
    </ZoneProvider>
  );
}
