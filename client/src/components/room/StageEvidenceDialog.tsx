import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Audience } from '../../lib/audience';
import { useModal } from '../../lib/useModal';
import { useUploads, type StagedFiles } from '../../stores/uploads';
import { formatBytes } from './Attachments';

/** An object URL for an image file while it is shown, revoked after. */
function useThumbnail(file: File): string | null {
  const url = useMemo(
    () => (file.type.startsWith('image/') ? URL.createObjectURL(file) : null),
    [file],
  );
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  return url;
}

function StagedFile({
  file,
  description,
  onDescription,
  first,
}: {
  file: File;
  description: string;
  onDescription: (text: string) => void;
  first: boolean;
}) {
  const thumb = useThumbnail(file);
  const id = useId();
  const { t } = useTranslation();
  return (
    <li className="staged-file" data-testid="staged-file">
      {thumb ? (
        <img className="staged-thumb" src={thumb} alt="" />
      ) : (
        <span className="staged-thumb staged-icon" aria-hidden="true">
          {file.name.split('.').pop()?.toUpperCase().slice(0, 4) ?? t('evidence.kind.file')}
        </span>
      )}
      <div className="staged-text">
        <span className="staged-name">
          <bdi>{file.name}</bdi> <span className="muted small">{formatBytes(file.size)}</span>
        </span>
        <label htmlFor={id} className="field-label">
          {t('evidence.descriptionOf')} <bdi>{file.name}</bdi> {t('evidence.optional')}
        </label>
        <input
          id={id}
          maxLength={2000}
          value={description}
          data-autofocus={first ? '' : undefined}
          data-testid="staged-description"
          onChange={(e) => onDescription(e.target.value)}
        />
      </div>
    </li>
  );
}

/**
 * What is about to become evidence, where it goes and who will see it, with a description
 * for each file; nothing is uploaded until "Post".
 */
export function StageEvidenceDialog({
  staged,
  channelLabel,
  audience,
}: {
  staged: StagedFiles;
  channelLabel: string;
  audience: Audience;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useModal(dialog);
  const start = useUploads((s) => s.start);
  const unstage = useUploads((s) => s.unstage);
  const [descriptions, setDescriptions] = useState<string[]>(() => staged.files.map(() => ''));
  const titleId = useId();
  const count = staged.files.length;
  const { t } = useTranslation();

  const post = (event: FormEvent) => {
    event.preventDefault();
    staged.files.forEach((file, i) =>
      start(staged.disputeId, staged.channel, file, descriptions[i]?.trim() ?? ''),
    );
    unstage();
  };

  return (
    <dialog
      ref={dialog}
      className={`stage-dialog audience-${audience.kind}`}
      aria-labelledby={titleId}
      data-testid="stage-evidence"
      onClose={unstage}
    >
      <form onSubmit={post} className="stack">
        <h2 id={titleId} className="dialog-title">
          {t('evidence.stageTitle', { count, channel: channelLabel })}
        </h2>
        <p className={`audience-line audience-${audience.kind}`} data-testid="stage-audience">
          {audience.readers}
        </p>
        <ul className="staged-files">
          {staged.files.map((file, i) => (
            <StagedFile
              key={`${file.name}-${i}`}
              file={file}
              first={i === 0}
              description={descriptions[i] ?? ''}
              onDescription={(text) =>
                setDescriptions((all) => all.map((d, j) => (j === i ? text : d)))
              }
            />
          ))}
        </ul>
        <p className="muted small">{t('evidence.permanent')}</p>
        <div className="button-row">
          <button type="submit" className="btn btn-primary" data-testid="stage-post">
            {t('evidence.postTo', { channel: channelLabel })}
          </button>
          <button type="button" className="btn btn-ghost" onClick={unstage}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
