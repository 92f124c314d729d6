import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useUploads } from '../../stores/uploads';
import { formatBytes } from './Attachments';

/** Uploads of this dispute in flight or failed, with progress and the server's refusal. */
export function UploadTray({ disputeId }: { disputeId: string }) {
  const all = useUploads((s) => s.items);
  const cancel = useUploads((s) => s.cancel);
  const dismiss = useUploads((s) => s.dismiss);
  const items = useMemo(() => all.filter((u) => u.disputeId === disputeId), [all, disputeId]);
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <ul className="upload-tray" aria-label={t('upload.label')}>
      {items.map((u) => (
        <li
          key={u.id}
          className={`upload-item ${u.status}`}
          data-testid="upload-item"
          data-status={u.status}
        >
          <span className="upload-name" title={u.filename}>
            {u.filename}
          </span>
          <span className="muted small">{formatBytes(u.size)}</span>
          {u.status === 'uploading' && (
            <>
              <progress
                max={1}
                value={u.progress}
                aria-label={t('upload.uploading', { name: u.filename })}
                className="upload-progress"
              />
              <span className="small">{Math.round(u.progress * 100)}%</span>
              <button type="button" className="link-button" onClick={() => cancel(u.id)}>
                {t('common.cancel')}
              </button>
            </>
          )}
          {u.status === 'done' && <span className="upload-done small">{t('upload.done')}</span>}
          {u.status === 'failed' && (
            <>
              <span className="form-error small" role="alert" data-testid="upload-error">
                {u.error}
              </span>
              <button type="button" className="link-button" onClick={() => dismiss(u.id)}>
                {t('upload.dismiss')}
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
