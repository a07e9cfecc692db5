/** Groups of users: a name, a SIP-ID visitors can call, and members. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Group, Reach, User } from '@cw/protocol';
import { api, ApiError } from '../api.js';
import { ask } from '../components/confirm.js';
import { Modal, ModalButtons } from '../components/modal.js';
import { DataTable, failHandler, PageHead } from '../components/page.js';
import { ErrorBanner, SelectField, TextField } from '../components/fields.js';
import { REACH_LABEL, REACH_OPTIONS, splitError } from './users-page.js';
import { t } from '../i18n.js';

function GroupDialog(p: { group: Group | null; users: User[]; onDone: () => void; onCancel: () => void; onUnauthorized: () => void }) {
  const g = p.group;
  const [name, setName] = useState(g?.name ?? '');
  const [sipId, setSipId] = useState(g?.sipId ?? '');
  const [members, setMembers] = useState<string[]>(g?.members ?? []);
  const [reach, setReach] = useState<Reach>(g?.reach ?? 'console');
  const [filter, setFilter] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return p.users.filter((u) => !q || `${u.displayName} ${u.username} ${u.sipId}`.toLowerCase().includes(q));
  }, [filter, p.users]);

  const submit = async () => {
    const e: Record<string, string> = {};
    if (!name.trim()) e.name = t("Give the group a name.");
    if (!/^[A-Za-z0-9._@+-]+$/.test(sipId)) e.sipId = t("Use letters, digits and . _ @ + - only.");
    setErrors(e);
    if (Object.keys(e).length) return;
    try {
      const body = { name: name.trim(), sipId, members, reach };
      if (g) await api.patchGroup(g.id, body);
      else await api.createGroup(body);
      p.onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return p.onUnauthorized();
      const s = splitError(err);
      if (s.field === 'name' || s.field === 'sipId' || s.field === 'members' || s.field === 'reach') setErrors({ [s.field]: s.message });
      else setGeneral(s.message);
    }
  };

  return (
    <Modal
      title={g ? t("Edit group {name}", { name: g.name }) : t("Add group")}
      onClose={p.onCancel}
      onSubmit={submit}
      footer={<ModalButtons onCancel={p.onCancel} submitLabel={g ? t("Save group") : t("Create group")} />}
    >
      <ErrorBanner message={general} />
      <div class="grid-2">
        <TextField label={t("Group name")} value={name} onValue={setName} error={errors.name} required />
        <TextField label={t("SIP-ID")} value={sipId} onValue={setSipId} error={errors.sipId} required spellcheck={false} hint={t("Calls and chats to it go to all online members; the first to accept takes it.")} />
        <SelectField<Reach>
          label={t("Reached at")}
          value={reach}
          field="reach"
          onValue={setReach}
          options={REACH_OPTIONS}
          error={errors.reach}
          hint={t("Console: each member where they are reached. Phone: the group's own address at the phone system (a hunt group). Both: the members and that address.")}
        />
      </div>
      <fieldset class="field">
        <legend>{t('Members ({count})', { count: members.length })}</legend>
        <TextField label={t("Filter users")} type="search" value={filter} onValue={setFilter} />
        <ul class="member-list">
          {shown.map((u) => (
            <li key={u.id}>
              <label class="check-inline">
                <input type="checkbox" checked={members.includes(u.id)} onChange={(e) => setMembers((m) => ((e.currentTarget as HTMLInputElement).checked ? [...m, u.id] : m.filter((x) => x !== u.id)))} />
                {u.displayName || u.username}
                {u.sipId && <span class="muted"> ({u.sipId})</span>}
              </label>
            </li>
          ))}
          {!shown.length && <li class="muted">{t("No user matches.")}</li>}
        </ul>
        {errors.members && <p class="field-error">{errors.members}</p>}
      </fieldset>
    </Modal>
  );
}

export function GroupsPage(p: { onUnauthorized: () => void }) {
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [edit, setEdit] = useState<{ group: Group | null } | null>(null);

  const fail = failHandler(p.onUnauthorized, setError);
  const load = () => api.groups().then(setGroups).catch(fail);
  useEffect(() => {
    void load();
    api.users().then(setUsers).catch(fail);
  }, []);
  const userName = (id: string) => {
    const u = users.find((x) => x.id === id);
    return u ? u.displayName || u.username : id;
  };

  const del = async (g: Group) => {
    if (!(await ask({ title: t("Delete group {name}?", { name: g.name }), message: t("Widgets that list it as an agent can no longer reach it."), confirmLabel: t("Delete group"), danger: true }))) return;
    try {
      await api.deleteGroup(g.id);
      await load();
    } catch (e) {
      fail(e);
    }
  };

  return (
    <div class="page">
      <PageHead title={t("Groups")} addLabel={t("Add group")} onAdd={() => setEdit({ group: null })} />
      <p class="hint">{t("A group is reachable under its own SIP-ID: a call or chat goes to every online member, and the first to accept takes it.")}</p>
      <ErrorBanner message={error} />
      {groups === null && !error && <p class="loading">{t("Loading groups…")}</p>}
      {groups && groups.length === 0 && <p class="empty">{t("No groups yet.")}</p>}
      {groups && groups.length > 0 && (
        <DataTable caption={t("Groups")} columns={[t("Name"), t("SIP-ID"), t("Members"), t("Reached at")]}>
          {groups.map((g) => (
            <tr key={g.id}>
              <th scope="row">{g.name}</th>
              <td>{g.sipId}</td>
              <td>{g.members.map(userName).join(', ') || <span class="muted">{t("none")}</span>}</td>
              <td>{t(REACH_LABEL[g.reach ?? 'console'])}</td>
              <td class="row-actions">
                <button type="button" class="btn btn-small" aria-label={t("Edit {name}", { name: g.name })} onClick={() => setEdit({ group: g })}>
                  {t("Edit")}
                </button>
                <button type="button" class="btn btn-small btn-quiet-danger" aria-label={t("Delete {name}", { name: g.name })} onClick={() => del(g)}>
                  {t("Delete")}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {edit && (
        <GroupDialog
          group={edit.group}
          users={users}
          onCancel={() => setEdit(null)}
          onUnauthorized={p.onUnauthorized}
          onDone={() => {
            setEdit(null);
            void load();
          }}
        />
      )}
    </div>
  );
}
