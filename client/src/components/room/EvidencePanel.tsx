import type { Channel } from '@dispute-room/shared';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePreview } from '../../stores/preview';
import { evidenceApi } from '../../api/endpoints';
import type { ChannelTab } from '../../lib/channels';
import { downloadWithBearer } from '../../lib/evidenceSrc';
import { dateTimeLabel } from '../../lib/time';
import { useEvidence } from '../../stores/evidence';
import { selectZone, useSession } from '../../stores/session';
import { useUploads } from '../../stores/uploads';
import { fileKind, formatBytes, isImage, isPdf } from './Attachments';
import { EvidenceImg } from './EvidenceImg';
import { useNameOf } from './useNames';

/** Evidence of the dispute: filter by channel, preview, download, upload with a description. */
export function EvidencePanel({
  disputeId,
  tabs,
  activeChannel,
  canUpload,
}: {
  disputeId: string;
  tabs: ChannelTab[];
  activeChannel: Channel;
  canUpload: boolean;
}) {
  const byId = useEvidence((s) => s.byId);
  const status = useEvidence((s) => s.status);
  const error = useEvidence((s) => s.error);
  const zone = useSession(selectZone);
  const nameOf = useNameOf();
  const stage = useUploads((s) => s.stage);
  const [filter, setFilter] = useState<Channel | 'all'>('all');
  const openPreview = usePreview((s) => s.open);
  const fileInput = useRef<HTMLInputElement>(null);
  const filterId = useId();
  const { t } = useTranslation();

  useEffect(() => {
    void useEvidence.getState().load(disputeId, filter === 'all' ? undefined : filter);
  }, [disputeId, filter]);

  const readable = useMemo(() => new Set(tabs.map((tab) => tab.channel)), [tabs]);
  const items = useMemo(
    () =>
      Object.values(byId)
        .filter((e) => readable.has(e.channel) && (filter === 'all' || e.channel === filter))
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)),
    [byId, filter, readable],
  );
  const uploadChannel = filter === 'all' ? activeChannel : filter;
  const uploadTab = tabs.find((tab) => tab.channel === uploadChannel);
  const labelOf = (channel: Channel) =>
    tabs.find((tab) => tab.channel === channel)?.label ?? channel;

  return (
    <div className="evidence-panel" data-testid="evidence-panel">
      <div className="field inline">
        <label htmlFor={filterId} className="field-label">
          {t('evidence.channel')}
        </label>
        <select
          id={filterId}
          value={filter}
          onChange={(e) => setFilter(e.target.value as Channel | 'all')}
        >
          <option value="all">{t('evidence.allChannels')}</option>
          {tabs.map((tab) => (
            <option key={tab.channel} value={tab.channel}>
              {tab.label}
            </option>
          ))}
        </select>
      </div>

      {canUpload && uploadTab?.writable && (
        <div className="evidence-upload card-inset">
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="evidence-file-input"
            onChange={(e) => {
              stage(disputeId, uploadChannel, Array.from(e.target.files ?? []));
              e.target.value = '';
            }}
          />
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => fileInput.current?.click()}
          >
            {t('evidence.addTo')} <bdi>{uploadTab.label}</bdi>…
          </button>
          <p className="field-hint">{t('evidence.types')}</p>
        </div>
      )}

      {status === 'error' && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {items.length === 0 && status !== 'loading' && <p className="muted">{t('evidence.none')}</p>}
      <ul className="evidence-list">
        {items.map((e) => (
          <li
            key={e.id}
            className="evidence-item"
            data-testid="evidence-item"
            data-evidence-id={e.id}
          >
            {isImage(e.contentType) ? (
              <button
                type="button"
                className="evidence-thumb-button"
                onClick={() => openPreview(e)}
              >
                <EvidenceImg
                  className="evidence-thumb"
                  evidenceId={e.id}
                  alt={t('evidence.previewOf', { name: e.filename })}
                  loading="lazy"
                />
              </button>
            ) : (
              <span className="evidence-icon" aria-hidden="true">
                {isPdf(e.contentType) ? 'PDF' : fileKind(e)}
              </span>
            )}
            <div className="evidence-text">
              <a
                className="evidence-name"
                href={evidenceApi.contentUrl(e.id)}
                download={e.filename}
                onClick={(event) => downloadWithBearer(event, e.id, e.filename)}
              >
                <bdi>{e.filename}</bdi>
              </a>
              {e.description && (
                <p className="evidence-description" dir="auto">
                  {e.description}
                </p>
              )}
              <p className="muted small">
                {fileKind(e)} · {formatBytes(e.size)} · {labelOf(e.channel)}
                <br />
                <bdi>{nameOf(e.uploaderId)}</bdi> · {dateTimeLabel(e.createdAt, zone)}
              </p>
              <p className="hash small" title={`sha256 ${e.sha256}`}>
                sha256 {e.sha256.slice(0, 12)}…
              </p>
              {(isImage(e.contentType) || isPdf(e.contentType)) && (
                <button
                  type="button"
                  className="link-button"
                  data-testid="evidence-preview"
                  onClick={() => openPreview(e)}
                >
                  {t('evidence.preview')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
