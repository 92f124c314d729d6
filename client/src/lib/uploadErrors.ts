import { t } from '../i18n';

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** What went wrong with an evidence upload, for the person who tried it. */
export function describeUploadError(status: number, body: unknown): string {
  const error =
    body && typeof body === 'object' && 'error' in body
      ? (body as { error?: { code?: unknown; message?: unknown } }).error
      : undefined;
  const serverMessage = typeof error?.message === 'string' ? sentence(error.message) : '';
  if (status === 413 || error?.code === 'payload_too_large') {
    return serverMessage || t('upload.error.tooLarge');
  }
  if (status === 415 || error?.code === 'unsupported_media_type') {
    return serverMessage || t('upload.error.type');
  }
  if (status === 429) return t('upload.error.rateLimited');
  if (status === 0) return t('upload.error.offline');
  return serverMessage || t('upload.error.http', { status });
}
