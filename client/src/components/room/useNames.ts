import { useCallback } from 'react';
import { personName } from '../../lib/people';
import { useRoom } from '../../stores/room';
import { selectUser, useSession } from '../../stores/session';

export type NameOf = (userId: string | null, fallbackRole?: string | null) => string;

/** Names people of the open room: own name, server-given names, else their seat ("Client"). */
export function useNameOf(): NameOf {
  const clientId = useRoom((s) => s.dispute?.clientId ?? null);
  const freelancerId = useRoom((s) => s.dispute?.freelancerId ?? null);
  const mediatorId = useRoom((s) => s.dispute?.mediatorId ?? null);
  const participants = useRoom((s) => s.participants);
  const me = useSession(selectUser);
  return useCallback(
    (userId, fallbackRole) =>
      personName(
        userId,
        {
          dispute: clientId && freelancerId ? { clientId, freelancerId, mediatorId } : null,
          participants,
          me,
        },
        fallbackRole,
      ),
    [clientId, freelancerId, mediatorId, participants, me],
  );
}
