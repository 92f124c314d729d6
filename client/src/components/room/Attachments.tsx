import type { Evidence } from '@dispute-room/shared';
import { useTranslation } from 'react-i18next';
import { evidenceApi } from '../../api/endpoints';
import { t as translate } from '../../i18n';
import { formatMoney } from '../../lib/money';
import { useEvidence } from '../../stores/evidence';
import { usePreview } from '../../stores/preview';
import { useProposals } from '../../stores/proposals';
import { useRoom } from '../../stores/room';
import { downloadWithBearer } from '../../lib/evidenceSrc';
import { Icon } from '../Icon';
import { EvidenceImg } from './EvidenceImg';
import { ProposalDecision, useCanDecide, useProposalNumber } from './ProposalDecision';

export function isImage(contentType: string): boolean {
  return contentType.startsWith('image/');
}

export function isPdf(contentType: string): boolean {
  return contentType === 'application/pdf';
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

export function fileKind(evidence: Pick<Evidence, 'contentType' | 'filename'>): string {
  if (isImage(evidence.contentType)) return translate('evidence.kind.image');
  if (isPdf(evidence.contentType)) return 'PDF';
  const ext = evidence.filename.split('.').pop();
  return ext && ext !== evidence.filename ? ext.toUpperCase() : translate('evidence.kind.file');
}

/** An evidence item inside a thread entry: thumbnail for images, else a file card. */
export function EvidenceAttachment({ evidenceId }: { evidenceId: string }) {
  const evidence = useEvidence((s) => s.byId[evidenceId]);
  const openPreview = usePreview((s) => s.open);
  const { t } = useTranslation();
  const download = evidenceApi.contentUrl(evidenceId);
  if (!evidence) {
    return (
      <a className="attachment" href={download} data-testid="attachment">
        <span className="attachment-icon">
          <Icon name="paperclip" size={18} />
        </span>
        <span className="attachment-name">{t('evidence.attachment')}</span>
      </a>
    );
  }
  return (
    <div className="attachment" data-testid="attachment" data-evidence-id={evidence.id}>
      {isImage(evidence.contentType) ? (
        <button
          type="button"
          className="attachment-thumb-button"
          aria-label={t('evidence.previewName', { name: evidence.filename })}
          data-testid="attachment-preview"
          onClick={() => openPreview(evidence)}
        >
          <EvidenceImg
            className="attachment-thumb"
            evidenceId={evidence.id}
            alt={evidence.description || evidence.filename}
            loading="lazy"
          />
        </button>
      ) : (
        <span className="attachment-icon">
          <Icon name={isPdf(evidence.contentType) ? 'file' : 'paperclip'} size={18} />
        </span>
      )}
      <span className="attachment-text">
        <a
          className="attachment-name"
          href={download}
          download={evidence.filename}
          onClick={(e) => downloadWithBearer(e, evidence.id, evidence.filename)}
        >
          <bdi>{evidence.filename}</bdi>
        </a>
        <span className="muted">
          {fileKind(evidence)} · {formatBytes(evidence.size)}
          {evidence.description && (
            <>
              {' · '}
              <bdi>{evidence.description}</bdi>
            </>
          )}
          {isPdf(evidence.contentType) && (
            <>
              {' · '}
              <button
                type="button"
                className="link-button"
                data-testid="attachment-preview"
                onClick={() => openPreview(evidence)}
              >
                {t('evidence.preview')}
              </button>
            </>
          )}
        </span>
      </span>
    </div>
  );
}

/** The offer a `proposal` entry refers to, with its live status and, for the party it waits on, the answer. */
export function ProposalReference({
  proposalId,
  storedText,
}: {
  proposalId: string;
  /** The entry's stored (English) text: shown only while the proposal itself is unknown. */
  storedText: string;
}) {
  const proposal = useProposals((s) => s.items.find((p) => p.id === proposalId));
  const dispute = useRoom((s) => s.dispute);
  const number = useProposalNumber(proposalId);
  const canDecide = useCanDecide(proposal, dispute);
  const { t } = useTranslation();
  if (!proposal || !dispute) {
    return storedText ? (
      <div className="message-body" dir="auto">
        {storedText}
      </div>
    ) : null;
  }
  return (
    <div className="proposal-ref" data-testid="proposal-ref" data-status={proposal.status}>
      <div className="proposal-ref-terms">
        <span>
          {number !== null && <strong>#{number} </strong>}
          {t('offers.terms', {
            client: formatMoney(proposal.clientCents, dispute.currency),
            freelancer: formatMoney(proposal.freelancerCents, dispute.currency),
          })}
        </span>
        <span className={`badge proposal-${proposal.status}`}>
          {t(`offers.status.${proposal.status}`)}
        </span>
      </div>
      {proposal.note && (
        <p className="proposal-note" dir="auto">
          {proposal.note}
        </p>
      )}
      {canDecide && <ProposalDecision proposal={proposal} dispute={dispute} />}
    </div>
  );
}
