import type { Evidence } from '@dispute-room/shared';
import { evidenceApi } from '../../api/endpoints';
import { formatMoney } from '../../lib/money';
import { useEvidence } from '../../stores/evidence';
import { usePreview } from '../../stores/preview';
import { useProposals } from '../../stores/proposals';
import { useRoom } from '../../stores/room';
import { Icon } from '../Icon';
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
  if (isImage(evidence.contentType)) return 'Image';
  if (isPdf(evidence.contentType)) return 'PDF';
  const ext = evidence.filename.split('.').pop();
  return ext && ext !== evidence.filename ? ext.toUpperCase() : 'File';
}

/** An evidence item inside a thread entry: thumbnail for images, else a file card. */
export function EvidenceAttachment({ evidenceId }: { evidenceId: string }) {
  const evidence = useEvidence((s) => s.byId[evidenceId]);
  const openPreview = usePreview((s) => s.open);
  const download = evidenceApi.contentUrl(evidenceId);
  if (!evidence) {
    return (
      <a className="attachment" href={download} data-testid="attachment">
        <span className="attachment-icon">
          <Icon name="paperclip" size={18} />
        </span>
        <span className="attachment-name">Attachment</span>
      </a>
    );
  }
  return (
    <div className="attachment" data-testid="attachment" data-evidence-id={evidence.id}>
      {isImage(evidence.contentType) ? (
        <button
          type="button"
          className="attachment-thumb-button"
          aria-label={`Preview ${evidence.filename}`}
          data-testid="attachment-preview"
          onClick={() => openPreview(evidence)}
        >
          <img
            className="attachment-thumb"
            src={evidenceApi.contentUrl(evidence.id, true)}
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
        <a className="attachment-name" href={download} download={evidence.filename}>
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
                Preview
              </button>
            </>
          )}
        </span>
      </span>
    </div>
  );
}

/** The offer a `proposal` entry refers to, with its live status and, for the party it waits on, the answer. */
export function ProposalReference({ proposalId }: { proposalId: string }) {
  const proposal = useProposals((s) => s.items.find((p) => p.id === proposalId));
  const dispute = useRoom((s) => s.dispute);
  const number = useProposalNumber(proposalId);
  const canDecide = useCanDecide(proposal, dispute);
  if (!proposal || !dispute) return null;
  return (
    <div className="proposal-ref" data-testid="proposal-ref" data-status={proposal.status}>
      <div className="proposal-ref-terms">
        <span>
          {number !== null && <strong>#{number} </strong>}
          Client {formatMoney(proposal.clientCents, dispute.currency)} · Freelancer{' '}
          {formatMoney(proposal.freelancerCents, dispute.currency)}
        </span>
        <span className={`badge proposal-${proposal.status}`}>{proposal.status}</span>
      </div>
      {canDecide && <ProposalDecision proposal={proposal} dispute={dispute} />}
    </div>
  );
}
