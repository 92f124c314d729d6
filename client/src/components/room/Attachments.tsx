import type { Evidence } from '@dispute-room/shared';
import { evidenceApi } from '../../api/endpoints';
import { formatMoney } from '../../lib/money';
import { useEvidence } from '../../stores/evidence';
import { useProposals } from '../../stores/proposals';
import { useRoom } from '../../stores/room';
import { Icon } from '../Icon';

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
        <a
          href={evidenceApi.contentUrl(evidence.id, true)}
          target="_blank"
          rel="noopener noreferrer"
        >
          <img
            className="attachment-thumb"
            src={evidenceApi.contentUrl(evidence.id, true)}
            alt={evidence.description || evidence.filename}
            loading="lazy"
          />
        </a>
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
        </span>
      </span>
    </div>
  );
}

/** The offer a `proposal` entry refers to, with its live status. */
export function ProposalReference({ proposalId }: { proposalId: string }) {
  const proposal = useProposals((s) => s.items.find((p) => p.id === proposalId));
  const currency = useRoom((s) => s.dispute?.currency ?? 'USD');
  if (!proposal) return null;
  return (
    <div className="proposal-ref" data-testid="proposal-ref">
      <span>
        Client {formatMoney(proposal.clientCents, currency)} · Freelancer{' '}
        {formatMoney(proposal.freelancerCents, currency)}
      </span>
      <span className={`badge proposal-${proposal.status}`}>{proposal.status}</span>
    </div>
  );
}
