/**
 * RoleBindings and ClusterRoleBindings as a Kubernetes v1.33 API server prints them: pkg/printers/internalversion/
 * printers.go printRoleBinding, printClusterRoleBinding (subjects split by pkg/apis/rbac SubjectsStrings). Roles and
 * ClusterRoles have no printer upstream: they get the default NAME and CREATED AT (index.ts).
 */
import type { KubeObject } from '../store.js';
import { ageOf, nameOf } from './format.js';
import { ageColumn, column, nameColumn, type PrintedRow, type Printer } from './table.js';

interface Binding {
  roleRef?: { kind?: string; name?: string };
  subjects?: Array<{ kind?: string; name?: string; namespace?: string }>;
}

function printBinding(obj: KubeObject, now: number): PrintedRow {
  const { roleRef, subjects = [] } = obj as Binding;
  const named = (kind: string) => subjects.filter((s) => s.kind === kind);
  const users = named('User').map((s) => s.name ?? '');
  const groups = named('Group').map((s) => s.name ?? '');
  const accounts = named('ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name ?? ''}`);
  return {
    cells: [
      nameOf(obj),
      `${roleRef?.kind ?? ''}/${roleRef?.name ?? ''}`,
      ageOf(obj, now),
      users.join(', '),
      groups.join(', '),
      accounts.join(', '),
    ],
  };
}

export const roleBindingPrinter: Printer = {
  columns: [
    nameColumn,
    column('Role'),
    ageColumn,
    column('Users', 'string', true),
    column('Groups', 'string', true),
    column('ServiceAccounts', 'string', true),
  ],
  row: printBinding,
};
