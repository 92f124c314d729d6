import type { Channel } from '@dispute-room/shared';
import { staffChannelLabel } from '../../lib/channels';

/** A channel's name as a colour-coded chip (the colour is never the only cue: the name is there). */
export function ChannelChip({ channel }: { channel: Channel }) {
  return (
    <span className={`channel-chip channel-${channel.replace(':', '-')}`} data-channel={channel}>
      {staffChannelLabel(channel)}
    </span>
  );
}
