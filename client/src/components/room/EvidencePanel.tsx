import type { Channel, Evidence } from '@dispute-room/shared';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { evidenceApi } from '../../api/endpoints';
import type { ChannelTab } from '../../lib/channels';
import { dateTimeLabel } from '../../lib/time';
import { useEvidence } from '../../stores/evidence';
import { selectZone, useSession } from '../../stores/session';
import { useUploads } from '../../stores/uploads';
import { fileKind, formatBytes, isImage, isPdf } from './Attachments';
import { useNameOf } from './useNames';

/** A modal preview of an image or PDF, using the server's inline disposition. */
function Preview({ evidence, onClose }: { evidence: Evidence; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    // Unmounting removes the dialog from the top layer; closing here would fire onClose.
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);
  const src = evidenceApi.contentUrl(evidence.id, true);
  return (
    <dialog
      ref={dialog}
      className="preview-dialog"
      aria-label={`Preview of ${evidence.filename}`}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === dialog.current) onClose();
      }}
    >
      <div className="preview-header">
        <span className="preview-title">
          <bdi>{evidence.filename}</bdi>
        </span>
        <a
          className="btn btn-ghost btn-small"
          href={evidenceApi.contentUrl(evidence.id)}
          download={evidence.filename}
        >
          Download
        </a>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
      <div className="preview-body">
        {isImage(evidence.contentType) ? (
          <img src={src} alt={evidence.description || evidence.filename} />
        ) : (
          <object data={src} type="application/pdf" aria-label={evidence.filename}>
            <p>
              Your browser cannot show this PDF here.{' '}
              <a href={evidenceApi.contentUrl(evidence.id)}>Download it</a>.
            </p>
          </object>
        )}
      </div>
    </dialog>
  );
}

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
  const startUpload = useUploads((s) => s.start);
  const [filter, setFilter] = useState<Channel | 'all'>('all');
  const [previewing, setPreviewing] = useState<Evidence | null>(null);
  const [description, setDescription] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const filterId = useId();
  const descriptionId = useId();

  useEffect(() => {
    void useEvidence.getState().load(disputeId, filter === 'all' ? undefined : filter);
  }, [disputeId, filter]);

  const readable = useMemo(() => new Set(tabs.map((t) => t.channel)), [tabs]);
  const items = useMemo(
    () =>
      Object.values(byId)
        .filter((e) => readable.has(e.channel) && (filter === 'all' || e.channel === filter))
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)),
    [byId, filter, readable],
  );
  const uploadChannel = filter === 'all' ? activeChannel : filter;
  const uploadTab = tabs.find((t) => t.channel === uploadChannel);
  const labelOf = (channel: Channel) => tabs.find((t) => t.channel === channel)?.label ?? channel;

  return (
    <div className="evidence-panel" data-testid="evidence-panel">
      <div className="field inline">
        <label htmlFor={filterId} className="field-label">
          Channel
        </label>
        <select
          id={filterId}
          value={filter}
          onChange={(e) => setFilter(e.target.value as Channel | 'all')}
        >
          <option value="all">All channels</option>
          {tabs.map((t) => (
            <option key={t.channel} value={t.channel}>
              {t.label}
            </option>
          ))}
        </select>
      </div>

      {canUpload && uploadTab?.writable && (
        <div className="evidence-upload card-inset">
          <label htmlFor={descriptionId} className="field-label">
            Add evidence to {uploadTab.label}
          </label>
          <input
            id={descriptionId}
            placeholder="Description (optional)"
            maxLength={2000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
          <input
            ref={fileInput}
            type="file"
            hidden
            data-testid="evidence-file-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) startUpload(disputeId, uploadChannel, file, description.trim());
              setDescription('');
              e.target.value = '';
            }}
          />
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => fileInput.current?.click()}
          >
            Choose file…
          </button>
          <p className="field-hint">Images, PDF, text, CSV, ZIP and Office files.</p>
        </div>
      )}

      {status === 'error' && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {items.length === 0 && status !== 'loading' && <p className="muted">No evidence yet.</p>}
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
                onClick={() => setPreviewing(e)}
              >
                <img
                  className="evidence-thumb"
                  src={evidenceApi.contentUrl(e.id, true)}
                  alt={`Preview of ${e.filename}`}
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
                  onClick={() => setPreviewing(e)}
                >
                  Preview
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {previewing && <Preview evidence={previewing} onClose={() => setPreviewing(null)} />}
    </div>
  );
}
