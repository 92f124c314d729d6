import { useRef } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { evidenceApi } from '../../api/endpoints';
import { downloadWithBearer, useEvidenceSrc } from '../../lib/evidenceSrc';
import { useModal } from '../../lib/useModal';
import { usePreview } from '../../stores/preview';
import { isImage } from './Attachments';

/** A modal preview of an image or PDF, using the server's inline disposition. */
export function EvidencePreview() {
  const evidence = usePreview((s) => s.evidence);
  const close = usePreview((s) => s.close);
  return evidence ? <PreviewDialog key={evidence.id} onClose={close} /> : null;
}

function PreviewDialog({ onClose }: { onClose: () => void }) {
  const evidence = usePreview((s) => s.evidence)!;
  const dialog = useRef<HTMLDialogElement>(null);
  useModal(dialog);
  const { t } = useTranslation();
  const src = useEvidenceSrc(evidence.id);
  return (
    <dialog
      ref={dialog}
      className="preview-dialog"
      aria-label={t('evidence.previewOf', { name: evidence.filename })}
      data-testid="evidence-preview-dialog"
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
          onClick={(e) => downloadWithBearer(e, evidence.id, evidence.filename)}
        >
          {t('evidence.download')}
        </a>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose} data-autofocus>
          {t('common.close')}
        </button>
      </div>
      <div className="preview-body">
        {isImage(evidence.contentType) ? (
          <img src={src} alt={evidence.description || evidence.filename} />
        ) : (
          <object data={src} type="application/pdf" aria-label={evidence.filename}>
            <p>
              <Trans
                i18nKey="evidence.noPdf"
                components={{ a: <a href={evidenceApi.contentUrl(evidence.id)} /> }}
              />
            </p>
          </object>
        )}
      </div>
    </dialog>
  );
}
