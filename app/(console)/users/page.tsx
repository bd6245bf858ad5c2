import { requireUser } from "@/app/auth";
import { TimeAgo } from "@/components/forms/time-ago";
import { CreateUserForm, DisableButton, RoleSelect } from "@/components/users/user-controls";
import { listUsers } from "@/lib/console/users-admin";

export const metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await requireUser(["admin"]);
  const users = await listUsers();
  return (
    <section aria-labelledby="users-h" className="space-y-4">
      <h1 id="users-h" className="text-xl font-semibold">
        Users
      </h1>
      <CreateUserForm />
      <div className="overflow-x-auto rounded border border-slate-200 bg-white">
        <table className="min-w-full text-sm" data-testid="users">
          <caption className="sr-only">Users</caption>
          <thead className="bg-slate-50 text-left text-slate-700">
            <tr>
              <th className="px-3 py-2 font-medium">User</th>
              <th className="px-3 py-2 font-medium">Role</th>
              <th className="px-3 py-2 font-medium">Sign-in</th>
              <th className="px-3 py-2 font-medium">Tokens</th>
              <th className="px-3 py-2 font-medium">Last login</th>
              <th className="px-3 py-2 font-medium">Status</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className={`border-t border-slate-100 ${u.disabledAt ? "text-slate-500" : ""}`} data-email={u.email}>
                <td className="px-3 py-2">
                  {u.email}
                  {u.name && <div className="text-xs text-slate-600">{u.name}</div>}
                </td>
                <td className="px-3 py-2">
                  {u.id === me.id ? (
                    <span title="You cannot change your own role">{u.role} (you)</span>
                  ) : (
                    <RoleSelect userId={u.id} role={u.role} email={u.email} />
                  )}
                </td>
                <td className="px-3 py-2">{u.sso ? "single sign-on" : "password"}</td>
                <td className="px-3 py-2 tabular-nums">{u.activeTokens}</td>
                <td className="px-3 py-2">
                  <TimeAgo at={u.lastLoginAt} />
                </td>
                <td className="px-3 py-2">
                  <span className="mr-2">{u.disabledAt ? "disabled" : "active"}</span>
                  {u.id !== me.id && <DisableButton userId={u.id} email={u.email} disabled={!!u.disabledAt} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
