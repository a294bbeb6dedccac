/**
 * RoleBinding and ClusterRoleBinding rows (src/lab/sim/printers/rbac.ts) as Kubernetes v1.33 printRoleBinding
 * prints them: ROLE Kind/name, then USERS, GROUPS and SERVICEACCOUNTS (namespace/name) for -o wide.
 */
import { describe, expect, it } from 'vitest';
import { roleBindingPrinter } from '../../../../src/lab/sim/printers/rbac.js';

describe('roleBindingPrinter', () => {
  it('ROLE, AGE, and the subjects by kind', () => {
    const binding = {
      metadata: { name: 'binding1', creationTimestamp: '2026-01-09T23:59:00Z' },
      roleRef: { kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [
        { kind: 'User', name: 'system:kube-controller-manager' },
        { kind: 'Group', name: 'system:masters' },
        { kind: 'ServiceAccount', namespace: 'kube-system', name: 'default' },
        { kind: 'ServiceAccount', namespace: 'docqa', name: 'docqa' },
      ],
    };
    expect(roleBindingPrinter.row(binding, Date.UTC(2026, 0, 10)).cells).toEqual([
      'binding1',
      'Role/extension-apiserver-authentication-reader',
      '60s',
      'system:kube-controller-manager',
      'system:masters',
      'kube-system/default, docqa/docqa',
    ]);
    expect(roleBindingPrinter.columns.filter((c) => c.priority).map((c) => c.name)).toEqual([
      'Users',
      'Groups',
      'ServiceAccounts',
    ]);
  });
});
