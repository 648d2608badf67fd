// config.permissions: who may resolve, mute or mark a duplicate ("everyone" in the channel by default,
// or a list of platform user ids). A refusal is LD_FORBIDDEN with a line that says who may.

import { LockdownError } from '../../config/errors.ts';
import type { Config } from '../../config/types.ts';
import type { Actor } from './incident-service.ts';

export type GuardedAction = keyof Config['permissions'];

export function isPermitted(permissions: Config['permissions'], action: GuardedAction, actor: Actor): boolean {
  if (actor.privileged) return true;
  const allowed = permissions[action];
  return allowed === 'everyone' || allowed.includes(actor.id);
}

export function checkPermission(permissions: Config['permissions'], action: GuardedAction, actor: Actor, incidentId: string): void {
  if (isPermitted(permissions, action, actor)) return;
  const verb = action === 'dup' ? 'mark incidents as duplicates' : `${action} incidents`;
  throw new LockdownError('LD_FORBIDDEN', `${actor.id} may not ${action} ${incidentId}`, {
    userMessage: `You may not ${verb}: only the people listed in permissions.${action} may.`,
    details: { action, incidentId, actor: actor.id },
  });
}
