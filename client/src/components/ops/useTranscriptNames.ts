import type { Transcript } from '@dispute-room/shared';
import { useMemo } from 'react';
import { personName, readParticipants } from '../../lib/people';
import { selectUser, useSession } from '../../stores/session';

import type { NameOf } from '../room/useNames';

export type { NameOf };

/** What every part of the transcript page is drawn from. */
export interface TranscriptViewProps {
  transcript: Transcript;
  /** The viewer's time zone. */
  zone: string;
  nameOf: NameOf;
}

/** Names people of a transcript: the viewer, the participants it lists, else their seat or role. */
export function useTranscriptNames(transcript: Transcript | null): NameOf {
  const me = useSession(selectUser);
  return useMemo(() => {
    const participants = readParticipants(transcript?.participants);
    const dispute = transcript?.dispute ?? null;
    return (userId, fallbackRole) =>
      personName(userId, { dispute, participants, me }, fallbackRole);
  }, [transcript, me]);
}
