import type { DisputeState } from '@dispute-room/shared';
import { stateLabels } from '../lib/disputes';

export function StateBadge({ state }: { state: DisputeState }) {
  return (
    <span className={`badge state-${state}`} data-testid="state-badge" data-state={state}>
      {stateLabels[state]}
    </span>
  );
}
