import { useEvidenceSrc } from '../../lib/evidenceSrc';

/** An evidence image (thumbnail or preview), loaded the way this session can (see useEvidenceSrc). */
export function EvidenceImg({
  evidenceId,
  className,
  alt,
  loading,
}: {
  evidenceId: string;
  className?: string;
  alt: string;
  loading?: 'lazy' | 'eager';
}) {
  const src = useEvidenceSrc(evidenceId);
  return <img className={className} src={src} alt={alt} loading={loading} />;
}
