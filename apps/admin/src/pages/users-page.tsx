/** Users: agents and admins. Create, edit, delete, reset a password. */
import { useEffect, useState } from 'preact/hooks';
import { EMAIL_PATTERN, REACH, ROLES, type Reach, type Role, type User } from '@cw/protocol';
import { api, ApiError, type UserBody } from '../api.js';
import { ask } from '../components/confirm.js';
import { Modal, ModalButtons } from '../components/modal.js';
import { DataTable, failHandler, PageHead } from '../components/page.js';
import { ErrorBanner, SelectField, TextField } from '../components/fields.js';
import { t } from '../i18n.js';
import { PictureField } from '../widget/picture-field.js';
import { msg } from '@cw/client-core';

const ROLE_LABEL: Record<Role, string> = { admin: msg("Admin"), agent: msg("Agent") };
/** Spec 9's choices for where calls and chats go. */
export const REACH_LABEL: Record<Reach, string> = { console: msg("Console"), phone: msg("Phone"), both: msg("Both") };
export const REACH_OPTIONS = REACH.map((r) => ({ value: r, label: REACH_LABEL[r] }));

/** Turns an API error into a field error (by the server's field) or a general one. */
export function splitError(e: unknown): { field?: string; message: string } {
  if (e instanceof ApiError) return { field: e.field?.split(/[.[]/)[0], message: e.message };
  return { message: e instanceof Error ? e.message : String(e) };
}

function UserDialog(p: { user: User | null; meId: string; onDone: (u: User) => void; onCancel: () => void; onUnauthorized: () => void }) {
  const u = p.user;
  const [f, setF] = useState({
    username: u?.username ?? '',
    password: '',
    displayName: u?.displayName ?? '',
    sipId: u?.sipId ?? '',
    email: u?.email ?? '',
    phone: u?.phone ?? '',
    department: u?.department ?? '',
  });
  const [picture, setPicture] = useState(u?.picture ?? '');
  const [roles, setRoles] = useState<Role[]>(u?.roles ?? ['agent']);
  const [reach, setReach] = useState<Reach>(u?.reach ?? 'console');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));

  const submit = async () => {
    const e: Record<string, string> = {};
    if (!f.username.trim()) e.username = t('Enter a username.');
    else if (!/^[A-Za-z0-9._@-]+$/.test(f.username)) e.username = t("Use letters, digits and . _ @ - only.");
    if (!u && !f.password) e.password = t('Enter a password.');
    else if (!u && f.password.length < 8) e.password = t("At least 8 characters.");
    if (f.email.trim() && !new RegExp(EMAIL_PATTERN).test(f.email.trim())) e.email = t('Enter an e-mail address such as ann@example.com (no spaces), or leave it empty.');
    if (f.sipId && !/^[A-Za-z0-9._@+-]+$/.test(f.sipId)) e.sipId = t("Use letters, digits and . _ @ + - only.");
    if (!roles.length) e.roles = t("Choose at least one role.");
    if (u && u.id === p.meId && !roles.includes('admin')) e.roles = t("You cannot take the admin role from yourself; ask another admin.");
    setErrors(e);
    if (Object.keys(e).length) return;
    setBusy(true);
    setGeneral(null);
    const body: UserBody = { username: f.username, displayName: f.displayName, email: f.email, phone: f.phone, department: f.department, roles, reach };
    if (f.sipId) body.sipId = f.sipId;
    // Sent only when it changed: a picture is large.
    if (picture !== (u?.picture ?? '')) body.picture = picture;
    try {
      const res = u ? await api.patchUser(u.id, body) : await api.createUser({ ...body, password: f.password });
      p.onDone(res);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return p.onUnauthorized();
      const s = splitError(err);
      if (s.field && (s.field in f || s.field === 'reach' || s.field === 'picture')) setErrors({ [s.field]: s.message });
      else setGeneral(s.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={u ? t("Edit user {username}", { username: u.username }) : t("Add user")}
      onClose={p.onCancel}
      onSubmit={submit}
      footer={<ModalButtons onCancel={p.onCancel} submitLabel={u ? t("Save user") : t("Create user")} busy={busy} />}
    >
      <ErrorBanner message={general} />
      <div class="grid-2">
        <TextField label={t("Username")} maxLength={100} value={f.username} onValue={set('username')} error={errors.username} required autoComplete="off" spellcheck={false} />
        {!u && <TextField label={t("Password")} type="password" value={f.password} onValue={set('password')} error={errors.password} required autoComplete="new-password" hint={t("At least 8 characters.")} />}
        <TextField label={t("Display name")} maxLength={100} value={f.displayName} onValue={set('displayName')} error={errors.displayName} />
        <TextField label={t("SIP-ID")} value={f.sipId} onValue={set('sipId')} error={errors.sipId} spellcheck={false} hint={t("The address visitors call; needed to be an agent on a widget.")} />
        <TextField label={t("E-mail")} maxLength={254} type="email" value={f.email} onValue={set('email')} error={errors.email} />
        <TextField label={t("Phone")} maxLength={50} type="tel" value={f.phone} onValue={set('phone')} error={errors.phone} />
        <TextField label={t("Department")} maxLength={100} value={f.department} onValue={set('department')} error={errors.department} />
        <PictureField value={picture} onValue={setPicture} error={errors.picture} type="sidebar" />
        <p class="hint">{t("Picture, department, phone and e-mail show on every widget this user is an agent of (a widget may override them).")}</p>
        <SelectField<Reach>
          label={t("Reached at")}
          value={reach}
          field="reach"
          onValue={setReach}
          options={REACH_OPTIONS}
          error={errors.reach}
          hint={t("Console: the agent console. Phone: the phone system rings sip:SIP-ID@domain. Both: both ring, the first to answer takes the call.")}
        />
      </div>
      <fieldset class="field">
        <legend>{t("Roles")}</legend>
        <div class="checks-row">
          {ROLES.map((r) => (
            <label key={r} class="check-inline">
              <input type="checkbox" checked={roles.includes(r)} onChange={(e) => setRoles((x) => ((e.currentTarget as HTMLInputElement).checked ? ROLES.filter((y) => y === r || x.includes(y)) : x.filter((y) => y !== r)))} />
              {t(ROLE_LABEL[r])}
            </label>
          ))}
        </div>
        <p class="hint">{t("Admins manage widgets, users and flags here. Agents answer visitors in the agent console.")}</p>
        {errors.roles && <p class="field-error">{errors.roles}</p>}
      </fieldset>
    </Modal>
  );
}

function PasswordDialog(p: { user: User; onDone: () => void; onCancel: () => void; onUnauthorized: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = async () => {
    if (password.length < 8) return setError(t("At least 8 characters."));
    try {
      await api.patchUser(p.user.id, { password: password });
      p.onDone();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return p.onUnauthorized();
      setError(splitError(e).message);
    }
  };
  return (
    <Modal
      title={t("Reset password of {username}", { username: p.user.username })}
      size="small"
      onClose={p.onCancel}
      onSubmit={submit}
      footer={<ModalButtons onCancel={p.onCancel} submitLabel={t("Set password")} />}
    >
      <TextField label={t("New password")} type="password" value={password} onValue={setPassword} error={error} autoComplete="new-password" hint={t("At least 8 characters. Tell the user in a safe way.")} />
    </Modal>
  );
}

export function UsersPage(p: { me: User; onUnauthorized: () => void }) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [edit, setEdit] = useState<{ user: User | null } | null>(null);
  const [pwFor, setPwFor] = useState<User | null>(null);

  const fail = failHandler(p.onUnauthorized, setError);
  const load = () => api.users().then(setUsers).catch(fail);
  useEffect(() => void load(), []);

  const del = async (u: User) => {
    const ok = await ask({ title: t("Delete user {username}?", { username: u.username }), message: t("They can no longer sign in. Widgets that list them as an agent keep the entry, but it cannot be reached."), confirmLabel: t("Delete user"), danger: true });
    if (!ok) return;
    try {
      await api.deleteUser(u.id);
      setStatus(t("Deleted {username}.", { username: u.username }));
      await load();
    } catch (e) {
      fail(e);
    }
  };

  return (
    <div class="page">
      <PageHead title={t("Users")} addLabel={t("Add user")} onAdd={() => setEdit({ user: null })} />
      <ErrorBanner message={error} />
      <p class="sr-only" role="status">
        {status}
      </p>
      {users === null && !error && <p class="loading">{t("Loading users…")}</p>}
      {users && (
        <DataTable caption={t("Users")} columns={[t("Username"), t("Display name"), t("SIP-ID"), t("Department"), t("Roles"), t("Reached at")]}>
          {users.map((u) => (
            <tr key={u.id}>
              <th scope="row">{u.username}</th>
              <td>{u.displayName}</td>
              <td>{u.sipId}</td>
              <td>{u.department}</td>
              <td>{u.roles.map((r) => t(ROLE_LABEL[r] ?? r)).join(', ')}</td>
              <td>{t(REACH_LABEL[u.reach ?? 'console'])}</td>
              <td class="row-actions">
                <button type="button" class="btn btn-small" aria-label={t("Edit {username}", { username: u.username })} onClick={() => setEdit({ user: u })}>
                  {t("Edit")}
                </button>
                <button type="button" class="btn btn-small" aria-label={t("Reset password of {username}", { username: u.username })} onClick={() => setPwFor(u)}>
                  {t("Reset password")}
                </button>
                <button type="button" class="btn btn-small btn-quiet-danger" aria-label={t("Delete {username}", { username: u.username })} disabled={u.id === p.me.id} title={u.id === p.me.id ? t("You cannot delete yourself") : undefined} onClick={() => del(u)}>
                  {t("Delete")}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {edit && (
        <UserDialog
          user={edit.user}
          meId={p.me.id}
          onCancel={() => setEdit(null)}
          onUnauthorized={p.onUnauthorized}
          onDone={(u) => {
            setEdit(null);
            setStatus(edit.user ? t('Saved {username}.', { username: u.username ?? '' }) : t('Created {username}.', { username: u.username ?? '' }));
            void load();
          }}
        />
      )}
      {pwFor && (
        <PasswordDialog
          user={pwFor}
          onCancel={() => setPwFor(null)}
          onUnauthorized={p.onUnauthorized}
          onDone={() => {
            setStatus(t("New password set for {username}.", { username: pwFor.username }));
            setPwFor(null);
          }}
        />
      )}
    </div>
  );
}
