import type { Channel } from '@dispute-room/shared';
import { useEffect, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLocale } from '../../i18n';
import type { ChannelTab } from '../../lib/channels';
import { Icon } from '../Icon';

export const tabId = (channel: Channel) => `tab-${channel.replace(':', '-')}`;
export const panelId = (channel: Channel) => `panel-${channel.replace(':', '-')}`;

/** The channels the viewer may use, as an ARIA tab list (arrow keys move between them). */
export function ChannelTabs({
  tabs,
  active,
  unread,
  onSelect,
}: {
  tabs: ChannelTab[];
  active: Channel;
  unread: Partial<Record<Channel, number>>;
  onSelect: (channel: Channel) => void;
}) {
  const { t } = useTranslation();
  // On a narrow screen the tabs scroll sideways: the open one is always in view.
  useEffect(() => {
    document.getElementById(tabId(active))?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [active]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = tabs.findIndex((t) => t.channel === active);
    let next = -1;
    // Right-to-left, the tabs run the other way: the arrow keys follow what is on screen.
    const forward = currentLocale() === 'ar' ? 'ArrowLeft' : 'ArrowRight';
    const back = forward === 'ArrowLeft' ? 'ArrowRight' : 'ArrowLeft';
    if (event.key === forward) next = (index + 1) % tabs.length;
    else if (event.key === back) next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    const target = tabs[next];
    if (!target) return;
    event.preventDefault();
    onSelect(target.channel);
    document.getElementById(tabId(target.channel))?.focus();
  };

  return (
    <div
      className="channel-tabs"
      role="tablist"
      aria-label={t('channel.tabs')}
      onKeyDown={onKeyDown}
    >
      {tabs.map((tab) => {
        const selected = tab.channel === active;
        const count = unread[tab.channel] ?? 0;
        return (
          <button
            key={tab.channel}
            id={tabId(tab.channel)}
            type="button"
            role="tab"
            className={`channel-tab channel-${tab.channel.replace(':', '-')}`}
            aria-selected={selected}
            aria-controls={panelId(tab.channel)}
            tabIndex={selected ? 0 : -1}
            data-testid={`channel-tab-${tab.channel}`}
            onClick={() => onSelect(tab.channel)}
          >
            {tab.label}
            {!tab.writable && (
              <span className="tab-readonly" title={t('channel.readOnly')}>
                <Icon name="eye" size={13} />
                <span className="sr-only"> {t('channel.readOnlyNote')}</span>
              </span>
            )}
            {!selected && count > 0 && (
              <span className="unread-count" aria-label={t('common.unread', { count })}>
                {count}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
